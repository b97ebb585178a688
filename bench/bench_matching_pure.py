"""Throughput of the pure matching package (no database). Prints numbers; asserts nothing.

    .venv/bin/python bench/bench_matching_pure.py [--claims 2000] [--shortlist 50]

Claims are the seed-article claims with hand-written facets (tests/matching/seed_claims.py),
re-issued with fresh ids and a distinguishing word so no cache sees the same text twice.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from factcheck.matching import (  # noqa: E402
    ClaimInfo,
    assign_to_clusters,
    cluster,
    find_conflicts,
    find_conflicts_in_story,
    similarity,
)
from tests.matching.seed_claims import ALL_CLAIMS  # noqa: E402

WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike".split()


def make_claims(n: int, seed: int = 7) -> list[ClaimInfo]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        base = ALL_CLAIMS[i % len(ALL_CLAIMS)]
        tag = f"{rng.choice(WORDS)}{i}"
        out.append(ClaimInfo(10_000 + i, 1000 + i // 12, f"{base.text} {tag}", base.facets, base.kinds))
    return out


def rate(label: str, count: int, seconds: float, unit: str = "pairs") -> None:
    print(f"{label:<58} {count / seconds:>12,.0f} {unit}/s   ({count:,} in {seconds:.2f}s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=2000)
    parser.add_argument("--shortlist", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(1)

    # 1. Cold: every claim is new, so its profile (normalisation, tokens, entities, stances) is
    #    built inside the timing — the realistic case for a freshly extracted article.
    claims = make_claims(args.claims)
    pool = make_claims(args.claims, seed=8)
    pairs = 0
    t = time.perf_counter()
    for c in claims:
        for other in rng.sample(pool, args.shortlist):
            similarity(c, other)
            pairs += 1
    rate(f"similarity, cold ({args.shortlist}-claim shortlist per claim)", pairs, time.perf_counter() - t)

    # 2. Warm: profiles already built (the same claims compared again).
    pairs = 0
    t = time.perf_counter()
    for c in claims:
        for other in rng.sample(pool, args.shortlist):
            similarity(c, other)
            pairs += 1
    rate("similarity, warm (profiles cached)", pairs, time.perf_counter() - t)

    # 3. Conflicts on the same shortlists.
    pairs = 0
    t = time.perf_counter()
    for c in claims:
        for other in rng.sample(pool, args.shortlist):
            find_conflicts(c, other)
            pairs += 1
    rate("find_conflicts, warm", pairs, time.perf_counter() - t)

    # 4. The incremental path: one article of 20 new claims against a shortlist of existing
    #    claims in 40 clusters.
    fresh = make_claims(20 * 50, seed=9)
    existing = make_claims(args.shortlist * 10, seed=10)
    candidates = [(c, i % 40 if i % 3 else None) for i, c in enumerate(existing)]
    t = time.perf_counter()
    articles = 0
    for start in range(0, len(fresh), 20):
        assign_to_clusters(fresh[start : start + 20], rng.sample(candidates, args.shortlist * 4))
        articles += 1
    label = f"assign_to_clusters (20 new vs {args.shortlist * 4} shortlisted)"
    rate(label, articles, time.perf_counter() - t, "articles")

    # 5. Batch: cluster and story-wide conflicts over 500 claims (inverted index, not all pairs).
    batch = make_claims(500, seed=11)
    t = time.perf_counter()
    groups = cluster(batch)
    multi = len([g for g in groups if len(g) > 1])
    rate(f"cluster(500 claims) -> {multi} clusters", len(batch), time.perf_counter() - t, "claims")
    t = time.perf_counter()
    conflicts = find_conflicts_in_story(batch)
    label = f"find_conflicts_in_story(500 claims) -> {len(conflicts)} conflicts"
    rate(label, len(batch), time.perf_counter() - t, "claims")


if __name__ == "__main__":
    main()
