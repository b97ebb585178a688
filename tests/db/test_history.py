"""The audit history: every path that changes a claim leaves an event, and events can't be rewritten."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from factcheck.models import Claim
from factcheck.services import claim_set_verdict, evidence_add, evidence_remove
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

ClaimEvent = Claim.pgh_event_model


def _verdict_updates(claim):
    return list(ClaimEvent.objects.filter(pgh_obj_id=claim.pk, pgh_label="update").order_by("pgh_id"))


def test_service_change_is_recorded_with_actor_action_and_reason(checker):
    claim = ClaimFactory()
    claim_set_verdict(
        claim_id=claim.pk, actor=checker, verdict="false", rationale="tariff was 100%, not 145%", expected_version=1
    )
    (event,) = _verdict_updates(claim)
    assert event.verdict == "false"
    assert event.pgh_context.metadata["user"] == checker.pk
    assert event.pgh_context.metadata["action"] == "factcheck.claim.verdict_changed"
    assert event.pgh_context.metadata["reason"] == "tariff was 100%, not 145%"
    previous = ClaimEvent.objects.filter(pgh_obj_id=claim.pk, pgh_label="insert").get()
    assert previous.verdict == "unreviewed"


def test_queryset_update_is_recorded_with_old_and_new_values():
    claim = ClaimFactory()
    Claim.objects.filter(pk=claim.pk).update(verdict="verified", rationale="bulk")
    (event,) = _verdict_updates(claim)
    assert (event.verdict, event.rationale) == ("verified", "bulk")
    old = ClaimEvent.objects.get(pgh_obj_id=claim.pk, pgh_label="insert")
    assert (old.verdict, old.rationale) == ("unreviewed", "")


def test_admin_change_is_recorded_with_the_admin_user(client, django_user_model):
    admin = django_user_model.objects.create_superuser("boss", "boss@example.org", "pw")
    claim = ClaimFactory()
    client.force_login(admin)
    url = reverse("admin:factcheck_claim_change", args=[claim.pk])
    response = client.post(url, {"verdict": "disputed", "rationale": "two outlets disagree", "assignee": ""})
    assert response.status_code == 302, response.content[:2000]
    (event,) = _verdict_updates(claim)
    assert event.verdict == "disputed"
    assert event.pgh_context.metadata["user"] == admin.pk


def test_evidence_removal_is_recorded_not_forgotten(checker):
    claim = ClaimFactory()
    evidence = evidence_add(claim_id=claim.pk, actor=checker, url="https://example.org/a", stance="refutes")
    evidence_remove(evidence_id=evidence.pk, actor=checker, reason="wrong document")
    EvidenceEvent = evidence.pgh_event_model
    labels = list(EvidenceEvent.objects.filter(pgh_obj_id=evidence.pk).order_by("pgh_id").values_list("pgh_label", flat=True))
    assert labels == ["insert", "update"]
    removal = EvidenceEvent.objects.get(pgh_obj_id=evidence.pk, pgh_label="update")
    assert removal.removed_at is not None
    assert removal.pgh_context.metadata["reason"] == "wrong document"


@pytest.mark.parametrize("statement", ["UPDATE {table} SET verdict = 'verified'", "DELETE FROM {table}"])
def test_history_rows_cannot_be_updated_or_deleted(statement):
    claim = ClaimFactory()
    Claim.objects.filter(pk=claim.pk).update(verdict="false")
    table = ClaimEvent._meta.db_table
    refused = "append-only|permission denied"
    with pytest.raises(DatabaseError, match=refused), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(table=table))
    assert ClaimEvent.objects.filter(pgh_obj_id=claim.pk).count() == 2


def test_orm_delete_of_history_is_refused():
    claim = ClaimFactory()
    with pytest.raises(DatabaseError), transaction.atomic():
        ClaimEvent.objects.filter(pgh_obj_id=claim.pk).delete()
    assert ClaimEvent.objects.filter(pgh_obj_id=claim.pk).exists()
