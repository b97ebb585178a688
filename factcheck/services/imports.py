"""Getting articles in: single uploads (file, pasted text, URL), background batches, and scheduled feeds.

Parsing and every network fetch happen outside transactions; each write is its own short transaction.
A batch is resumable because its state lives in rows: every item is pending, imported, duplicate or failed,
and an item that is no longer pending is never imported again, whichever worker or retry reaches it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import posixpath
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.contrib.postgres.fields import ArrayField
from django.db.models import Count, F, Func, JSONField, Q, QuerySet, TextField, Value
from django.utils import timezone

from factcheck import ingest
from factcheck.history import history_context
from factcheck.ingest import IngestError
from factcheck.models import Article, ImportBatch, ImportItem, ImportUpload, Source
from factcheck.queueing import send_on_commit
from factcheck.selectors import domain_of, source_for_url
from factcheck.services import notifications
from factcheck.services.articles import DuplicateArticle, NewArticle, article_create

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
FEED_POLL_INTERVAL = timedelta(minutes=15)
FEED_MAX_FAILURES = 5  # after this many failures in a row a feed is no longer polled until fixed
MAX_FAILED_MESSAGES = 200
# A row's publisher longer than this is not taken for a name (a shifted CSV cell, a sentence): nothing is created.
MAX_CREATED_SOURCE_NAME = 100
# An item whose import was started this many times without finishing (its worker died, or a transient error kept
# coming back) is set aside as failed with the last error, so one bad item never holds its batch open.
MAX_ITEM_ATTEMPTS = 3
NUL_MESSAGE = "The text contains a NUL character (\\u0000), which cannot be stored; remove it and try again."

_ROW_KINDS = {"jsonl", "csv"}
_KEY_LIMIT = 2000


# --- shared pieces ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleMetadata:
    """What an editor typed to correct the extracted metadata; empty values keep what the document says."""

    title: str = ""
    byline: str = ""
    published_at: dt.datetime | None = None
    url: str = ""


@dataclass(frozen=True)
class SourceChoice:
    """The publisher an editor picked (`source`) or named (`new_name`, created if it doesn't exist)."""

    source: Source | None = None
    new_name: str = ""


def _fetch_options() -> dict[str, Any]:
    """Exemptions from the private-network refusal; only ever set by test settings, never from input."""
    return {
        "allowed_addresses": tuple(getattr(settings, "FACTDESK_FETCH_ALLOWED_ADDRESSES", ())),
    }


def fetch(url: str, *, max_bytes: int | None = None) -> ingest.FetchedResource:
    """Fetch a page or feed with the configured timeout and size limit (no transaction may be open)."""
    return ingest.fetch_url(
        url,
        timeout=settings.FACTDESK_FETCH_TIMEOUT,
        max_bytes=max_bytes or settings.FACTDESK_MAX_UPLOAD_BYTES,
        **_fetch_options(),
    )


# Characters a Western-European text in Windows-1252 is made of, beyond ASCII.
_CP1252_WESTERN = frozenset(
    "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿœšžßÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝŒŠŽŸ"
    "‘’‚“”„–—…€£¥©®°±·«»•×÷¼½¾¡¿§¶¢\u00a0"
)
_PLAIN_EXTENSIONS = (".txt", ".text", ".md", ".markdown")


def _prefer_cp1252(data: bytes, filename: str) -> bytes:
    """Hand plain text that is clearly Windows-1252 to the parser as UTF-8.

    The charset detector in the ingest package sometimes takes Western text for Central-European
    (“Crêpe” read as “Crępe”). When every non-ASCII character of the cp1252 reading is an ordinary Western
    letter or typographic mark, that reading is the right one. The original bytes are stored unchanged.
    """
    if not filename.lower().endswith(_PLAIN_EXTENSIONS) or b"\x00" in data or data[:3] == b"\xef\xbb\xbf":
        return data
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return data
    if all((ch.isascii() and (ch.isprintable() or ch in "\t\n\r\f")) or ch in _CP1252_WESTERN for ch in text):
        return text.encode("utf-8")
    return data


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if timezone.is_naive(value):
        return timezone.make_aware(value, dt.UTC)
    return value


def _has_nul(value: object) -> bool:
    """Whether a string, or any string inside lists and dicts, holds NUL (PostgreSQL text and jsonb cannot)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    return False


def _build(
    doc: ingest.ParsedDocument,
    *,
    original: bytes,
    filename: str,
    origin: str,
    metadata: ArticleMetadata | None = None,
    feed_guid: str = "",
    title: str = "",
    byline: str = "",
    published_at: dt.datetime | None = None,
    url: str = "",
) -> tuple[NewArticle, str]:
    """A parsed document -> the article to store and its content hash (of the normalised body)."""
    metadata = metadata or ArticleMetadata()
    fields = (doc.text, doc.title, doc.byline, doc.url, doc.site_name, doc.language, title, byline, url)
    if _has_nul(fields) or _has_nul((metadata.title, metadata.byline, metadata.url)):
        raise IngestError(NUL_MESSAGE)
    chosen_title = metadata.title or title or doc.title
    normalised = ingest.normalise(doc.text, title=chosen_title)
    if not normalised.body.strip():
        raise IngestError("No readable text was left once page furniture was removed.")
    new = NewArticle(
        title=chosen_title or normalised.title or "Untitled article",
        body=normalised.body,
        original=original,
        headings=list(normalised.headings),
        filename=filename,
        content_type=doc.content_type,
        origin=origin,
        url=metadata.url or url or doc.url or "",
        byline=metadata.byline or byline or doc.byline or "",
        published_at=_aware(metadata.published_at or published_at or doc.published_at),
        language=doc.language or "",
        feed_guid=feed_guid,
    )
    return new, ingest.content_hash(normalised.body)


def _source_named(name: str) -> Source | None:
    name = " ".join((name or "").split())
    return Source.objects.filter(name__iexact=name).first() if name else None


def _resolve_source(*, choice: SourceChoice | None, url: str, site_name: str = "",
                    default: Source | None = None) -> Source | None:
    """The publisher: the editor's explicit pick or new name, else the URL's domain, else the outlet name the
    document gives (only if that source exists), else the batch default. Must run inside the article's
    transaction, so that a source created here disappears with a duplicate upload."""
    if choice is not None and choice.source is not None:
        return choice.source
    if choice is not None and choice.new_name.strip():
        name = " ".join(choice.new_name.split())[:200]
        source = _source_named(name)
        return source or Source.objects.create(name=name)
    return (url and source_for_url(url)) or _source_named(site_name) or default


def _store(new: NewArticle, digest: str, *, uploaded_by, choice: SourceChoice | None, site_name: str = "",
           default_source: Source | None = None, batch: ImportBatch | None = None,
           actor: str | None = None) -> Article:
    with transaction.atomic():
        source = _resolve_source(choice=choice, url=new.url, site_name=site_name, default=default_source)
        return article_create(new=new, uploaded_by=uploaded_by, source=source, batch=batch, actor=actor,
                              content_hash=digest)


# --- single articles --------------------------------------------------------------------------------------


def _parse(data: bytes, **kwargs: Any) -> ingest.ParsedDocument:
    """parse_document, with any unexpected parser failure turned into a message instead of an error page."""
    try:
        return ingest.parse_document(data, max_bytes=settings.FACTDESK_MAX_UPLOAD_BYTES, **kwargs)
    except IngestError:
        raise
    except Exception as exc:  # a parser library's bug on odd input
        logger.exception("Parsing %s failed", kwargs.get("filename") or "a document")
        raise IngestError("This file could not be read; it may be damaged.") from exc


def article_create_from_upload(
    *,
    data: bytes,
    filename: str,
    uploaded_by: AbstractBaseUser | None,
    content_type: str | None = None,
    metadata: ArticleMetadata | None = None,
    source: SourceChoice | None = None,
) -> Article:
    """Parse an uploaded document (.txt .md .html .docx .pdf), normalise it and store it with its original bytes.

    Raises `IngestError` (a message for the user) for bad input and `DuplicateArticle` when the same normalised
    text is already stored; in both cases nothing is written (not even a newly named source).
    """
    if len(data) > settings.FACTDESK_MAX_UPLOAD_BYTES:
        raise IngestError(f"The file is larger than the {ingest.format_size(settings.FACTDESK_MAX_UPLOAD_BYTES)} limit.")
    doc = _parse(_prefer_cp1252(data, filename), filename=filename, content_type=content_type)
    new, digest = _build(doc, original=data, filename=filename, origin=filename, metadata=metadata)
    return _store(new, digest, uploaded_by=uploaded_by, choice=source, site_name=doc.site_name or "")


def article_create_from_text(
    *,
    text: str,
    uploaded_by: AbstractBaseUser | None,
    metadata: ArticleMetadata | None = None,
    source: SourceChoice | None = None,
) -> Article:
    """Store pasted text as an article (its original is the text as UTF-8). Same guarantees as an upload."""
    data = text.encode("utf-8")
    if not text.strip():
        raise IngestError("Paste the article's text first.")
    doc = _parse(data, filename="pasted.txt")
    new, digest = _build(doc, original=data, filename="", origin="Pasted text", metadata=metadata)
    return _store(new, digest, uploaded_by=uploaded_by, choice=source)


def _document_from_resource(resource: ingest.FetchedResource) -> ingest.ParsedDocument:
    # The name decides the type only when it has an extension we know; else the Content-Type and bytes do.
    name = posixpath.basename(urlsplit(resource.final_url).path)
    if posixpath.splitext(name)[1].lower() not in {".txt", ".md", ".html", ".htm", ".docx", ".pdf"}:
        name = ""
    return _parse(resource.data, filename=name, content_type=resource.content_type or None, url=resource.final_url)


def article_create_from_url(
    *,
    url: str,
    uploaded_by: AbstractBaseUser | None,
    metadata: ArticleMetadata | None = None,
    source: SourceChoice | None = None,
) -> Article:
    """Fetch a page (public http/https addresses only, with the configured timeout and size) and store it.

    The fetch happens before any transaction opens. Raises `IngestError` / `DuplicateArticle` like an upload.
    """
    resource = fetch(url)
    doc = _document_from_resource(resource)
    filename = posixpath.basename(urlsplit(resource.final_url).path)[:500]
    new, digest = _build(doc, original=resource.data, filename=filename, origin=resource.final_url,
                         metadata=metadata, url=doc.url or resource.final_url)
    return _store(new, digest, uploaded_by=uploaded_by, choice=source, site_name=doc.site_name or "")


# --- batches: creation and expansion ----------------------------------------------------------------------


def _unique_names(files: Sequence[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    seen: dict[str, int] = {}
    result = []
    for name, data in files:
        name = (name or "upload").replace("\\", "/")[-400:]
        count = seen.get(name, 0)
        seen[name] = count + 1
        result.append((name if count == 0 else f"{name} ({count + 1})", data))
    return result


def _batch_kind(files: Sequence[tuple[str, bytes]]) -> str:
    if len(files) != 1:
        return ImportBatch.Kind.FILES
    name, data = files[0]
    try:
        kind = ingest.sniff_kind(name, data)
    except IngestError:
        return ImportBatch.Kind.FILES
    return {"zip": ImportBatch.Kind.ARCHIVE, "jsonl": ImportBatch.Kind.JSONL, "csv": ImportBatch.Kind.CSV,
            "feed": ImportBatch.Kind.FEED}.get(kind, ImportBatch.Kind.FILES)


def batch_create(
    *,
    files: Sequence[tuple[str, bytes]],
    created_by: AbstractBaseUser | None,
    default_source: Source | None = None,
    source: SourceChoice | None = None,
    label: str = "",
    enqueue: bool = True,
) -> ImportBatch:
    """Store the uploaded files of a batch (one transaction) and enqueue their expansion after commit.

    `files` are (name, bytes): documents, .zip archives, .jsonl/.csv files or RSS/Atom feeds. The default
    publisher (for items whose address matches no source) is `default_source`, or the one picked or named in
    `source` (a new name is created with the batch, in the same transaction). Raises
    `IngestError` when there is nothing to import or the whole exceeds the batch size limit.
    """
    if not files:
        raise IngestError("Choose at least one file to import.")
    total = sum(len(data) for _, data in files)
    if total > settings.FACTDESK_MAX_BATCH_BYTES:
        raise IngestError(
            f"The files add up to {ingest.format_size(total)}, over the "
            f"{ingest.format_size(settings.FACTDESK_MAX_BATCH_BYTES)} limit of a batch; split the import."
        )
    files = _unique_names(files)
    if not label:
        names = [name for name, _ in files]
        label = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    with transaction.atomic():
        if source is not None:
            default_source = _resolve_source(choice=source, url="")
        batch = ImportBatch.objects.create(kind=_batch_kind(files), label=label[:500], created_by=created_by,
                                           default_source=default_source)
        ImportUpload.objects.bulk_create(
            [ImportUpload(batch=batch, filename=name[:500], data=data) for name, data in files]
        )
        if enqueue:
            _enqueue_expand(batch.pk)
    return batch


def _enqueue_expand(batch_id: int) -> None:
    from factcheck.tasks import batch_expand

    send_on_commit(batch_expand, batch_id)


def _key(value: str) -> str:
    if len(value) <= _KEY_LIMIT:
        return value
    digest = hashlib.sha256(value.encode()).hexdigest()[:16]
    return f"{value[: _KEY_LIMIT - 20]}…{digest}"


class _Expansion:
    """Collects the items of a batch in file order, each with a stable key."""

    def __init__(self, batch: ImportBatch):
        self.batch = batch
        self.items: list[ImportItem] = []

    def add(self, key: str, *, payload: dict | None = None, data: bytes | None = None, error: str = "") -> None:
        key, error = key.replace("\x00", "\ufffd"), error.replace("\x00", "\ufffd")
        if not error and _has_nul(payload):
            payload, error = {}, NUL_MESSAGE
        self.items.append(
            ImportItem(
                batch=self.batch,
                key=_key(key),
                position=len(self.items),
                payload=payload or {},
                data=data,
                status=ImportItem.Status.FAILED if error else ImportItem.Status.PENDING,
                message=error,
            )
        )

    def add_file(self, name: str, data: bytes, *, inside_archive: bool = False) -> None:
        """One file: a document becomes one item; a container is expanded. Raises IngestError for a container
        that can't be read at all (the caller decides whether that fails one item or the whole batch)."""
        try:
            kind = ingest.sniff_kind(name, data)
        except IngestError as exc:
            self.add(name, error=exc.message)
            return
        if kind in ingest.DOCUMENT_KINDS:
            self.add(name, payload={"type": "document", "filename": name}, data=data)
        elif kind == "zip":
            if inside_archive:
                self.add(name, error="Archives inside archives are not imported; upload this archive on its own.")
                return
            self.add_zip(name, data)
        elif kind == "jsonl":
            self.add_jsonl(name, data)
        elif kind == "csv":
            self.add_csv(name, data)
        elif kind == "feed":
            self.add_feed(name, data)

    def add_zip(self, name: str, data: bytes) -> None:
        members = ingest.iter_zip(
            data,
            max_total_bytes=settings.FACTDESK_MAX_BATCH_BYTES,
            max_entries=settings.FACTDESK_MAX_ARCHIVE_ENTRIES,
            max_ratio=settings.FACTDESK_MAX_ARCHIVE_RATIO,
            max_file_bytes=settings.FACTDESK_MAX_UPLOAD_BYTES,
        )
        for member in members:
            inner = f"{name}/{member.name}"
            if isinstance(member, ingest.ArchiveError):
                self.add(inner, error=member.message)
                continue
            try:
                self.add_file(inner, member.data, inside_archive=True)
            except IngestError as exc:
                self.add(inner, error=exc.message)

    def add_jsonl(self, name: str, data: bytes) -> None:
        # Rows are parsed by the workers (HTML rows are expensive); here each line becomes one item.
        lines = ingest.decode_text(data).split("\n")
        if not any(line.strip() for line in lines):
            raise IngestError("The file has no rows.")
        for number, line in enumerate(lines, start=1):
            if line.strip():
                self.add(f"{name}:{number}", payload={"type": "jsonl", "filename": name, "line": number},
                         data=line.strip().encode("utf-8"))

    def add_csv(self, name: str, data: bytes) -> None:
        text = ingest.decode_text(data)
        lines = text.splitlines()
        rows = list(ingest.iter_csv(data, filename=name))
        header = next((line for line in lines if line.strip()), "")
        for index, row in enumerate(rows):
            key = f"{name}:{row.line}"
            if row.document is None:
                self.add(key, error=row.error or f"Line {row.line}: this row could not be read.")
                continue
            end = rows[index + 1].line - 1 if index + 1 < len(rows) else len(lines)
            raw = "\n".join([header, *lines[row.line - 1 : end]]).rstrip("\n")
            self.add(key, payload={"type": "row", "filename": name, "line": row.line,
                                   "document": _document_payload(row.document), "warnings": row.warnings},
                     data=raw.encode("utf-8"))

    def add_feed(self, name: str, data: bytes) -> None:
        base = name if name.startswith(("http://", "https://")) else None
        for item in ingest.parse_feed(data, base_url=base):
            self.add(item.guid, payload=_feed_item_payload(item))


def _document_payload(doc: ingest.ParsedDocument) -> dict[str, Any]:
    return {
        "title": doc.title, "text": doc.text, "byline": doc.byline, "site_name": doc.site_name, "url": doc.url,
        "language": doc.language, "content_type": doc.content_type, "kind": doc.kind,
        "published_at": doc.published_at.isoformat() if doc.published_at else None,
    }


def _document_from_payload(payload: dict[str, Any], filename: str) -> ingest.ParsedDocument:
    published = payload.get("published_at")
    return ingest.ParsedDocument(
        title=payload.get("title") or "", text=payload.get("text") or "", byline=payload.get("byline"),
        published_at=dt.datetime.fromisoformat(published) if published else None,
        site_name=payload.get("site_name"), url=payload.get("url"), language=payload.get("language"),
        filename=filename, content_type=payload.get("content_type") or "text/plain",
        kind=payload.get("kind") or "txt",
    )


def _feed_item_payload(item: ingest.FeedItem) -> dict[str, Any]:
    return {
        "type": "feed", "guid": item.guid, "url": item.url, "title": item.title, "summary_html": item.summary_html,
        "author": item.author, "published_at": item.published_at.isoformat() if item.published_at else None,
    }


def batch_expand(*, batch_id: int, enqueue: bool = True) -> int:
    """Turn a batch's uploaded files into items (one per document, archive entry, row or feed entry).

    Idempotent: items have stable keys ("name.zip/inner/path.txt", "file.jsonl:17", the feed GUID) and are
    inserted with ON CONFLICT DO NOTHING in the same transaction that marks the batch running and drops the
    uploads, so a second run finds the batch running and only re-enqueues what is still pending. A file that
    can't be read at all fails the batch with a message when it is the only file, else it is one failed item.
    Returns the number of items.
    """
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status in (ImportBatch.Status.DONE, ImportBatch.Status.FAILED):
        return 0
    if batch.status == ImportBatch.Status.RUNNING:
        if enqueue:
            _enqueue_pending(batch_id)
        return batch.total
    uploads = list(batch.uploads.order_by("pk"))
    expansion = _Expansion(batch)
    for upload in uploads:
        data = bytes(upload.data)
        try:
            expansion.add_file(upload.filename, data)
        except IngestError as exc:
            if len(uploads) == 1:
                _batch_fail(batch_id, exc.message)
                return 0
            expansion.add(upload.filename, error=exc.message)
    if not expansion.items:
        _batch_fail(batch_id, "There was nothing to import in these files.")
        return 0
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if locked.status != ImportBatch.Status.PENDING:
            return locked.total  # another run expanded it meanwhile
        ImportItem.objects.bulk_create(expansion.items, ignore_conflicts=True, batch_size=500)
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
        if enqueue:
            transaction.on_commit(lambda: _enqueue_pending(batch_id))
    if not counts.get(ImportItem.Status.PENDING):
        batch_finish_if_done(batch_id=batch_id)
    return sum(counts.values())


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


def _chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def batch_pending_item_ids(*, batch_id: int) -> list[int]:
    return list(
        ImportItem.objects.filter(batch_id=batch_id, status=ImportItem.Status.PENDING)
        .order_by("position").values_list("pk", flat=True)
    )


def _enqueue_pending(batch_id: int) -> int:
    """Send every pending item of a batch to the workers in chunks. Returns how many items."""
    from factcheck.tasks import batch_process_items

    batch = ImportBatch.objects.filter(pk=batch_id).only("kind").first()
    if batch is None:
        return 0
    ids = batch_pending_item_ids(batch_id=batch_id)
    size = FEED_CHUNK_SIZE if batch.kind == ImportBatch.Kind.FEED else CHUNK_SIZE
    for chunk in _chunks(ids, size):
        send_on_commit(batch_process_items, batch_id, chunk)
    if not ids:
        batch_finish_if_done(batch_id=batch_id)
    return len(ids)


# --- batches: processing ----------------------------------------------------------------------------------


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
        doc = _parse(_prefer_cp1252(data, name), filename=name)
        # The origin is the file's own name; the item key keeps the folder or archive path.
        new, digest = _build(doc, original=data, filename=posixpath.basename(name), origin=posixpath.basename(name))
        return _Prepared(new, digest, doc.site_name or "")
    if kind == "jsonl":
        line = payload.get("line", 1)
        row = next(iter(ingest.iter_jsonl(data, filename=payload.get("filename", ""))))
        if row.document is None:
            raise IngestError(_renumbered(row.error or "This line could not be read.", line))
        try:
            new, digest = _build(row.document, original=data, filename=payload.get("filename", ""),
                                 origin=row.document.url or item.key)
        except IngestError as exc:
            raise IngestError(f"Line {line}: {exc.message}") from None
        warnings = [_renumbered(w, line) for w in row.warnings]
        return _Prepared(new, digest, row.document.site_name or "", from_row=True, warnings=warnings)
    if kind == "row":
        doc = _document_from_payload(payload.get("document") or {}, payload.get("filename", ""))
        new, digest = _build(doc, original=data, filename=payload.get("filename", ""), origin=doc.url or item.key)
        return _Prepared(new, digest, doc.site_name or "", from_row=True, warnings=list(payload.get("warnings") or []))
    if kind == "feed":
        return _prepare_feed_item(payload, batch)
    raise IngestError("This item could not be read.")


def _renumbered(message: str, line: int) -> str:
    """A message about a JSONL line parsed on its own ("Line 1: …"), with the line's number in its file."""
    return f"Line {line}:" + message[len("Line 1:"):] if message.startswith("Line 1:") else message


def _prepare_feed_item(payload: dict[str, Any], batch: ImportBatch) -> _Prepared:
    url = payload.get("url") or ""
    published = payload.get("published_at")
    published_at = dt.datetime.fromisoformat(published) if published else None
    title = payload.get("title") if payload.get("title") != "Untitled" else ""
    page_problem = ""
    if url:
        try:
            resource = fetch(url)
            doc = _document_from_resource(resource)
            new, digest = _build(doc, original=resource.data, filename="", origin=url, feed_guid=payload["guid"],
                                 title=title or "", byline=payload.get("author") or "", published_at=published_at,
                                 url=url)
            return _Prepared(new, digest, doc.site_name or "")
        except IngestError as exc:
            page_problem = exc.message
    summary = payload.get("summary_html") or ""
    if not summary.strip():
        raise IngestError(page_problem or "This feed entry has neither a readable page nor a summary.")
    doc = ingest.parse_html(summary, url=url or None)
    new, digest = _build(doc, original=summary.encode("utf-8"), filename="", origin=url or batch.label,
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


class _SourceCache:
    """Publisher lookups of one chunk, by domain and by name (a chunk often holds one outlet's articles)."""

    def __init__(self, default: Source | None, batch: ImportBatch | None = None):
        self.default = default
        self.batch = batch
        self._by_domain: dict[str, Source | None] = {}
        self._by_name: dict[str, Source | None] = {}

    def resolve(self, url: str, site_name: str) -> Source | None:
        return self._match(url, site_name) or self.default

    def resolve_or_create(self, url: str, site_name: str) -> tuple[Source | None, bool]:
        """As `resolve`, but a publisher name that neither the URL's domain nor any source's name matches creates
        that source, in the caller's transaction. Returns the source and whether it was created."""
        name = " ".join((site_name or "").split())
        found = self._match(url, name)
        if found is not None or not name or len(name) > MAX_CREATED_SOURCE_NAME:
            return found or self.default, False
        # Not cached: if this item's transaction rolls back the source goes with it; the next item finds it by
        # name once it is committed.
        self._by_name.pop(name.casefold(), None)
        return _source_create_for_import(name, self.batch)

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
                self._by_name[key] = _source_named(site_name)
            return self._by_name[key]
        return None


def _source_create_for_import(name: str, batch: ImportBatch | None) -> tuple[Source, bool]:
    """Create the publisher `name` for an imported row, or take the one another worker created meanwhile."""
    user = batch.created_by if batch is not None else None
    try:
        with transaction.atomic(), history_context(action="factcheck.source.created", user=user,
                                                   actor=None if user else IMPORTER):
            return Source.objects.create(name=name), True
    except IntegrityError:
        existing = _source_named(name)
        if existing is None:
            raise
        return existing, False


def batch_process_item(*, batch: ImportBatch, item: ImportItem, sources: _SourceCache | None = None) -> str | None:
    """Import one item in its own transaction; returns its new status, or None when it was not pending.

    The item row is locked first, so two workers handed the same item (a redelivered chunk) never both
    import it; the article, the item's status and the batch counter commit together.
    """
    item_id = item.pk
    sources = sources or _SourceCache(batch.default_source, batch)
    feed_source = batch.default_source if batch.kind == ImportBatch.Kind.FEED else None
    attempts = _start_attempt(item)
    if attempts > MAX_ITEM_ATTEMPTS:
        last = (item.payload or {}).get("last_error") or "its worker stopped while importing it"
        with transaction.atomic():
            done = _record(batch.pk, item_id, ImportItem.Status.FAILED, keep_data=True,
                           message=f"Set aside after {MAX_ITEM_ATTEMPTS} attempts: {last}.")
        return ImportItem.Status.FAILED if done else None
    try:
        return _import_item(batch=batch, item=item, sources=sources, feed_source=feed_source)
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


def _start_attempt(item: ImportItem) -> int:
    """Count one more attempt at a pending item, committed before the work starts (so a worker that dies on it
    leaves the count behind). Returns the attempt's number."""
    attempts = int((item.payload or {}).get("attempts", 0)) + 1
    item.payload = {**(item.payload or {}), "attempts": attempts}
    ImportItem.objects.filter(pk=item.pk, status=ImportItem.Status.PENDING).update(
        payload=Func(F("payload"), Value(["attempts"], output_field=ArrayField(TextField())), Value(attempts, output_field=JSONField()),
                     function="jsonb_set", output_field=JSONField()))
    return attempts


def _note_error(item_id: int, error: str) -> None:
    """Keep the last transient error of an item, to name it if the item is set aside (best effort)."""
    try:
        ImportItem.objects.filter(pk=item_id, status=ImportItem.Status.PENDING).update(
            payload=Func(F("payload"), Value(["last_error"], output_field=ArrayField(TextField())), Value(error, output_field=JSONField()),
                         function="jsonb_set", output_field=JSONField()))
    except DatabaseError:
        logger.warning("Could not note the error of import item %s", item_id)


def _import_item(*, batch: ImportBatch, item: ImportItem, sources: _SourceCache, feed_source: Source | None
                 ) -> str | None:
    item_id = item.pk
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
                    source, created = sources.resolve_or_create(prepared.new.url, prepared.site_name)
                else:
                    source = sources.resolve(prepared.new.url, prepared.site_name)
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
        return ImportItem.Status.IMPORTED


def batch_process_items(*, batch_id: int, item_ids: Sequence[int], enqueue: bool = True,
                        time_budget: float = CHUNK_TIME_BUDGET) -> int:
    """Import a chunk of a batch's items, each in its own transaction; returns how many it imported or failed.

    Idempotent: items that are no longer pending are skipped, so a redelivered chunk does no harm. When the
    chunk runs out of time, what is left goes to a new task. Finishes the batch when nothing is pending.
    """
    batch = ImportBatch.objects.select_related("default_source", "created_by").filter(pk=batch_id).first()
    if batch is None or batch.status != ImportBatch.Status.RUNNING:
        return 0
    started = time.monotonic()
    handled = 0
    ids = list(item_ids)
    pending = {
        item.pk: item
        for item in ImportItem.objects.filter(pk__in=ids, batch_id=batch_id, status=ImportItem.Status.PENDING)
        .order_by()
    }
    sources = _SourceCache(batch.default_source, batch)
    for index, item_id in enumerate(ids):
        if enqueue and time.monotonic() - started > time_budget:
            from factcheck.tasks import batch_process_items as task

            rest = [i for i in ids[index:] if i in pending]
            transaction.on_commit(lambda rest=rest: task.delay(batch_id, rest))
            break
        item = pending.pop(item_id, None)
        if item is not None and batch_process_item(batch=batch, item=item, sources=sources) is not None:
            handled += 1
    batch_finish_if_done(batch_id=batch_id)
    return handled


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


def batches_resume_stalled(*, stalled_after: timedelta = BATCH_STALLED_AFTER) -> int:
    """Re-enqueue work of batches no worker has advanced for `stalled_after` (a killed worker's chunk).

    Pending batches whose expansion never ran get it again; running batches get their pending items again
    (chunks already done are skipped by the item status). Returns how many batches were resumed.
    """
    cutoff = timezone.now() - stalled_after
    resumed = 0
    pending = ImportBatch.objects.filter(status=ImportBatch.Status.PENDING, created_at__lte=cutoff)
    for batch_id in pending.values_list("pk", flat=True)[:100]:
        from factcheck.tasks import batch_expand as task

        send_on_commit(task, batch_id)
        resumed += 1
    running = ImportBatch.objects.filter(status=ImportBatch.Status.RUNNING).filter(
        Q(heartbeat_at__lte=cutoff) | Q(heartbeat_at__isnull=True)
    )
    for batch_id in running.values_list("pk", flat=True)[:100]:
        # Claim the resume (conditional update), so two beat runs never both re-enqueue the same batch.
        claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.RUNNING).filter(
            Q(heartbeat_at__lte=cutoff) | Q(heartbeat_at__isnull=True)
        ).update(heartbeat_at=timezone.now())
        if claimed:
            _enqueue_pending(batch_id)
            resumed += 1
    return resumed


# --- feeds ------------------------------------------------------------------------------------------------


def _feed_due_filter(now: dt.datetime) -> Q:
    # Back off after failures: 15 min, 30, 60, 120 ... until FEED_MAX_FAILURES stops polling altogether.
    due = Q(feed_last_polled_at__isnull=True)
    for failures in range(FEED_MAX_FAILURES):
        due |= Q(feed_failures=failures, feed_last_polled_at__lte=now - FEED_POLL_INTERVAL * (2**failures)
                 + timedelta(seconds=30))
    return due


def feeds_poll_due() -> int:
    """Enqueue a poll of every active source whose feed is due. Returns how many."""
    from factcheck.tasks import source_poll_feed

    now = timezone.now()
    ids = list(
        Source.objects.filter(is_active=True, feed_failures__lt=FEED_MAX_FAILURES)
        .exclude(feed_url="")
        .filter(_feed_due_filter(now))
        .values_list("pk", flat=True)
    )
    for source_id in ids:
        source_poll_feed.delay(source_id)
    return len(ids)


def _feed_record(source_id: int, *, error: str = "") -> None:
    now = timezone.now()
    if error:
        Source.objects.filter(pk=source_id).update(
            feed_last_polled_at=now, feed_last_error=error[:2000], feed_failures=F("feed_failures") + 1
        )
    else:
        Source.objects.filter(pk=source_id).update(feed_last_polled_at=now, feed_last_error="", feed_failures=0)


def source_poll_feed(*, source_id: int, enqueue: bool = True) -> ImportBatch | None:
    """Read a source's feed and import its new entries (keyed by source and entry GUID) as a feed batch.

    Entries already stored, or waiting in an unfinished batch, are skipped. A feed that can't be fetched or
    read is recorded on the source (last error, failures in a row, last poll) and polled less often, then not
    at all after FEED_MAX_FAILURES; one success resets it. Returns the batch, or None if nothing was new.
    """
    source = Source.objects.filter(pk=source_id, is_active=True).exclude(feed_url="").first()
    if source is None:
        return None
    try:
        resource = fetch(source.feed_url)
        items = ingest.parse_feed(resource.data, base_url=resource.final_url)
    except IngestError as exc:
        _feed_record(source_id, error=exc.message)
        return None
    guids = [item.guid for item in items]
    known = set(Article.objects.filter(source=source, feed_guid__in=guids).values_list("feed_guid", flat=True))
    known |= set(
        ImportItem.objects.filter(
            batch__default_source=source, batch__kind=ImportBatch.Kind.FEED, key__in=guids,
            status=ImportItem.Status.PENDING,
        ).values_list("key", flat=True)
    )
    fresh, seen = [], set()
    for item in items:
        if item.guid not in known and item.guid not in seen:
            seen.add(item.guid)
            fresh.append(item)
    with transaction.atomic():
        _feed_record(source_id)
        if not fresh:
            return None
        batch = ImportBatch.objects.create(kind=ImportBatch.Kind.FEED, label=source.feed_url[:500],
                                           default_source=source)
        expansion = _Expansion(batch)
        for item in fresh:
            expansion.add(item.guid, payload=_feed_item_payload(item))
        ImportItem.objects.bulk_create(expansion.items, ignore_conflicts=True)
        now = timezone.now()
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING, total=len(expansion.items),
                                                       started_at=now, heartbeat_at=now)
        if enqueue:
            batch_id = batch.pk
            transaction.on_commit(lambda: _enqueue_pending(batch_id))
    batch.refresh_from_db()
    return batch


# --- reads for the pages ------------------------------------------------------------------------------------


def batch_list() -> QuerySet[ImportBatch]:
    return ImportBatch.objects.select_related("created_by", "default_source").order_by("-created_at")


def batch_failed_items(*, batch_id: int, limit: int = MAX_FAILED_MESSAGES) -> list[ImportItem]:
    return list(
        ImportItem.objects.filter(batch_id=batch_id, status=ImportItem.Status.FAILED)
        .only("key", "message", "position").order_by("position")[:limit]
    )


def batch_done_items(*, batch_id: int, limit: int = MAX_FAILED_MESSAGES) -> list[ImportItem]:
    return list(
        ImportItem.objects.filter(
            batch_id=batch_id, status__in=[ImportItem.Status.IMPORTED, ImportItem.Status.DUPLICATE]
        )
        .select_related("article")
        .only("key", "status", "message", "position", "article__title", "article__status")
        .order_by("position")[:limit]
    )
