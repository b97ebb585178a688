"""Re-run claim extraction: one article, all of them, or those extracted by an older model."""

from __future__ import annotations

from contextlib import nullcontext

from django.core.management.base import BaseCommand, CommandError

from factcheck import extraction, tasks
from factcheck.models import Article
from factcheck.tasks import tasks_run_here


class Command(BaseCommand):
    help = "Extract claims again. Reviewed claims (verdicts, evidence, rationale, assignee) are always kept."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--article", type=int, metavar="ID", help="one article")
        which.add_argument("--all", action="store_true", help="every article")
        which.add_argument("--stale", action="store_true", help=f"articles not extracted by {extraction.EXTRACTION_VERSION}")
        parser.add_argument("--sync", action="store_true", help="run here instead of sending the work to the workers")

    def handle(self, *args, article: int | None, all: bool, stale: bool, sync: bool, **options):
        qs = Article.objects.order_by("pk")
        if article is not None:
            qs = qs.filter(pk=article)
            if not qs.exists():
                raise CommandError(f"No article with id {article}.")
        elif stale:
            qs = qs.exclude(extraction_model_version=extraction.EXTRACTION_VERSION)
        ids = list(qs.values_list("pk", flat=True))
        with tasks_run_here() if sync else nullcontext():  # with --sync, matching (which follows) runs here too
            self._run(ids, sync=sync)

    def _run(self, ids: list[int], *, sync: bool) -> None:
        for article_id in ids:
            if sync:
                result = tasks.article_extract_claims.apply(args=(article_id,)).get()
                if result is not None:
                    self.stdout.write(
                        f"article {article_id}: {result['created']} new, {result['kept']} reviewed kept, "
                        f"{result['removed']} removed, {result['reanchored']} re-anchored"
                    )
            else:
                tasks.article_extract_claims.delay(article_id)
        verb = "Extracted" if sync else "Queued extraction for"
        self.stdout.write(self.style.SUCCESS(f"{verb} {len(ids)} article(s) with model {extraction.EXTRACTION_VERSION}."))
