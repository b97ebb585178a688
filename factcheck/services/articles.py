from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from factcheck.history import history_context
from factcheck import ingest, permissions
from factcheck.models import Article, ArticleOriginal, ImportBatch, Source, Story
from factcheck.services.sources import source_find_or_create


class DuplicateArticle(Exception):
    """The same text is already stored; `existing` is that article."""

    def __init__(self, existing: Article):
        self.existing = existing
        super().__init__(f"This article is already in Factdesk: “{existing.title}”.")


@dataclass(frozen=True)
class NewArticle:
    """What an upload, an import row or a feed item became once parsed and normalised."""

    title: str
    body: str
    original: bytes
    headings: list[tuple[int, int]] = field(default_factory=list)
    filename: str = ""
    content_type: str = ""
    origin: str = ""
    url: str = ""
    byline: str = ""
    published_at: datetime | None = None
    language: str = ""
    feed_guid: str = ""


def _clip(value: str, limit: int) -> str:
    return re.sub(r"\s+", " ", value).strip()[:limit]


def article_create(
    *,
    new: NewArticle,
    uploaded_by: AbstractBaseUser | None = None,
    source: Source | None = None,
    batch: ImportBatch | None = None,
    actor: str | None = None,
    content_hash: str | None = None,
) -> Article:
    """Store a parsed article with its original bytes; the caller sends its extraction (after this commits).

    Guarantees: the same normalised text is never stored twice (raises `DuplicateArticle` with the existing one,
    and writes nothing); the article and its original are written together or not at all (one transaction, or
    one savepoint inside the caller's transaction). The identity of the text is `ingest.content_hash` of the body;
    `content_hash` is that value when the caller has it already.
    """
    digest = content_hash or ingest.content_hash(new.body)
    existing = Article.objects.filter(content_hash=digest).first()
    if existing is not None:
        raise DuplicateArticle(existing)
    action = "factcheck.article.imported" if batch is not None else "factcheck.article.uploaded"
    try:
        with transaction.atomic(), history_context(action=action, user=uploaded_by, actor=actor):
            article = Article.objects.create(
                title=_clip(new.title, 500) or "Untitled article",
                body=new.body,
                headings=[list(span) for span in new.headings],
                content_hash=digest,
                origin=new.origin[:2000],
                url=new.url[:2000],
                source=source,
                byline=_clip(new.byline, 500),
                published_at=new.published_at,
                language=new.language[:16],
                uploaded_by=uploaded_by,
                batch=batch,
                feed_guid=new.feed_guid[:2000],
                status_changed_at=timezone.now(),
            )
            ArticleOriginal.objects.create(
                article=article,
                filename=new.filename[:500],
                content_type=new.content_type[:200],
                data=new.original,
                size=len(new.original),
            )
    except IntegrityError:
        # Another upload of the same text won the race between our check and our insert.
        existing = Article.objects.filter(content_hash=digest).first()
        if existing is None:
            raise
        raise DuplicateArticle(existing) from None
    return article


@transaction.atomic
def article_delete(*, article_id: int, actor: AbstractBaseUser) -> None:
    """Delete an article with its claims and their evidence. The history of all of them stays, naming the actor.
    PermissionDenied for someone who may not delete articles (editors may)."""
    permissions.require_delete_articles(actor)
    with history_context(action="factcheck.article.deleted", user=actor):
        Article.objects.filter(pk=article_id).delete()


@transaction.atomic
def article_update_details(
    *,
    article_id: int,
    actor: AbstractBaseUser,
    title: str,
    byline: str = "",
    url: str = "",
    published_at: datetime | None = None,
    source: Source | None = None,
    new_source_name: str = "",
) -> Article:
    """Correct an article's details (title, byline, URL, date, publisher). The body, and so every claim's offsets,
    are untouched. A new publisher name creates the source (or reuses one of that name). Recorded in the history.
    PermissionDenied for someone who may not change articles (editors may)."""
    permissions.require_edit_articles(actor)
    title = _clip(title, 500)
    if not title:
        raise ValidationError({"title": "Give the article a title."})
    url = url.strip()
    if url and not url.lower().startswith(("http://", "https://")):
        raise ValidationError({"url": "Enter a web address starting with http:// or https://."})
    if new_source_name.strip():
        source, _ = source_find_or_create(name=new_source_name)
    before = Article.objects.select_for_update().filter(pk=article_id).values("title", "story_id").first()
    if before is None:
        raise Article.DoesNotExist(f"No article {article_id}.")
    with history_context(action="factcheck.article.details_changed", user=actor):
        Article.objects.filter(pk=article_id).update(
            title=title, byline=_clip(byline, 500), url=url[:2000], published_at=published_at, source=source
        )
        if before["story_id"] is not None and title != before["title"]:
            # A story named after this article (as matching names a new story) follows the correction; a title
            # a person gave the story stays.
            Story.objects.filter(pk=before["story_id"], title=before["title"][:500]).update(
                title=title, updated_at=timezone.now())
    return Article.objects.select_related("source").get(pk=article_id)
