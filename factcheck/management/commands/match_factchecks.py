"""Look statements up among the published fact-checks: `manage.py match_factchecks QUERIES.tsv --top K`.

QUERIES.tsv has `id<TAB>text` lines. For each, the K best checks are printed as TSV lines
`id<TAB>rank<TAB>identifier<TAB>score<TAB>band`: `identifier` is the check's ClaimReview identifier (its URL when it
has none), `score` the probability that the check reviews the statement, `band` strong, possible or none. It is the
search the review workspace uses (`factcheck.services.check_matching`).
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from factcheck.models import PublishedCheck
from factcheck.services import check_matching

BATCH = 256


class Command(BaseCommand):
    help = "Print the best published fact-checks for each id<TAB>text line of a TSV file."

    def add_arguments(self, parser):
        parser.add_argument("queries", help="TSV file of id<TAB>text lines, or - for standard input")
        parser.add_argument("--top", type=int, default=5, help="checks printed per statement (default 5)")

    def handle(self, *args, queries: str, top: int, **options):
        if top < 1:
            raise CommandError("--top must be at least 1")
        try:
            stream = sys.stdin if queries == "-" else open(queries, encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"Cannot read {queries}: {exc.strerror}") from exc
        out = self.stdout
        batch: list[tuple[str, str]] = []
        with stream:
            for n, line in enumerate(stream, start=1):
                line = line.rstrip("\n").rstrip("\r")
                if not line.strip():
                    continue
                qid, sep, text = line.partition("\t")
                if not sep or not text.strip():
                    self.stderr.write(f"line {n}: expected id<TAB>text; skipped")
                    continue
                batch.append((qid, text.replace("\x00", "")))
                if len(batch) >= BATCH:
                    self._emit(batch, top, out)
                    batch = []
        if batch:
            self._emit(batch, top, out)

    def _emit(self, batch, top, out):
        results = check_matching.lookup([t for _, t in batch], top=top)
        ids = {f.check_id for found in results for f in found}
        names = {pk: ident or url for pk, ident, url in
                 PublishedCheck.objects.filter(pk__in=ids).values_list("pk", "identifier", "url")}
        for (qid, _), found in zip(batch, results):
            for rank, f in enumerate(found, start=1):
                if f.check_id not in names:
                    continue
                out.write(f"{qid}\t{rank}\t{names[f.check_id]}\t{f.probability:.4f}\t{f.band or 'none'}")
