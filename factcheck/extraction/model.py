"""Check-worthiness scorer.

``score_sentences(sentences)`` returns one score in [0, 1] per sentence; a score at or
above ``DEFAULT_THRESHOLD`` means the sentence is a check-worthy factual claim.

The model files live in ``artifacts/`` next to this module and are loaded lazily, once
per process. Runtime dependencies: numpy, onnxruntime and tokenizers; no Django, no torch.

The shipped model is a 3-layer MiniLM (from all-MiniLM-L6-v2, 512 feed-forward neurons a layer)
distilled from a 4-layer model fine-tuned on the ClaimBuster crowdsourced sentences (CC BY 4.0;
Arslan, Hassan, Li, Tremayne, ICWSM 2020, arXiv:2004.14425), exported to ONNX with int8 weights
(see ``train.py``). Sentences are run one at a time
(``batch_size`` 1 in meta.json): int8 activations are quantised per input tensor, so scoring
sentences one by one keeps each score independent of the other sentences in the call at
little cost in speed. ``FACTCHECK_SCORER_THREADS`` sets onnxruntime's intra-op threads
(default 1, suited to several worker processes per machine).
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
from pathlib import Path

import numpy as np

from factcheck.onnxrun import cpu_session, load_tokenizer

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts"

MODEL_VERSION: str = "cw-2026.11-minilm-l3f512-int8"
DEFAULT_THRESHOLD: float = 0.26

_TOKEN_RE = re.compile(r"(?u)\b\w+\b")
_LOCK = threading.Lock()
_MODEL = None


class LinearScorer:
    """TF-IDF (word 1-2 grams, sublinear tf, l2) + logistic regression in numpy."""

    def __init__(self, path: Path):
        data = np.load(path, allow_pickle=False)
        vocab = str(data["vocab"]).split("\n")
        self.index = {term: i for i, term in enumerate(vocab)}
        self.weight = (data["idf"].astype(np.float64), data["coef"].astype(np.float64))
        self.intercept = float(data["intercept"][0])

    def logits(self, sentences: list[str]) -> np.ndarray:
        idf, coef = self.weight
        index = self.index
        out = np.empty(len(sentences), dtype=np.float64)
        for n, text in enumerate(sentences):
            toks = _TOKEN_RE.findall(text.lower())
            counts: dict[int, int] = {}
            for term in toks:
                j = index.get(term)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            for a, b in zip(toks, toks[1:]):
                j = index.get(a + " " + b)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            if not counts:
                out[n] = self.intercept
                continue
            ids = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            vals = (1.0 + np.log(tf)) * idf[ids]
            norm = math.sqrt(float(vals @ vals)) or 1.0
            out[n] = float(vals @ coef[ids]) / norm + self.intercept
        return out

    def score(self, sentences: list[str]) -> np.ndarray:
        return _sigmoid(self.logits(sentences))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40.0, 40.0)))


class TransformerScorer:
    """Fine-tuned MiniLM exported to ONNX (int8), run with onnxruntime + tokenizers."""

    def __init__(self, directory: Path, meta: dict, threads: int):
        self.max_len = int(meta.get("max_len", 64))
        self.batch_size = int(meta.get("batch_size", 32))
        self.tokenizer = load_tokenizer(directory, self.max_len)
        self.session = cpu_session(directory / meta["onnx"], threads)

    def score(self, sentences: list[str]) -> np.ndarray:
        out = np.zeros(len(sentences), dtype=np.float64)
        if not sentences:
            return out
        encs = [e.ids for e in self.tokenizer.encode_batch(sentences, add_special_tokens=True)]
        order = sorted(range(len(encs)), key=lambda j: (len(encs[j]), j))
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            width = len(encs[idx[-1]])
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for r, j in enumerate(idx):
                seq = encs[j]
                ids[r, : len(seq)] = seq
                mask[r, : len(seq)] = 1
            (scores,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
            out[idx] = scores.reshape(-1)
        return out


class Model:
    """The shipped scorer: ``linear``, ``onnx`` or ``cascade`` (see artifacts/meta.json).

    In a cascade the linear model settles sentences whose probability falls outside
    ``[lo, hi)``; the transformer scores the rest. Settled scores are mapped onto the
    correct side of the threshold so the decision stays consistent.
    """

    def __init__(self, directory: Path, threads: int | None = None):
        self.meta = json.loads((directory / "meta.json").read_text())
        self.version = self.meta["model_version"]
        self.threshold = float(self.meta["threshold"])
        self.kind = self.meta["kind"]
        if threads is None:
            threads = int(os.environ.get("FACTCHECK_SCORER_THREADS", "0") or 0) or int(
                self.meta.get("threads", 1)
            )
        self.threads = threads
        self.linear = LinearScorer(directory / "linear.npz") if self.kind in ("linear", "cascade") else None
        self.transformer = (
            TransformerScorer(directory, self.meta, threads) if self.kind in ("onnx", "cascade") else None
        )
        band = self.meta.get("cascade", {})
        self.lo = float(band.get("lo", 0.0))
        self.hi = float(band.get("hi", 1.0))

    def score(self, sentences: list[str]) -> list[float]:
        if self.kind == "linear":
            scores = self.linear.score(sentences)
        elif self.kind == "onnx":
            scores = self.transformer.score(sentences)
        else:
            p = self.linear.score(sentences)
            scores = np.empty_like(p)
            t = self.threshold
            low = p < self.lo
            high = p >= self.hi
            mid = ~(low | high)
            if low.any():
                scores[low] = t * p[low] / max(self.lo, 1e-9)
            if high.any():
                scores[high] = t + (1.0 - t) * (p[high] - self.hi) / max(1.0 - self.hi, 1e-9)
            if mid.any():
                idx = np.flatnonzero(mid)
                scores[idx] = self.transformer.score([sentences[i] for i in idx])
        return [min(1.0, max(0.0, round(float(s), 6))) for s in scores]


def load_model(directory: Path | str | None = None) -> Model:
    """Load (or return the cached) model. Thread-safe; loads once per process."""
    global _MODEL
    if directory is not None:
        return Model(Path(directory))
    if _MODEL is None:
        with _LOCK:
            if _MODEL is None:
                _MODEL = Model(ARTIFACT_DIR)
    return _MODEL


def _reset_cache() -> None:
    global _MODEL
    with _LOCK:
        _MODEL = None


def score_sentences(sentences: list[str]) -> list[float]:
    """Check-worthiness score in [0, 1] for each sentence (same order)."""
    sentences = list(sentences)
    if not sentences:
        return []
    model = load_model()
    return model.score([s if isinstance(s, str) else str(s) for s in sentences])
