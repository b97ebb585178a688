"""Build the shipped rows the check-worthiness head trains on besides reviewers' labels.

Usage::

    python -m factcheck.extraction.head_data     # -> artifacts/head_data.npz

A seeded sample (``SEED``) of ``SIZE`` ClaimBuster sentences (CC BY 4.0; Arslan, Hassan, Li, Tremayne, ICWSM 2020,
arXiv:2004.14425), each with its label (1 = check-worthy factual sentence, Verdict 1), the shipped scorer's base
score and the matching encoder's embedding, stored as float16.

The shipped scorer was trained on every row of ``crowdsourced.csv``; its scores on those rows are more confident
than on new text. So every row of ``groundtruth.csv`` whose text is not in the crowdsourced file comes first
(about 1,020 of its 1,032): there are not enough of them for the sample, and the rest is drawn from the
crowdsourced file. ``source`` in the file says which is which (0 groundtruth, 1 crowdsourced). The groundtruth
file is CheckThat! 2024 dev: a head can't be measured there (``bench/bench_head.py`` uses dev-test).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from factcheck.extraction.head import DIM, HEAD_DATA
from factcheck.extraction.model import score_sentences
from factcheck.extraction.train import load_claimbuster

SEED = 13
SIZE = 3000


def _rows(name: str) -> list[tuple[str, int]]:
    return list(zip(*load_claimbuster(name), strict=True))


def sample(size: int = SIZE, seed: int = SEED) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(texts, labels, source) of the sample: unseen groundtruth rows first, then crowdsourced rows drawn at random."""
    crowd = _rows("crowdsourced.csv")
    seen = {text for text, _ in crowd}
    unseen, taken = [], set()
    for text, label in _rows("groundtruth.csv"):
        if text and text not in seen and text not in taken:
            unseen.append((text, label))
            taken.add(text)
    rng = np.random.default_rng(seed)
    unseen = [unseen[i] for i in rng.permutation(len(unseen))[:size]]
    pool = [(t, y) for t, y in crowd if t and t not in taken]
    extra = [pool[i] for i in rng.permutation(len(pool))[: size - len(unseen)]]
    rows = unseen + extra
    source = np.array([0] * len(unseen) + [1] * len(extra), dtype=np.int8)
    return [t for t, _ in rows], np.array([y for _, y in rows], dtype=np.int8), source


def build(out: Path = HEAD_DATA, size: int = SIZE, seed: int = SEED) -> dict:
    from factcheck.matching import encoder

    texts, labels, source = sample(size, seed)
    base = np.asarray(score_sentences(texts), dtype=np.float16)
    embeddings = encoder.encode(texts).astype(np.float16)
    assert embeddings.shape == (len(texts), DIM)
    np.savez_compressed(out, base=base, embeddings=embeddings, labels=labels, source=source)
    return {"rows": len(texts), "positives": int(labels.sum()), "groundtruth_rows": int((source == 0).sum()),
            "crowdsourced_rows": int((source == 1).sum()), "seed": seed}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HEAD_DATA)
    ap.add_argument("--size", type=int, default=SIZE)
    args = ap.parse_args(argv)
    print(build(args.out, args.size))


if __name__ == "__main__":
    main()
