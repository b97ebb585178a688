"""History that can't be rewritten through the app's database access, and a hash chain that shows any rewrite.

The tests run as the app's database role; the superuser connection stands for someone with full access to the
database, whose edits `verify_history` must find.
"""

from __future__ import annotations

import os

import pghistory
import pgtrigger
import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from factcheck.history import history_context
from factcheck.models import Claim, HistoryLink, HistoryVerification
from factcheck.services import claim_set_verdict
from factcheck.services.history_chain import history_event_tables, history_verify
from tests.factories import ClaimFactory

ClaimEvent = Claim.pgh_event_model
REFUSED = r"append-only|frozen|permission denied|must be owner|cannot"


def _refused(statement: str, params=None) -> None:
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def superuser_connection() -> psycopg.Connection:
    """A connection as the database superuser, to the database the tests run in."""
    admin = psycopg.conninfo.conninfo_to_dict(
        os.environ.get("DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    admin["dbname"] = settings.DATABASES["default"]["NAME"]
    return psycopg.connect(**admin, autocommit=True)


@pytest.mark.django_db
def test_every_event_table_is_chained_and_append_only():
    tables = history_event_tables()
    assert ClaimEvent._meta.db_table in tables
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, array_agg(t.tgname::text ORDER BY t.tgname) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname LIKE 'factcheck_history_%%' GROUP BY c.relname"
        )
        triggers = dict(cursor.fetchall())
    for table in tables:
        assert triggers[table] == [
            "factcheck_history_append_only", "factcheck_history_chain", "factcheck_history_no_truncate"
        ], table


@pytest.mark.django_db
def test_the_app_runs_as_its_own_role_that_owns_no_table():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, r.rolsuper, r.rolcreatedb, r.rolcreaterole, "
            "EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = r.oid) FROM pg_roles r WHERE r.rolname = current_user"
        )
        assert cursor.fetchone() == (settings.FACTDESK_APP_DATABASE_ROLE, False, False, False, False)


@pytest.mark.django_db
@pytest.mark.parametrize("statement", [
    "SET session_replication_role = replica",
    "ALTER TABLE factcheck_claimevent DISABLE TRIGGER ALL",
    "ALTER TABLE factcheck_claimevent DISABLE TRIGGER factcheck_history_append_only",
    "DROP TRIGGER factcheck_history_append_only ON factcheck_claimevent",
    "ALTER TABLE pghistory_context DISABLE TRIGGER factcheck_history_context_frozen",
    "UPDATE factcheck_claimevent SET verdict = 'verified'",
    "DELETE FROM factcheck_claimevent",
    "DELETE FROM pghistory_context",
    "INSERT INTO factcheck_historylink VALUES (1000000, 'factcheck_claimevent', 1, 'x', 'x', now())",
    "UPDATE factcheck_historylink SET row_hash = 'x'",
    "DELETE FROM django_migrations",
    "CREATE TABLE factcheck_shadow (id int)",
    "SELECT factcheck_history_append_link('factcheck_claimevent', 1, '{}')",
])
def test_the_app_role_cannot_lift_or_go_around_the_protection(statement):
    claim = ClaimFactory()
    Claim.objects.filter(pk=claim.pk).update(verdict="false")
    _refused(statement)
    assert ClaimEvent.objects.filter(pgh_obj_id=claim.pk).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("table", ["factcheck_claimevent", "pghistory_context", "factcheck_historylink"])
def test_truncate_of_history_is_refused(table):
    claim = ClaimFactory()
    Claim.objects.filter(pk=claim.pk).update(verdict="false")
    _refused(f"TRUNCATE {table} CASCADE")
    assert ClaimEvent.objects.filter(pgh_obj_id=claim.pk).count() == 2


@pytest.mark.django_db
def test_pgtrigger_ignore_does_not_lift_append_only():
    claim = ClaimFactory()
    with pgtrigger.ignore("factcheck.ClaimEvent:append_only"):
        with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
            ClaimEvent.objects.filter(pgh_obj_id=claim.pk).update(verdict="verified")
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pgtrigger.ignore', '{factcheck_history_append_only,pgtrigger_append_only_8a8e2}', true)"
        )
        cursor.execute("DELETE FROM factcheck_claimevent WHERE pgh_obj_id = %s", [claim.pk])
    assert ClaimEvent.objects.filter(pgh_obj_id=claim.pk, verdict="unreviewed").exists()


@pytest.mark.django_db(transaction=True)
def test_context_rows_are_frozen_once_their_transaction_commits(checker):
    claim = ClaimFactory()
    # Within one transaction pghistory adds to its context row as more events attach.
    with transaction.atomic(), history_context(action="factcheck.claim.assigned", user=checker):
        Claim.objects.filter(pk=claim.pk).update(rationale="first")
        pghistory.context(reason="second thoughts")
        Claim.objects.filter(pk=claim.pk).update(rationale="second")
    event = ClaimEvent.objects.filter(pgh_obj_id=claim.pk).order_by("-pgh_id").first()
    assert event.pgh_context.metadata["reason"] == "second thoughts"
    context_id = event.pgh_context_id
    _refused("UPDATE pghistory_context SET metadata = '{\"user\": 1}' WHERE id = %s", [context_id])
    _refused("DELETE FROM pghistory_context WHERE id = %s", [context_id])
    assert event.pgh_context.__class__.objects.get(pk=context_id).metadata["user"] == checker.pk


@pytest.mark.django_db(transaction=True)
def test_verify_history_passes_on_an_untouched_history(checker, admin_client):
    assert "History not verified yet" in admin_client.get("/admin/").content.decode()
    claim = ClaimFactory()
    claim_set_verdict(claim_id=claim.pk, actor=checker, verdict="false", rationale="no", expected_version=1)
    result = history_verify()
    assert result.ok, result.problem
    links = HistoryLink.objects.count()
    assert result.events == result.head_seq == links >= 3
    assert HistoryLink.objects.filter(event_table=ClaimEvent._meta.db_table).count() == 2
    assert f"History verified at {result.checked_at:%-d %b %Y %H:%M} UTC: {links} events" in (
        admin_client.get("/admin/").content.decode()
    )


def _chain_with_a_verdict(checker) -> tuple[Claim, ClaimEvent]:
    claim = ClaimFactory()
    claim_set_verdict(claim_id=claim.pk, actor=checker, verdict="false", rationale="no", expected_version=1)
    ClaimFactory()  # a later event, so the broken one is not the last
    event = ClaimEvent.objects.get(pgh_obj_id=claim.pk, pgh_label="update")
    return claim, event


@pytest.mark.django_db(transaction=True)
def test_verify_history_names_an_event_a_superuser_edited(checker):
    _, event = _chain_with_a_verdict(checker)
    link = HistoryLink.objects.get(event_table=ClaimEvent._meta.db_table, pgh_id=event.pgh_id)
    with superuser_connection() as admin:
        admin.execute("SET session_replication_role = replica")  # no trigger stops a superuser
        admin.execute("UPDATE factcheck_claimevent SET verdict = 'verified' WHERE pgh_id = %s", [event.pgh_id])
    with pytest.raises(CommandError) as failure:
        call_command("verify_history")
    assert str(failure.value) == (
        f"History is broken: link {link.seq}: event factcheck_claimevent #{event.pgh_id} was changed after it was written"
    )
    assert HistoryVerification.objects.latest().ok is False


@pytest.mark.django_db(transaction=True)
def test_verify_history_names_an_event_a_superuser_deleted(checker):
    _, event = _chain_with_a_verdict(checker)
    link = HistoryLink.objects.get(event_table=ClaimEvent._meta.db_table, pgh_id=event.pgh_id)
    with superuser_connection() as admin:
        admin.execute("SET session_replication_role = replica")
        admin.execute("DELETE FROM factcheck_claimevent WHERE pgh_id = %s", [event.pgh_id])
    result = history_verify()
    assert not result.ok
    assert result.problem == f"link {link.seq}: event factcheck_claimevent #{event.pgh_id} was removed"


@pytest.mark.django_db(transaction=True)
def test_verify_history_finds_a_link_removed_and_the_chain_cut_back(checker):
    _chain_with_a_verdict(checker)
    assert history_verify().ok
    head = HistoryLink.objects.order_by("-seq").first()
    with superuser_connection() as admin:
        admin.execute("SET session_replication_role = replica")
        admin.execute("DELETE FROM factcheck_historylink WHERE seq = 2")
    assert history_verify().problem == "link 2 is missing: the chain goes from 1 to 3"
    with superuser_connection() as admin:
        admin.execute("SET session_replication_role = replica")
        admin.execute("DELETE FROM factcheck_historylink WHERE seq >= 2")
        admin.execute(  # and every event after it: a consistent, shorter chain
            "DO $$ DECLARE t text; BEGIN FOR t IN SELECT table_name FROM information_schema.columns "
            "WHERE column_name = 'pgh_context_id' AND table_schema = current_schema() LOOP "
            "EXECUTE format('DELETE FROM %I e WHERE NOT EXISTS (SELECT 1 FROM factcheck_historylink l "
            "WHERE l.event_table = %L AND l.pgh_id = e.pgh_id)', t, t); END LOOP; END $$"
        )
    result = history_verify()
    assert result.problem.startswith(f"link {head.seq}, the head verified at ")
    assert result.problem.endswith("is gone: the chain was cut back")


@pytest.mark.django_db(transaction=True)
def test_verify_history_finds_an_event_written_with_the_chain_off():
    claim = ClaimFactory()
    with superuser_connection() as admin:
        admin.execute("SET session_replication_role = replica")
        admin.execute(
            "INSERT INTO factcheck_claimevent (pgh_created_at, pgh_label, pgh_obj_id, id, article_id, start, \"end\", "
            "text, score, kinds, facets, model_version, verdict, rationale, version, created_at, updated_at, "
            "cluster_pinned) SELECT now(), 'update', id, id, article_id, start, \"end\", text, score, kinds, facets, "
            "model_version, 'verified', 'forged', version, created_at, updated_at, cluster_pinned "
            "FROM factcheck_claim WHERE id = %s RETURNING pgh_id",
            [claim.pk],
        )
    result = history_verify()
    assert "is not in the chain: it was written with the chain's trigger off" in result.problem


@pytest.mark.django_db(transaction=True)
def test_verify_history_finds_a_link_a_superuser_edited(checker):
    _chain_with_a_verdict(checker)
    with superuser_connection() as admin:
        admin.execute("SET session_replication_role = replica")
        admin.execute("UPDATE factcheck_historylink SET pgh_id = pgh_id + 1000 WHERE seq = 2")
    assert history_verify().problem.startswith("link 2 (")
    assert history_verify().problem.endswith("does not follow from link 1: a link was changed")
