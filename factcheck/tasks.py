"""Celery tasks: thin, JSON arguments (ids), idempotent, and each calls one service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from factcheck.services import extraction

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
    """Re-enqueue work that a killed worker left behind (articles stuck queued or extracting)."""
    return extraction.articles_resume_stalled()
