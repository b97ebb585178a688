"""Notes and notifications in a real browser: one colleague mentions another, whose bell rises without a reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from factcheck.models import Note, Notification
from factcheck.permissions import ROLE_FACT_CHECKERS, ROLE_VIEWERS
from factcheck.services.notes import note_add
from tests.e2e.test_workspace import assert_not_reloaded, make_article, open_article
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def csp_errors(page) -> list[str]:
    return [e for e in page.console_errors if "Content Security Policy" in e or "Refused" in e]


def test_a_mention_reaches_the_colleague_live_and_links_to_the_claim(live_server, new_page, sign_in, screenshot):
    UserFactory(username="ana", role=ROLE_FACT_CHECKERS)
    UserFactory(username="bea", role=ROLE_FACT_CHECKERS)
    article, claims = make_article()
    target = claims[1]

    # B waits on the inbox; nothing unread.
    b = sign_in(new_page(1440, 900), "bea")
    b.evaluate("window.__noReload = true")
    bell = b.locator("#bell-count")
    expect(bell).to_be_hidden()

    # A opens the claim, focuses the note box with m, and mentions B.
    a = sign_in(new_page(1440, 900), "ana")
    open_article(a, live_server, article, target)
    panel = a.locator("#claim-panel")
    a.keyboard.press("m")
    note_box = panel.get_by_label("Add a note")
    expect(note_box).to_be_focused()
    # Typing a mention suggests colleagues; Enter takes the highlighted one.
    a.keyboard.type("@be")
    suggestion = panel.locator(".mention-suggestions [role=option]")
    expect(suggestion).to_have_text(["@bea"])
    expect(suggestion).to_have_attribute("aria-selected", "true")
    screenshot(a, "notes-mention-suggestions-1440")
    a.keyboard.press("Enter")
    expect(panel.locator(".mention-suggestions")).to_be_hidden()
    expect(note_box).to_have_value("@bea ")
    a.keyboard.type("the 100% figure: is it the 2024 rule or the later increase?")
    panel.get_by_role("button", name="Add note").click()
    expect(panel.locator(".notice")).to_contain_text("Note added. Notified @bea.")
    expect(panel.locator(".note .mention")).to_have_text("@bea")
    expect(a.locator("#claim-history li").first).to_contain_text("ana wrote a note")
    assert_not_reloaded(a)

    # B's bell counts it without a reload (the count is polled).
    expect(bell).to_have_text(re.compile(r"^1\b"), timeout=25_000)
    expect(bell).to_be_visible()
    assert b.evaluate("window.__noReload === true"), "B's page was reloaded"
    screenshot(b, "notes-bell-1440")

    # A second note: B replies in the thread, A gets nothing until mentioned.
    b.locator(".bell").click()
    expect(b).to_have_url(re.compile(r"/notifications/$"))
    item = b.locator(".notification").first
    expect(item).to_contain_text("ana mentioned you in a note")
    expect(item).to_have_class(re.compile("is-unread"))
    screenshot(b, "notifications-1440")
    b.set_viewport_size({"width": 1280, "height": 720})
    screenshot(b, "notifications-1280")

    item.locator(".notification-link").click()
    note = Note.objects.get()
    expect(b).to_have_url(re.compile(rf"/articles/{article.pk}/\?claim={target.pk}#note-{note.pk}$"))
    b_panel = b.locator("#claim-panel")
    expect(b_panel).to_have_attribute("data-claim", str(target.pk))
    expect(b_panel.locator(f"#note-{note.pk}")).to_contain_text("is it the 2024 rule")
    expect(b.locator("#bell-count")).to_be_hidden()  # opened, so read
    b_panel.locator(".note-reply summary").click()
    b_panel.get_by_label("Reply to ana").fill("The 2024 rule; the increase came later. @ana")
    b_panel.locator(".note-reply button[type=submit]").click()
    expect(b_panel.locator(".note-replies .note")).to_contain_text("The 2024 rule")
    expect(a.locator("#bell-count")).to_have_text(re.compile(r"^1\b"), timeout=25_000)
    screenshot(b, "notes-thread-1280")
    b.set_viewport_size({"width": 1440, "height": 900})
    screenshot(b, "notes-thread-1440")

    # A marks all read on the notifications page: A's bell empties.
    a.goto(f"{live_server.url}/notifications/")
    expect(a.locator(".notification.is-unread")).to_contain_text("bea mentioned you in a note")
    a.get_by_role("button", name="Mark all read").click()
    expect(a.locator(".message")).to_contain_text("Marked 1 notification read.")
    expect(a.locator("#bell-count")).to_be_hidden()
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert not csp_errors(a) and not csp_errors(b), (a.console_errors, b.console_errors)


def test_a_viewer_reads_notes_but_has_no_note_box(live_server, new_page, sign_in, screenshot):
    ana = UserFactory(username="ana", role=ROLE_FACT_CHECKERS)
    UserFactory(username="vic", role=ROLE_VIEWERS)
    article, claims = make_article()
    note_add(claim_id=claims[1].pk, actor=ana, body="Check the Federal Register notice.")
    page = sign_in(new_page(1280, 720), "vic")
    open_article(page, live_server, article, claims[1])
    notes = page.locator("#claim-notes")
    expect(notes).to_contain_text("Check the Federal Register notice.")
    expect(notes.locator("textarea")).to_have_count(0)
    expect(notes.get_by_text("Reply", exact=True)).to_have_count(0)
    page.keyboard.press("m")  # nothing to focus: nothing happens
    expect(page.locator("textarea")).to_have_count(0)
    notes.scroll_into_view_if_needed()
    screenshot(page, "notes-viewer-1280")
    assert not csp_errors(page), page.console_errors
