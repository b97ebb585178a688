"""Import published fact-checks (schema.org ClaimReview) from a file or an http(s) URL.

Without --sync the workers import it (the command prints where to follow it); with --sync the same service code
runs here, with a progress line, and the summary lists the records that were skipped.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from factcheck import tasks
from factcheck.ingest import IngestError
from factcheck.models import FactCheckImport
from factcheck.services import factcheck_imports

MAX_LISTED_PROBLEMS = 50


class Command(BaseCommand):
    help = (
        "Import published fact-checks: ClaimReview JSON (one object, a list, an @graph or a DataFeed), "
        "JSON lines, or an HTML page with ClaimReview JSON-LD, from a file or an http(s) URL."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="FILE_OR_URL")
        parser.add_argument("--sync", action="store_true", help="Import in this process instead of the workers.")
        parser.add_argument("--user", metavar="USERNAME", help="Record the import as done by this user.")

    def handle(self, *args, source: str, sync: bool = False, user: str | None = None, **options):
        person = None
        if user:
            person = get_user_model().objects.filter(username=user).first()
            if person is None:
                raise CommandError(f"No user named {user!r}.")
        try:
            if source.lower().startswith(("http://", "https://")):
                run = factcheck_imports.factcheck_import_create_from_url(url=source, created_by=person)
            else:
                run = factcheck_imports.factcheck_import_create_from_path(path=source, created_by=person)
        except IngestError as exc:
            raise CommandError(f"{source}: {exc.message}") from None
        except PermissionDenied as exc:
            raise CommandError(f"{user}: {exc}") from None
        if not sync:
            tasks.factcheck_import_run.delay(run.pk)
            self.stdout.write(f"Import {run.pk} of published fact-checks: the workers are importing it. Follow it "
                              f"at {reverse('factcheck:factcheck-import', args=[run.pk])} in the workspace.")
            return
        # Without a time budget the run never hands on to another task, so there is nothing to send.
        factcheck_imports.factcheck_import_run(run_id=run.pk, time_budget=None, progress=self._progress)
        self._end_progress()
        self._summary(run.pk)

    def _progress(self, run: FactCheckImport) -> None:
        share = f" ({100 * run.processed // run.total}%)" if run.total else ""
        line = (f"{run.processed}/{run.total}{share}  created {run.created}  updated {run.updated}  "
                f"skipped {run.failed}")
        # A progress line that rewrites itself on a terminal, one line per chunk otherwise (logs, CI).
        self.stderr.write(f"\r{line}   " if self.stderr.isatty() else line, ending="" if self.stderr.isatty() else "\n")
        self.stderr.flush()

    def _end_progress(self) -> None:
        if self.stderr.isatty():
            self.stderr.write("")

    def _summary(self, run_id: int) -> None:
        run = FactCheckImport.objects.get(pk=run_id)
        if run.status == FactCheckImport.Status.FAILED:
            raise CommandError(f"The import failed: {run.message}")
        self.stdout.write(self.style.SUCCESS(f"Created {run.created}")
                          + f", updated {run.updated}, skipped {run.failed} (of {run.total} records).")
        skipped = run.problems.filter(skipped=True).order_by("line", "pk")
        for problem in skipped[:MAX_LISTED_PROBLEMS]:
            self.stdout.write(f"  skipped  {problem.message}")
        if run.failed > MAX_LISTED_PROBLEMS:
            self.stdout.write(f"  … and {run.failed - MAX_LISTED_PROBLEMS} more: see "
                              f"{reverse('factcheck:factcheck-import', args=[run_id])}")
        incomplete = run.problems.filter(skipped=False).count()
        if incomplete:
            self.stdout.write(f"{incomplete} check(s) were imported with fields missing (no rating, date or URL…); "
                              "the import's page lists them.")
