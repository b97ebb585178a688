"""Waiting on real workers: used by the worker fixtures so the test database is never flushed under a task."""

from __future__ import annotations

import time


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def queue_idle() -> bool:
    """Nothing waiting in this run's Redis queue and nothing running in this process's worker."""
    import redis
    from celery.worker import state
    from django.conf import settings

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    waiting = sum(client.llen(key) for key in client.keys(f"{queue}*") if client.type(key) == b"list")
    return waiting == 0 and not state.active_requests


def wait_until_idle(timeout: float = 180) -> bool:
    # Idle twice, half a second apart: a finishing task may still enqueue its follow-up (extraction -> matching).
    return wait_for(lambda: queue_idle() and (time.sleep(0.5) or queue_idle()), timeout=timeout)
