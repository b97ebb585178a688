from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from pghistory.middleware import HistoryMiddleware
from psycopg import errors as pg_errors

logger = logging.getLogger(__name__)


class HistoryContextMiddleware(HistoryMiddleware):
    """Attach the signed-in user (id and name) to history written during a request, admin included."""

    def get_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().get_context(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            context["username"] = user.get_username()
        return context


class RequestGuardMiddleware:
    """Refuse requests no page should have to handle, before anything reads them.

    - a body declared larger than FACTDESK_MAX_REQUEST_BYTES: 413, the body is never read;
    - a NUL character in the query string (PostgreSQL text cannot hold one): 400.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse("The request's Content-Length is not a number.\n", status=400,
                                content_type="text/plain; charset=utf-8")
        if declared > settings.FACTDESK_MAX_REQUEST_BYTES:
            response = HttpResponse("This request is larger than the server accepts.\n", status=413,
                                    content_type="text/plain; charset=utf-8")
            response["Connection"] = "close"
            return response
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            return HttpResponse("A request parameter contains a NUL character.\n", status=400,
                                content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _query_canceled(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and isinstance(exc.__cause__, pg_errors.QueryCanceled)


class StatementTimeoutMiddleware:
    """Bound every database statement a web request runs (FACTDESK_WEB_STATEMENT_TIMEOUT_MS), so no page can
    hold the database; a request that hits the bound gets a page saying so (503), not an error trace.

    Set on the request's connection only — workers and migrations never pass through here and keep no bound.
    The SET is sent once per connection (persistent connections keep it) on the driver connection, so it adds
    no query to the page's own.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timeout = int(settings.FACTDESK_WEB_STATEMENT_TIMEOUT_MS)
        try:
            connection.ensure_connection()
            raw = connection.connection
            done_on, done_value = getattr(connection, "factdesk_statement_timeout", (None, None))
            if done_on is not raw or done_value != timeout:
                raw.execute("SELECT set_config('statement_timeout', %s, false)", [f"{timeout}ms"])
                connection.factdesk_statement_timeout = (raw, timeout)
        except Exception:  # the database is down: the page (or /healthz) reports that in its own way
            logger.warning("Could not bound statements for %s", request.path, exc_info=True)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not _query_canceled(exc):
            return None
        logger.warning("Statement timeout on %s %s", request.method, request.path)
        return render(request, "errors/too_slow.html", status=503)
