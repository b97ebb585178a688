"""How fast published fact-checks import, vectors included: the CheckThat! 2022 2A collection (14,231 ClaimReview
JSON lines) through the same service code a worker runs (`import_factchecks --sync`).

Creates its own database (dropped and created again on each run), migrates it, imports the file once (every check
new) and once more (every check an update), and prints checks a second for each, with the time spent computing the
vectors and candidate keys (`check_match_fields_many`, in a thread that works one chunk ahead of the writes).

    .venv/bin/python bench/bench_factcheck_import.py [--file ../shared/data/checkthat2022-2a/factchecks.jsonl]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = os.environ.get("BENCH_DATABASE_NAME", "factdesk_bench_factchecks")
SERVER_URL = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")
DEFAULT_FILE = ROOT.parent / "shared" / "data" / "checkthat2022-2a" / "factchecks.jsonl"


def fresh_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    os.environ["DATABASE_URL"] = f"{SERVER_URL}/{DB_NAME}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault("DEBUG", "true")  # a local run, as make sets it
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def timed_import(path: Path) -> tuple[float, float, str]:
    """Wall time of one `import_factchecks --sync`, the part of it spent on vectors and keys, and its summary."""
    from django.core.management import call_command

    from factcheck.services import factcheck_imports

    encoding = 0.0
    original = factcheck_imports.check_match_fields_many

    def measured(texts):
        nonlocal encoding
        started = time.perf_counter()
        try:
            return original(texts)
        finally:
            encoding += time.perf_counter() - started

    factcheck_imports.check_match_fields_many = measured
    out = io.StringIO()
    started = time.perf_counter()
    try:
        call_command("import_factchecks", str(path), "--sync", stdout=out, stderr=io.StringIO())
    finally:
        factcheck_imports.check_match_fields_many = original
    return time.perf_counter() - started, encoding, out.getvalue().splitlines()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    args = parser.parse_args()
    fresh_database()
    from factcheck.matching import encoder
    from factcheck.models import PublishedCheck

    encoder.encode(["warm the encoder up"])  # loading the model is not import work
    print(f"file: {args.file} ({args.file.stat().st_size / 1e6:.1f} MB); encoder {encoder.ENCODER_VERSION}, "
          f"{os.cpu_count()} cores")
    for label in ("first import (all new)", "second import (all updates)"):
        seconds, encoding, summary = timed_import(args.file)
        count = PublishedCheck.objects.count()
        # The vectors are computed in a thread while the previous chunk is written, so the two overlap.
        print(f"{label}: {count:,} checks in {seconds:.1f} s = {count / seconds:.0f} checks/s "
              f"(computing vectors and keys: {encoding:.1f} s, overlapping the writes) — {summary}")


if __name__ == "__main__":
    main()
