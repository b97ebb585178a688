"""Celery tasks: thin, JSON arguments (ids), idempotent, and each calls one service."""

from __future__ import annotations

import logging
from contextlib import contextmanager

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from factcheck.services import (
    check_matching, checkworthiness, exports, extraction, factcheck_imports, imports, matching, notifications,
)
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
    """Re-enqueue work that a killed worker left behind (articles stuck queued or extracting, stalled batches and
    imports of published fact-checks)."""
    return (extraction.articles_resume_stalled() + imports.batches_resume_stalled()
            + factcheck_imports.factcheck_imports_resume_stalled())


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
    """Match an article's claims across articles (clusters, story, conflicts), then among the published
    fact-checks. Running it twice changes nothing."""
    matching.article_match_claims(article_id=article_id)
    check_matching.article_offer_checks(article_id=article_id)


# --- published fact-checks ---------------------------------------------------------------------------------


@shared_task(
    bind=True,
    name="factcheck.tasks.factcheck_import_run",
    max_retries=4,
    retry_backoff=5,
)
def factcheck_import_run(self, run_id: int) -> int:
    """Import a file, URL or feed of published fact-checks from where it stopped (see the service).

    A transient error is retried with backoff; when the retries are spent, or on any other error, the import is
    parked as failed with the error, keeping the chunks already committed.
    """
    try:
        return factcheck_imports.factcheck_import_run(run_id=run_id)
    except SoftTimeLimitExceeded:
        # The run stops inside its time budget; reaching the limit means one chunk stalled: let the sweep resume.
        return 0
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            factcheck_imports.factcheck_import_fail(
                run_id=run_id, message=f"Stopped after {self.max_retries} retries: {type(exc).__name__}: {exc}")
            return 0
        raise self.retry(exc=exc, countdown=min(120, 5 * 2**self.request.retries)) from exc
    except Exception as exc:
        logger.exception("Import %s of published fact-checks failed", run_id)
        factcheck_imports.factcheck_import_fail(
            run_id=run_id, message=f"The import stopped on an error: {type(exc).__name__}: {str(exc)[:500]}")
        return 0


@shared_task(name="factcheck.tasks.factcheck_feeds_fetch_due")
def factcheck_feeds_fetch_due() -> int:
    """Start an import of every fact-check feed that is due (beat runs this every 5 minutes)."""
    return factcheck_imports.factcheck_feeds_fetch_due()


@shared_task(name="factcheck.tasks.notifications_send_digest")
def notifications_send_digest() -> int:
    """E-mail each person their unread notifications not sent before (beat; does nothing unless
    NOTIFICATION_EMAIL_DIGEST is on). A notification is sent at most once."""
    return notifications.notifications_send_digest()
# --- exports ------------------------------------------------------------------------------------------------


@shared_task(
    name="factcheck.tasks.export_job_run",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=3,
    soft_time_limit=1800,
    time_limit=1860,
)
def export_job_run(job_id: str) -> bool:
    """Write a background export into the database. A second delivery of a finished export does nothing."""
    try:
        return exports.export_job_run(job_id=job_id)
    except SoftTimeLimitExceeded:
        exports.export_job_fail(job_id=job_id, message="The export took too long: export a story or a filtered "
                                                       "queue instead of everything.")
        return False


@shared_task(name="factcheck.tasks.exports_expire")
def exports_expire() -> int:
    """Delete old exports and their files (beat runs this every hour)."""
    return exports.exports_expire()


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


# --- check-worthiness heads ------------------------------------------------------------------------------
# Re-scoring rewrites every unreviewed claim's row and its index entries (about 3,500 claims a second on two busy
# cores: ten minutes for 2 million): longer limits than the default.


@shared_task(name="factcheck.tasks.checkworthiness_retrain", time_limit=3 * 3600, soft_time_limit=3 * 3600 - 60)
def checkworthiness_retrain() -> str:
    """Fit a new check-worthiness head on reviewers' decisions, record it and switch to it if it is not worse on
    the held-back labels (then re-score unreviewed claims). Returns the version's name and status."""
    if not checkworthiness.labels_new_since_last_version():
        return "no new reviewer decisions since the latest version"
    try:
        result = checkworthiness.head_retrain(trigger=checkworthiness.HeadTrigger.SCHEDULE)
    except checkworthiness.HeadError as exc:  # another retraining holds the lock (or a delivery of this one)
        return " ".join(exc.messages)
    return f"{result.head.name}: {result.head.status}"


@shared_task(name="factcheck.tasks.checkworthiness_rescore", time_limit=3 * 3600, soft_time_limit=3 * 3600 - 60)
def checkworthiness_rescore() -> int:
    """Re-score stored unreviewed claims with the active head (after a switch or rollback in the admin)."""
    return checkworthiness.claims_rescore()
