"""Celery tasks: thin, JSON arguments (ids), idempotent, and each calls one service."""

from __future__ import annotations

import logging
from contextlib import contextmanager

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from factcheck.services import extraction, imports, matching
from newsroom.celery import app as celery_app

logger = logging.getLogger(__name__)

# Errors worth another try: the database or broker blinked. Anything else is a bug or bad input.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


@shared_task(
    name="factcheck.tasks.article_extract_claims",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=4,
)
def article_extract_claims(article_id: int) -> None:
    """Extract the claims of one article. Running it twice gives the same claims."""
    extraction.article_extract_claims(article_id=article_id)


@shared_task(name="factcheck.tasks.work_resume_stalled")
def work_resume_stalled() -> int:
    """Re-enqueue work that a killed worker left behind (articles stuck queued or extracting, stalled batches)."""
    return extraction.articles_resume_stalled() + imports.batches_resume_stalled()


# --- imports and feeds -----------------------------------------------------------------------------------
# Each task loads by id and calls one service in factcheck.services.imports; running one twice does no harm.


@shared_task(
    name="factcheck.tasks.batch_expand",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=4,
)
def batch_expand(batch_id: int) -> int:
    """Expand a batch's uploaded files into items and enqueue them in chunks. Idempotent."""
    try:
        return imports.batch_expand(batch_id=batch_id)
    except SoftTimeLimitExceeded:
        # Retrying would run out of time again: fail the batch with a message instead of leaving it pending.
        imports.batch_fail(batch_id=batch_id, message="The files took too long to read; split the import.")
        return 0


@shared_task(
    name="factcheck.tasks.batch_process_items",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=4,
)
def batch_process_items(batch_id: int, item_ids: list[int]) -> int:
    """Import one chunk of a batch's items; items already done are skipped, so a redelivery is harmless."""
    return imports.batch_process_items(batch_id=batch_id, item_ids=item_ids)


@shared_task(name="factcheck.tasks.feeds_poll_due")
def feeds_poll_due() -> int:
    """Enqueue a poll of every source feed that is due (beat runs this every 15 minutes)."""
    return imports.feeds_poll_due()


@shared_task(
    name="factcheck.tasks.source_poll_feed",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    max_retries=3,
)
def source_poll_feed(source_id: int) -> None:
    """Import a source's new feed entries; a failing feed is recorded on the source, never retried here."""
    imports.source_poll_feed(source_id=source_id)


@shared_task(
    name="factcheck.tasks.article_match_claims",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=4,
)
def article_match_claims(article_id: int) -> None:
    """Match an article's claims across articles (clusters, story, conflicts). Running it twice changes nothing."""
    matching.article_match_claims(article_id=article_id)


@contextmanager
def tasks_run_here():
    """Run the tasks sent inside the block in this process, as they are sent (after their transaction commits),
    instead of on the workers: the management commands' --sync mode. The previous mode is restored after."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous
