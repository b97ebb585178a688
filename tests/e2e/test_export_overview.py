"""In Chromium: review a claim, export the article as CSV and read the file; the desk overview, looked at."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import expect

from factcheck.models import Article, Claim, ImportBatch
from factcheck.permissions import ROLE_FACT_CHECKERS
from tests.e2e.test_workspace import make_article, open_article
from tests.factories import ArticleFactory, UserFactory, claims_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_review_then_export_the_article_as_csv(live_server, new_page, sign_in, screenshot, tmp_path):
    UserFactory(username="ana", role=ROLE_FACT_CHECKERS)
    article, claims = make_article()
    target = claims[1]
    page = sign_in(new_page(1440, 900), "ana")
    open_article(page, live_server, article, target)
    panel = page.locator("#claim-panel")
    expect(panel).to_have_attribute("data-claim", str(target.pk))
    panel.get_by_label("Rationale").fill("The tariff was raised to 145% in 2025.")
    page.keyboard.press("Escape")
    page.keyboard.press("d")
    expect(page.locator(f"#claim-row-{target.pk}")).to_contain_text("Disputed")
    screenshot(page, "article-export-form")

    page.get_by_label("Export claims as").select_option("csv")
    with page.expect_download() as info:
        page.locator(".article-head .export-form").get_by_role("button", name="Export").click()
    download = info.value
    assert download.suggested_filename == f"factdesk-article-{article.pk}-claims.csv"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert len(rows) == len(claims)
    row = next(r for r in rows if r["claim_id"] == str(target.pk))
    assert row["text"] == target.text and row["verdict"] == "disputed"
    assert row["rationale"] == "The tariff was raised to 145% in 2025."
    assert not [e for e in page.console_errors if "Content Security Policy" in e or "Refused" in e], page.console_errors


def test_desk_overview_in_the_browser(live_server, new_page, sign_in, screenshot):
    ana = UserFactory(username="ana", role=ROLE_FACT_CHECKERS)
    bo = UserFactory(username="bo", role=ROLE_FACT_CHECKERS)
    make_article()
    ArticleFactory(title="Waiting for a worker", status=Article.Status.QUEUED)
    now = timezone.now()
    for i in range(12):
        claims = claims_for(ArticleFactory(title=f"Wire report {i}"))
        for j, claim in enumerate(claims[: 1 + i % 4]):
            Claim.objects.filter(pk=claim.pk).update(
                verdict=["verified", "disputed", "false", "verified"][j], verdict_by=ana if (i + j) % 3 else bo,
                verdict_at=now - dt.timedelta(days=(i * 2 + j) % 30), version=F("version") + 1)
        Claim.objects.filter(pk=claims[4].pk).update(score=0.9)
    ImportBatch.objects.create(kind="jsonl", label="agency-feed.jsonl", total=40, imported=36, failed=4,
                               status="done", created_by=ana)
    for width, height in ((1440, 900), (1280, 720)):
        page = sign_in(new_page(width, height), "ana")
        page.get_by_role("link", name="Overview").click()
        expect(page.get_by_role("heading", name="Desk overview")).to_be_visible()
        expect(page.locator("#chart-days")).to_be_visible()
        expect(page.locator("#chart-mix")).to_contain_text("Verified")
        expect(page.get_by_role("link", name="agency-feed.jsonl")).to_be_visible()
        # No worker in this test: the banner says so, with the command.
        expect(page.locator("#work-status .banner")).to_contain_text("No background worker is running")
        screenshot(page, f"overview-{width}x{height}", full_page=True)
        refused = [e for e in page.console_errors if "Content Security Policy" in e or "Refused" in e]
        assert not refused, page.console_errors


def test_export_forms_and_pages(live_server, settings, new_page, sign_in, screenshot):
    from factcheck.models import ExportJob, Story

    ana = UserFactory(username="ana", role=ROLE_FACT_CHECKERS)
    article, claims = make_article()
    story = Story.objects.create(title="Ford and Xiaomi")
    Article.objects.filter(pk=article.pk).update(story=story)
    settings.FACTDESK_EXPORT_SYNC_MAX_CLAIMS = 2  # this article's five claims make a background export
    for width, height in ((1440, 900), (1280, 720)):
        page = sign_in(new_page(width, height), "ana")
        page.goto(f"{live_server.url}/queue/?verdict=open")
        expect(page.locator("#queue-results .export-form")).to_be_visible()
        screenshot(page, f"queue-export-{width}x{height}")
        page.goto(f"{live_server.url}/search/?q=tariff")
        expect(page.locator("#search-results .export-form")).to_be_visible()
        screenshot(page, f"search-export-{width}x{height}")
        page.goto(f"{live_server.url}/stories/{story.pk}/")
        expect(page.locator(".page-head .export-form")).to_be_visible()
        screenshot(page, f"story-export-{width}x{height}")
        # A background export: its page waits for a worker (none runs here) and says what to do.
        page.select_option("#export-format-story", "json")
        page.locator(".page-head .export-form").get_by_role("button", name="Export").click()
        expect(page.get_by_role("heading", name="Export: Story “Ford and Xiaomi”")).to_be_visible()
        expect(page.locator("#export-progress")).to_contain_text("Waiting for a worker")
        screenshot(page, f"export-job-{width}x{height}")
    assert ExportJob.objects.filter(created_by=ana, format="json").count() == 2
