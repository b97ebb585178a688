"""Sentence encoder for claims: all-MiniLM-L6-v2 run with onnxruntime.

``encode(texts)`` returns one L2-normalised 384-dimensional float32 row per text (mean pooling over
the attention mask, as sentence-transformers does for this model); the cosine of two claims is the
dot product of their rows. ``to_bytes`` / ``from_bytes`` / ``from_bytes_many`` convert to and from
the stored form (float16, little-endian, 768 bytes), which is what ``Claim.embedding`` holds.

The model files live in ``artifacts/encoder/`` next to this module and are loaded lazily, once per
process. Runtime dependencies: numpy, onnxruntime and tokenizers; no Django, no torch. They are
rebuilt by ``python -m factcheck.matching.export_encoder``, which also measures them on ECB+ and
records the figures, the quantisation and the file hashes in ``meta.json``.

Texts are cut at 128 word pieces: the model was fine-tuned on pairs of that length, and a claim is
a sentence (a 30-word sentence is about 40 pieces), so only run-on text loses its tail.

Texts are run ``batch_size`` at a time (from meta.json; similar lengths together). With int8 weights
onnxruntime quantises activations per input tensor, so a text's vector would depend on the other
texts of its batch; the shipped model is therefore run one text at a time (``batch_size`` 1), which
makes the vector of a text the same whatever else is in the call. ``FACTCHECK_ENCODER_THREADS`` sets
onnxruntime's intra-op threads (default 1, suited to several worker processes per machine).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from factcheck.onnxrun import cpu_session, load_tokenizer

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts" / "encoder"

ENCODER_VERSION: str = "minilm-l6-v2-int8-1"
DIM = 384
MAX_TOKENS = 128
_STORED_DTYPE = np.dtype("<f2")
STORED_BYTES = DIM * _STORED_DTYPE.itemsize

_LOCK = threading.Lock()
_ENCODER = None


class Encoder:
    """The ONNX model and its tokenizer, as described by ``meta.json`` in ``directory``."""

    def __init__(self, directory: Path, threads: int | None = None):
        self.meta = json.loads((directory / "meta.json").read_text())
        self.version = self.meta["encoder_version"]
        if int(self.meta["dim"]) != DIM:
            raise ValueError(f"encoder in {directory} has dimension {self.meta['dim']}, expected {DIM}")
        self.max_len = int(self.meta.get("max_len", MAX_TOKENS))
        self.batch_size = max(1, int(self.meta.get("batch_size", 1)))
        if threads is None:
            threads = int(os.environ.get("FACTCHECK_ENCODER_THREADS", "0") or 0) or int(self.meta.get("threads", 1))
        self.threads = threads
        self.tokenizer = load_tokenizer(directory, self.max_len)
        self.session = cpu_session(directory / self.meta["onnx"], threads)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not len(texts):
            return out
        encs = [e.ids for e in self.tokenizer.encode_batch(list(texts), add_special_tokens=True)]
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
            (vecs,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
            out[idx] = vecs
        return out


def load_encoder(directory: Path | str | None = None) -> Encoder:
    """Load (or return the cached) shipped encoder. Thread-safe; loads once per process.

    With ``directory`` it loads that artifact afresh (for the export command and the bench).
    """
    global _ENCODER
    if directory is not None:
        return Encoder(Path(directory))
    if _ENCODER is None:
        with _LOCK:
            if _ENCODER is None:
                enc = Encoder(ARTIFACT_DIR)
                if enc.version != ENCODER_VERSION:
                    raise RuntimeError(
                        f"artifacts/encoder is {enc.version!r} but the code expects {ENCODER_VERSION!r}; "
                        "re-run python -m factcheck.matching.export_encoder"
                    )
                _ENCODER = enc
    return _ENCODER


def _reset_cache() -> None:
    global _ENCODER
    with _LOCK:
        _ENCODER = None


def encode(texts: Sequence[str]) -> np.ndarray:
    """Embeddings of ``texts``: float32 array (len(texts), 384), each row of unit length, same order."""
    texts = [t if isinstance(t, str) else str(t) for t in texts]
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    return load_encoder().encode(texts)


def to_bytes(vec) -> bytes:
    """One embedding as stored: 384 float16 values, little-endian (768 bytes)."""
    arr = np.asarray(vec, dtype=np.float32)
    if arr.shape != (DIM,):
        raise ValueError(f"expected one vector of shape ({DIM},), got {arr.shape}")
    return arr.astype(_STORED_DTYPE).tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    """A stored embedding back as float32 (384,). Float16 keeps about 3 significant digits, so the
    norm is 1 to within ~1e-3."""
    if len(data) != STORED_BYTES:
        raise ValueError(f"a stored embedding is {STORED_BYTES} bytes, got {len(data)}")
    return np.frombuffer(data, dtype=_STORED_DTYPE).astype(np.float32)


def from_bytes_many(items: Sequence[bytes]) -> np.ndarray:
    """Stored embeddings back as one float32 array (n, 384), in order."""
    items = [bytes(b) for b in items]
    bad = [n for n, b in enumerate(items) if len(b) != STORED_BYTES]
    if bad:
        raise ValueError(f"stored embeddings are {STORED_BYTES} bytes; item {bad[0]} is {len(items[bad[0]])}")
    if not items:
        return np.zeros((0, DIM), dtype=np.float32)
    return np.frombuffer(b"".join(items), dtype=_STORED_DTYPE).reshape(len(items), DIM).astype(np.float32)
