"""Background imports of many articles (a batch): create, expand into items, import items, finish, resume.

A batch is resumable because its state lives in rows: every item is pending, imported, duplicate or failed, and an
item that is no longer pending is never imported again, whichever worker or retry reaches it. Parsing and every
network fetch happen outside transactions; each item is its own short transaction. Sending the work to the workers
is the tasks' job (factcheck.tasks): these functions say what is left to send.
"""

from __future__ import annotations

import datetime as dt
import logging
import posixpath
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.postgres.fields import ArrayField
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Count, F, Func, JSONField, Q, TextField, Value
from django.utils import timezone

from factcheck import ingest, permissions
from factcheck.history import history_context
from factcheck.ingest import IngestError
from factcheck.ingest.expand import (
    Entry, ExpandLimits, batch_kind, document_from_payload, entry, expand_file, renumbered, unique_names,
)
from factcheck.models import Article, ImportBatch, ImportItem, ImportUpload, Source
from factcheck.selectors import batch_pending_item_ids, domain_of, source_for_url, source_named
from factcheck.services import notifications
from factcheck.services.articles import DuplicateArticle, NewArticle, article_create
from factcheck.services.sources import source_find_or_create
from factcheck.services.uploads import (
    SourceChoice, document_from_resource, document_parse, fetch, new_article, source_resolve,
)

logger = logging.getLogger(__name__)

IMPORTER = "importer"
FEED_POLLER = "feed poller"

# Items per processing task: big enough that task overhead is small, small enough that a killed worker
# loses little and a chunk stays well inside the task time limit.
CHUNK_SIZE = 100
FEED_CHUNK_SIZE = 10  # feed items fetch a page each
# A chunk hands what is left to a new task after this long, so it never meets the hard time limit.
CHUNK_TIME_BUDGET = 120.0
BATCH_STALLED_AFTER = timedelta(minutes=5)
MAX_FAILED_MESSAGES = 200
# A row's publisher longer than this is not taken for a name (a shifted CSV cell, a sentence): nothing is created.
MAX_CREATED_SOURCE_NAME = 100
# An item whose import was started this many times without finishing (its worker died, or a transient error kept
# coming back) is set aside as failed with the last error, so one bad item never holds its batch open.
MAX_ITEM_ATTEMPTS = 3


# --- creation and expansion -------------------------------------------------------------------------------


def batch_create(
    *,
    files: Sequence[tuple[str, bytes]],
    created_by: AbstractBaseUser | None,
    default_source: Source | None = None,
    source: SourceChoice | None = None,
    label: str = "",
) -> ImportBatch:
    """Store the uploaded files of a batch (one transaction); the caller sends its expansion.

    `files` are (name, bytes): documents, .zip archives, .jsonl/.csv files or RSS/Atom feeds. The default
    publisher (for items whose address matches no source) is `default_source`, or the one picked or named in
    `source` (a new name is created with the batch, in the same transaction). Raises
    `IngestError` when there is nothing to import or the whole exceeds the batch size limit.
    """
    permissions.require_upload(created_by)
    if not files:
        raise IngestError("Choose at least one file to import.")
    total = sum(len(data) for _, data in files)
    if total > settings.FACTDESK_MAX_BATCH_BYTES:
        raise IngestError(
            f"The files add up to {ingest.format_size(total)}, over the "
            f"{ingest.format_size(settings.FACTDESK_MAX_BATCH_BYTES)} limit of a batch; split the import."
        )
    files = unique_names(files)
    if not label:
        names = [name for name, _ in files]
        label = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    with transaction.atomic():
        if source is not None:
            default_source = source_resolve(choice=source, url="")
        batch = ImportBatch.objects.create(kind=batch_kind(files), label=label[:500], created_by=created_by,
                                           default_source=default_source)
        ImportUpload.objects.bulk_create(
            [ImportUpload(batch=batch, filename=name[:500], data=data) for name, data in files]
        )
    return batch


def batch_items(batch: ImportBatch, entries: Iterable[Entry]) -> list[ImportItem]:
    """The rows of a batch's entries, in order: pending, or failed with the entry's error."""
    return [
        ImportItem(batch=batch, key=found.key, position=position, payload=found.payload, data=found.data,
                   status=ImportItem.Status.FAILED if found.error else ImportItem.Status.PENDING,
                   message=found.error)
        for position, found in enumerate(entries)
    ]


def _limits() -> ExpandLimits:
    return ExpandLimits(
        max_total_bytes=settings.FACTDESK_MAX_BATCH_BYTES,
        max_entries=settings.FACTDESK_MAX_ARCHIVE_ENTRIES,
        max_ratio=settings.FACTDESK_MAX_ARCHIVE_RATIO,
        max_file_bytes=settings.FACTDESK_MAX_UPLOAD_BYTES,
    )


@dataclass(frozen=True)
class BatchExpanded:
    items: int
    # The batch is running with this call's items (or was already): its pending items are to be sent.
    running: bool


def batch_expand(*, batch_id: int) -> BatchExpanded:
    """Turn a batch's uploaded files into items (one per document, archive entry, row or feed entry).

    Idempotent: items have stable keys ("name.zip/inner/path.txt", "file.jsonl:17", the feed GUID) and are
    inserted with ON CONFLICT DO NOTHING in the same transaction that marks the batch running and drops the
    uploads, so a second run finds the batch running and only says its pending items are to be sent. A file that
    can't be read at all fails the batch with a message when it is the only file, else it is one failed item.
    """
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status in (ImportBatch.Status.DONE, ImportBatch.Status.FAILED):
        return BatchExpanded(0, running=False)
    if batch.status == ImportBatch.Status.RUNNING:
        return BatchExpanded(batch.total, running=True)
    uploads = list(batch.uploads.order_by("pk"))
    entries: list[Entry] = []
    limits = _limits()
    for upload in uploads:
        try:
            # Entries of a file read before it turned out unreadable are kept, the file's error after them.
            for found in expand_file(upload.filename, bytes(upload.data), limits=limits):
                entries.append(found)
        except IngestError as exc:
            if len(uploads) == 1:
                _batch_fail(batch_id, exc.message)
                return BatchExpanded(0, running=False)
            entries.append(entry(upload.filename, error=exc.message))
    if not entries:
        _batch_fail(batch_id, "There was nothing to import in these files.")
        return BatchExpanded(0, running=False)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if locked.status != ImportBatch.Status.PENDING:
            return BatchExpanded(locked.total, running=False)  # another run expanded it meanwhile and sends them
        ImportItem.objects.bulk_create(batch_items(batch, entries), ignore_conflicts=True, batch_size=500)
        counts = _item_counts(batch_id)
        now = timezone.now()
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.RUNNING, total=sum(counts.values()),
            imported=counts.get(ImportItem.Status.IMPORTED, 0),
            duplicates=counts.get(ImportItem.Status.DUPLICATE, 0),
            failed=counts.get(ImportItem.Status.FAILED, 0),
            started_at=now, heartbeat_at=now,
        )
        ImportUpload.objects.filter(batch_id=batch_id).delete()
    if not counts.get(ImportItem.Status.PENDING):
        batch_finish_if_done(batch_id=batch_id)
    return BatchExpanded(sum(counts.values()), running=True)


def _item_counts(batch_id: int) -> dict[str, int]:
    rows = ImportItem.objects.filter(batch_id=batch_id).values("status").annotate(n=Count("pk")).order_by()
    return {row["status"]: row["n"] for row in rows}


def batch_fail(*, batch_id: int, message: str) -> None:
    """Fail a batch that could not be expanded (its files are dropped); a batch already running is left alone."""
    _batch_fail(batch_id, message)


def _batch_fail(batch_id: int, message: str) -> None:
    with transaction.atomic():
        failed = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.PENDING).update(
            status=ImportBatch.Status.FAILED, message=message, finished_at=timezone.now()
        )
        ImportUpload.objects.filter(batch_id=batch_id).delete()
        if failed:
            notifications.notify_batch_finished(batch=ImportBatch.objects.get(pk=batch_id))


def batch_pending_chunks(*, batch_id: int) -> list[list[int]]:
    """A batch's pending items in chunks, one per processing task (smaller for feeds, whose items fetch a page
    each). A batch with nothing pending is finished here instead."""
    batch = ImportBatch.objects.filter(pk=batch_id).only("kind").first()
    if batch is None:
        return []
    ids = batch_pending_item_ids(batch_id=batch_id)
    if not ids:
        batch_finish_if_done(batch_id=batch_id)
        return []
    size = FEED_CHUNK_SIZE if batch.kind == ImportBatch.Kind.FEED else CHUNK_SIZE
    return [ids[start : start + size] for start in range(0, len(ids), size)]


# --- processing -------------------------------------------------------------------------------------------


@dataclass
class _Prepared:
    new: NewArticle
    digest: str
    site_name: str = ""
    # A JSONL or CSV row: its publisher name is created when no source has it (a document's site name is not).
    from_row: bool = False
    warnings: list[str] = field(default_factory=list)


def _prepare(item: ImportItem, batch: ImportBatch) -> _Prepared:
    """Parse one item into an article (network allowed: no transaction is open). Raises IngestError."""
    payload = item.payload or {}
    kind = payload.get("type")
    data = bytes(item.data) if item.data is not None else b""
    if kind == "document":
        name = payload.get("filename") or item.key
        doc = document_parse(data, filename=name)
        # The origin is the file's own name; the item key keeps the folder or archive path.
        new, digest = new_article(doc, original=data, filename=posixpath.basename(name),
                                  origin=posixpath.basename(name))
        return _Prepared(new, digest, doc.site_name or "")
    if kind == "jsonl":
        line = payload.get("line", 1)
        row = next(iter(ingest.iter_jsonl(data, filename=payload.get("filename", ""))))
        if row.document is None:
            raise IngestError(renumbered(row.error or "This line could not be read.", line))
        try:
            new, digest = new_article(row.document, original=data, filename=payload.get("filename", ""),
                                      origin=row.document.url or item.key)
        except IngestError as exc:
            raise IngestError(f"Line {line}: {exc.message}") from None
        warnings = [renumbered(w, line) for w in row.warnings]
        return _Prepared(new, digest, row.document.site_name or "", from_row=True, warnings=warnings)
    if kind == "row":
        doc = document_from_payload(payload.get("document") or {}, payload.get("filename", ""))
        new, digest = new_article(doc, original=data, filename=payload.get("filename", ""),
                                  origin=doc.url or item.key)
        return _Prepared(new, digest, doc.site_name or "", from_row=True, warnings=list(payload.get("warnings") or []))
    if kind == "feed":
        return _prepare_feed_item(payload, batch)
    raise IngestError("This item could not be read.")


def _prepare_feed_item(payload: dict[str, Any], batch: ImportBatch) -> _Prepared:
    url = payload.get("url") or ""
    published = payload.get("published_at")
    published_at = dt.datetime.fromisoformat(published) if published else None
    title = payload.get("title") if payload.get("title") != "Untitled" else ""
    page_problem = ""
    if url:
        try:
            resource = fetch(url)
            doc = document_from_resource(resource)
            new, digest = new_article(doc, original=resource.data, filename="", origin=url,
                                      feed_guid=payload["guid"], title=title or "",
                                      byline=payload.get("author") or "", published_at=published_at, url=url)
            return _Prepared(new, digest, doc.site_name or "")
        except IngestError as exc:
            page_problem = exc.message
    summary = payload.get("summary_html") or ""
    if not summary.strip():
        raise IngestError(page_problem or "This feed entry has neither a readable page nor a summary.")
    doc = ingest.parse_html(summary, url=url or None)
    new, digest = new_article(doc, original=summary.encode("utf-8"), filename="", origin=url or batch.label,
                              feed_guid=payload["guid"], title=title or "", byline=payload.get("author") or "",
                              published_at=published_at, url=url)
    return _Prepared(new, digest, "")


_COUNTER = {
    ImportItem.Status.IMPORTED: "imported",
    ImportItem.Status.DUPLICATE: "duplicates",
    ImportItem.Status.FAILED: "failed",
}


def _record(batch_id: int, item_id: int, status: str, *, message: str = "", article_id: int | None = None,
            keep_data: bool = False) -> bool:
    """Mark one pending item done and count it, in the caller's transaction. False if it wasn't pending."""
    fields: dict[str, Any] = {"status": status, "message": message, "article_id": article_id}
    if not keep_data:
        fields["data"] = None
    changed = ImportItem.objects.filter(pk=item_id, status=ImportItem.Status.PENDING).update(**fields)
    if changed:
        counter = _COUNTER[status]
        ImportBatch.objects.filter(pk=batch_id).update(**{counter: F(counter) + 1}, heartbeat_at=timezone.now())
    return bool(changed)


def _existing_feed_article(new: NewArticle, source: Source | None) -> Article | None:
    if not new.feed_guid or source is None:
        return None
    return Article.objects.filter(source=source, feed_guid=new.feed_guid).first()


class _Publishers:
    """Publisher lookups of one chunk, by domain and by name (a chunk often holds one outlet's articles)."""

    def __init__(self, batch: ImportBatch):
        self.batch = batch
        self._by_domain: dict[str, Source | None] = {}
        self._by_name: dict[str, Source | None] = {}

    def resolve(self, url: str, site_name: str) -> Source | None:
        return self._match(url, site_name) or self.batch.default_source

    def resolve_or_create(self, url: str, site_name: str) -> tuple[Source | None, bool]:
        """As `resolve`, but a publisher name that neither the URL's domain nor any source's name matches creates
        that source, in the caller's transaction. Returns the source and whether it was created."""
        name = " ".join((site_name or "").split())
        found = self._match(url, name)
        if found is not None or not name or len(name) > MAX_CREATED_SOURCE_NAME:
            return found or self.batch.default_source, False
        # Not cached: if this item's transaction rolls back the source goes with it; the next item finds it by
        # name once it is committed.
        self._by_name.pop(name.casefold(), None)
        user = self.batch.created_by
        with history_context(action="factcheck.source.created", user=user, actor=None if user else IMPORTER):
            return source_find_or_create(name=name)

    def _match(self, url: str, site_name: str) -> Source | None:
        if url:
            domain = domain_of(url)
            if domain not in self._by_domain:
                self._by_domain[domain] = source_for_url(url)
            if self._by_domain[domain] is not None:
                return self._by_domain[domain]
        key = " ".join((site_name or "").split()).casefold()
        if key:
            if key not in self._by_name:
                self._by_name[key] = source_named(site_name)
            return self._by_name[key]
        return None


def _start_attempt(item: ImportItem) -> int:
    """Count one more attempt at a pending item, committed before the work starts (so a worker that dies on it
    leaves the count behind). Returns the attempt's number."""
    attempts = int((item.payload or {}).get("attempts", 0)) + 1
    item.payload = {**(item.payload or {}), "attempts": attempts}
    ImportItem.objects.filter(pk=item.pk, status=ImportItem.Status.PENDING).update(
        payload=_payload_set("attempts", attempts))
    return attempts


def _note_error(item_id: int, error: str) -> None:
    """Keep the last transient error of an item, to name it if the item is set aside (best effort)."""
    try:
        ImportItem.objects.filter(pk=item_id, status=ImportItem.Status.PENDING).update(
            payload=_payload_set("last_error", error))
    except DatabaseError:
        logger.warning("Could not note the error of import item %s", item_id)


def _payload_set(key: str, value: Any) -> Func:
    """payload with one key set, in the UPDATE itself (jsonb_set), so nothing else in the payload is rewritten."""
    return Func(F("payload"), Value([key], output_field=ArrayField(TextField())),
                Value(value, output_field=JSONField()), function="jsonb_set", output_field=JSONField())


OnImported = Callable[[int], object]


def _import_item(*, batch: ImportBatch, item: ImportItem, publishers: _Publishers,
                 on_imported: OnImported | None) -> str | None:
    item_id = item.pk
    feed_source = batch.default_source if batch.kind == ImportBatch.Kind.FEED else None
    try:
        prepared = _prepare(item, batch)
    except IngestError as exc:
        with transaction.atomic():
            done = _record(batch.pk, item_id, ImportItem.Status.FAILED, message=exc.message, keep_data=True)
        return ImportItem.Status.FAILED if done else None
    except DatabaseError:
        raise
    except Exception as exc:  # a parser bug on odd input fails this item, not the whole chunk
        logger.exception("Import item %s of batch %s failed", item_id, batch.pk)
        with transaction.atomic():
            done = _record(batch.pk, item_id, ImportItem.Status.FAILED, keep_data=True,
                           message=f"This item could not be imported ({type(exc).__name__}).")
        return ImportItem.Status.FAILED if done else None

    notes = list(prepared.warnings)
    with transaction.atomic():
        # order_by(): no join to the batch for the default ordering, so only the item row is locked.
        locked = ImportItem.objects.select_for_update().filter(
            pk=item_id, status=ImportItem.Status.PENDING).order_by().values_list("pk", flat=True).first()
        if locked is None:
            return None
        try:
            # article_create writes in a savepoint: a duplicate or a lost race leaves this transaction usable.
            if feed_source is not None:
                # A scheduled poll: the polled source is the publisher and (source, guid) the identity.
                existing = _existing_feed_article(prepared.new, feed_source)
                if existing is not None:
                    raise DuplicateArticle(existing)
                article = article_create(new=prepared.new, source=feed_source, batch=batch,
                                         actor=FEED_POLLER, content_hash=prepared.digest)
            else:
                source, created = None, False
                if prepared.from_row and not Article.objects.filter(content_hash=prepared.digest).exists():
                    source, created = publishers.resolve_or_create(prepared.new.url, prepared.site_name)
                else:
                    source = publishers.resolve(prepared.new.url, prepared.site_name)
                if created:
                    notes.append(f"Created publisher “{source.name}”.")
                elif source is None and len(prepared.site_name) > MAX_CREATED_SOURCE_NAME:
                    notes.append(f"The publisher “{prepared.site_name[:60]}…” is too long to be a publisher's name; "
                                 "none was set.")
                article = article_create(new=prepared.new, uploaded_by=batch.created_by, source=source,
                                         batch=batch, actor=None if batch.created_by else IMPORTER,
                                         content_hash=prepared.digest)
        except DuplicateArticle as dup:
            _record(batch.pk, item_id, ImportItem.Status.DUPLICATE, article_id=dup.existing.pk,
                    message=f"Already in Factdesk as “{dup.existing.title[:200]}”.")
            return ImportItem.Status.DUPLICATE
        except IntegrityError:
            # The same feed entry was stored by another poll between our check and our insert.
            existing = _existing_feed_article(prepared.new, feed_source)
            if existing is None:
                raise
            _record(batch.pk, item_id, ImportItem.Status.DUPLICATE, article_id=existing.pk,
                    message=f"Already in Factdesk as “{existing.title[:200]}”.")
            return ImportItem.Status.DUPLICATE
        _record(batch.pk, item_id, ImportItem.Status.IMPORTED, article_id=article.pk, message=" ".join(notes))
        if on_imported is not None:
            on_imported(article.pk)  # inside the item's transaction: a task sent here goes once it commits
        return ImportItem.Status.IMPORTED


def _process_item(*, batch: ImportBatch, item: ImportItem, publishers: _Publishers,
                  on_imported: OnImported | None) -> str | None:
    item_id = item.pk
    attempts = _start_attempt(item)
    if attempts > MAX_ITEM_ATTEMPTS:
        last = (item.payload or {}).get("last_error") or "its worker stopped while importing it"
        with transaction.atomic():
            done = _record(batch.pk, item_id, ImportItem.Status.FAILED, keep_data=True,
                           message=f"Set aside after {MAX_ITEM_ATTEMPTS} attempts: {last}.")
        return ImportItem.Status.FAILED if done else None
    try:
        return _import_item(batch=batch, item=item, publishers=publishers, on_imported=on_imported)
    except (OperationalError, InterfaceError) as exc:
        _note_error(item_id, f"the database was unavailable ({type(exc).__name__})")
        raise  # transient: the task's retry (or the resume) handles it, up to MAX_ITEM_ATTEMPTS
    except DatabaseError as exc:
        # Anything else the database refuses in this item's rows (a value it cannot store, a constraint)
        # fails this item only; the rest of the chunk goes on.
        logger.warning("Import item %s of batch %s refused by the database: %s", item_id, batch.pk, exc)
        with transaction.atomic():
            done = _record(batch.pk, item_id, ImportItem.Status.FAILED, keep_data=True,
                           message=f"This item could not be stored ({type(exc).__name__}).")
        return ImportItem.Status.FAILED if done else None


def _running_batch(batch_id: int) -> ImportBatch | None:
    batch = ImportBatch.objects.select_related("default_source", "created_by").filter(pk=batch_id).first()
    return batch if batch is not None and batch.status == ImportBatch.Status.RUNNING else None


def batch_process_item(*, batch_id: int, item_id: int, on_imported: OnImported | None = None) -> str | None:
    """Import one item of a running batch in its own transaction; returns its new status, or None when it was
    not pending (or the batch is not running).

    The item row is locked first, so two workers handed the same item (a redelivered chunk) never both import it;
    the article, the item's status and the batch counter commit together. `on_imported` is called with the new
    article's id inside that transaction (a task sent from it goes once the article is committed).
    """
    batch = _running_batch(batch_id)
    item = ImportItem.objects.filter(pk=item_id, batch_id=batch_id, status=ImportItem.Status.PENDING).first()
    if batch is None or item is None:
        return None
    return _process_item(batch=batch, item=item, publishers=_Publishers(batch), on_imported=on_imported)


@dataclass(frozen=True)
class BatchChunk:
    handled: int  # items imported, found duplicate or failed by this call
    left: list[int]  # items the time budget left for another task


def batch_process_items(*, batch_id: int, item_ids: Sequence[int], on_imported: OnImported | None = None,
                        time_budget: float | None = CHUNK_TIME_BUDGET) -> BatchChunk:
    """Import a chunk of a batch's items, each as `batch_process_item` does; finishes the batch when nothing is
    pending.

    Idempotent: items that are no longer pending are skipped, so a redelivered chunk does no harm. When the chunk
    runs out of `time_budget`, the pending items it did not reach are returned in `left`, for a new task.
    """
    batch = _running_batch(batch_id)
    if batch is None:
        return BatchChunk(0, [])
    started = time.monotonic()
    handled = 0
    ids = list(item_ids)
    pending = {
        item.pk: item
        for item in ImportItem.objects.filter(pk__in=ids, batch_id=batch_id, status=ImportItem.Status.PENDING)
        .order_by()
    }
    publishers = _Publishers(batch)
    left: list[int] = []
    for index, item_id in enumerate(ids):
        if time_budget is not None and time.monotonic() - started > time_budget:
            left = [i for i in ids[index:] if i in pending]
            break
        item = pending.pop(item_id, None)
        if item is not None and _process_item(batch=batch, item=item, publishers=publishers,
                                              on_imported=on_imported) is not None:
            handled += 1
    batch_finish_if_done(batch_id=batch_id)
    return BatchChunk(handled, left)


def batch_finish_if_done(*, batch_id: int) -> bool:
    """Mark a running batch done once no item is pending. True if the batch is (now) done."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None:
            return False
        if batch.status == ImportBatch.Status.DONE:
            return True
        if batch.status != ImportBatch.Status.RUNNING:
            return False
        if ImportItem.objects.filter(batch_id=batch_id, status=ImportItem.Status.PENDING).exists():
            return False
        counts = _item_counts(batch_id)
        # The counters were kept item by item; recounting here makes a finished batch exact whatever happened.
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.DONE, finished_at=timezone.now(), heartbeat_at=timezone.now(),
            total=sum(counts.values()), imported=counts.get(ImportItem.Status.IMPORTED, 0),
            duplicates=counts.get(ImportItem.Status.DUPLICATE, 0), failed=counts.get(ImportItem.Status.FAILED, 0),
        )
        batch.refresh_from_db(fields=["status", "imported", "duplicates", "failed"])
        notifications.notify_batch_finished(batch=batch)
    return True


# --- resuming ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StalledBatches:
    to_expand: list[int]  # pending batches whose expansion never ran
    to_continue: list[int]  # running batches whose pending items are to be sent again (their resume claimed)


def batches_claim_stalled(*, stalled_after: timedelta = BATCH_STALLED_AFTER) -> StalledBatches:
    """The batches no worker has advanced for `stalled_after` (a killed worker's chunk), at most 100 of each kind.

    A running batch's resume is claimed with a conditional update of its heartbeat, so two sweeps never both
    resume the same batch; chunks already done are skipped by the item status when it runs again.
    """
    cutoff = timezone.now() - stalled_after
    pending = ImportBatch.objects.filter(status=ImportBatch.Status.PENDING, created_at__lte=cutoff)
    to_expand = list(pending.values_list("pk", flat=True)[:100])
    stalled = Q(heartbeat_at__lte=cutoff) | Q(heartbeat_at__isnull=True)
    running = ImportBatch.objects.filter(stalled, status=ImportBatch.Status.RUNNING)
    to_continue = [
        batch_id for batch_id in running.values_list("pk", flat=True)[:100]
        if ImportBatch.objects.filter(stalled, pk=batch_id, status=ImportBatch.Status.RUNNING)
        .update(heartbeat_at=timezone.now())
    ]
    return StalledBatches(to_expand=to_expand, to_continue=to_continue)
