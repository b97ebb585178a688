"""A head over the shipped check-worthiness scorer, fitted on reviewers' decisions and the shipped data.

The head is a logistic regression over ``[logit(base score), sentence embedding]``: the base score is what the
shipped scorer gave the sentence (``model.py``), the embedding the matching encoder's vector
(``factcheck/matching/encoder.py``), both already stored with every claim, so scoring a stored claim again runs no
model. ``fit`` is L2-regularised Newton's method in numpy (deterministic: no random start, no sampling).

Pure numpy, no Django. The shipped rows (``artifacts/head_data.npz``) are rebuilt by
``python -m factcheck.extraction.head_data``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

DIM = 384
HEAD_DATA = Path(__file__).resolve().parent / "artifacts" / "head_data.npz"

# Embedding components of a unit 384-vector are ~0.05; scaled by sqrt(384) they are of the order of the logit, so
# one L2 strength suits both parts of the input.
EMBEDDING_SCALE = float(np.sqrt(DIM))
# L2 strength, per unit of total sample weight (so it means the same with 3,000 rows or 30,000). Chosen on
# CheckThat! 2024 dev-test (3 of its 318 sentences are among the shipped rows): a head fitted on the shipped rows alone reaches an
# average precision of 0.940 there at 1e-2, 0.950 at 3e-2 and 0.955 at 1e-1, against 0.952 for the base score
# (BENCHMARKS.md); weaker penalties let the embedding overfit the debate sentences.
L2 = 1e-1
# Scores are clipped before the logit so a base score of exactly 0 or 1 stays finite.
EPS = 1e-4
NEWTON_STEPS = 50


def logit(p) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), EPS, 1.0 - EPS)
    return np.log(p / (1.0 - p))


def sigmoid(x) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(np.asarray(x, dtype=np.float64), -40.0, 40.0)))


def features(base_scores, embeddings) -> np.ndarray:
    """The head's input, one row per sentence: logit of the base score, then the scaled embedding."""
    base = logit(base_scores).reshape(-1, 1)
    emb = np.asarray(embeddings, dtype=np.float64).reshape(len(base), DIM) * EMBEDDING_SCALE
    return np.hstack([base, emb])


@dataclass(frozen=True)
class Head:
    """Fitted weights: ``coef`` (385: base logit, then the embedding), ``intercept``, decision ``threshold``."""

    coef: np.ndarray
    intercept: float
    threshold: float

    def score(self, base_scores, embeddings) -> np.ndarray:
        """Check-worthiness in [0, 1] for each (base score, embedding) pair."""
        if len(base_scores) == 0:
            return np.zeros(0)
        return sigmoid(features(base_scores, embeddings) @ self.coef + self.intercept)

    def to_json(self) -> dict:
        return {"coef": [round(float(c), 6) for c in self.coef], "intercept": round(float(self.intercept), 6),
                "threshold": float(self.threshold)}

    @classmethod
    def from_json(cls, data: dict) -> Head:
        return cls(np.asarray(data["coef"], dtype=np.float64), float(data["intercept"]), float(data["threshold"]))


def fit(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None, *, l2: float = L2) -> tuple[np.ndarray, float]:
    """Weighted, L2-regularised logistic regression (intercept not penalised) by Newton's method."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    design = np.hstack([np.ones((len(y), 1)), x])
    lam = l2 * float(w.sum())
    penalty = np.full(design.shape[1], lam)
    penalty[0] = 0.0
    beta = np.zeros(design.shape[1])
    prior = float(np.clip((w * y).sum() / w.sum(), EPS, 1 - EPS))
    beta[0] = np.log(prior / (1 - prior))
    for _ in range(NEWTON_STEPS):
        p = sigmoid(design @ beta)
        grad = design.T @ (w * (p - y)) + penalty * beta
        hess = (design * (w * p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return beta[1:], float(beta[0])


def best_threshold(y, scores, weights=None) -> float:
    """The threshold (0.05–0.95 by 0.01) that maximises the weighted F1 of the positive class."""
    y = np.asarray(y) == 1
    s = np.asarray(scores, dtype=np.float64)
    w = np.ones(len(s)) if weights is None else np.asarray(weights, dtype=np.float64)
    best_t, best_f = 0.5, -1.0
    for t in np.round(np.arange(0.05, 0.951, 0.01), 2):
        pred = s >= t
        tp, fp, fn = w[pred & y].sum(), w[pred & ~y].sum(), w[~pred & y].sum()
        f = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f > best_f + 1e-12:
            best_t, best_f = float(t), f
    return best_t


def train(base_scores, embeddings, labels, weights=None, *, l2: float = L2) -> Head:
    """Fit a head and pick its threshold on the same (weighted) rows."""
    x = features(base_scores, embeddings)
    coef, intercept = fit(x, labels, weights, l2=l2)
    head = Head(coef, intercept, 0.5)
    return Head(coef, intercept, best_threshold(labels, head.score(base_scores, embeddings), weights))


# --------------------------------------------------------------------------- measures


def f1_at(y, scores, threshold: float) -> float:
    y = np.asarray(y) == 1
    pred = np.asarray(scores, dtype=np.float64) >= threshold
    tp, fp, fn = int((pred & y).sum()), int((pred & ~y).sum()), int((~pred & y).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def average_precision(y, scores) -> float:
    """Mean of the precision at each positive, most check-worthy first (ties broken by position: deterministic)."""
    y = np.asarray(y) == 1
    if not y.any():
        return 0.0
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    hits = y[order]
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision[hits].mean())


def log_loss(y, scores) -> float:
    y = np.asarray(y, dtype=np.float64)
    p = np.clip(np.asarray(scores, dtype=np.float64), EPS, 1 - EPS)
    return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean()) if len(y) else 0.0


def measures(y, scores, threshold: float) -> dict:
    """F1 at the threshold, average precision and log-loss, rounded for storing and showing."""
    return {"f1": round(f1_at(y, scores, threshold), 4), "average_precision": round(average_precision(y, scores), 4),
            "log_loss": round(log_loss(y, scores), 4), "threshold": float(threshold)}


# --------------------------------------------------------------------------- shipped data


@dataclass(frozen=True)
class ShippedData:
    base: np.ndarray  # (n,) base scores
    embeddings: np.ndarray  # (n, 384)
    labels: np.ndarray  # (n,) 1 = check-worthy


def load_shipped(path: Path = HEAD_DATA) -> ShippedData:
    with np.load(path, allow_pickle=False) as data:
        return ShippedData(data["base"].astype(np.float64), data["embeddings"].astype(np.float32),
                           data["labels"].astype(np.int64))
