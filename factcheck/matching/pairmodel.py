"""The learned same-fact decision: a logistic model over ``features.FEATURE_NAMES``.

The weights, the threshold and the figures they were chosen by live in ``artifacts/pair_model.json``, written by
``python -m factcheck.matching.train`` (ECB+ topics 1–22 to fit, with weighed "same words about someone else"
negatives; topics 23–25 and the demo labels to choose the threshold). Applying it is a dot product: no model
library at run time.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .features import FEATURE_NAMES, cosine, pair_features
from .types import ClaimInfo

ARTIFACT = Path(__file__).resolve().parent / "artifacts" / "pair_model.json"


@dataclass(frozen=True)
class PairModel:
    version: str
    weights: tuple[float, ...]
    intercept: float
    threshold: float
    min_link: float
    cosine_floor: float

    def probability(self, features: list[float]) -> float:
        z = self.intercept + sum(w * x for w, x in zip(self.weights, features))
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


def decision_thresholds() -> tuple[float, float]:
    """(threshold, min_link) of the shipped model, read without checking its features (so that the training
    command, which rebuilds the model, can import the package whatever the shipped file holds)."""
    data = json.loads(ARTIFACT.read_text(encoding="utf-8"))
    return float(data["threshold"]), float(data.get("min_link", data["threshold"] / 2))


@lru_cache(maxsize=1)
def load() -> PairModel:
    data = json.loads(ARTIFACT.read_text(encoding="utf-8"))
    names = tuple(data["features"])
    if names != FEATURE_NAMES:
        raise RuntimeError(
            f"{ARTIFACT} was trained on features {names}, this code computes {FEATURE_NAMES}: "
            "rebuild it with `python -m factcheck.matching.train`."
        )
    return PairModel(
        version=str(data["version"]),
        weights=tuple(float(w) for w in data["weights"]),
        intercept=float(data["intercept"]),
        threshold=float(data["threshold"]),
        min_link=float(data.get("min_link", data["threshold"] / 2)),
        cosine_floor=float(data.get("cosine_floor", -1.0)),
    )


def same_fact_probability(a: ClaimInfo, b: ClaimInfo) -> float:
    """How likely two claims state the same fact, in [0, 1] (symmetric)."""
    model = load()
    cos = cosine(a, b)
    if cos < model.cosine_floor:  # outside what the model was fitted on: not alike enough to be one fact
        return 0.0
    if a.profile.norm and a.profile.norm == b.profile.norm:
        return 1.0
    return model.probability(pair_features(a, b, cos))
