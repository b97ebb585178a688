"""Random-hyperplane LSH over claim embeddings: band keys that let PostgreSQL shortlist similar claims.

PostgreSQL here has no vector index (pgvector is not in every installation's packages), but it has a GIN index on
each claim's array of blocking keys. Locality-sensitive hashing turns "these two vectors are close" into "these two
claims share a key": ``BANDS`` bands of ``BITS`` random hyperplanes each; a band's key is which side of each of its
hyperplanes the vector lies on. Two unit vectors at angle θ land on the same side of one random hyperplane with
probability 1 − θ/π, so they share a band with probability (1 − θ/π)^BITS and at least one of ``BANDS`` bands with
1 − (1 − (1 − θ/π)^BITS)^BANDS: with 16 bands of 10 bits, ≈ 0.94 at cosine 0.8, ≈ 0.70 at 0.7 and ≈ 0.42 at 0.6,
and a pair that shares more bands is the closer one, which is how the shortlist ranks. (Also probing, per band, the
bucket across the nearest hyperplane lifted those to ≈ 0.99, 0.90 and 0.72, but doubled the lookups for little
recall at scale (BENCHMARKS.md, matching), so lookups use the stored keys.)

Keys also carry a coarse time bucket (the month of the article's publication, or of its upload when no date is
known): the same fact is reported within days, and the month keeps each bucket small at any archive size, so the
few claims read per key are the relevant ones. A claim within ``EDGE_DAYS`` of a month's end also probes the
neighbouring month. Exact cosine on the shortlist then decides (``features``); the keys only choose what to read.

The hyperplanes come from a fixed seed: the same vector always gets the same keys, in every process, and stored
keys stay valid until ``LSH_VERSION`` changes (then ``refresh_match_keys`` recomputes them).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np

BANDS = 16
BITS = 10
SEED = 20261207
DIM = 384
LSH_VERSION = 1
EDGE_DAYS = 7


@lru_cache(maxsize=1)
def hyperplanes() -> np.ndarray:
    """(BANDS * BITS, DIM) Gaussian hyperplanes, the same in every process."""
    rng = np.random.default_rng(SEED)
    return rng.standard_normal((BANDS * BITS, DIM)).astype(np.float32)


def month_bucket(when: dt.date | dt.datetime | None) -> str:
    """"2026-01" for a date; "" when unknown (such claims share one bucket)."""
    if when is None:
        return ""
    return f"{when.year:04d}-{when.month:02d}"


def neighbour_month(when: dt.date | dt.datetime) -> str | None:
    day = when.day
    first = dt.date(when.year, when.month, 1)
    if day <= EDGE_DAYS:
        prev = first - dt.timedelta(days=1)
        return month_bucket(prev)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    if (nxt - dt.date(when.year, when.month, day)).days <= EDGE_DAYS:
        return month_bucket(nxt)
    return None


def _codes(vector: np.ndarray) -> list[int]:
    """Per band, which side of each of its hyperplanes the vector lies on, as an integer."""
    bits = (hyperplanes() @ np.asarray(vector, dtype=np.float32) > 0).reshape(BANDS, BITS)
    return [int(c) for c in bits @ (1 << np.arange(BITS))]


def _keys(codes: list[int], month: str) -> list[str]:
    return [f"h{b}:{code}@{month}" for b, code in enumerate(codes)]


def band_keys(vector: np.ndarray | None, when: dt.date | dt.datetime | None = None) -> list[str]:
    """The keys stored with a claim: one per band, ``h<band>:<code>@<month>``."""
    if vector is None:
        return []
    return _keys(_codes(vector), month_bucket(when))


def probe_keys(vector: np.ndarray | None, when: dt.date | dt.datetime | None = None) -> list[str]:
    """The band keys a claim looks up: its own, and near a month's edge the same in the neighbouring month."""
    if vector is None:
        return []
    codes = _codes(vector)
    keys = _keys(codes, month_bucket(when))
    if when is not None and (other := neighbour_month(when)) is not None:
        keys += _keys(codes, other)
    return keys
