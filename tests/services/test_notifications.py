"""Notes and notifications at the service level: each kind of notification is written where its event happens,
never for one's own action, in bulk where the work is bulk; notes validate, thread, edit and mention."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from factcheck import selectors, tasks
from factcheck.models import Claim, FactCheckImport, ImportBatch, ImportItem, Note, Notification
from factcheck.permissions import ROLE_FACT_CHECKERS
from factcheck.services import ClaimConflict, claim_assign, claim_set_verdict
from factcheck.services import batches, clusters, factcheck_imports
from factcheck.services.matching import article_match_claims
from factcheck.services.notes import mentioned_names, note_add, note_edit
from factcheck.services.notifications import notifications_send_digest
from factcheck.timeline import claim_timeline
from tests.factories import ClaimFactory, UserFactory
from tests.builders.clusters import clustered_claims
from tests.queries import constant_queries, rolled_back
from tests.services.test_matching import _article_stating

pytestmark = pytest.mark.django_db


def kinds_of(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("kind", flat=True))


@pytest.fixture
def bea(db):
    return UserFactory(username="bea", role=ROLE_FACT_CHECKERS)


# --- Notes --------------------------------------------------------------------------------------------------


def test_mentions_are_usernames_not_email_addresses():
    assert mentioned_names("Ask @bea and @ed.w, cc @bea. Mail ops@example.org or (@ana)!") == ["bea", "ed.w", "ana"]


def test_note_mentions_notify_colleagues_once_and_not_the_author_nor_strangers(checker, bea, viewer):
    claim = ClaimFactory()
    saved = note_add(claim_id=claim.pk, actor=checker, body="@bea @vic @ana @nobody look at the figure, @bea")
    assert saved.mentioned == ["bea", "vic"] and saved.unknown == ["nobody"]
    assert kinds_of(bea) == ["mentioned"] and kinds_of(viewer) == ["mentioned"]
    assert kinds_of(checker) == []  # the author mentioned herself
    notification = Notification.objects.get(recipient=bea)
    assert notification.claim_id == claim.pk and notification.note_id == saved.note.pk
    assert notification.actor == checker and "ana mentioned you" in notification.text
    assert notification.get_absolute_url() == f"/articles/{claim.article_id}/?claim={claim.pk}#note-{saved.note.pk}"


def test_a_person_without_a_role_cannot_be_mentioned(checker):
    UserFactory(username="olga")
    saved = note_add(claim_id=ClaimFactory().pk, actor=checker, body="@olga")
    assert saved.unknown == ["olga"] and not Notification.objects.exists()


@pytest.mark.parametrize(
    "body, message",
    [
        ("   \n ", "the note is empty"),
        ("@bea " + "x" * 5000, "keep it under 5,000"),
        ("@bea a\x00b", "NUL character"),
    ],
)
def test_bad_note_text_is_refused_with_a_message_and_writes_nothing(checker, bea, body, message):
    claim = ClaimFactory()
    with pytest.raises(ValidationError) as exc:
        note_add(claim_id=claim.pk, actor=checker, body=body)
    assert message in " ".join(exc.value.messages)
    assert not Note.objects.exists() and not Notification.objects.exists()


def test_viewers_cannot_write_notes(viewer):
    with pytest.raises(PermissionDenied):
        note_add(claim_id=ClaimFactory().pk, actor=viewer, body="hello")
    assert not Note.objects.exists()


def test_replies_thread_under_the_first_note_and_stay_on_its_claim(checker, bea):
    claim, other = ClaimFactory(), ClaimFactory()
    root = note_add(claim_id=claim.pk, actor=checker, body="Source?").note
    reply = note_add(claim_id=claim.pk, actor=bea, body="Found one", parent_id=root.pk).note
    reply_to_reply = note_add(claim_id=claim.pk, actor=checker, body="Thanks", parent_id=reply.pk).note
    assert reply.parent_id == root.pk and reply_to_reply.parent_id == root.pk
    with pytest.raises(ValidationError, match="no longer on this claim"):
        note_add(claim_id=other.pk, actor=checker, body="Wrong claim", parent_id=root.pk)


def test_only_the_author_edits_a_note_and_the_history_keeps_both_texts(checker, bea, editor):
    claim = ClaimFactory()
    note = note_add(claim_id=claim.pk, actor=checker, body="Tariff was 100% @bea").note
    with pytest.raises(PermissionDenied):
        note_edit(note_id=note.pk, actor=editor, body="rewritten by someone else")
    saved = note_edit(note_id=note.pk, actor=checker, body="Tariff was 145% @bea @ed")
    note.refresh_from_db()
    assert note.body == "Tariff was 145% @bea @ed" and note.edited_at is not None
    # Only the newly mentioned person hears of the edit.
    assert saved.mentioned == ["ed"] and kinds_of(bea) == ["mentioned"] and kinds_of(editor) == ["mentioned"]
    sentences = [(e.who, e.sentence, e.quote) for e in claim_timeline(claim_id=claim.pk) if e.kind == "note"]
    assert sentences == [
        ("ana", "edited a note", "Tariff was 145% @bea @ed"),
        ("ana", "wrote a note", "Tariff was 100% @bea"),
    ]


def test_the_panel_shows_the_newest_notes_as_threads(checker, bea):
    claim = ClaimFactory()
    first = note_add(claim_id=claim.pk, actor=checker, body="first").note
    first_reply = note_add(claim_id=claim.pk, actor=bea, body="first reply", parent_id=first.pk).note
    second = note_add(claim_id=claim.pk, actor=checker, body="second").note
    second_reply = note_add(claim_id=claim.pk, actor=bea, body="second reply", parent_id=second.pk).note
    threads = selectors.claim_notes(claim_id=claim.pk)
    assert [(t.body, [r.body for r in t.thread_replies]) for t in threads] == [
        ("first", ["first reply"]), ("second", ["second reply"])
    ]
    # The oldest note falls out of a window of three; its reply still shows, heading its own thread.
    threads = selectors.claim_notes(claim_id=claim.pk, limit=3)
    assert [(t.pk, [r.pk for r in t.thread_replies]) for t in threads] == [
        (first_reply.pk, []), (second.pk, [second_reply.pk])
    ]


# --- Assignment and verdicts ----------------------------------------------------------------------------------


def test_assignment_notifies_the_assignee_but_not_someone_taking_a_claim(editor, checker, bea):
    claim = ClaimFactory()
    claim_assign(claim_id=claim.pk, actor=editor, assignee=bea)
    assert kinds_of(bea) == ["assigned"]
    assert Notification.objects.get(recipient=bea).text.startswith("ed assigned you a claim: “")
    claim_assign(claim_id=claim.pk, actor=editor, assignee=bea)  # already hers: nothing new
    assert kinds_of(bea) == ["assigned"]
    other = ClaimFactory()
    claim_assign(claim_id=other.pk, actor=checker, assignee=checker)  # took it herself
    assert kinds_of(checker) == []


def test_a_verdict_changed_by_someone_else_notifies_earlier_reviewers_only(checker, bea, editor):
    claim = ClaimFactory()
    claim = claim_set_verdict(claim_id=claim.pk, actor=checker, verdict="verified", expected_version=1)
    assert not Notification.objects.exists()  # nobody reviewed it before
    claim = claim_set_verdict(claim_id=claim.pk, actor=checker, verdict="false", rationale="No",
                              expected_version=claim.version)
    assert not Notification.objects.exists()  # her own change
    claim = claim_set_verdict(claim_id=claim.pk, actor=bea, verdict="disputed", rationale="Unclear",
                              expected_version=claim.version)
    assert kinds_of(checker) == ["verdict"] and kinds_of(bea) == []
    assert "bea changed the verdict to Disputed" in Notification.objects.get(recipient=checker).text
    # A new rationale under the same verdict is not a changed verdict.
    claim = claim_set_verdict(claim_id=claim.pk, actor=editor, verdict="disputed", rationale="Unclear still",
                              expected_version=claim.version)
    assert kinds_of(checker) == ["verdict"] and kinds_of(bea) == []
    claim_set_verdict(claim_id=claim.pk, actor=editor, verdict="verified", expected_version=claim.version)
    assert kinds_of(checker) == ["verdict", "verdict"] and kinds_of(bea) == ["verdict"] and kinds_of(editor) == []


def test_a_refused_verdict_leaves_no_notification(checker, bea):
    claim = ClaimFactory()
    claim_set_verdict(claim_id=claim.pk, actor=checker, verdict="verified", expected_version=1)
    with pytest.raises(ClaimConflict):
        claim_set_verdict(claim_id=claim.pk, actor=bea, verdict="false", rationale="x", expected_version=1)
    assert not Notification.objects.exists()


def test_applying_a_verdict_to_a_cluster_notifies_the_clicked_claims_earlier_reviewer(checker, editor):
    _, (a, b) = clustered_claims(2)
    a = claim_set_verdict(claim_id=a.pk, actor=editor, verdict="disputed", rationale="Unclear",
                          expected_version=a.version)
    plan = clusters.cluster_verdict_plan(claim_id=a.pk, verdict="verified")
    clusters.cluster_apply_verdict(claim_id=a.pk, actor=checker, verdict="verified", seen_versions=plan.seen_versions())
    assert Claim.objects.get(pk=b.pk).verdict == "verified"
    assert [(n.kind, n.claim_id) for n in Notification.objects.filter(recipient=editor)] == [("verdict", a.pk)]
    assert kinds_of(checker) == []


# --- Contradictions and imports -------------------------------------------------------------------------------


def test_a_new_contradiction_notifies_the_assignees_of_its_claims(editor, bea, checker):
    earlier = [_article_stating(2, outlet=outlet) for outlet in range(2)]
    for article in earlier:
        article_match_claims(article_id=article.pk)
    first, second = earlier[0].claims.order_by("start")[:1].get(), earlier[1].claims.order_by("start")[:1].get()
    Claim.objects.filter(pk=first.pk).update(assignee=bea)
    Claim.objects.filter(pk=second.pk).update(assignee=checker)
    changed = _article_stating(2, outlet=2, changed=0)
    result = article_match_claims(article_id=changed.pk)
    assert result.conflicts_created == 2
    assert kinds_of(bea) == ["conflict"] and kinds_of(checker) == ["conflict"] and kinds_of(editor) == []
    text = Notification.objects.get(recipient=bea).text
    assert text.startswith("New contradiction on your claim “Norvex denied") and "different numbers (30% / 60%)" in text
    # Running it again finds nothing new and tells nobody again.
    article_match_claims(article_id=changed.pk)
    assert Notification.objects.count() == 2


def test_contradiction_notifications_cost_the_same_for_few_or_many_claims(bea):
    # The run's 19 (tests/services/test_matching.py), and one INSERT of every notification.
    with constant_queries(at_most=20) as count:
        for facts in (2, 6):
            with rolled_back():
                for outlet in range(3):
                    article_match_claims(article_id=_article_stating(facts, outlet=outlet).pk)
                Claim.objects.update(assignee=bea)
                article = _article_stating(facts, outlet=3, changed=0)
                with count(facts):
                    result = article_match_claims(article_id=article.pk)
                assert result.conflicts_created == 3
                assert Notification.objects.filter(recipient=bea, kind="conflict").count() == 3


def _batch(editor, status=ImportBatch.Status.RUNNING) -> ImportBatch:
    batch = ImportBatch.objects.create(kind=ImportBatch.Kind.JSONL, label="wire.jsonl", created_by=editor,
                                       status=status)
    ImportItem.objects.create(batch=batch, key="1", position=1, status=ImportItem.Status.IMPORTED)
    ImportItem.objects.create(batch=batch, key="2", position=2, status=ImportItem.Status.FAILED)
    return batch


def test_a_finished_batch_notifies_who_started_it_once(editor):
    batch = _batch(editor)
    assert batches.batch_finish_if_done(batch_id=batch.pk)
    assert batches.batch_finish_if_done(batch_id=batch.pk)
    notification = Notification.objects.get(recipient=editor)
    assert notification.kind == "import_done" and notification.batch_id == batch.pk
    assert notification.text == "Import “wire.jsonl” finished: 1 imported, 0 already there, 1 failed"
    assert notification.get_absolute_url() == f"/imports/{batch.pk}/"


def test_a_failed_batch_notifies_who_started_it(editor):
    batch = _batch(editor, status=ImportBatch.Status.PENDING)
    batches.batch_fail(batch_id=batch.pk, message="The archive is damaged.")
    batches.batch_fail(batch_id=batch.pk, message="The archive is damaged.")
    notification = Notification.objects.get(recipient=editor)
    assert notification.kind == "import_failed" and notification.text.endswith("failed: The archive is damaged.")


def test_an_import_of_published_checks_notifies_when_it_finishes_or_fails(editor):
    done = FactCheckImport.objects.create(label="checks.jsonl", created_by=editor,
                                          status=FactCheckImport.Status.RUNNING, created=3, updated=1)
    factcheck_imports._finish(done.pk)
    failed = FactCheckImport.objects.create(label="https://checks.example/feed", created_by=editor)
    factcheck_imports.factcheck_import_fail(run_id=failed.pk, message="Not JSON.")
    factcheck_imports.factcheck_import_fail(run_id=failed.pk, message="Not JSON.")
    rows = list(Notification.objects.filter(recipient=editor).order_by("id"))
    assert [(n.kind, n.check_import_id) for n in rows] == [("import_done", done.pk), ("import_failed", failed.pk)]
    assert rows[0].text.endswith("finished: 3 new, 1 updated, 0 skipped")
    assert rows[1].get_absolute_url() == f"/checks/imports/{failed.pk}/"


def test_an_import_nobody_started_notifies_nobody():
    batch = ImportBatch.objects.create(kind=ImportBatch.Kind.FEED, label="feed", status=ImportBatch.Status.RUNNING)
    batches.batch_finish_if_done(batch_id=batch.pk)
    assert not Notification.objects.exists()


# --- The e-mail digest ----------------------------------------------------------------------------------------


def test_digest_is_off_by_default(editor, bea, settings):
    claim_assign(claim_id=ClaimFactory().pk, actor=editor, assignee=bea)
    assert notifications_send_digest() == 0 and mail.outbox == []


def test_digest_mails_unread_notifications_once_through_the_mail_backend(editor, bea, checker, settings):
    settings.NOTIFICATION_EMAIL_DIGEST = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://desk.example"
    first, second = ClaimFactory(), ClaimFactory()
    claim_assign(claim_id=first.pk, actor=editor, assignee=bea)
    claim_assign(claim_id=second.pk, actor=editor, assignee=bea)
    claim_assign(claim_id=ClaimFactory().pk, actor=editor, assignee=checker)
    Notification.objects.filter(recipient=checker).update(read_at="2026-01-01T00:00Z")  # read: not mailed
    assert notifications_send_digest() == 1
    [message] = mail.outbox
    assert message.to == ["bea@example.org"] and message.subject == "Factdesk: 2 unread notifications"
    assert f"https://desk.example/articles/{first.article_id}/?claim={first.pk}" in message.body
    assert notifications_send_digest() == 0 and len(mail.outbox) == 1


def test_digest_task_is_scheduled_and_sends(editor, bea, settings):
    assert settings.CELERY_BEAT_SCHEDULE["notification-digest"]["task"] == "factcheck.tasks.notifications_send_digest"
    settings.NOTIFICATION_EMAIL_DIGEST = True
    claim_assign(claim_id=ClaimFactory().pk, actor=editor, assignee=bea)
    assert tasks.notifications_send_digest.apply().get() == 1 and mail.outbox[0].to == ["bea@example.org"]
