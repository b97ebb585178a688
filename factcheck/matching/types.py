"""Plain-data inputs and outputs of the matching package.

Everything here is a frozen dataclass built from primitives, so the database layer can build the
inputs from query rows and store the outputs without any translation layer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pragma: no cover
    from .profile import ClaimProfile

ConflictKind = Literal["number", "name", "date", "denial"]
CONFLICT_KINDS: tuple[str, ...] = ("number", "name", "date", "denial")


@dataclass(frozen=True)
class ClaimInfo:
    """One extracted claim.

    ``facets`` follows the extraction schema (numbers, dates, people, organisations, quotes). It is
    read once, the first time the claim is compared, and must not be mutated afterwards: the derived
    profile (normalised text, tokens, entity keys, ...) is cached on the instance.
    """

    id: int
    article_id: int
    text: str
    facets: dict = field(default_factory=dict, hash=False, compare=False)
    kinds: tuple[str, ...] = ()
    # The claim's unit sentence embedding (numpy float32, ``encoder.DIM`` values), or None when not computed.
    embedding: Any = field(default=None, hash=False, compare=False, repr=False)
    # When the claim's article was published (or uploaded, when no date is known).
    published: dt.date | dt.datetime | None = field(default=None, compare=False)

    @cached_property
    def profile(self) -> ClaimProfile:
        # cached_property writes to the instance __dict__, which a frozen dataclass allows.
        from .profile import build_profile

        return build_profile(self)


@dataclass(frozen=True)
class Conflict:
    """Two claims that disagree about one fact.

    ``values`` are the disagreeing values as written (e.g. ``("100%", "145%")``);
    ``claim_ids`` is always sorted ascending so the same disagreement reads the same whichever
    claim came first.
    """

    kind: ConflictKind
    values: tuple[str, ...]
    claim_ids: tuple[int, int]
    explanation: str


@dataclass(frozen=True)
class ClusterAssignment:
    """Where one newly extracted claim belongs, as decided by ``assign_to_clusters``.

    Exactly one of three outcomes (see ``action``):

    * ``"join"`` — ``cluster_id`` is the existing cluster to join.
    * ``"new"`` — no existing cluster fits, but the claim states the same thing as the claims in
      ``new_group`` (sorted claim ids, this claim included; they may be other new claims and/or
      shortlisted existing claims that have no cluster yet). Every member of the group reports the
      same tuple, so the caller creates one cluster per distinct tuple and attaches all its members.
    * ``"alone"`` — nothing on the shortlist states the same thing.

    ``score`` is the average similarity to the cluster or group joined (0.0 when alone).
    """

    claim_id: int
    cluster_id: int | None = None
    new_group: tuple[int, ...] = ()
    score: float = 0.0

    @property
    def action(self) -> Literal["join", "new", "alone"]:
        if self.cluster_id is not None:
            return "join"
        if len(self.new_group) > 1:
            return "new"
        return "alone"


@dataclass(frozen=True)
class ArticleInfo:
    """What story grouping needs to know about an article.

    ``entities`` are the people and organisations named in the article (any spelling; they are
    normalised here). ``published_at`` may be a date or a datetime, or None when unknown.
    """

    id: int
    title: str
    entities: frozenset[str] = frozenset()
    published_at: dt.date | dt.datetime | None = None
