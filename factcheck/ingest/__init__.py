"""Ingest: uploaded bytes, batch files, feeds and URLs -> clean article text and metadata.

Pure Python with no Django import; limits (sizes, timeouts) are passed in by the
caller. Every problem with the input is raised or reported as a user-facing
message (:class:`IngestError`, :class:`ArchiveError`, ``RowResult.error``).
"""

from .archives import ArchiveError, ArchiveMember, iter_zip
from .dates import parse_datetime
from .documents import MIME_TYPES, ParsedDocument, parse_document, parse_html, safe_http_url
from .errors import IngestError, format_size
from .feeds import FeedItem, parse_feed
from .fetch import FetchedResource, Resolver, fetch_url
from .normalise import Normalised, content_hash, normalise
from .rows import RowResult, iter_csv, iter_jsonl
from .sniff import ALL_KINDS, BATCH_KINDS, DOCUMENT_KINDS, sniff_kind
from .text import decode_text

__all__ = [
    "ALL_KINDS",
    "BATCH_KINDS",
    "DOCUMENT_KINDS",
    "MIME_TYPES",
    "ArchiveError",
    "ArchiveMember",
    "FeedItem",
    "FetchedResource",
    "IngestError",
    "Normalised",
    "ParsedDocument",
    "Resolver",
    "RowResult",
    "content_hash",
    "decode_text",
    "fetch_url",
    "format_size",
    "iter_csv",
    "iter_jsonl",
    "iter_zip",
    "normalise",
    "parse_datetime",
    "parse_document",
    "parse_feed",
    "parse_html",
    "safe_http_url",
    "sniff_kind",
]
