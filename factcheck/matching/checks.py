"""Matching claims to published fact-checks (ClaimReview): what a check is stored with, and how a claim ranks them.

``check_match_fields_many`` gives each check its stored vector, the encoder's version and its candidate keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import encoder, lsh


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


def check_match_fields_many(texts: Sequence[CheckText]) -> list[CheckFields]:
    """Vector and candidate keys of each check, in order (encodes in one call)."""
    vectors = encoder.encode([t.claim_reviewed or t.headline for t in texts])
    return [
        CheckFields(encoder.to_bytes(v), encoder.ENCODER_VERSION, check_keys(v)) for v in np.asarray(vectors)
    ]


def check_keys(vector: np.ndarray) -> list[str]:
    return [k.split("@", 1)[0].replace("h", "c", 1) for k in lsh.band_keys(vector)]
