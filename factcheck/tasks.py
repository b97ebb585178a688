"""Celery tasks: thin, JSON arguments (ids), idempotent; each calls one service, then sends what follows.

Every task has the base `OnCommitTask` (factcheck.queueing): sent when the sender's transaction commits, retried
on transient errors with one backoff policy. Services never send tasks: what comes next ("extract, then match";
"expand a batch, then import its items") is decided here, or by the view or command that called the service.
"""

from __future__ import annotations

import dataclasses
import logging
from contextlib import contextmanager
from datetime import timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from factcheck import selectors
from factcheck.queueing import MAX_RETRIES, TRANSIENT_ERRORS, OnCommitTask, retry_countdown
from factcheck.services import (
    batches, check_matching, checkworthiness, exports, extraction, factcheck_imports, feeds, matching, notifications,
)
from newsroom.celery import app as celery_app

logger = logging.getLogger(__name__)


# --- articles ---------------------------------------------------------------------------------------------


@shared_task(base=OnCommitTask, name="factcheck.tasks.article_extract_claims")
def article_extract_claims(article_id: int) -> dict | None:
    """Extract the claims of one article, then send its matching. Running it twice gives the same claims."""
    result = extraction.article_extract_claims(article_id=article_id)
    if result is None:
        return None  # deleted, failed (the article says why) or changed meanwhile: nothing to match
    article_match_claims.delay(article_id)
    return dataclasses.asdict(result)


@shared_task(base=OnCommitTask, name="factcheck.tasks.article_match_claims")
def article_match_claims(article_id: int) -> None:
    """Match an article's claims across articles (clusters, story, conflicts), then among the published
    fact-checks. Running it twice changes nothing."""
    matching.article_match_claims(article_id=article_id)
    check_matching.article_offer_checks(article_id=article_id)


# --- the sweep --------------------------------------------------------------------------------------------


def articles_resume_stalled(*, stalled_after: timedelta = extraction.STALLED_AFTER) -> int:
    """Send extraction again for articles left queued or extracting (a worker died with the task in hand; the
    broker would only hand it out again after its visibility timeout). Returns how many."""
    article_ids = selectors.article_ids_stalled(stalled_after=stalled_after)
    for article_id in article_ids:
        article_extract_claims.delay(article_id)
    return len(article_ids)


def batches_resume_stalled(*, stalled_after: timedelta = batches.BATCH_STALLED_AFTER) -> int:
    """Send again the work of batches no worker has advanced for `stalled_after`: the expansion of pending
    batches, the pending items of running ones (each resume claimed, so two sweeps never both send it).
    Returns how many batches were resumed."""
    stalled = batches.batches_claim_stalled(stalled_after=stalled_after)
    for batch_id in stalled.to_expand:
        batch_expand.delay(batch_id)
    for batch_id in stalled.to_continue:
        _send_pending_items(batch_id)
    return len(stalled.to_expand) + len(stalled.to_continue)


def factcheck_imports_resume_stalled(*, stalled_after: timedelta = factcheck_imports.RUN_STALLED_AFTER) -> int:
    """Send again the imports of published fact-checks no worker has advanced (see the service). Returns how
    many."""
    run_ids = factcheck_imports.factcheck_imports_claim_stalled(stalled_after=stalled_after)
    for run_id in run_ids:
        factcheck_import_run.delay(run_id)
    return len(run_ids)


@shared_task(base=OnCommitTask, name="factcheck.tasks.work_resume_stalled")
def work_resume_stalled() -> int:
    """Send again work that a killed worker left behind (articles stuck queued or extracting, stalled batches and
    imports of published fact-checks)."""
    return articles_resume_stalled() + batches_resume_stalled() + factcheck_imports_resume_stalled()


# --- imports and feeds -----------------------------------------------------------------------------------


def _send_pending_items(batch_id: int) -> None:
    for chunk in batches.batch_pending_chunks(batch_id=batch_id):
        batch_process_items.delay(batch_id, chunk)


@shared_task(base=OnCommitTask, name="factcheck.tasks.batch_expand")
def batch_expand(batch_id: int) -> int:
    """Expand a batch's uploaded files into items, then send them in chunks. Idempotent."""
    try:
        expanded = batches.batch_expand(batch_id=batch_id)
    except SoftTimeLimitExceeded:
        # Retrying would run out of time again: fail the batch with a message instead of leaving it pending.
        batches.batch_fail(batch_id=batch_id, message="The files took too long to read; split the import.")
        return 0
    if expanded.running:
        _send_pending_items(batch_id)
    return expanded.items


@shared_task(base=OnCommitTask, name="factcheck.tasks.batch_process_items")
def batch_process_items(batch_id: int, item_ids: list[int]) -> int:
    """Import one chunk of a batch's items, sending each new article's extraction as it commits; items already
    done are skipped, so a redelivery is harmless. What the chunk had no time for goes to a new task."""
    chunk = batches.batch_process_items(batch_id=batch_id, item_ids=item_ids,
                                        on_imported=article_extract_claims.delay)
    if chunk.left:
        batch_process_items.delay(batch_id, chunk.left)
    return chunk.handled


@shared_task(base=OnCommitTask, name="factcheck.tasks.feeds_poll_due")
def feeds_poll_due() -> int:
    """Send a poll of every source feed that is due (beat runs this every 15 minutes)."""
    source_ids = feeds.feed_source_ids_due()
    for source_id in source_ids:
        source_poll_feed.delay(source_id)
    return len(source_ids)


@shared_task(base=OnCommitTask, name="factcheck.tasks.source_poll_feed")
def source_poll_feed(source_id: int) -> int | None:
    """Import a source's new feed entries as a batch, whose items it sends; a failing feed is recorded on the
    source, never retried here. Returns the batch's id, or None when nothing was new."""
    batch = feeds.source_poll_feed(source_id=source_id)
    if batch is None:
        return None
    _send_pending_items(batch.pk)
    return batch.pk


# --- published fact-checks ---------------------------------------------------------------------------------


@shared_task(bind=True, base=OnCommitTask, name="factcheck.tasks.factcheck_import_run", autoretry_for=())
def factcheck_import_run(self, run_id: int) -> int:
    """Import a file, URL or feed of published fact-checks from where it stopped (see the service); what its
    time budget leaves goes to a new task.

    A transient error is retried with the shared backoff; when the retries are spent, or on any other error, the
    import is parked as failed with the error, keeping the chunks already committed.
    """
    try:
        result = factcheck_imports.factcheck_import_run(run_id=run_id)
    except SoftTimeLimitExceeded:
        # The run stops inside its time budget; reaching the limit means one chunk stalled: let the sweep resume.
        return 0
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= MAX_RETRIES:
            factcheck_imports.factcheck_import_fail(
                run_id=run_id, message=f"Stopped after {MAX_RETRIES} retries: {type(exc).__name__}: {exc}")
            return 0
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
    except Exception as exc:
        logger.exception("Import %s of published fact-checks failed", run_id)
        factcheck_imports.factcheck_import_fail(
            run_id=run_id, message=f"The import stopped on an error: {type(exc).__name__}: {str(exc)[:500]}")
        return 0
    if result.unfinished:
        factcheck_import_run.delay(run_id)
    return result.handled


@shared_task(base=OnCommitTask, name="factcheck.tasks.factcheck_feeds_fetch_due")
def factcheck_feeds_fetch_due() -> int:
    """Start an import of every fact-check feed that is due (beat runs this every 5 minutes)."""
    runs = factcheck_imports.factcheck_feeds_fetch_due()
    for run in runs:
        factcheck_import_run.delay(run.pk)
    return len(runs)


@shared_task(base=OnCommitTask, name="factcheck.tasks.notifications_send_digest")
def notifications_send_digest() -> int:
    """E-mail each person their unread notifications not sent before (beat; does nothing unless
    NOTIFICATION_EMAIL_DIGEST is on). A notification is sent at most once."""
    return notifications.notifications_send_digest()


# --- exports ------------------------------------------------------------------------------------------------


@shared_task(base=OnCommitTask, name="factcheck.tasks.export_job_run", soft_time_limit=1800, time_limit=1860)
def export_job_run(job_id: str) -> bool:
    """Write a background export into the database. A second delivery of a finished export does nothing."""
    try:
        return exports.export_job_run(job_id=job_id)
    except SoftTimeLimitExceeded:
        exports.export_job_fail(job_id=job_id, message="The export took too long: export a story or a filtered "
                                                       "queue instead of everything.")
        return False


@shared_task(base=OnCommitTask, name="factcheck.tasks.exports_expire")
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
# Re-scoring rewrites every unreviewed claim's row and its index entries, minutes of work at 2 million claims
# (BENCHMARKS.md, the head's section): longer limits than the default.


@shared_task(base=OnCommitTask, name="factcheck.tasks.checkworthiness_retrain", time_limit=3 * 3600,
             soft_time_limit=3 * 3600 - 60)
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


@shared_task(base=OnCommitTask, name="factcheck.tasks.checkworthiness_rescore", time_limit=3 * 3600,
             soft_time_limit=3 * 3600 - 60)
def checkworthiness_rescore() -> int:
    """Re-score stored unreviewed claims with the active head (after a switch or rollback in the admin)."""
    return checkworthiness.claims_rescore()
