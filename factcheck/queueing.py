"""Sending tasks once the transaction commits, without turning an unreachable broker into an error page.

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

from django.db import transaction

logger = logging.getLogger(__name__)

_unsent: ContextVar[list[str] | None] = ContextVar("factdesk_unsent_tasks", default=None)


@contextmanager
def sends_watched() -> Iterator[list[str]]:
    """Collect the names of tasks that could not be sent while the block runs (commits included)."""
    unsent: list[str] = []
    token = _unsent.set(unsent)
    try:
        yield unsent
    finally:
        _unsent.reset(token)


def send_on_commit(task: Any, *args: Any) -> None:
    """Send `task(*args)` when the current transaction commits (at once outside one); never raises."""
    transaction.on_commit(lambda: _send(task, args))


def _send(task: Any, args: tuple) -> None:
    try:
        task.apply_async(args)
    except Exception:  # the broker is down or unreachable: the sweep sends it again later
        logger.warning("Could not send %s%r; the sweep will send it again", task.name, args, exc_info=True)
        unsent = _unsent.get()
        if unsent is not None:
            unsent.append(task.name)
