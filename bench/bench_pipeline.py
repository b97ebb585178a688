"""What an article costs beyond the models, in one run: extraction and matching of generated ~600-word articles,
through the same service calls the workers make, timed part by part.

    .venv/bin/python bench/bench_pipeline.py [--articles 60] [--words 600]

Creates its own database (dropped and created again), migrates it, stores `--articles` generated articles (the
ingest benchmark's generator, fixed seed), then for each runs what the worker runs: claim extraction
(`services.extraction.article_extract_claims`) and matching across articles and against published fact-checks
(`services.matching.article_match_claims`, `services.check_matching.article_offer_checks`).

Model time is the CPU time of the three models each sentence meets: the check-worthiness scorer, the named-entity
recogniser and the sentence encoder. Everything else is overhead: segmentation, facets, building and inserting
claims with their keys and history, matching. Printed per article, with the ratio overhead / model:
- in this process's CPU time (the Python side), and
- in wall time, which also holds the PostgreSQL backend's work and the waits for it.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DB_NAME = os.environ.get("BENCH_DATABASE_NAME", "factdesk_bench_pipeline")
SERVER_URL = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")

SPENT: dict[str, float] = defaultdict(float)


def timed(name: str, fn):
    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            SPENT[name] += time.process_time() - started
    return wrapper


def setup_django() -> None:
    from benchdb import setup_django as setup

    setup(SERVER_URL, DB_NAME)


def instrument() -> None:
    """Time the three models where the pipeline calls them."""
    from factcheck.extraction import facets, pipeline
    from factcheck.matching import encoder

    pipeline.score_sentences = timed("scorer", pipeline.score_sentences)
    facets._find_entities = timed("recogniser", facets._find_entities)
    encoder.Encoder.encode = timed("encoder", encoder.Encoder.encode)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--words", type=int, default=600)
    args = parser.parse_args()
    setup_django()
    from bench_ingest import make_article

    from factcheck.extraction.model import load_model
    from factcheck.extraction.facets import load_ner
    from factcheck.matching import encoder
    from factcheck.models import Article, Claim
    from factcheck.services import check_matching, extraction, matching
    from factcheck.ingest import content_hash

    load_model(), load_ner(), encoder.encode(["warm up"])  # loading is not per-article work
    instrument()
    rng = random.Random(13)
    ids = []
    for n in range(args.articles):
        row = make_article(rng, n, args.words)
        ids.append(Article.objects.create(title=row["title"], body=row["body"], content_hash=content_hash(row["body"]),
                                          url=row["url"], status=Article.Status.QUEUED).pk)
    # The first article pays for first-use costs (imports, prepared plans): timed apart.
    extraction.article_extract_claims(article_id=ids[0])
    matching.article_match_claims(article_id=ids[0])
    check_matching.article_offer_checks(article_id=ids[0])
    SPENT.clear()
    wall = cpu = 0.0
    profile = None
    if os.environ.get("BENCH_PROFILE"):  # where the overhead goes: cProfile of the timed loop, to this file
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    for article_id in ids[1:]:
        started_wall, started_cpu = time.perf_counter(), time.process_time()
        extraction.article_extract_claims(article_id=article_id)
        matching.article_match_claims(article_id=article_id)
        check_matching.article_offer_checks(article_id=article_id)
        wall += time.perf_counter() - started_wall
        cpu += time.process_time() - started_cpu
    if profile is not None:
        profile.disable()
        profile.dump_stats(os.environ["BENCH_PROFILE"])
    n = len(ids) - 1
    model = sum(SPENT.values())
    claims = Claim.objects.filter(article_id__in=ids[1:]).count()
    sentences = claims / n
    print(f"{n} articles of ~{args.words} words, {sentences:.1f} claims each; load average {os.getloadavg()[0]:.2f}")
    for name in ("scorer", "recogniser", "encoder"):
        print(f"  {name:<28} {1000 * SPENT[name] / n:7.1f} ms CPU per article")
    print(f"  {'models together':<28} {1000 * model / n:7.1f} ms CPU per article")
    print(f"  {'overhead, this process':<28} {1000 * (cpu - model) / n:7.1f} ms CPU per article")
    print(f"  {'overhead, wall (with PG)':<28} {1000 * (wall - model) / n:7.1f} ms per article")
    print(f"  {'wall per article':<28} {1000 * wall / n:7.1f} ms ({n / wall:.1f} articles/s)")
    print(f"overhead / model: {(cpu - model) / model:.2f} (CPU, this process), {(wall - model) / model:.2f} (wall)")


if __name__ == "__main__":
    main()
