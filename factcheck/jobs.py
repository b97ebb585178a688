"""What pages and the admin ask the workers to do, in their words: one function per kind of background work.

Views and the admin send work only through here, never through `factcheck.tasks` (an import-linter contract), so
which task carries a job, and how it is queued (on commit, `OnCommitTask`), can change without touching a view.
"""

from __future__ import annotations

from factcheck import tasks


def extraction_send(article_id: int) -> None:
    """Extract an article's claims (its matching follows on the worker)."""
    tasks.article_extract_claims.delay(article_id)


def matching_send(article_id: int) -> None:
    """Match an article's claims again, after a person changed them."""
    tasks.article_match_claims.delay(article_id)


def batch_send(batch_id: int) -> None:
    """Expand a batch into items and import them."""
    tasks.batch_expand.delay(batch_id)


def export_send(job_id: str) -> None:
    """Write an export file."""
    tasks.export_job_run.delay(job_id)


def factcheck_import_send(run_id: int) -> None:
    """Import a file, page or feed of published fact-checks."""
    tasks.factcheck_import_run.delay(run_id)


def rescore_send() -> None:
    """Score stored claims again with the active check-worthiness head."""
    tasks.checkworthiness_rescore.delay()
