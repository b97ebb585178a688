"""Matching claims to published fact-checks (schema.org ClaimReview): what a check is stored with, the index the
checks are searched in, and the learned decision that says how sure an offer is.

A check is stored with two sentence vectors (the claim it reviews, and its headline; ``encoder``) and its keys:
``v:<list>`` for the coarse list each vector falls in, and ``w:<stem>`` for each content word of the claim and
headline (``text.content_tokens``). ``CheckIndex`` holds them in memory, built from those stored fields (no text is
tokenised or encoded again), and answers a query in time that grows with the lists probed and the postings of its
words, not with the collection:

- **candidates** are the checks in the lists nearest the query's vector, taken in order until they hold
  ``vector_budget`` checks (an inverted-file index over centroids learned from public political claims,
  ``artifacts/check_centroids.npy``), plus the ``lexical_candidates`` checks with the best BM25 score over the
  query's words (computed over every check that shares a word, words in more than ``max_df_share`` of the checks
  left out);
- **ranking** fuses cosine and BM25 (``LEXICAL_WEIGHT``) and keeps the ``TOP_K`` best;
- **the decision** is a gradient-boosted model over generic features of each of those (cosines, BM25 normalised two
  ways, rank, margins to the next candidate, figures shared or different, a question, relative length). It gives
  the probability that the check reviews the query's claim, and the band: ``strong`` (shown as "already checked"),
  ``possible`` (shown folded) or none. Both thresholds are calibrated on data by ``train_checks``; a check less
  alike than ``min_cosine`` (by either vector) is never offered.

Everything is pure (numpy only); the database layer feeds the index (``services.check_matching``).
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from . import encoder
from .text import content_tokens

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts"
MODEL_PATH = ARTIFACT_DIR / "check_model.json"
CENTROIDS_PATH = ARTIFACT_DIR / "check_centroids.npy"

# Stored vectors per check: the claim reviewed, then the headline (the claim again when there is none).
VECTORS = 2
STORED_BYTES = VECTORS * encoder.STORED_BYTES

# BM25 (Robertson): the usual constants.
K1 = 1.2
B = 0.75

# A word is left out of BM25 when more than this many checks (and more than `max_df_share` of them) have it.
COMMON_FLOOR = 50

LIST_KEY = "v:"
WORD_KEY = "w:"

STRONG = "strong"
POSSIBLE = "possible"

FEATURE_NAMES: tuple[str, ...] = (
    "cos_claim",
    "cos_headline",
    "cos_best",
    "bm25_vs_best",
    "bm25_coverage",
    "log_rank",
    "fused_margin",
    "cos_margin",
    "figures_shared",
    "figures_differ",
    "question",
    "length_ratio",
)


@dataclass(frozen=True)
class CheckText:
    claim_reviewed: str
    headline: str = ""
    description: str = ""


@dataclass(frozen=True)
class CheckFields:
    embedding: bytes
    embedding_model: str
    match_keys: list[str]


# --- the stored fields ----------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def centroids() -> np.ndarray:
    """(lists, 384) unit centroids of the inverted-file index."""
    return np.load(CENTROIDS_PATH).astype(np.float32)


def list_of(vectors: np.ndarray) -> np.ndarray:
    """The list (nearest centroid) of each row."""
    if not len(vectors):
        return np.zeros(0, dtype=np.int64)
    return (np.asarray(vectors, dtype=np.float32) @ centroids().T).argmax(axis=1)


def check_terms(claim_reviewed: str, headline: str) -> list[str]:
    return sorted(content_tokens(f"{claim_reviewed} {headline}"))


def check_match_fields_many(texts: Sequence[CheckText]) -> list[CheckFields]:
    """Vectors and keys of each check, in order (one encoder call for all)."""
    if not texts:
        return []
    claims = [t.claim_reviewed or t.headline for t in texts]
    heads = [t.headline or t.claim_reviewed for t in texts]
    unique = list(dict.fromkeys(claims + heads))  # a check without a headline is encoded once
    row = {text: i for i, text in enumerate(unique)}
    vectors = encoder.encode(unique)
    lists = list_of(vectors)
    out = []
    for t, claim, head in zip(texts, claims, heads):
        c, h = row[claim], row[head]
        pair = np.stack([vectors[c], vectors[h]])
        keys = sorted({f"{LIST_KEY}{lists[c]}", f"{LIST_KEY}{lists[h]}"})
        keys += [WORD_KEY + w for w in check_terms(t.claim_reviewed, t.headline)]
        out.append(CheckFields(pair.astype("<f2").tobytes(), encoder.ENCODER_VERSION, keys))
    return out


def vectors_from_bytes(data: bytes) -> np.ndarray:
    """A check's stored vectors back as float32 (2, 384)."""
    if len(data) != STORED_BYTES:
        raise ValueError(f"a check's stored vectors are {STORED_BYTES} bytes, got {len(data)}")
    return np.frombuffer(data, dtype="<f2").astype(np.float32).reshape(VECTORS, encoder.DIM)


# --- the model -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CheckModel:
    """Gradient-boosted trees (exported from training as arrays) and the calibrated band thresholds."""

    version: str
    baseline: float
    trees: tuple[tuple[np.ndarray, ...], ...]
    strong: float
    possible: float
    lexical_weight: float
    top_k: int
    vector_budget: int
    lexical_candidates: int
    max_df_share: float
    min_cosine: float = 0.0
    card: dict = field(default_factory=dict, compare=False, repr=False)

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P(the check reviews the claim) for each row of features: every tree walked at once, level by level."""
        x = np.atleast_2d(np.asarray(features, dtype=np.float64))
        raw = np.full(len(x), self.baseline)
        if not self.trees:
            return 1.0 / (1.0 + np.exp(-raw))
        feature, threshold, left, right, leaf, value, nan_left, roots = self._flat
        rows = np.arange(len(x))[:, None]
        node = np.broadcast_to(roots, (len(x), len(roots))).copy()
        while True:
            live = ~leaf[node]
            if not live.any():
                break
            v = x[rows, feature[node]]
            go_left = np.where(np.isnan(v), nan_left[node], v <= threshold[node])
            node = np.where(live, np.where(go_left, left[node], right[node]), node)
        return 1.0 / (1.0 + np.exp(-(raw + value[node].sum(axis=1))))

    @cached_property
    def _flat(self) -> tuple[np.ndarray, ...]:
        """The trees as one array per field, children renumbered to global node ids; `roots` per tree."""
        offsets = np.cumsum([0] + [len(t[0]) for t in self.trees])
        parts = list(zip(*self.trees))
        feature, threshold = np.concatenate(parts[0]), np.concatenate(parts[1])
        left = np.concatenate([t[2] + o for t, o in zip(self.trees, offsets)])
        right = np.concatenate([t[3] + o for t, o in zip(self.trees, offsets)])
        leaf, value, nan_left = np.concatenate(parts[4]), np.concatenate(parts[5]), np.concatenate(parts[6])
        return feature, threshold, left, right, leaf, value, nan_left, offsets[:-1]

    def band(self, probability: float) -> str | None:
        if probability >= self.strong:
            return STRONG
        if probability >= self.possible:
            return POSSIBLE
        return None


def model_from_dict(data: dict) -> CheckModel:
    trees = []
    for t in data["trees"]:
        trees.append((
            np.asarray(t["feature"], dtype=np.int64),
            np.asarray(t["threshold"], dtype=np.float64),
            np.asarray(t["left"], dtype=np.int64),
            np.asarray(t["right"], dtype=np.int64),
            np.asarray(t["leaf"], dtype=bool),
            np.asarray(t["value"], dtype=np.float64),
            np.asarray(t["nan_left"], dtype=bool),
        ))
    if tuple(data["features"]) != FEATURE_NAMES:
        raise ValueError("check_model.json was trained on other features; re-run python -m factcheck.matching.train_checks")
    return CheckModel(
        version=data["version"], baseline=float(data["baseline"]), trees=tuple(trees),
        strong=float(data["thresholds"]["strong"]), possible=float(data["thresholds"]["possible"]),
        lexical_weight=float(data["lexical_weight"]), top_k=int(data["top_k"]),
        vector_budget=int(data["vector_budget"]), lexical_candidates=int(data["lexical_candidates"]),
        max_df_share=float(data["max_df_share"]), min_cosine=float(data.get("min_cosine", 0.0)),
        card=data.get("card", {}),
    )


_MODEL_LOCK = threading.Lock()
_MODEL: CheckModel | None = None


def load_model(path: Path | None = None) -> CheckModel:
    global _MODEL
    if path is not None:
        return model_from_dict(json.loads(Path(path).read_text()))
    if _MODEL is None:
        with _MODEL_LOCK:
            if _MODEL is None:
                _MODEL = model_from_dict(json.loads(MODEL_PATH.read_text()))
    return _MODEL


# --- the index -------------------------------------------------------------------------------------------------

_FIGURE = re.compile(r"\d[\d,.]*\d|\d")


def figures(text: str) -> frozenset[str]:
    return frozenset(m.replace(",", "") for m in _FIGURE.findall(text))


@dataclass
class Offer:
    """One ranked check for a query: its id, features and probability."""

    check_id: int
    features: np.ndarray
    probability: float = 0.0
    band: str | None = None


class CheckIndex:
    """The checks in memory: vectors (float16), list membership and word postings, searched without a full scan.

    ``add`` takes stored rows (id, embedding bytes, match keys, text); a row with an id already present replaces
    it. The arrays are rebuilt lazily, on the first search after a change.
    """

    def __init__(self) -> None:
        self._rows: dict[int, tuple[np.ndarray, tuple[str, ...], str]] = {}
        self._built = False

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, rows: Iterable[tuple[int, bytes, Sequence[str], str]]) -> int:
        n = 0
        for check_id, embedding, keys, text in rows:
            if not embedding or len(embedding) != STORED_BYTES:
                continue
            self._rows[int(check_id)] = (
                np.frombuffer(bytes(embedding), dtype="<f2").reshape(VECTORS, encoder.DIM),
                tuple(keys), text,
            )
            n += 1
        if n:
            self._built = False
        return n

    def remove(self, ids: Iterable[int]) -> None:
        for i in ids:
            if self._rows.pop(int(i), None) is not None:
                self._built = False

    def _build(self) -> None:
        ids = np.fromiter(self._rows, dtype=np.int64, count=len(self._rows))
        n = len(ids)
        self.ids = ids
        self.texts = [self._rows[int(i)][2] for i in ids]
        self.vectors = (np.stack([self._rows[int(i)][0] for i in ids]) if n
                        else np.zeros((0, VECTORS, encoder.DIM), dtype=np.float16))
        vocab: dict[str, int] = {}
        term_rows: list[int] = []
        term_ids: list[int] = []
        list_rows: list[int] = []
        list_ids: list[int] = []
        for r, i in enumerate(ids):
            for key in self._rows[int(i)][1]:
                if key.startswith(WORD_KEY):
                    term_ids.append(vocab.setdefault(key[len(WORD_KEY):], len(vocab)))
                    term_rows.append(r)
                elif key.startswith(LIST_KEY):
                    list_ids.append(int(key[len(LIST_KEY):]))
                    list_rows.append(r)
        self.vocab = vocab
        t_ids = np.asarray(term_ids, dtype=np.int64)
        t_rows = np.asarray(term_rows, dtype=np.int64)
        order = np.argsort(t_ids, kind="stable")
        self.post_rows = t_rows[order]
        self.post_start = np.searchsorted(t_ids[order], np.arange(len(vocab) + 1))
        df = np.diff(self.post_start).astype(np.float64)
        self.idf = np.log(1 + (n - df + 0.5) / (df + 0.5)) if n else df
        dl = np.bincount(t_rows, minlength=n).astype(np.float64)
        avg = dl.mean() if n else 1.0
        self.norm = K1 * (1 - B + B * dl / max(avg, 1e-9))
        l_ids = np.asarray(list_ids, dtype=np.int64)
        l_rows = np.asarray(list_rows, dtype=np.int64)
        lorder = np.argsort(l_ids, kind="stable")
        lists = len(centroids())
        self.list_rows = l_rows[lorder]
        self.list_start = np.searchsorted(l_ids[lorder], np.arange(lists + 1))
        self._built = True

    def _bm25(self, terms: Iterable[str], max_df_share: float = 1.0) -> tuple[np.ndarray, np.ndarray, float]:
        """BM25 of the checks sharing a word with the query: (rows, their scores), and the query's highest
        possible score (every word matched). Words in more than `max_df_share` of the checks (and more than
        COMMON_FLOOR) say little and would cost the most: they are left out."""
        scores = np.zeros(len(self.ids))
        upper = 0.0
        touched = []
        limit = max(max_df_share * len(self.ids), COMMON_FLOOR)
        for term in terms:
            t = self.vocab.get(term)
            if t is None or self.post_start[t + 1] - self.post_start[t] > limit:
                continue
            rows = self.post_rows[self.post_start[t]:self.post_start[t + 1]]
            w = self.idf[t]
            scores[rows] += w * (K1 + 1) / (1 + self.norm[rows])
            upper += w * (K1 + 1)
            touched.append(rows)
        if not touched:
            return np.zeros(0, dtype=np.int64), np.zeros(0), upper
        rows = np.unique(np.concatenate(touched))
        return rows, scores[rows], upper

    def search(self, vector: np.ndarray, text: str, model: CheckModel | None = None,
               exclude: Iterable[int] = ()) -> list[Offer]:
        """The ``top_k`` candidate checks for one query, best first, with their probability and band."""
        model = model or load_model()
        if not self._built:
            self._build()
        if not len(self.ids):
            return []
        vector = np.asarray(vector, dtype=np.float32)
        excluded = set(exclude)
        # The lists nearest the query, until they hold `vector_budget` checks.
        sizes = np.diff(self.list_start)
        order = np.argsort(-(centroids() @ vector))
        enough = int(np.searchsorted(np.cumsum(sizes[order]), model.vector_budget)) + 1
        near = np.concatenate([self.list_rows[self.list_start[p]:self.list_start[p + 1]] for p in order[:enough]])
        bm_at, bm_score, upper = self._bm25(content_tokens(text), model.max_df_share)
        if excluded:
            keep = ~np.isin(self.ids, list(excluded))
            bm_at, bm_score = bm_at[keep[bm_at]], bm_score[keep[bm_at]]
            near = near[keep[near]]
        k = min(model.lexical_candidates, len(bm_at))
        lexical = bm_at[np.argpartition(-bm_score, k - 1)[:k]] if k else bm_at
        rows = np.unique(np.concatenate([near, lexical]))
        if not len(rows):
            return []
        cos = self.vectors[rows].astype(np.float32) @ vector  # (rows, 2)
        best_bm = float(bm_score.max()) if len(bm_score) else 0.0
        full = np.zeros(len(self.ids))
        full[bm_at] = bm_score
        bm_rows = full[rows]
        cos_best = cos.max(axis=1)
        fused = cos_best + model.lexical_weight * (bm_rows / best_bm if best_bm > 0 else 0.0)
        top = np.argsort(-fused, kind="stable")[:model.top_k]
        qfig = figures(text)
        question = float(text.rstrip().endswith("?"))
        offers = []
        for rank, j in enumerate(top):
            others = np.delete(top, rank)
            r = int(rows[j])
            cfig = figures(self.texts[r])
            features = np.array([
                cos[j, 0], cos[j, 1], cos_best[j],
                bm_rows[j] / best_bm if best_bm > 0 else 0.0,
                bm_rows[j] / upper if upper > 0 else 0.0,
                math.log1p(rank),
                fused[j] - (fused[others].max() if len(others) else 0.0),
                cos_best[j] - (cos_best[others].max() if len(others) else 0.0),
                float(bool(qfig & cfig)),
                float(bool(qfig and cfig and not qfig & cfig)),
                question,
                math.log(len(text) + 1) - math.log(len(self.texts[r]) + 1),
            ])
            offers.append(Offer(int(self.ids[r]), features))
        probs = model.probability(np.stack([o.features for o in offers]))
        for offer, p in zip(offers, probs):
            offer.probability = float(p)
            # Less alike than any statement the model was fitted on: never offered.
            offer.band = model.band(float(p)) if offer.features[2] >= model.min_cosine else None
        offers.sort(key=lambda o: -o.probability)
        return offers
