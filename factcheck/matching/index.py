"""Inverted indexes that keep comparisons off all-pairs on large inputs.

Claims are compared only when they share a block key: an entity (by normalised name, first
name and surname, so "John Halversen" meets "John Halvorsen"), a content word, or, for
conflicts, a quantity context ("% near a tariff"). Keys held by more than ``max_posting``
claims are skipped: a word or name in every claim of a big input says nothing about which
claims belong together, and rarer shared keys still bring genuinely related claims together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from .profile import ClaimProfile
from .types import ClaimInfo

DEFAULT_MAX_POSTING = 250


def entity_keys(profile: ClaimProfile) -> set[str]:
    keys = set()
    for e in profile.people:
        keys.add("p:" + e.key)
        if len(e.tokens) > 1:
            keys.add("pf:" + e.first)
        keys.add("pl:" + e.last)
    for e in profile.orgs:
        keys.add("o:" + e.key)
        keys.add("o:" + e.tokens[0])
    return keys


def similarity_keys(profile: ClaimProfile) -> set[str]:
    keys = entity_keys(profile)
    keys.update("t:" + t for t in profile.tokens)
    keys.update("v:" + g for g in profile.predicates)
    return keys


def conflict_keys(profile: ClaimProfile) -> set[str]:
    keys = entity_keys(profile)
    for m in profile.numbers:
        keys.update(f"n:{m.unit}:{g}" for g in m.window_predicates)
        keys.update(f"n:{m.unit}:{w}" for w in m.window)
    for m in profile.dates:
        keys.update(f"d:{g}" for g in m.window_predicates)
    return keys


def pairs_sharing(
    claims: Iterable[ClaimInfo],
    keys_of: Callable[[ClaimProfile], set[str]],
    *,
    max_posting: int = DEFAULT_MAX_POSTING,
    cross_article_only: bool = False,
) -> Iterator[tuple[int, int]]:
    """Distinct (smaller id, larger id) pairs of claims that share at least one block key."""
    postings: dict[str, list[ClaimInfo]] = defaultdict(list)
    for c in claims:
        for k in keys_of(c.profile):
            postings[k].append(c)
    seen: set[tuple[int, int]] = set()
    for key in sorted(postings):
        posting = postings[key]
        if len(posting) < 2 or len(posting) > max_posting:
            continue
        for i, a in enumerate(posting):
            for b in posting[i + 1 :]:
                if a.id == b.id or (cross_article_only and a.article_id == b.article_id):
                    continue
                pair = (a.id, b.id) if a.id < b.id else (b.id, a.id)
                if pair not in seen:
                    seen.add(pair)
                    yield pair


def candidate_pairs(claims: Iterable[ClaimInfo], *, max_posting: int = DEFAULT_MAX_POSTING):
    """Pairs worth scoring for clustering."""
    return pairs_sharing(claims, similarity_keys, max_posting=max_posting)
