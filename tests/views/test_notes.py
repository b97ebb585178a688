"""Notes in the claim panel, and the notifications page, bell and read marks, through the views."""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from factcheck.models import Note, Notification
from factcheck.permissions import ROLE_FACT_CHECKERS
from factcheck.services.notes import note_add
from tests.factories import ClaimFactory, UserFactory
from tests.views.conftest import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture
def bea(db):
    return UserFactory(username="bea", role=ROLE_FACT_CHECKERS)


def add_url(claim):
    return reverse("factcheck:note-add", args=[claim.pk])


def panel(client, claim) -> str:
    return client.get(reverse("factcheck:claim", args=[claim.pk]), **HTMX).content.decode()


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


# --- Notes in the panel ---------------------------------------------------------------------------------------


def test_a_note_with_a_mention_shows_in_the_panel_and_notifies(client, checker, bea, claim):
    client.force_login(checker)
    html = client.post(add_url(claim), {"body": "@bea is the <b>100%</b> right? @nobody"}, **HTMX).content.decode()
    note = Note.objects.get()
    assert f'id="note-{note.pk}"' in html and '<span class="mention">@bea</span>' in html
    assert "&lt;b&gt;100%&lt;/b&gt;" in html and "<b>100%" not in html  # escaped
    assert "Note added. Notified @bea. Nobody here is called @nobody: not notified." in html
    assert Notification.objects.get().recipient == bea
    # The claim's history tells it.
    assert re.search(r"<strong>ana</strong> wrote a note — “@bea is the &lt;b&gt;100%", html)


def test_without_javascript_a_note_redirects_back_to_the_claim(client, checker, claim):
    client.force_login(checker)
    response = client.post(add_url(claim), {"body": "Looks fine"})
    assert response.status_code == 302 and response["Location"] == claim.get_absolute_url()


@pytest.mark.parametrize(
    "body, message",
    [("  ", "the note is empty"), ("y" * 5001, "keep it under 5,000"), ("bad\x00byte", "NUL character")],
)
def test_bad_note_gets_a_message_and_keeps_the_text(client, checker, claim, body, message):
    client.force_login(checker)
    response = client.post(add_url(claim), {"body": body}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and message in html and 'aria-invalid="true"' in html
    if body.strip() and "\x00" not in body:
        assert body in html  # what was typed is kept in the box
    assert not Note.objects.exists()


def test_viewer_reads_notes_but_sees_no_note_box_and_cannot_post(client, checker, viewer, claim):
    note_add(claim_id=claim.pk, actor=checker, body="Source is the ministry")
    client.force_login(viewer)
    html = panel(client, claim)
    assert "Source is the ministry" in html
    assert add_url(claim) not in html and 'data-shortcut-target="note"' not in html and "Reply" not in html
    assert client.post(add_url(claim), {"body": "sneaky"}, **HTMX).status_code == 403
    assert Note.objects.count() == 1


def test_reply_is_threaded_under_its_note(client, checker, bea, claim):
    root = note_add(claim_id=claim.pk, actor=checker, body="Which year?").note
    client.force_login(bea)
    html = client.post(add_url(claim), {"body": "2024, per the notice", "parent": root.pk}, **HTMX).content.decode()
    reply = Note.objects.get(parent=root)
    thread = html[html.index(f'id="note-{root.pk}"'):]
    assert thread.index('class="note-replies"') < thread.index(f'id="note-{reply.pk}"')
    assert "replied to a note" in html


def test_author_edits_a_note_which_then_reads_edited_and_others_cannot(client, checker, editor, claim):
    note = note_add(claim_id=claim.pk, actor=checker, body="First thought").note
    edit_url = reverse("factcheck:note-edit", args=[note.pk])
    client.force_login(editor)
    assert f'action="{edit_url}"' not in panel(client, claim)  # not hers: no edit form
    assert client.post(edit_url, {"body": "Taken over"}, **HTMX).status_code == 403
    client.force_login(checker)
    assert f'action="{edit_url}"' in panel(client, claim)
    html = client.post(edit_url, {"body": "Second thought"}, **HTMX).content.decode()
    assert "Second thought" in html and 'class="note-edited"' in html and "edited a note" in html
    html = client.post(edit_url, {"body": ""}, **HTMX).content.decode()
    assert "the note is empty" in html
    note.refresh_from_db()
    assert note.body == "Second thought"


def test_the_note_box_has_its_shortcut_and_the_dialog_lists_it(client, checker, claim):
    client.force_login(checker)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert 'data-shortcut-target="note"' in page and 'aria-keyshortcuts="m"' in page
    assert "<dt><kbd>m</kbd></dt><dd>Write a note" in page


# --- Notifications --------------------------------------------------------------------------------------------


def notify(user, n: int, **kwargs) -> list[Notification]:
    claim = kwargs.pop("claim", None) or ClaimFactory()
    return Notification.objects.bulk_create(
        [Notification(recipient=user, kind="mentioned", text=f"Note {i} for {user.username}", claim=claim, **kwargs)
         for i in range(n)]
    )


def test_the_page_lists_only_my_notifications_linking_to_their_claims(client, checker, bea, claim):
    mine = notify(checker, 1, claim=claim)[0]
    notify(bea, 1)
    client.force_login(checker)
    html = client.get(reverse("factcheck:notifications")).content.decode()
    assert "Note 0 for ana" in html and "for bea" not in html
    assert f'id="notification-{mine.pk}"' in html and "1 unread" in html
    # Its link leads to the claim and marks it read on the way.
    open_url = reverse("factcheck:notification-open", args=[mine.pk])
    assert f'href="{open_url}"' in html
    response = client.get(open_url)
    assert response.status_code == 302 and response["Location"] == f"/articles/{claim.article_id}/?claim={claim.pk}"
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_the_page_is_keyset_paginated_in_constant_queries(client, checker):
    client.force_login(checker)
    url = reverse("factcheck:notifications")
    notify(checker, 3)
    client.get(url)
    few = count_queries(lambda: client.get(url))
    notify(checker, 70)
    many = count_queries(lambda: client.get(url))
    assert few == many
    html = client.get(url).content.decode()
    assert html.count('class="notification ') == 30 and "1–30 of many" in html
    cursor = re.search(r'href="\?after=([^"]+)" rel="next"', html).group(1)
    second = client.get(url, {"after": cursor}).content.decode()
    assert "31–60 of many" in second and second.count('class="notification ') == 30


def test_bell_count_is_one_query_whatever_the_number(client, checker, bea):
    client.force_login(checker)
    url = reverse("factcheck:notification-count")
    client.get(url)
    n_none = count_queries(lambda: client.get(url, **HTMX))
    notify(checker, 50)
    notify(bea, 20)
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(url, **HTMX).content.decode()
    assert len(ctx.captured_queries) == n_none
    [count] = [q["sql"] for q in ctx.captured_queries if "factcheck_notification" in q["sql"]]
    assert count.startswith("SELECT COUNT(*)") and '"read_at" IS NULL' in count
    assert html.startswith('<span id="bell-count"') and 'data-unread="50"' in html and " hidden" not in html
    assert 'hx-trigger="every 10s"' in html  # the answer polls on, without loading itself again at once


def test_bell_is_on_every_page_and_loads_its_count(client, checker):
    client.force_login(checker)
    html = client.get(reverse("factcheck:inbox")).content.decode()
    assert 'id="bell-count"' in html and 'hx-trigger="load, every 10s"' in html


def test_signed_out_bell_stops_polling(client):
    assert client.get(reverse("factcheck:notification-count")).status_code == 286


def test_mark_one_read_and_all_read_touch_only_mine(client, checker, bea):
    first, second = notify(checker, 2)
    theirs = notify(bea, 1)[0]
    client.force_login(checker)
    response = client.post(reverse("factcheck:notification-read", args=[first.pk]), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("factcheck:notifications")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert 'data-unread="1"' in client.get(reverse("factcheck:notification-count")).content.decode()
    assert client.post(reverse("factcheck:notification-read", args=[theirs.pk])).status_code == 404
    client.post(reverse("factcheck:notifications-read-all"))
    assert not Notification.objects.filter(recipient=checker, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    html = client.get(reverse("factcheck:notification-count")).content.decode()
    assert 'data-unread="0"' in html and " hidden" in html


def test_i_cannot_read_someone_elses_notifications(client, checker, bea):
    notify(bea, 2)
    client.force_login(checker)
    html = client.get(reverse("factcheck:notifications")).content.decode()
    assert "for bea" not in html and "No notifications yet" in html
    theirs = Notification.objects.filter(recipient=bea).first()
    assert client.get(reverse("factcheck:notification-open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize(
    ("name", "statement", "index"),
    [
        ("notification-count", "SELECT COUNT(*)", "notification_unread_idx"),
        ("notifications", "SELECT COUNT(*)", "notification_unread_idx"),
        ("notifications", 'SELECT "factcheck_notification"."id"', "notification_list_idx"),
    ],
)
def test_bell_and_page_read_through_their_index(client, checker, bea, name, statement, index):
    notify(checker, 40)
    notify(bea, 40)
    Notification.objects.filter(recipient=checker, pk__in=Notification.objects.filter(recipient=checker)
                                .values("pk")[:30]).update(read_at="2026-01-01T00:00Z")
    with connection.cursor() as cursor:
        cursor.execute("SELECT factdesk_test_maintain('factcheck_notification')")
    client.force_login(checker)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse(f"factcheck:{name}")).status_code == 200
    [sql] = [q["sql"] for q in ctx.captured_queries
             if q["sql"].startswith(statement) and 'FROM "factcheck_notification"' in q["sql"]]
    with transaction.atomic(), connection.cursor() as cursor:
        # A few dozen rows are cheaper to scan than to look up; a newsroom's years of them are not.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan


def test_mention_suggestions_are_workspace_members_by_prefix(client, checker, bea, editor):
    UserFactory(username="bert")  # no role: not a colleague in the workspace
    UserFactory(username="benno", role=ROLE_FACT_CHECKERS, is_active=False)
    client.force_login(checker)
    url = reverse("factcheck:note-people")
    assert client.get(url, {"q": "be"}).json() == {"people": ["bea"]}
    assert client.get(url, {"q": "e"}).json() == {"people": ["ed"]}
    assert client.get(url, {"q": ""}).json() == {"people": []}
