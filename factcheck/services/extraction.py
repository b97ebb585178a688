from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from factcheck.history import history_context
from factcheck.models import Article

WORKER = "extraction worker"
STALLED_AFTER = timedelta(minutes=10)


def article_enqueue_extraction(*, article_id: int) -> None:
    """Send the extraction task once the current transaction commits (never for a row others can't see yet)."""
    from factcheck.tasks import article_extract_claims

    transaction.on_commit(lambda: article_extract_claims.delay(article_id))


def article_extract_claims(*, article_id: int) -> None:
    """Mark the article as extracted. The extraction model replaces this body when it lands."""
    with transaction.atomic(), history_context(action="factcheck.article.extraction", actor=WORKER):
        updated = Article.objects.filter(pk=article_id).exclude(status=Article.Status.READY).update(
            status=Article.Status.READY, status_message="", status_changed_at=timezone.now()
        )
    return updated


def articles_resume_stalled() -> int:
    """Enqueue extraction again for articles left queued or extracting for too long. Returns how many."""
    cutoff = timezone.now() - STALLED_AFTER
    stalled = list(
        Article.objects.filter(
            status__in=[Article.Status.QUEUED, Article.Status.EXTRACTING], updated_at__lt=cutoff
        ).values_list("pk", flat=True)[:1000]
    )
    for article_id in stalled:
        article_enqueue_extraction(article_id=article_id)
    return len(stalled)
