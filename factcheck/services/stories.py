"""Editors' actions on stories: move an article to a story, rename a story."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from factcheck import permissions
from factcheck.history import history_context
from factcheck.models import Article, Story
from factcheck.services.matching import MANUAL_STORY_ACTION


@transaction.atomic
def article_set_story(*, article_id: int, story_id: int | None, actor: AbstractBaseUser) -> Article:
    """Move an article to another story (or out of any story). Matching keeps it there from then on."""
    permissions.require_edit_stories(actor)
    article = Article.objects.select_for_update().only("pk", "story_id").get(pk=article_id)
    if story_id is not None and not Story.objects.filter(pk=story_id).exists():
        raise ValidationError("That story no longer exists.")
    now = timezone.now()
    with history_context(action=MANUAL_STORY_ACTION, user=actor):
        Article.objects.filter(pk=article_id).update(story_id=story_id, story_pinned=True, updated_at=now)
        touched = [s for s in (article.story_id, story_id) if s is not None]
        Story.objects.filter(pk__in=touched).update(updated_at=now)
    article.refresh_from_db()
    return article


@transaction.atomic
def story_rename(*, story_id: int, actor: AbstractBaseUser, title: str) -> Story:
    """Give a story a new title (1 to 500 characters)."""
    permissions.require_edit_stories(actor)
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": "Give the story a title."})
    if len(title) > 500:
        raise ValidationError({"title": "Keep the title under 500 characters."})
    with history_context(action=MANUAL_STORY_ACTION, user=actor):
        updated = Story.objects.filter(pk=story_id).update(title=title, updated_at=timezone.now())
    if not updated:
        raise Story.DoesNotExist
    return Story.objects.get(pk=story_id)

