"""How strongly two claims state the same fact: one probability in [0, 1].

The decision is learned (``pairmodel``, trained by ``python -m factcheck.matching.train`` on real news coverage),
not hand-weighted: a logistic model over the features in ``features.FEATURE_NAMES`` (embedding cosine, shared
content words, agreement of people, organisations and places, figures and years that agree or conflict, negation).
``SAME_CLAIM_THRESHOLD`` is the model's threshold, chosen with it on held-out data and stored in its artifact.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import pairmodel
from .features import FEATURE_NAMES, pair_features
from .types import ClaimInfo

SAME_CLAIM_THRESHOLD: float = pairmodel.decision_thresholds()[0]


@dataclass(frozen=True)
class SimilarityBreakdown:
    """A score with the features behind it, for debugging and for showing an editor why claims were linked."""

    score: float
    signals: dict[str, float]


def explain_similarity(a: ClaimInfo, b: ClaimInfo) -> SimilarityBreakdown:
    """The score of ``similarity(a, b)`` together with the features it was computed from."""
    return SimilarityBreakdown(similarity(a, b), dict(zip(FEATURE_NAMES, pair_features(a, b))))


def similarity(a: ClaimInfo, b: ClaimInfo) -> float:
    """How likely two claims state the same fact, in [0, 1] (symmetric)."""
    return pairmodel.same_fact_probability(a, b)


def same_claim(a: ClaimInfo, b: ClaimInfo, threshold: float = SAME_CLAIM_THRESHOLD) -> bool:
    return similarity(a, b) >= threshold


def numbers_equal(x: float, y: float) -> bool:
    """Equal up to rounding in the last reported digit (0.5% relative)."""
    return abs(x - y) <= 0.005 * max(abs(x), abs(y)) or abs(x - y) < 1e-9
