"""A batch's uploaded files -> its entries: one per document, archive member, JSONL line, CSV row or feed item.

Pure: the caller stores the entries (as import items, in file order) and passes the size limits in. Each entry
has a stable key ("name.zip/inner/path.txt", "file.jsonl:17", the feed GUID), so expanding the same files twice
gives the same entries, and either a payload for the worker that imports it or the error that fails it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .archives import ArchiveError, iter_zip
from .documents import ParsedDocument
from .errors import IngestError
from .feeds import FeedItem, parse_feed
from .rows import iter_csv
from .sniff import DOCUMENT_KINDS, sniff_kind
from .text import decode_text

NUL_MESSAGE = "The text contains a NUL character (\\u0000), which cannot be stored; remove it and try again."
KEY_LIMIT = 2000

# What a batch of one file is called by its kind; several files are "files".
_BATCH_KINDS = {"zip": "archive", "jsonl": "jsonl", "csv": "csv", "feed": "feed"}


@dataclass(frozen=True)
class ExpandLimits:
    max_total_bytes: int
    max_entries: int
    max_ratio: float
    max_file_bytes: int


@dataclass(frozen=True)
class Entry:
    """One thing to import: `payload` (and `data`, its bytes) for the worker, or the `error` that fails it."""

    key: str
    payload: dict[str, Any] = field(default_factory=dict)
    data: bytes | None = None
    error: str = ""


def entry(key: str, *, payload: dict[str, Any] | None = None, data: bytes | None = None, error: str = "") -> Entry:
    """An entry with a key that fits and no NUL where PostgreSQL can't store one (a payload holding NUL fails)."""
    key, error = key.replace("\x00", "\ufffd"), error.replace("\x00", "\ufffd")
    if not error and has_nul(payload):
        payload, error = {}, NUL_MESSAGE
    return Entry(key=item_key(key), payload=payload or {}, data=data, error=error)


def item_key(value: str) -> str:
    """`value`, or when it is too long, its start and a digest of the whole (still unique, still readable)."""
    if len(value) <= KEY_LIMIT:
        return value
    digest = hashlib.sha256(value.encode()).hexdigest()[:16]
    return f"{value[: KEY_LIMIT - 20]}…{digest}"


def has_nul(value: object) -> bool:
    """Whether a string, or any string inside lists and dicts, holds NUL (PostgreSQL text and jsonb cannot)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(has_nul(v) for v in value)
    return False


def unique_names(files: Sequence[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The files with forward slashes and names made unique ("a.txt", "a.txt (2)")."""
    seen: dict[str, int] = {}
    result = []
    for name, data in files:
        name = (name or "upload").replace("\\", "/")[-400:]
        count = seen.get(name, 0)
        seen[name] = count + 1
        result.append((name if count == 0 else f"{name} ({count + 1})", data))
    return result


def batch_kind(files: Sequence[tuple[str, bytes]]) -> str:
    """"archive", "jsonl", "csv" or "feed" for one such file; "files" otherwise."""
    if len(files) != 1:
        return "files"
    name, data = files[0]
    try:
        kind = sniff_kind(name, data)
    except IngestError:
        return "files"
    return _BATCH_KINDS.get(kind, "files")


def expand_file(name: str, data: bytes, *, limits: ExpandLimits, inside_archive: bool = False) -> Iterator[Entry]:
    """The entries of one file: a document is one entry; a container is expanded. Raises IngestError for a
    container that can't be read at all (the caller decides whether that fails one entry or the whole batch)."""
    try:
        kind = sniff_kind(name, data)
    except IngestError as exc:
        yield entry(name, error=exc.message)
        return
    if kind in DOCUMENT_KINDS:
        yield entry(name, payload={"type": "document", "filename": name}, data=data)
    elif kind == "zip":
        if inside_archive:
            yield entry(name, error="Archives inside archives are not imported; upload this archive on its own.")
            return
        yield from _zip_entries(name, data, limits)
    elif kind == "jsonl":
        yield from _jsonl_entries(name, data)
    elif kind == "csv":
        yield from _csv_entries(name, data)
    elif kind == "feed":
        base = name if name.startswith(("http://", "https://")) else None
        yield from (feed_entry(item) for item in parse_feed(data, base_url=base))


def _zip_entries(name: str, data: bytes, limits: ExpandLimits) -> Iterator[Entry]:
    members = iter_zip(data, max_total_bytes=limits.max_total_bytes, max_entries=limits.max_entries,
                       max_ratio=limits.max_ratio, max_file_bytes=limits.max_file_bytes)
    for member in members:
        inner = f"{name}/{member.name}"
        if isinstance(member, ArchiveError):
            yield entry(inner, error=member.message)
            continue
        try:
            yield from expand_file(inner, member.data, limits=limits, inside_archive=True)
        except IngestError as exc:
            yield entry(inner, error=exc.message)


def _jsonl_entries(name: str, data: bytes) -> Iterator[Entry]:
    # Rows are parsed by the workers (HTML rows are expensive); here each line becomes one entry.
    lines = decode_text(data).split("\n")
    if not any(line.strip() for line in lines):
        raise IngestError("The file has no rows.")
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield entry(f"{name}:{number}", payload={"type": "jsonl", "filename": name, "line": number},
                        data=line.strip().encode("utf-8"))


def _csv_entries(name: str, data: bytes) -> Iterator[Entry]:
    lines = decode_text(data).splitlines()
    rows = list(iter_csv(data, filename=name))
    header = next((line for line in lines if line.strip()), "")
    for index, row in enumerate(rows):
        key = f"{name}:{row.line}"
        if row.document is None:
            yield entry(key, error=row.error or f"Line {row.line}: this row could not be read.")
            continue
        end = rows[index + 1].line - 1 if index + 1 < len(rows) else len(lines)
        raw = "\n".join([header, *lines[row.line - 1 : end]]).rstrip("\n")
        yield entry(key, payload={"type": "row", "filename": name, "line": row.line,
                                  "document": document_payload(row.document), "warnings": row.warnings},
                    data=raw.encode("utf-8"))


def feed_entry(item: FeedItem) -> Entry:
    """A feed item as an entry keyed by its GUID; the worker fetches its page."""
    return entry(item.guid, payload={
        "type": "feed", "guid": item.guid, "url": item.url, "title": item.title, "summary_html": item.summary_html,
        "author": item.author, "published_at": item.published_at.isoformat() if item.published_at else None,
    })


def document_payload(doc: ParsedDocument) -> dict[str, Any]:
    """A parsed row as JSON, so the worker need not parse it again."""
    return {
        "title": doc.title, "text": doc.text, "byline": doc.byline, "site_name": doc.site_name, "url": doc.url,
        "language": doc.language, "content_type": doc.content_type, "kind": doc.kind,
        "published_at": doc.published_at.isoformat() if doc.published_at else None,
    }


def document_from_payload(payload: dict[str, Any], filename: str) -> ParsedDocument:
    published = payload.get("published_at")
    return ParsedDocument(
        title=payload.get("title") or "", text=payload.get("text") or "", byline=payload.get("byline"),
        published_at=dt.datetime.fromisoformat(published) if published else None,
        site_name=payload.get("site_name"), url=payload.get("url"), language=payload.get("language"),
        filename=filename, content_type=payload.get("content_type") or "text/plain",
        kind=payload.get("kind") or "txt",
    )


def renumbered(message: str, line: int) -> str:
    """A message about a JSONL line parsed on its own ("Line 1: …"), with the line's number in its file."""
    return f"Line {line}:" + message[len("Line 1:"):] if message.startswith("Line 1:") else message
