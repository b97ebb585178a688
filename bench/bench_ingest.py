"""Benchmark a batch import end to end: JSON Lines -> workers -> articles stored -> claims extracted.

Run from the repository root (PostgreSQL and Redis running)::

    .venv/bin/python bench/bench_ingest.py [--articles 10000] [--words 600] [--workers 2]

It generates N realistic articles, creates a database of its own (factdesk_bench_ingest, migrated, dropped
afterwards unless --keep), starts worker processes (`celery worker -c 1` each) on a Redis queue of its own,
imports the file as one batch through the workers, and prints the wall time and articles per second of the
import, and the time until every article is extracted (status ready).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST = ["Margaret", "John", "Aisha", "Carlos", "Mei", "Olusegun", "Ingrid", "Rahul", "Sofia", "Tomasz", "Fatima",
         "Daniel", "Keiko", "Pierre", "Amara", "Lukas"]
LAST = ["Okafor", "Moolenaar", "Haddad", "Ruiz", "Chen", "Adeyemi", "Larsen", "Mehta", "Rossi", "Nowak", "Zahra",
        "Brennan", "Tanaka", "Dubois", "Mensah", "Becker"]
ORGS = ["the Riverside Council", "Ford", "Xiaomi", "the Department of Transport", "the European Commission",
        "the city's port authority", "a regional water company", "the national statistics office",
        "the teachers' union", "the central bank", "the World Health Organization", "a local hospital trust"]
PLACES = ["Riverside", "Lagos", "Gdansk", "Osaka", "Lyon", "Accra", "Bergen", "Pune", "Turin", "Valencia"]
VERBS = ["said", "told reporters", "announced", "confirmed", "wrote in a statement", "argued"]
TOPICS = ["the bridge repairs", "the new tariff", "the hospital budget", "the rail strike", "battery production",
          "the housing plan", "school funding", "the flood defences", "electric vehicle sales", "the port expansion"]


def sentence(rng: random.Random, n: int) -> str:
    person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    org, place, topic = rng.choice(ORGS), rng.choice(PLACES), rng.choice(TOPICS)
    number = rng.choice([f"{rng.randint(2, 98)} percent", f"£{rng.randint(1, 900)}.{rng.randint(0, 9)} million",
                         f"${rng.randint(1, 50)} billion", f"{rng.randint(1000, 99000):,} people",
                         f"{rng.randint(2, 40)} years"])
    year = rng.randint(1998, 2026)
    forms = [
        f"{org.capitalize()} said on {rng.choice(['Monday', 'Tuesday', 'Thursday'])} that {topic} would cost {number}.",
        f"\"We had no choice but to act on {topic},\" {person} {rng.choice(VERBS)}.",
        f"According to a {year} survey, {number} in {place} were affected by {topic}.",
        f"{person}, a spokesperson for {org}, denied the report.",
        f"{org.capitalize()} did not respond to a request for comment about {topic}.",
        f"Critics in {place} said the plan was rushed and poorly explained to residents.",
        f"The figure rose by {rng.randint(2, 60)} percent between {year - 5} and {year}, official data show.",
        f"Analysts at {rng.choice(ORGS)} expect {topic} to be completed by {year + rng.randint(1, 6)}.",
        f"Residents of {place} have been waiting for news on {topic} for months.",
        f"In article {n}, {person} was quoted as saying the numbers were \"simply wrong\".",
    ]
    return rng.choice(forms)


def make_article(rng: random.Random, n: int, words: int) -> dict:
    paragraphs, count = [], 0
    while count < words:
        paragraph = " ".join(sentence(rng, n) for _ in range(rng.randint(2, 5)))
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    topic = rng.choice(TOPICS)
    return {
        "title": f"{rng.choice(PLACES)}: row over {topic} deepens ({n})",
        "body": "\n\n".join(paragraphs),
        "author": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "published_at": f"2026-01-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z",
        "url": f"https://news{n % 7}.example/{n}",
    }


def psql(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--workers", type=int, default=2, help="worker processes (celery worker -c 1 each)")
    parser.add_argument("--db", default="factdesk_bench_ingest")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--every", type=float, default=10, help="seconds between progress lines")
    args = parser.parse_args()

    env = dict(os.environ, DATABASE_URL=f"{args.server}/{args.db}", REDIS_URL=args.redis,
               CELERY_BROKER_URL=args.redis, CELERY_QUEUE="factdesk-bench-ingest",
               DJANGO_SETTINGS_MODULE="newsroom.settings", LOG_LEVEL="WARNING",
               DEBUG=os.environ.get("DEBUG", "true"))
    os.environ.update(env)

    workdir = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    data = workdir / "articles.jsonl"
    rng = random.Random(20260106)
    t = time.perf_counter()
    with data.open("w", encoding="utf-8") as out:
        for n in range(args.articles):
            out.write(json.dumps(make_article(rng, n, args.words)) + "\n")
    size = data.stat().st_size
    print(f"generated {args.articles} articles (~{args.words} words, {size / 1e6:.1f} MB) in "
          f"{time.perf_counter() - t:.1f}s", flush=True)

    psql(f"{args.server}/postgres", f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    psql(f"{args.server}/postgres", f'CREATE DATABASE "{args.db}"')
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)

    import redis

    redis.Redis.from_url(args.redis).flushdb()  # our own Redis database: start from an empty queue

    import django

    django.setup()
    from django.conf import settings

    from factcheck.models import Article, ImportBatch
    from factcheck import tasks
    from factcheck.services import batches

    celery = Path(sys.executable).parent / "celery"
    workers = [
        subprocess.Popen([str(celery), "-A", "newsroom", "worker", "-P", "prefork", "-c", "1", "--loglevel=WARNING",
                          "-n", f"bench{i}@%h", "--without-mingle", "--without-gossip"],
                         cwd=ROOT, env=env, start_new_session=True,
                         stdout=(workdir / f"worker{i}.log").open("wb"), stderr=subprocess.STDOUT)
        for i in range(args.workers)
    ]
    try:
        time.sleep(3)  # let the workers connect
        assert settings.DATABASES["default"]["NAME"] == args.db
        start = time.perf_counter()
        batch = batches.batch_create(files=[(data.name, data.read_bytes())], created_by=None)
        tasks.batch_expand.delay(batch.pk)
        created = time.perf_counter() - start
        imported_at = ready_at = None
        last_print = 0.0
        while time.perf_counter() - start < args.timeout:
            now = time.perf_counter() - start
            b = ImportBatch.objects.get(pk=batch.pk)
            if imported_at is None and b.status in (ImportBatch.Status.DONE, ImportBatch.Status.FAILED):
                imported_at = now
            finished = Article.objects.filter(status__in=[Article.Status.READY, Article.Status.FAILED]).count()
            if now - last_print > args.every:
                print(f"  {now:6.0f}s  imported {b.imported}/{b.total}  extracted {finished}", flush=True)
                last_print = now
            if imported_at is not None and finished >= b.imported:
                ready_at = now
                break
            time.sleep(0.5)
        b = ImportBatch.objects.get(pk=batch.pk)
        failed = Article.objects.filter(status=Article.Status.FAILED).count()
        print(f"batch: status {b.status}, total {b.total}, imported {b.imported}, duplicates {b.duplicates}, "
              f"failed {b.failed}; batch stored in {created:.2f}s")
        if imported_at is not None:
            print(f"import: {imported_at:.1f}s wall, {b.imported / imported_at:.1f} articles/s")
        if ready_at is not None:
            print(f"imported and extracted: {ready_at:.1f}s wall, {b.imported / ready_at:.1f} articles/s "
                  f"({failed} extraction failures)")
        else:
            print("timed out before every article was extracted")
    finally:
        for worker in workers:
            try:
                os.killpg(worker.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for worker in workers:
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            psql(f"{args.server}/postgres", f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        redis.Redis.from_url(args.redis).flushdb()


if __name__ == "__main__":
    main()
