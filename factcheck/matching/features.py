"""What the same-fact decision looks at for a pair of claims: a short vector of features.

Every feature is generic (no word list, no story): the cosine of the two sentence embeddings, how many content
words they share, whether they name the same people, organisations and places or different ones, whether their
figures and dates agree or conflict, and whether one is negated where the other is not. A logistic model trained
on real news (``train.py``) weighs them; ``pairmodel`` applies it.

A claim without an embedding (stored before embeddings existed and not refreshed yet) falls back on its word
overlap for the cosine, so it can still match, only less well.
"""

from __future__ import annotations

import math
import re

import numpy as np
from rapidfuzz import fuzz

from .entities import match_count
from .types import ClaimInfo

FEATURE_NAMES: tuple[str, ...] = (
    "cosine",
    "cosine_sq",
    "content_dice",
    "content_fuzzy",
    "people_shared",
    "people_differ",
    "orgs_shared",
    "orgs_differ",
    "places_shared",
    "places_differ",
    "figure_shared",
    "figure_differs",
    "year_shared",
    "year_differs",
    "negation_differs",
    "length_ratio",
    "subject_differs",
    "entities_unshared",
    "cosine_other_subject",
    "words_other_subject",
)

# Negation and refusal, the words that turn a statement into its opposite ("X did not ..."). Grammar, not a topic.
_NEGATION = re.compile(r"\b(?:not|no|never|nor|neither|none|nobody|nothing|without|den(?:y|ied|ies|ial)|n't)\b")


def _dice(x: frozenset, y: frozenset) -> float:
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def cosine(a: ClaimInfo, b: ClaimInfo) -> float:
    """Cosine of the two claims' (unit) embeddings; their content-word Dice when either has none."""
    if a.embedding is not None and b.embedding is not None:
        return float(np.dot(a.embedding, b.embedding))
    return _dice(a.profile.tokens, b.profile.tokens)


def _entities(xs, ys) -> tuple[float, float]:
    """(some entity of this kind in common, both name some and none in common)."""
    if not xs or not ys:
        return 0.0, 0.0
    mx, my = match_count(xs, ys)
    shared = mx > 0 or my > 0
    return float(shared), float(not shared)


def _figures(pa, pb) -> tuple[float, float]:
    xa, xb = pa.number_values, pb.number_values
    if not xa or not xb:
        return 0.0, 0.0
    if xa & xb:
        return 1.0, 0.0
    units = {u for u, _ in xa} & {u for u, _ in xb}
    return 0.0, float(bool(units))


def _years(pa, pb) -> tuple[float, float]:
    ya = {m.year for m in pa.dates if m.year}
    yb = {m.year for m in pb.dates if m.year}
    if not ya or not yb:
        return 0.0, 0.0
    return (1.0, 0.0) if ya & yb else (0.0, 1.0)


def _subject(p):
    """The person or organisation named first in the claim: most often who the claim is about."""
    named = [e for e in p.people[:1] + p.orgs[:1] if e.tokens]
    if not named:
        return None
    # Earliest in the text first; a name not found in it (-1) sorts last.
    return min(named, key=lambda e: (p.norm.find(e.tokens[0]) % (len(p.norm) + 1), e.kind))


def _subject_differs(pa, pb) -> float:
    sa, sb = _subject(pa), _subject(pb)
    if sa is None or sb is None:
        return 0.0
    mx, _ = match_count((sa,), pb.people + pb.orgs)
    my, _ = match_count((sb,), pa.people + pa.orgs)
    return float(not mx and not my)


def _unshared(pa, pb) -> float:
    """The larger share, over the two claims, of the people and organisations one names and the other does not."""
    xa, xb = pa.entities, pb.entities
    if not xa or not xb:
        return 0.0
    mx, my = match_count(xa, xb)
    return max(1 - mx / len(xa), 1 - my / len(xb))


def negated(a: ClaimInfo) -> bool:
    return bool(_NEGATION.search(a.profile.norm))


def pair_features(a: ClaimInfo, b: ClaimInfo, cos: float | None = None) -> list[float]:
    """The features of ``FEATURE_NAMES`` for one pair, in that order (symmetric in a and b)."""
    pa, pb = a.profile, b.profile
    c = cosine(a, b) if cos is None else cos
    la, lb = max(1, len(pa.norm.split())), max(1, len(pb.norm.split()))
    fuzzy = fuzz.token_set_ratio(pa.lexical, pb.lexical) / 100.0 if pa.lexical and pb.lexical else 0.0
    subject_differs = _subject_differs(pa, pb)
    return [
        c,
        c * c,
        _dice(pa.tokens, pb.tokens),
        fuzzy,
        *_entities(pa.people, pb.people),
        *_entities(pa.orgs, pb.orgs),
        *_entities(pa.places, pb.places),
        *_figures(pa, pb),
        *_years(pa, pb),
        float(negated(a) != negated(b)),
        abs(math.log(la / lb)),
        subject_differs,
        _unshared(pa, pb),
        # The same words about someone else ("X denied the report" / "Y denied the report") are another fact: how
        # alike the sentences are counts differently when their subjects differ.
        c * subject_differs,
        fuzzy * subject_differs,
    ]
