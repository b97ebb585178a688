"""Single articles in: an uploaded file, pasted text or a web page, with the publisher they belong to.

Parsing and every network fetch happen before the article's transaction opens. The pieces shared with batches and
feeds (fetching, parsing, turning a parsed document into the article to store) live here too.
"""

from __future__ import annotations

import datetime as dt
import logging
import posixpath
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from factcheck import ingest, permissions
from factcheck.ingest import IngestError
from factcheck.ingest.expand import NUL_MESSAGE, has_nul
from factcheck.models import Article, Source
from factcheck.selectors import source_for
from factcheck.services.articles import NewArticle, article_create
from factcheck.services.sources import source_find_or_create

logger = logging.getLogger(__name__)


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


# --- shared with batches and feeds -----------------------------------------------------------------------


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


def document_parse(data: bytes, **kwargs: Any) -> ingest.ParsedDocument:
    """parse_document, with any unexpected parser failure turned into a message instead of an error page."""
    try:
        return ingest.parse_document(data, max_bytes=settings.FACTDESK_MAX_UPLOAD_BYTES, **kwargs)
    except IngestError:
        raise
    except Exception as exc:  # a parser library's bug on odd input
        logger.exception("Parsing %s failed", kwargs.get("filename") or "a document")
        raise IngestError("This file could not be read; it may be damaged.") from exc


def document_from_resource(resource: ingest.FetchedResource) -> ingest.ParsedDocument:
    """A fetched page parsed. The name decides the type only when it has an extension we know; else the
    Content-Type and the bytes do."""
    name = posixpath.basename(urlsplit(resource.final_url).path)
    if posixpath.splitext(name)[1].lower() not in {".txt", ".md", ".html", ".htm", ".docx", ".pdf"}:
        name = ""
    return document_parse(resource.data, filename=name, content_type=resource.content_type or None,
                          url=resource.final_url)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if timezone.is_naive(value):
        return timezone.make_aware(value, dt.UTC)
    return value


def new_article(
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
    """A parsed document -> the article to store and its content hash (of the normalised body). The editor's
    `metadata` wins over the caller's values, which win over the document's. Raises IngestError."""
    metadata = metadata or ArticleMetadata()
    fields = (doc.text, doc.title, doc.byline, doc.url, doc.site_name, doc.language, title, byline, url)
    if has_nul(fields) or has_nul((metadata.title, metadata.byline, metadata.url)):
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


def source_resolve(*, choice: SourceChoice | None, url: str, site_name: str = "") -> Source | None:
    """The publisher of an upload or a batch: the editor's explicit pick or new name (created if no source has
    it), else the source of the URL's domain or of the outlet name the document gives (never created from a
    document). Runs inside the article's transaction, so a source created here disappears with a duplicate
    upload."""
    if choice is not None and choice.source is not None:
        return choice.source
    if choice is not None and choice.new_name.strip():
        return source_find_or_create(name=choice.new_name)[0]
    return source_for(url=url, name=site_name)


# --- single articles --------------------------------------------------------------------------------------


def _store(new: NewArticle, digest: str, *, uploaded_by, choice: SourceChoice | None,
           site_name: str = "") -> Article:
    with transaction.atomic():
        source = source_resolve(choice=choice, url=new.url, site_name=site_name)
        return article_create(new=new, uploaded_by=uploaded_by, source=source, content_hash=digest)


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
    text is already stored; in both cases nothing is written (not even a newly named source). The caller sends
    the extraction. PermissionDenied when `uploaded_by` may not upload.
    """
    permissions.require_upload(uploaded_by)
    if len(data) > settings.FACTDESK_MAX_UPLOAD_BYTES:
        limit = ingest.format_size(settings.FACTDESK_MAX_UPLOAD_BYTES)
        raise IngestError(f"The file is larger than the {limit} limit.")
    doc = document_parse(data, filename=filename, content_type=content_type)
    new, digest = new_article(doc, original=data, filename=filename, origin=filename, metadata=metadata)
    return _store(new, digest, uploaded_by=uploaded_by, choice=source, site_name=doc.site_name or "")


def article_create_from_text(
    *,
    text: str,
    uploaded_by: AbstractBaseUser | None,
    metadata: ArticleMetadata | None = None,
    source: SourceChoice | None = None,
) -> Article:
    """Store pasted text as an article (its original is the text as UTF-8). Same guarantees as an upload."""
    permissions.require_upload(uploaded_by)
    data = text.encode("utf-8")
    if not text.strip():
        raise IngestError("Paste the article's text first.")
    doc = document_parse(data, filename="pasted.txt")
    new, digest = new_article(doc, original=data, filename="", origin="Pasted text", metadata=metadata)
    return _store(new, digest, uploaded_by=uploaded_by, choice=source)


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
    permissions.require_upload(uploaded_by)
    resource = fetch(url)
    doc = document_from_resource(resource)
    filename = posixpath.basename(urlsplit(resource.final_url).path)[:500]
    new, digest = new_article(doc, original=resource.data, filename=filename, origin=resource.final_url,
                              metadata=metadata, url=doc.url or resource.final_url)
    return _store(new, digest, uploaded_by=uploaded_by, choice=source, site_name=doc.site_name or "")
