"""The base of every task: sent once the transaction commits, retried the same way, never an error page.

A task is sent when the transaction that wrote its rows commits (at once outside one), so a worker never looks
for a row it can't see yet and a rolled-back row sends nothing. Callers send plainly (`task.delay(id)`), inside a
service's transaction or not.

The rows a task works on are committed before it is sent, and every kind of work has a sweep (beat's
`work_resume_stalled`) that re-sends what was left queued. So when the broker cannot be reached the work is not
lost, only late: the send is logged and, inside `sends_watched()`, counted, so a page can say
"saved; extraction starts when the workers are back" instead of failing after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from celery import Task
from django.db import InterfaceError, OperationalError, transaction

logger = logging.getLogger(__name__)

# Errors worth another try: the database or broker blinked. Anything else is a bug or bad input.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
RETRY_BACKOFF = 5  # seconds before the first retry, doubling after each
RETRY_BACKOFF_MAX = 120
MAX_RETRIES = 4

_unsent: ContextVar[list[str] | None] = ContextVar("factdesk_unsent_tasks", default=None)


def retry_countdown(retries: int) -> int:
    """Seconds before retry number `retries + 1`, for a task that retries by hand (same policy as autoretry)."""
    return min(RETRY_BACKOFF_MAX, RETRY_BACKOFF * 2**retries)


class OnCommitTask(Task):
    """Every task's base: sent on commit, never raising when the broker is down, retried on transient errors
    with backoff (a task that must clean up when its retries are spent catches TRANSIENT_ERRORS itself)."""

    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = RETRY_BACKOFF
    retry_backoff_max = RETRY_BACKOFF_MAX
    max_retries = MAX_RETRIES

    def apply_async(self, args=None, kwargs=None, **options):
        """Send when the current transaction commits; outside one, now (and return the result, as Celery does)."""
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(lambda: self._send(args, kwargs, options))
            return None
        return self._send(args, kwargs, options)

    def _send(self, args, kwargs, options: dict[str, Any]):
        if self.app.conf.task_always_eager:  # run here (the commands' --sync): errors are the caller's
            return super().apply_async(args, kwargs, **options)
        try:
            return super().apply_async(args, kwargs, **options)
        except Exception:  # the broker is down or unreachable: the sweep sends it again later
            logger.warning("Could not send %s%r; the sweep will send it again", self.name, tuple(args or ()),
                           exc_info=True)
            unsent = _unsent.get()
            if unsent is not None:
                unsent.append(self.name)
            return None


@contextmanager
def sends_watched() -> Iterator[list[str]]:
    """Collect the names of tasks that could not be sent while the block runs (commits included)."""
    unsent: list[str] = []
    token = _unsent.set(unsent)
    try:
        yield unsent
    finally:
        _unsent.reset(token)
