from __future__ import annotations

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from newsroom.celery import app as celery_app


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as exc:  # any failure means "down"; the message says why
        return {"ok": False, "error": str(exc).strip().splitlines()[0]}


def _check_redis() -> dict:
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        return {"ok": True}
    except Exception as exc:
        return {"ok": False, "error": str(exc)}


def _check_workers() -> dict:
    """Workers that answer and consume this workspace's queue (others on the same broker don't do our work)."""
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    try:
        with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
            replies = celery_app.control.inspect(timeout=1.0, connection=conn).active_queues() or {}
    except Exception as exc:
        return {"ok": False, "count": 0, "error": str(exc)}
    names = sorted(name for name, queues in replies.items() if any(q.get("name") == queue for q in queues or ()))
    return {"ok": bool(names), "count": len(names), "names": names}


def workers_check() -> dict:
    """The workers' state as /healthz reports it: Redis first (no ping without a broker), then a ping."""
    if not _check_redis()["ok"]:
        return {"ok": False, "count": 0, "error": "Redis is unreachable."}
    return _check_workers()


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """State of the database, Redis and the workers: 200 when all are up, 503 otherwise.

    Anyone gets the overall status; signed-in staff also get each service's details (errors, worker names).
    """
    checks = {"database": _check_database(), "redis": _check_redis()}
    checks["workers"] = (
        _check_workers() if checks["redis"]["ok"] else {"ok": False, "count": 0, "error": "Redis is unreachable."}
    )
    healthy = all(check["ok"] for check in checks.values())
    body: dict = {"status": "ok" if healthy else "unavailable"}
    if request.user.is_authenticated and request.user.is_staff:
        body.update(checks)  # errors, worker names: for administrators only, never for anonymous callers
    return JsonResponse(body, status=200 if healthy else 503)
