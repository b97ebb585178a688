"""A verdict changed outside the services (admin, shell, bulk update) still raises the version and says who and when,
so a reviewer's POST made before it is a conflict, never a silent overwrite."""

import pytest
from django.db import connection
from django.urls import reverse

from factcheck.models import Claim
from factcheck.services import claim_set_verdict
from tests.factories import ClaimFactory
from tests.views.conftest import HTMX

pytestmark = pytest.mark.django_db


def test_admin_verdict_change_makes_a_stale_reviewer_post_conflict(client, checker, django_user_model):
    admin = django_user_model.objects.create_superuser("boss", "boss@example.org", "pw")
    claim = ClaimFactory()
    client.force_login(checker)
    seen = client.get(reverse("factcheck:claim", args=[claim.pk]), **HTMX).content.decode()
    assert 'name="version" value="1"' in seen

    client.force_login(admin)
    response = client.post(
        reverse("admin:factcheck_claim_change", args=[claim.pk]),
        {"verdict": "false", "rationale": "the minister said 45%", "assignee": ""},
    )
    assert response.status_code == 302, response.content[:2000]
    claim.refresh_from_db()
    assert (claim.verdict, claim.version, claim.verdict_by) == ("false", 2, admin)
    assert claim.verdict_at is not None

    client.force_login(checker)
    stale = client.post(
        reverse("factcheck:claim-verdict", args=[claim.pk]),
        {"verdict": "verified", "rationale": "", "version": "1"}, **HTMX,
    )
    assert "Not saved: someone else changed this claim." in stale.content.decode()
    claim.refresh_from_db()
    assert (claim.verdict, claim.verdict_by) == ("false", admin)


def test_bulk_update_of_the_verdict_raises_the_version_with_no_one_named():
    claim = ClaimFactory()
    Claim.objects.filter(pk=claim.pk).update(verdict="verified")
    claim.refresh_from_db()
    assert (claim.version, claim.verdict_by, claim.verdict_at is not None) == (2, None, True)


def test_raw_sql_verdict_change_after_a_service_change_still_raises_the_version(checker):
    claim = ClaimFactory()
    claim_set_verdict(claim_id=claim.pk, actor=checker, verdict="verified", expected_version=1)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE factcheck_claim SET verdict = 'false' WHERE id = %s", [claim.pk])
    claim.refresh_from_db()
    assert (claim.verdict, claim.version) == ("false", 3)


def test_the_service_raises_the_version_once_and_keeps_its_reviewer(checker):
    claim = ClaimFactory()
    saved = claim_set_verdict(claim_id=claim.pk, actor=checker, verdict="verified", expected_version=1)
    assert (saved.version, saved.verdict_by) == (2, checker)


def test_a_change_that_leaves_the_verdict_alone_keeps_the_version():
    claim = ClaimFactory()
    Claim.objects.filter(pk=claim.pk).update(rationale="a note", verdict="unreviewed")
    claim.refresh_from_db()
    assert (claim.version, claim.verdict_at) == (1, None)
