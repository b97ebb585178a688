"""Export articles with their claims, verdicts, clusters, conflicts and evidence: JSON, CSV or schema.org ClaimReview."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Any, Iterator

from django.core.management.base import BaseCommand, CommandError

from factcheck.exports import FORMATS, ExportRun, Scope
from factcheck.models import Article, Story


class Command(BaseCommand):
    help = "Export articles with claims, verdicts, clusters, conflicts and evidence (JSON, CSV or ClaimReview)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=list(FORMATS), default="json")
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--article", type=int, metavar="ID", help="one article")
        which.add_argument("--story", type=int, metavar="ID", help="the articles of one story")
        parser.add_argument("--output", metavar="FILE", help="write here instead of standard output")

    @contextmanager
    def _open(self, output: str | None) -> Iterator[Any]:
        if not output:
            yield self.stdout._out  # the raw stream: no line ending added to each write
            return
        with open(output, "w", encoding="utf-8", newline="") as handle:
            yield handle

    def handle(self, *args, format: str, article: int | None, story: int | None, output: str | None, **options):
        if article is not None and not Article.objects.filter(pk=article).exists():
            raise CommandError(f"No article with id {article}.")
        if story is not None and not Story.objects.filter(pk=story).exists():
            raise CommandError(f"No story with id {story}.")
        if article is not None:
            scope = Scope(kind="article", article_id=article)
        elif story is not None:
            scope = Scope(kind="story", story_id=story)
        else:
            scope = Scope()
        run = ExportRun(scope, format)
        with self._open(output) as out:
            for piece in run:
                out.write(piece)
        if output:
            what = "reviews" if format == "claimreview" else "articles"
            sys.stderr.write(f"Exported {run.records} {what} to {output}.\n")
