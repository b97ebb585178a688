"""Import articles from files, folders, archives, JSON Lines, CSV and RSS/Atom feeds (files or http(s) URLs).

Without --sync the import becomes a background batch that the workers process (the command prints its id and
where to follow it; --wait follows it here). With --sync the same tasks run in this process, as they are sent,
claim extraction and matching included.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from factcheck import selectors, tasks
from factcheck.ingest import IngestError
from factcheck.models import Article, ImportBatch, ImportItem
from factcheck.services import batches, uploads
from factcheck.tasks import tasks_run_here

SYNC_CHUNK = 25
MAX_LISTED_FAILURES = 50


class Command(BaseCommand):
    help = (
        "Import articles: files (.txt .md .html .docx .pdf), folders (recursively), .zip archives, "
        ".jsonl/.ndjson and .csv files (one article per row), RSS/Atom feed files or http(s) feed URLs."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="File, folder or http(s) feed URL.")
        parser.add_argument("--source", metavar="NAME",
                            help="Publisher for articles whose web address matches no known source "
                                 "(created if it doesn't exist).")
        parser.add_argument("--sync", action="store_true", help="Import in this process instead of the workers.")
        parser.add_argument("--wait", action="store_true", help="Without --sync: follow the workers until done.")
        parser.add_argument("--user", metavar="USERNAME", help="Record the import as done by this user.")

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user named {options['user']!r}.")
        files = self._collect(options["paths"])
        if not files:
            raise CommandError("No files to import were found.")
        source = uploads.SourceChoice(new_name=options["source"]) if options["source"] else None
        try:
            batch = batches.batch_create(files=files, created_by=user, source=source,
                                         label=", ".join(options["paths"])[:500])
        except IngestError as exc:
            raise CommandError(exc.message) from None
        if not options["sync"]:
            tasks.batch_expand.delay(batch.pk)
        self.stdout.write(f"Import {batch.pk}: {len(files)} file(s), {sum(len(d) for _, d in files):,} bytes.")
        if options["sync"]:
            # Everything that would follow on the workers (extraction, then matching) runs here as it is sent.
            with tasks_run_here():
                self._run_here(batch.pk)
                self._summary(batch.pk, extracted=True)
            return
        else:
            self.stdout.write(
                f"The workers are importing it. Follow it at {reverse('factcheck:batch', args=[batch.pk])} "
                f"in the workspace{'' if options['wait'] else ', or run this command with --wait'}."
            )
            if not options["wait"]:
                return
            self._follow(batch.pk)
        self._summary(batch.pk)

    # --- input ---------------------------------------------------------------------------------------------

    def _collect(self, paths: list[str]) -> list[tuple[str, bytes]]:
        files: list[tuple[str, bytes]] = []
        for raw in paths:
            if raw.lower().startswith(("http://", "https://")):
                try:
                    resource = uploads.fetch(raw)
                except IngestError as exc:
                    raise CommandError(f"{raw}: {exc.message}") from None
                name = raw if raw.lower().endswith((".xml", ".rss", ".atom")) else f"{raw}#feed.xml"
                files.append((name, resource.data))
                continue
            path = Path(raw)
            if path.is_dir():
                for child in sorted(p for p in path.rglob("*") if p.is_file()):
                    relative = child.relative_to(path)
                    if any(part.startswith(".") for part in relative.parts):
                        continue
                    files.append((f"{path.name}/{relative.as_posix()}", child.read_bytes()))
            elif path.is_file():
                files.append((path.name, path.read_bytes()))
            else:
                raise CommandError(f"{raw}: no such file or folder.")
        return files

    # --- progress ------------------------------------------------------------------------------------------

    def _progress(self, batch: ImportBatch) -> None:
        if not sys.stderr.isatty():
            return
        total = batch.total or 0
        share = f" ({100 * batch.processed // total}%)" if total else ""
        sys.stderr.write(
            f"\r{batch.processed}/{total}{share}  imported {batch.imported}  duplicates {batch.duplicates}  "
            f"failed {batch.failed}   "
        )
        sys.stderr.flush()

    def _end_progress(self) -> None:
        if sys.stderr.isatty():
            sys.stderr.write("\n")
            sys.stderr.flush()

    def _run_here(self, batch_id: int) -> None:
        # The workers' tasks, run here in smaller chunks than theirs so that the progress line moves.
        batches.batch_expand(batch_id=batch_id)
        ids = selectors.batch_pending_item_ids(batch_id=batch_id)
        for start in range(0, len(ids), SYNC_CHUNK):
            tasks.batch_process_items.apply(args=(batch_id, ids[start : start + SYNC_CHUNK])).get()
            self._progress(ImportBatch.objects.get(pk=batch_id))
        batches.batch_finish_if_done(batch_id=batch_id)
        self._progress(ImportBatch.objects.get(pk=batch_id))
        self._end_progress()

    def _follow(self, batch_id: int) -> None:
        while True:
            batch = ImportBatch.objects.get(pk=batch_id)
            self._progress(batch)
            if batch.status in (ImportBatch.Status.DONE, ImportBatch.Status.FAILED):
                break
            time.sleep(0.5)
        self._end_progress()

    def _summary(self, batch_id: int, *, extracted: bool = False) -> None:
        batch = ImportBatch.objects.get(pk=batch_id)
        if batch.status == ImportBatch.Status.FAILED:
            raise CommandError(f"The import failed: {batch.message}")
        self.stdout.write(
            self.style.SUCCESS(f"Imported {batch.imported}")
            + f", duplicates {batch.duplicates}, failed {batch.failed} (of {batch.total})."
        )
        failed = ImportItem.objects.filter(batch_id=batch_id, status=ImportItem.Status.FAILED).order_by("position")
        for item in failed[:MAX_LISTED_FAILURES]:
            self.stdout.write(f"  failed  {item.key}: {item.message}")
        if batch.failed > MAX_LISTED_FAILURES:
            self.stdout.write(f"  … and {batch.failed - MAX_LISTED_FAILURES} more: see "
                              f"{reverse('factcheck:batch', args=[batch_id])}")
        if batch.imported and extracted:
            ready = Article.objects.filter(batch_id=batch_id, status=Article.Status.READY).count()
            self.stdout.write(f"Claims extracted and matched for {ready} article(s); they are in the inbox.")
        elif batch.imported:
            self.stdout.write("Claims are extracted by the workers; the articles are in the inbox.")
