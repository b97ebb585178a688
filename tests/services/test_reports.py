"""Fact-check reports: creating, choosing claims, publishing and unpublishing are recorded in the history; a
published verdict changes only with a correction note, which the report then shows."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from factcheck.models import Claim, Report, ReportClaim, Verdict, VerdictCorrection
from factcheck.services import ClaimConflict, claim_set_verdict
from factcheck.services.reports import (
    report_create,
    report_mark_ready,
    report_publish,
    report_unpublish,
    report_update,
)
from tests.factories import ArticleFactory, claims_for

pytestmark = pytest.mark.django_db

ReportEvent = Report.pgh_event_model


@pytest.fixture
def reviewed(checker):
    """An article with five claims: two verified, one false, one not a claim, one unreviewed."""
    article = ArticleFactory()
    claims = claims_for(article)
    for claim, verdict, rationale in [
        (claims[0], "verified", ""), (claims[1], "false", "The tariff was raised to 145% in 2025."),
        (claims[2], "verified", ""), (claims[3], "not_claim", ""),
    ]:
        claim_set_verdict(claim_id=claim.pk, actor=checker, verdict=verdict, rationale=rationale, expected_version=1)
    article.claim_list = claims
    return article


def _actions(report: Report) -> list[str]:
    return [
        event.pgh_context.metadata["action"]
        for event in ReportEvent.objects.filter(pgh_obj_id=report.pk).select_related("pgh_context").order_by("pgh_id")
    ]


def test_a_new_report_holds_every_claim_with_a_verdict(reviewed, editor):
    report = report_create(actor=editor, article_id=reviewed.pk)
    chosen = set(report.items.values_list("claim_id", flat=True))
    assert chosen == {reviewed.claim_list[i].pk for i in (0, 1, 2)}  # not "not a claim", not unreviewed
    assert report.status == Report.Status.DRAFT and report.created_by == editor
    assert report_create(actor=editor, article_id=reviewed.pk).pk == report.pk  # one report per article
    assert _actions(report) == ["factcheck.report.created"]


def test_only_editors_prepare_reports(reviewed, checker, viewer):
    for person in (checker, viewer):
        with pytest.raises(PermissionDenied):
            report_create(actor=person, article_id=reviewed.pk)
    assert not Report.objects.exists()


def test_publish_and_unpublish_are_in_the_history_with_who(reviewed, editor):
    report = report_create(actor=editor, article_id=reviewed.pk)
    report_mark_ready(report_id=report.pk, actor=editor)
    published = report_publish(report_id=report.pk, actor=editor)
    assert published.status == "published" and published.published_by == editor
    first = published.first_published_at
    assert first is not None and published.published_at == first
    with pytest.raises(ValidationError, match="already published"):
        report_publish(report_id=report.pk, actor=editor)
    unpublished = report_unpublish(report_id=report.pk, actor=editor)
    assert unpublished.status == "draft"
    with pytest.raises(ValidationError, match="Only a published report"):
        report_unpublish(report_id=report.pk, actor=editor)
    again = report_publish(report_id=report.pk, actor=editor)
    assert again.first_published_at == first and again.published_at > first
    assert _actions(report) == [
        "factcheck.report.created", "factcheck.report.marked_ready", "factcheck.report.published",
        "factcheck.report.unpublished", "factcheck.report.published",
    ]
    events = ReportEvent.objects.filter(pgh_obj_id=report.pk).select_related("pgh_context").order_by("pgh_id")
    assert [e.status for e in events] == ["draft", "ready", "published", "draft", "published"]
    assert {e.pgh_context.metadata["username"] for e in events} == {editor.username}


def test_report_history_cannot_be_rewritten(reviewed, editor):
    report = report_create(actor=editor, article_id=reviewed.pk)
    report_publish(report_id=report.pk, actor=editor)
    for table in ("factcheck_reportevent", "factcheck_reportclaimevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")
    assert ReportEvent.objects.filter(pgh_obj_id=report.pk).count() == 2


def test_a_report_without_claims_cannot_be_published(reviewed, editor):
    report = report_create(actor=editor, article_id=reviewed.pk)
    report_update(report_id=report.pk, actor=editor, title="Checked", summary="", claim_ids=[])
    with pytest.raises(ValidationError, match="at least one claim"):
        report_publish(report_id=report.pk, actor=editor)
    assert Report.objects.get(pk=report.pk).status == "draft"


def test_choosing_claims_accepts_reviewed_claims_of_the_article_only(reviewed, editor):
    report = report_create(actor=editor, article_id=reviewed.pk)
    claims = reviewed.claim_list
    other = claims_for(ArticleFactory(), 1)[0]
    Claim.objects.filter(pk=other.pk).update(verdict="verified")
    for bad in (claims[3].pk, claims[4].pk, other.pk):  # not a claim, unreviewed, another article's
        with pytest.raises(ValidationError):
            report_update(report_id=report.pk, actor=editor, title="T", summary="", claim_ids=[claims[0].pk, bad])
    assert set(report.items.values_list("claim_id", flat=True)) == {claims[i].pk for i in (0, 1, 2)}  # unchanged

    report_update(report_id=report.pk, actor=editor, title="  Ford, checked ", summary="Intro",
                  claim_ids=[claims[1].pk])
    report.refresh_from_db()
    assert (report.title, report.summary) == ("Ford, checked", "Intro")
    assert list(report.items.values_list("claim_id", flat=True)) == [claims[1].pk]
    removed = ReportClaim.pgh_event_model.objects.filter(report_id=report.pk, pgh_label="delete")
    assert {e.claim_id for e in removed} == {claims[0].pk, claims[2].pk}
    assert {e.pgh_context.metadata["action"] for e in removed} == {"factcheck.report.edited"}


def test_a_published_verdict_changes_only_with_a_correction_note(reviewed, editor, checker):
    report = report_create(actor=editor, article_id=reviewed.pk)
    report_publish(report_id=report.pk, actor=editor)
    claim = Claim.objects.get(pk=reviewed.claim_list[0].pk)

    with pytest.raises(ValidationError) as refused:
        claim_set_verdict(claim_id=claim.pk, actor=checker, verdict="disputed", rationale="Two outlets disagree.",
                          expected_version=claim.version)
    assert "correction_note" in refused.value.message_dict
    assert Claim.objects.get(pk=claim.pk).verdict == "verified" and not VerdictCorrection.objects.exists()

    # A stale version is still a conflict, note or not.
    with pytest.raises(ClaimConflict):
        claim_set_verdict(claim_id=claim.pk, actor=checker, verdict="disputed", rationale="x",
                          expected_version=claim.version - 1, correction_note="late")

    saved = claim_set_verdict(
        claim_id=claim.pk, actor=checker, verdict="disputed", rationale="Two outlets disagree.",
        expected_version=claim.version, correction_note="A second outlet reported a different figure.",
    )
    assert (saved.verdict, saved.version) == ("disputed", claim.version + 1)
    correction = VerdictCorrection.objects.get()
    assert (correction.old_verdict, correction.new_verdict, correction.made_by) == ("verified", "disputed", checker)
    assert correction.note == "A second outlet reported a different figure."
    event = Claim.pgh_event_model.objects.filter(pgh_obj_id=claim.pk).order_by("-pgh_id").first()
    assert event.pgh_context.metadata["action"] == "factcheck.claim.verdict_corrected"
    assert event.pgh_context.metadata["reason"] == correction.note

    # The same verdict and rationale again changes nothing and needs no note.
    same = claim_set_verdict(claim_id=claim.pk, actor=checker, verdict="disputed",
                             rationale="Two outlets disagree.", expected_version=saved.version)
    assert same.version == saved.version and VerdictCorrection.objects.count() == 1



def test_a_published_claim_is_neither_undone_nor_trimmed_nor_split(reviewed, editor, checker):
    """Undo, trim and split would change what readers saw without a correction: refused, nothing written."""
    from factcheck.services.claim_spans import claim_change_span, claim_split
    from factcheck.services.claims import claim_undo_verdict

    report = report_create(actor=editor, article_id=reviewed.pk)
    report_publish(report_id=report.pk, actor=editor)
    claim = Claim.objects.get(pk=reviewed.claim_list[0].pk)
    events = Claim.pgh_event_model.objects.filter(pgh_obj_id=claim.pk).count()

    with pytest.raises(ValidationError, match="published report"):
        claim_undo_verdict(claim_id=claim.pk, actor=checker, expected_version=claim.version)
    with pytest.raises(ValidationError, match="published report"):
        claim_change_span(claim_id=claim.pk, actor=checker, start=claim.start, end=claim.end - 1,
                          text=claim.text[:-1], expected_version=claim.version)
    middle = claim.start + claim.text.index(" ", len(claim.text) // 2)
    with pytest.raises(ValidationError, match="published report"):
        claim_split(claim_id=claim.pk, actor=checker, at=middle, expected_version=claim.version)

    after = Claim.objects.get(pk=claim.pk)
    assert (after.verdict, after.text, after.version) == ("verified", claim.text, claim.version)
    assert Claim.objects.filter(article=reviewed).count() == len(reviewed.claim_list)
    assert Claim.pgh_event_model.objects.filter(pgh_obj_id=claim.pk).count() == events

    report_unpublish(report_id=report.pk, actor=editor)  # once unpublished, the checker's own verdict can go back
    assert claim_undo_verdict(claim_id=claim.pk, actor=checker, expected_version=claim.version).verdict == "unreviewed"

def test_unpublished_and_draft_reports_leave_the_verdict_flow_as_it_was(reviewed, editor, checker):
    report = report_create(actor=editor, article_id=reviewed.pk)  # a draft
    claim = Claim.objects.get(pk=reviewed.claim_list[0].pk)
    saved = claim_set_verdict(claim_id=claim.pk, actor=checker, verdict="false", rationale="Wrong year.",
                              expected_version=claim.version)
    report_publish(report_id=report.pk, actor=editor)
    report_unpublish(report_id=report.pk, actor=editor)
    again = claim_set_verdict(claim_id=claim.pk, actor=checker, verdict=Verdict.VERIFIED, rationale="",
                              expected_version=saved.version)
    assert again.verdict == "verified" and not VerdictCorrection.objects.exists()


def test_a_correction_cannot_exist_without_a_note(reviewed, checker):
    with pytest.raises(DatabaseError), transaction.atomic():
        VerdictCorrection.objects.create(claim=reviewed.claim_list[0], old_verdict="verified", new_verdict="false",
                                         note="", made_by=checker, made_at=reviewed.created_at)


def test_cluster_verdict_refuses_a_published_claim(reviewed, editor, checker):
    from factcheck.models import ClaimCluster
    from factcheck.services.clusters import cluster_apply_verdict

    report = report_create(actor=editor, article_id=reviewed.pk)
    report_publish(report_id=report.pk, actor=editor)
    claim = Claim.objects.get(pk=reviewed.claim_list[0].pk)
    sibling = claims_for(ArticleFactory(), 1)[0]
    cluster = ClaimCluster.objects.create()
    Claim.objects.filter(pk__in=[claim.pk, sibling.pk]).update(cluster=cluster)
    claim.refresh_from_db()
    with pytest.raises(ValidationError, match="published report"):
        cluster_apply_verdict(claim_id=claim.pk, actor=checker, verdict="false", rationale="Wrong.",
                              seen_versions={claim.pk: claim.version, sibling.pk: 1})
    assert Claim.objects.get(pk=claim.pk).verdict == "verified"


@pytest.mark.django_db(transaction=True)
def test_a_verdict_change_racing_a_publish_waits_and_then_needs_a_note():
    """While a publish is uncommitted, a verdict change on one of the report's claims waits for it, then sees the
    report published and asks for a correction note: no change slips in unannounced between the two."""
    import threading
    import time

    from django.db import connections

    from factcheck.permissions import ROLE_EDITORS, ROLE_FACT_CHECKERS
    from tests.factories import UserFactory

    editor = UserFactory(username="ed", role=ROLE_EDITORS)
    checker = UserFactory(username="ana", role=ROLE_FACT_CHECKERS)
    article = ArticleFactory()
    claim = claims_for(article, 1)[0]
    claim = claim_set_verdict(claim_id=claim.pk, actor=checker, verdict="verified", rationale="",
                              expected_version=1)
    report = report_create(actor=editor, article_id=article.pk)
    outcome: list = []
    started = threading.Event()

    def change_verdict():
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                outcome.append(cursor.fetchone()[0])
            started.set()
            claim_set_verdict(claim_id=claim.pk, actor=checker, verdict="false", rationale="Wrong year.",
                              expected_version=claim.version)
            outcome.append("saved")
        except ValidationError as exc:
            outcome.append(exc.message_dict)
        finally:
            connections.close_all()

    with transaction.atomic():
        report_publish(report_id=report.pk, actor=editor)
        other = threading.Thread(target=change_verdict)
        other.start()
        started.wait()
        # Until this transaction commits, the verdict change waits on the report's row lock.
        with connection.cursor() as cursor:
            for _ in range(1000):
                cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [outcome[0]])
                if cursor.fetchone()[0] == "Lock":
                    break
                time.sleep(0.01)
            else:
                pytest.fail("the verdict change did not wait for the publish")
    other.join()
    assert "correction_note" in outcome[1]
    assert Claim.objects.get(pk=claim.pk).verdict == "verified"
