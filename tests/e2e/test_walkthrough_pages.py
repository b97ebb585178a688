"""The pages the walk-through found rough, in a browser: the story page folded and filtered, grouped
contradictions in the claim panel, an import's counts and notes, the error pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from factcheck.models import Article, ImportBatch, ImportItem, Source, Story
from factcheck.permissions import ROLE_FACT_CHECKERS
from tests.factories import ArticleFactory, UserFactory, claims_for
from tests.builders.clusters import clustered_claims, conflict_between

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = ((1440, 900), (1280, 720))


def a_story():
    story = Story.objects.create(title="Ford and Xiaomi deny joint venture talks")
    cluster, claims = clustered_claims(7)
    outlets = ["Harbour Courier", "Wire Service", "Daily Ledger", "Valley Voice", "Bay Times", "North Star", "Echo"]
    for claim, name in zip(claims, outlets):
        Article.objects.filter(pk=claim.article_id).update(
            story=story, source=Source.objects.create(name=name), title=f"{name}: Ford and Xiaomi deny talks")
    for other in claims[1:]:
        conflict_between(claims[0], other, kind="denial", values=("denied", "did not respond"))
    for _ in range(8):
        claims_for(ArticleFactory(story=story))
    return story, claims


def checker_at_each_size(new_page, sign_in):
    """A fact-checker's signed-in page at each screen size, with the width for the screenshots' names."""
    UserFactory(username="ana", role=ROLE_FACT_CHECKERS)
    for width, height in SIZES:
        yield width, sign_in(new_page(width, height), "ana")


def test_story_page_folds_and_filters(live_server, new_page, sign_in, screenshot):
    story, claims = a_story()
    for width, page in checker_at_each_size(new_page, sign_in):
        page.goto(f"{live_server.url}/stories/{story.pk}/")
        rows = page.locator("details.story-row")
        expect(rows).to_have_count(30)
        first = rows.first
        expect(first.locator(".story-members")).to_be_hidden()
        screenshot(page, f"story-folded-{width}", full_page=True)
        first.locator("summary").focus()
        page.keyboard.press("Enter")
        expect(first.locator(".story-members li")).to_have_count(7)
        expect(first.locator(".story-members")).to_contain_text("Harbour Courier")
        page.get_by_role("link", name="With contradictions").click()
        expect(rows).to_have_count(1)
        expect(page).to_have_url(re.compile(r"\?show=contradictions$"))
        page.get_by_role("link", name="Open all").click()
        expect(rows.first).to_have_attribute("open", "")
        # The six alike contradictions of the row are one, dismissed at once.
        expect(rows.first.locator(".alert.conflict")).to_have_count(1)
        screenshot(page, f"story-contradictions-{width}", full_page=True)
        # Grouped by article instead, under the same filter: the seven articles of the contradicted claim.
        page.locator(".story-group").get_by_role("link", name="article").click()
        expect(rows).to_have_count(7)
        expect(page).to_have_url(re.compile(r"\?show=contradictions&group=article$"))
        rows.first.locator("summary").click()
        expect(rows.first.locator(".story-members")).to_contain_text("Ford denied the report on Tuesday.")
        screenshot(page, f"story-by-article-{width}", full_page=True)
        assert page.console_errors == []


def test_panel_groups_alike_contradictions(live_server, new_page, sign_in, screenshot):
    story, claims = a_story()
    for width, page in checker_at_each_size(new_page, sign_in):
        page.goto(f"{live_server.url}/articles/{claims[0].article_id}/?claim={claims[0].pk}")
        section = page.locator("#claim-conflicts")
        expect(section.locator(".alert.conflict")).to_have_count(1)
        expect(section.locator("a.other-claim")).to_have_count(6)
        screenshot(page, f"panel-conflicts-{width}")
    section.get_by_role("button", name="Dismiss all 6: not a contradiction").click()
    expect(section).to_contain_text("Conflict dismissed: 6 contradictions.")
    expect(section.locator(".alert.conflict")).to_have_count(0)
    assert page.console_errors == []


def test_import_counts_notes_and_error_pages(live_server, new_page, sign_in, screenshot):
    batch = ImportBatch.objects.create(kind="jsonl", label="rows.jsonl", status="done", total=2, imported=2)
    for n, message in enumerate(["Created publisher “Harbour Courier”.",
                                 "Line 2: the date 'soon' was not understood and was ignored."]):
        ImportItem.objects.create(batch=batch, key=f"rows.jsonl:{n + 1}", position=n, status="imported",
                                  message=message, article=ArticleFactory())
    for width, page in checker_at_each_size(new_page, sign_in):
        page.goto(f"{live_server.url}/imports/{batch.pk}/")
        expect(page.locator("dl.counts dd#batch-imported")).to_have_text("2")
        expect(page.locator(".item-note")).to_have_count(2)
        screenshot(page, f"batch-{width}")
        response = page.goto(f"{live_server.url}/articles/999999/")
        assert response.status == 404
        expect(page.locator("main")).to_contain_text("No such article.")
        page.get_by_role("link", name="Claims queue").last.click()
        expect(page).to_have_url(f"{live_server.url}/queue/")
        page.goto(f"{live_server.url}/articles/999999/")
        screenshot(page, f"not-found-{width}")
