"""How fast one claim is matched against published checks, at 14,231 and at 200,000 checks.

    .venv/bin/python bench/bench_factcheck_match.py [--sizes 14231,200000] [--queries 400]

The collection is the CheckThat! 2022 2A Snopes checks (from ../shared/data, never shipped); 200,000 is reached by
adding copies of them whose vectors are moved by Gaussian noise (σ chosen so a copy stays at cosine ≈ 0.8 from its
original) and whose words are a random half of the original's: a collection of the same density, not duplicates.
Each query is a dev-test or dev tweet. A claim in the workspace is matched with the vector stored at extraction,
so the time is the index search with the learned decision (what `check_matching.search` does before its one
indexed query for deleted rows); encoding a text (what `match_factchecks` adds per statement) is timed apart. The
index build time is printed too (a worker pays it once, at its first search). Median and p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from factcheck.matching import checks, encoder  # noqa: E402
from factcheck.matching.train_checks import _encode, _jsonl, _tsv, data_dir  # noqa: E402

CACHE = Path(__file__).resolve().parents[1] / ".cache" / "train_checks"


def rows_for(size: int, rng: np.random.Generator):
    base = data_dir() / "checkthat2022-2a"
    records = _jsonl(base / "factchecks.jsonl")
    texts = [checks.CheckText(r.get("claimReviewed", "") or "", r.get("headline", "") or "") for r in records]
    claims = _encode([t.claim_reviewed or t.headline for t in texts], CACHE)
    heads = _encode([t.headline or t.claim_reviewed for t in texts], CACHE)
    terms = [checks.check_terms(t.claim_reviewed, t.headline) for t in texts]
    n = len(texts)
    src = np.arange(size) % n
    c, h = claims[src].copy(), heads[src].copy()
    copies = np.arange(size) >= n
    for m in (c, h):
        m[copies] += rng.normal(0, 0.038, (int(copies.sum()), m.shape[1])).astype(np.float32)
        m /= np.linalg.norm(m, axis=1, keepdims=True)
    lists_c, lists_h = checks.list_of(c), checks.list_of(h)
    keep = rng.random((size, max(len(w) for w in terms))) < 0.5
    for i in range(size):
        j = int(src[i])
        words = terms[j] if i < n else [w for k, w in enumerate(terms[j]) if keep[i, k]]
        keys = sorted({f"{checks.LIST_KEY}{lists_c[i]}", f"{checks.LIST_KEY}{lists_h[i]}"})
        keys += [checks.WORD_KEY + w for w in words]
        yield i, np.stack([c[i], h[i]]).astype("<f2").tobytes(), keys, texts[j].claim_reviewed or texts[j].headline


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="14231,200000")
    parser.add_argument("--queries", type=int, default=400)
    args = parser.parse_args()
    queries = [t for _, t in _tsv(data_dir() / "checkthat2022-2a" / "devtest_queries.tsv")]
    queries += [t for _, t in _tsv(data_dir() / "checkthat2022-2a" / "dev_queries.tsv")]
    queries = queries[: args.queries]
    model = checks.load_model()
    vectors = encoder.encode(queries)
    enc = []
    for q in queries[:100]:
        t = time.perf_counter()
        encoder.encode([q])
        enc.append((time.perf_counter() - t) * 1000)
    print(json.dumps({"encode_one_text_p50_ms": round(float(np.median(enc)), 2),
                      "p95_ms": round(float(np.percentile(enc, 95)), 2)}), flush=True)
    results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        rng = np.random.default_rng(7)
        index = checks.CheckIndex()
        index.add(rows_for(size, rng))
        t0 = time.perf_counter()
        index.search(encoder.encode(["warm up"])[0], "warm up", model)
        build = time.perf_counter() - t0
        times = []
        for v, q in zip(vectors, queries):
            t = time.perf_counter()
            index.search(v, q, model)
            times.append((time.perf_counter() - t) * 1000)
        results[size] = {"checks": size, "index_build_s": round(build, 2), "queries": len(times),
                         "p50_ms": round(float(np.median(times)), 2), "p95_ms": round(float(np.percentile(times, 95)), 2)}
        print(json.dumps(results[size]), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
