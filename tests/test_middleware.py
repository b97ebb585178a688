"""Requests no page should have to handle: NUL parameters, oversized bodies, statements that run too long."""

import pytest
from django.db import connection

from factcheck import selectors

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/?q=%00", "/search/?q=council%00", "/queue/?after=%00", "/?x%00=1"])
def test_nul_in_a_query_parameter_is_a_400_not_a_500(client, viewer, url):
    client.force_login(viewer)
    response = client.get(url)
    assert response.status_code == 400
    assert b"NUL" in response.content


def test_oversized_body_is_refused_before_it_is_read(client, editor, settings):
    settings.FACTDESK_MAX_REQUEST_BYTES = 1000
    client.force_login(editor)
    read = []

    class Body:
        def read(self, *args):
            read.append(args)
            return b""

        readline = read

    response = client.generic("POST", "/upload/", data=b"", content_type="application/x-www-form-urlencoded",
                              CONTENT_LENGTH="5000", **{"wsgi.input": Body()})
    assert response.status_code == 413
    assert read == []


@pytest.fixture
def statement_timeout_reset():
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET statement_timeout")
    connection.__dict__.pop("factdesk_statement_timeout", None)


@pytest.mark.django_db(transaction=True)
def test_a_statement_over_the_web_timeout_is_stopped_and_answered_with_a_page(
    client, viewer, settings, monkeypatch, statement_timeout_reset
):
    settings.FACTDESK_WEB_STATEMENT_TIMEOUT_MS = 200
    real_search = selectors.search_claims

    def slow_search(**kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(5)")
        return real_search(**kwargs)

    monkeypatch.setattr(selectors, "search_claims", slow_search)
    client.force_login(viewer)
    response = client.get("/search/?q=council")
    assert response.status_code == 503
    assert b"This page took too long" in response.content
    # The next request on the same connection works.
    monkeypatch.setattr(selectors, "search_claims", real_search)
    assert client.get("/search/?q=council").status_code == 200


def test_workers_and_shell_code_have_no_statement_timeout(client, viewer):
    client.force_login(viewer)
    client.get("/")
    # Code outside a request (workers, migrations, this test) is never bounded by the web timeout.
    from threading import Thread

    seen = []

    def other_connection():
        from django.db import connections

        with connections["default"].cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            seen.append(cursor.fetchone()[0])
        connections.close_all()

    thread = Thread(target=other_connection)
    thread.start()
    thread.join()
    assert seen == ["0"]
