"""Deciding what kind of file an upload is, from its name, its declared type and its bytes."""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Collection
from typing import Final

from .errors import IngestError

__all__ = [
    "ALL_KINDS",
    "BATCH_KINDS",
    "DOCUMENT_KINDS",
    "EXTENSIONS",
    "extension_of",
    "sniff_kind",
]

DOCUMENT_KINDS: Final = ("txt", "md", "html", "docx", "pdf")
BATCH_KINDS: Final = ("zip", "jsonl", "csv", "feed")
ALL_KINDS: Final = DOCUMENT_KINDS + BATCH_KINDS

EXTENSIONS: Final[dict[str, str]] = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".docx": "docx",
    ".pdf": "pdf",
    ".zip": "zip",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",
}

# The extension shown to users for each kind in "Upload ..." messages.
_PRIMARY_EXTENSION: Final[dict[str, str]] = {
    "txt": ".txt",
    "md": ".md",
    "html": ".html",
    "docx": ".docx",
    "pdf": ".pdf",
    "zip": ".zip",
    "jsonl": ".jsonl",
    "csv": ".csv",
    "feed": ".xml (RSS/Atom)",
}

_CONTENT_TYPES: Final[dict[str, str]] = {
    "text/plain": "txt",
    "text/markdown": "md",
    "text/x-markdown": "md",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/zip": "zip",
    "application/x-zip-compressed": "zip",
    "application/jsonl": "jsonl",
    "application/x-ndjson": "jsonl",
    "application/x-jsonlines": "jsonl",
    "text/csv": "csv",
    "application/rss+xml": "feed",
    "application/atom+xml": "feed",
    "application/xml": "feed",
    "text/xml": "feed",
}

DOCX_INVALID: Final = "This .docx file is not a valid Word document."
PDF_INVALID: Final = "This .pdf file is not a valid PDF document."
ZIP_INVALID: Final = "This .zip file is not a valid zip archive."


def extension_of(filename: str) -> str:
    """Lower-cased extension with its dot (``".pdf"``), or ``""``; directories are ignored."""
    base = posixpath.basename(filename.replace("\\", "/"))
    _, ext = posixpath.splitext(base)
    return ext.lower()


def sniff_kind(
    filename: str,
    data: bytes,
    *,
    content_type: str | None = None,
    allowed: Collection[str] = ALL_KINDS,
) -> str:
    """Return the kind of an upload: one of :data:`ALL_KINDS`.

    A known extension decides, and the bytes must then agree (a ``.docx`` must be
    a Word package, a ``.pdf`` must start like a PDF). Without a known extension
    the declared ``content_type`` decides, then the bytes themselves. Raises
    :class:`IngestError` for types outside ``allowed`` and for files whose content
    contradicts their name.
    """
    ext = extension_of(filename)
    kind = EXTENSIONS.get(ext)
    if kind is None and content_type:
        kind = _CONTENT_TYPES.get(content_type.split(";", 1)[0].strip().lower())
    if kind is None and ext and ext not in (".php", ".asp", ".aspx", ".jsp", ".cgi", ".shtml"):
        # Server-side script extensions are common in fetched URLs and say nothing
        # about the content; anything else we do not know is refused by name.
        raise IngestError(_unsupported(ext, allowed))
    if kind is None:
        kind = _sniff_content(data)
        if kind is None:
            raise IngestError(_unsupported(ext, allowed))

    _check_content_matches(kind, data)
    if kind not in allowed:
        raise IngestError(_unsupported(ext or _PRIMARY_EXTENSION[kind].split()[0], allowed))
    return kind


def _unsupported(ext: str, allowed: Collection[str]) -> str:
    names = [_PRIMARY_EXTENSION[k] for k in ALL_KINDS if k in allowed]
    listing = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    if ext:
        return f"Unsupported file type '{ext}'. Upload {listing}."
    return f"Unsupported file type. Upload {listing}."


def _sniff_content(data: bytes) -> str | None:
    head = data[:4096]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "docx" if _is_docx(data) else "zip"
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf")):
        if b"<rss" in lowered or b"<feed" in lowered or b"<rdf" in lowered:
            return "feed"
        if b"<html" in lowered:
            return "html"
        return None
    if lowered.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--", b"<meta", b"<div", b"<p")):
        return "html"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    return "txt"


def _check_content_matches(kind: str, data: bytes) -> None:
    if kind == "docx" and not _is_docx(data):
        raise IngestError(DOCX_INVALID)
    if kind == "pdf" and b"%PDF-" not in data[:1024]:
        raise IngestError(PDF_INVALID)
    if kind == "zip" and not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise IngestError(ZIP_INVALID)


def _is_docx(data: bytes) -> bool:
    """A Word package: a zip whose content types declare a main WordprocessingML part."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024:
                return False
            content_types = archive.read(info)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return False
    return b"wordprocessingml.document.main+xml" in content_types
