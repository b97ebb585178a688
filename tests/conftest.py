from __future__ import annotations

import pytest
from hypothesis import settings

# No time limit per example: the machines are shared and noisy, and speed is measured in bench/, never asserted.
settings.register_profile("factdesk", deadline=None)
settings.load_profile("factdesk")

# Imports of Django code stay inside fixtures: the pure packages' tests run without Django.


# Planner tests gather statistics on rows their own transaction wrote, which only a table's owner may do: in the
# test database only, the owner lends the app's role that much, through this function.
TEST_MAINTENANCE_SQL = """
CREATE OR REPLACE FUNCTION factdesk_test_maintain(tbl regclass DEFAULT NULL, gin_index regclass DEFAULT NULL)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
BEGIN
    IF gin_index IS NOT NULL THEN
        PERFORM gin_clean_pending_list(gin_index);
    END IF;
    IF tbl IS NULL THEN
        ANALYZE;
    ELSE
        EXECUTE format('ANALYZE %s', tbl);
    END IF;
END
$fn$
"""


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Once the test database is created and migrated as the owner, the tests run as the app's database role.

    The settings dict of "default" is shared with every thread's connection (workers, the live server), so it is
    changed in place; "owner", a mirror of "default", keeps a copy with the owner's role.
    """
    import os

    from django.conf import settings
    from django.db import connections

    shared = connections["default"].settings_dict
    owner = {**shared, "OPTIONS": dict(shared["OPTIONS"])}
    connections.settings["owner"] = owner
    connections["owner"].close()
    connections["owner"].settings_dict = owner
    before = shared["USER"], shared["PASSWORD"]
    with django_db_blocker.unblock():
        with connections["default"].cursor() as cursor:
            cursor.execute(TEST_MAINTENANCE_SQL)
        connections["default"].close()
    shared["USER"] = settings.FACTDESK_TEST_APP_DATABASE["USER"]
    shared["PASSWORD"] = settings.FACTDESK_TEST_APP_DATABASE["PASSWORD"]
    os.environ["FACTDESK_TEST_DATABASE_ROLE"] = "app"
    yield
    with django_db_blocker.unblock():
        connections["default"].close()
        connections["owner"].close()
    shared["USER"], shared["PASSWORD"] = before
    os.environ.pop("FACTDESK_TEST_DATABASE_ROLE", None)


@pytest.fixture
def editor(db):
    from factcheck.permissions import ROLE_EDITORS
    from tests.factories import UserFactory

    return UserFactory(username="ed", role=ROLE_EDITORS)


@pytest.fixture
def checker(db):
    from factcheck.permissions import ROLE_FACT_CHECKERS
    from tests.factories import UserFactory

    return UserFactory(username="ana", role=ROLE_FACT_CHECKERS)


@pytest.fixture
def viewer(db):
    from factcheck.permissions import ROLE_VIEWERS
    from tests.factories import UserFactory

    return UserFactory(username="vic", role=ROLE_VIEWERS)


@pytest.fixture
def outsider(db):
    """Signed in, but in no role: sees nothing."""
    from tests.factories import UserFactory

    return UserFactory(username="olga")


@pytest.fixture
def celery_worker_thread(transactional_db):
    """A real Celery worker consuming from the real Redis, in a thread of this process."""
    from celery.contrib.testing.worker import start_worker

    from newsroom.celery import app

    from tests.workers import wait_until_idle

    with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker
        # Extraction and matching follow every import: let them finish before the tables are flushed.
        wait_until_idle()


@pytest.fixture(scope="session", autouse=True)
def _flush_history_as_owner():
    """Transactional tests end with a flush: a TRUNCATE of every table, which the history tables refuse.

    The test run's flush runs as the role that owns the tables (the "owner" alias when there is one), with the
    TRUNCATE triggers off for that one transaction.
    """
    from django.db import connections
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        import psycopg

        owner = connections.settings["owner"] if "owner" in connections.settings else self.connection.settings_dict
        params = {"host": owner["HOST"] or None, "port": owner["PORT"] or None, "user": owner["USER"] or None,
                  "password": owner["PASSWORD"] or None, "dbname": self.connection.settings_dict["NAME"]}
        with psycopg.connect(**params) as conn, conn.transaction():
            tables = [row[0] for row in conn.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = 'factcheck_history_no_truncate' AND pg_table_is_visible(c.oid)"
            )]
            for table in tables:
                conn.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER factcheck_history_no_truncate')
            for statement in sql_list:
                conn.execute(statement)
            for table in tables:
                conn.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER factcheck_history_no_truncate')

    DatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    DatabaseOperations.execute_sql_flush = original


@pytest.fixture
def site():
    """A web server on 127.0.0.1 for the tests that fetch (see tests/builders/site.py)."""
    from tests.builders.site import LocalSite

    server = LocalSite()
    yield server
    server.close()


@pytest.fixture
def allow_local_fetch(settings):
    """Let fetch_url reach the test server on 127.0.0.1 (never set outside tests)."""
    settings.FACTDESK_FETCH_ALLOWED_ADDRESSES = ["127.0.0.1"]
    settings.FACTDESK_FETCH_TIMEOUT = 2
    return settings


@pytest.fixture
def worker(celery_worker_thread):
    """A real worker, left idle before the test database is flushed."""
    return celery_worker_thread
