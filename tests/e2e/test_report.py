"""A fact-check report in a real browser: review a claim → prepare and publish the report → read it, on screen
and printed → download the article's claims as a spreadsheet; then a correction of a published verdict."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from playwright.sync_api import expect

from factcheck.models import Article, Conflict, Report, Story
from factcheck.permissions import ROLE_EDITORS, ROLE_FACT_CHECKERS, ROLE_VIEWERS
from factcheck.services import evidence_add
from factcheck.services.conflicts import conflict_resolve
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_workspace import make_article, open_article
from tests.factories import ArticleFactory, SourceFactory, UserFactory, claims_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_review_publish_and_read_the_report(live_server, new_page, sign_in, screenshot, settings, tmp_path):
    checker = UserFactory(username="ana", role=ROLE_FACT_CHECKERS)
    UserFactory(username="ed", role=ROLE_EDITORS)
    UserFactory(username="vic", role=ROLE_VIEWERS)
    article, claims = make_article()
    tariff, denial = claims[1], claims[0]
    other = claims_for(ArticleFactory(title="Tariff report", source=SourceFactory(name="Evening Post")), 2)[1]
    conflict = Conflict.objects.create(key="number|100%|145%|e2e", kind="number", values=["100%", "145%"])
    conflict.claims.set([tariff, other])
    conflict_resolve(conflict_id=conflict.pk, actor=checker, note="145% is the later, official figure.")
    evidence_add(claim_id=tariff.pk, actor=checker, url="https://www.reuters.com/tariffs", stance="refutes",
                 passage="The tariff on Chinese EVs was raised to 145% in April 2025.", note="Wire report")

    # The fact-checker reviews two claims from the keyboard.
    page = sign_in(new_page(), "ana")
    open_article(page, live_server, article, tariff)
    panel = page.locator("#claim-panel")
    expect(panel).to_have_attribute("data-claim", str(tariff.pk))
    panel.get_by_label("Rationale").fill("The tariff was 100% in 2024 and raised to 145% in 2025.")
    page.keyboard.press("Escape")
    page.keyboard.press("f")
    expect(page.locator(f"#claim-row-{tariff.pk}")).to_contain_text("False")
    page.locator(f"#claim-row-{denial.pk} a").click()
    expect(panel).to_have_attribute("data-claim", str(denial.pk))
    page.keyboard.press("v")
    expect(page.locator(f"#claim-row-{denial.pk}")).to_contain_text("Verified")
    # Fact-checkers can't prepare reports.
    expect(page.get_by_role("button", name="Prepare a fact-check report")).to_have_count(0)

    # The editor prepares the report from the article page and publishes it.
    page = sign_in(new_page(1440, 900), "ed")
    open_article(page, live_server, article)
    page.get_by_role("button", name="Prepare a fact-check report").click()
    expect(page.get_by_role("heading", name="Choose the claims")).to_be_visible()
    expect(page.locator(f"#choose-{tariff.pk}")).to_be_checked()
    expect(page.locator(f"#choose-{denial.pk}")).to_be_checked()
    page.get_by_label("Introduction (optional)").fill("What the coverage of the talks got right and wrong.")
    screenshot(page, "report-edit-1440")
    page.get_by_role("button", name="Save report").click()
    expect(page.locator(".report-head")).to_contain_text("Draft")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("Published")
    report = Report.objects.get(article=article)
    assert report.status == "published"
    expect(page.locator(".report-history")).to_contain_text("ed published the report")
    page.goto(f"{live_server.url}/reports/")
    expect(page.locator("table.list")).to_contain_text("Published")
    screenshot(page, "reports-list-1440")
    open_article(page, live_server, article)
    expect(page.locator(".article-head .report-ref")).to_contain_text("Published")
    screenshot(page, "report-article-link-1440")
    story = Story.objects.create(title="Ford and Xiaomi talks")
    Article.objects.filter(pk=article.pk).update(story=story)
    page.goto(f"{live_server.url}/stories/{story.pk}/")
    expect(page.get_by_role("button", name="Prepare a fact-check report")).to_be_visible()
    screenshot(page, "report-story-link-1440")
    report_url = f"{live_server.url}{report.get_absolute_url()}"

    # A viewer finds it under Reports and reads it, with its ClaimReview markup.
    page = sign_in(new_page(1440, 900), "vic")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_role("link", name=report.title).click()
    expect(page).to_have_url(report_url)
    expect(page.locator(f"#claim-{tariff.pk}")).to_contain_text("The tariff was 100% in 2024")
    expect(page.locator(f"#claim-{tariff.pk}")).to_contain_text("reliability: high")
    expect(page.locator(f"#claim-{tariff.pk}")).to_contain_text("145% is the later, official figure.")
    expect(page.locator(f"#claim-{tariff.pk}")).to_contain_text("Checked by ana")
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)
    blocks = page.locator('script[type="application/ld+json"]')
    expect(blocks).to_have_count(2)
    reviews = [json.loads(text) for text in blocks.all_text_contents()]
    assert {r["reviewRating"]["alternateName"] for r in reviews} == {"False", "Verified"}
    assert all(r["url"].startswith(report_url + "#claim-") for r in reviews)
    screenshot(page, "report-1440", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 720})
    screenshot(page, "report-1280")
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator(".report-actions")).to_have_count(0)
    screenshot(page, "report-print", full_page=True)
    page.pdf(path=str(ARTIFACTS / "report.pdf"))
    assert page.console_errors == []  # the JSON-LD blocks pass the Content-Security-Policy

    # The viewer takes the checked claims away as a spreadsheet, from the article page.
    page.emulate_media(media="screen")
    open_article(page, live_server, article)
    page.get_by_label("Export claims as").select_option("csv")
    with page.expect_download() as info:
        page.locator(".article-head .export-form").get_by_role("button", name="Export").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    rows = {r["claim_id"]: r for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))}
    assert (rows[str(tariff.pk)]["verdict"], rows[str(denial.pk)]["verdict"]) == ("false", "verified")
    assert rows[str(tariff.pk)]["rationale"] == "The tariff was 100% in 2024 and raised to 145% in 2025."

    # A published verdict changes only with a correction note, which the report then shows.
    page = sign_in(new_page(1280, 720), "ana")
    open_article(page, live_server, article, denial)
    panel = page.locator("#claim-panel")
    expect(panel.get_by_label(re.compile("Correction note"))).to_be_visible()
    panel.get_by_label("Rationale").fill("Only one outlet reported the denial.")
    page.keyboard.press("Escape")
    page.keyboard.press("d")
    expect(panel.locator("#correction-error")).to_contain_text("correction note")
    panel.get_by_label(re.compile("Correction note")).fill("Other outlets say Ford did not respond.")
    page.keyboard.press("Escape")
    page.keyboard.press("d")
    expect(page.locator(f"#claim-row-{denial.pk}")).to_contain_text("Disputed")
    screenshot(page, "report-correction-panel-1280")
    page.goto(report_url + f"#claim-{denial.pk}")
    correction = page.locator(f"#claim-{denial.pk} .report-correction")
    expect(correction).to_contain_text("Verified")
    expect(correction).to_contain_text("Disputed")
    expect(correction).to_contain_text("Other outlets say Ford did not respond.")
    screenshot(page, "report-corrected-1280")
    assert page.console_errors == []

    # Signed out: the sign-in page, unless PUBLIC_REPORTS is on; then the report, read only.
    page = new_page(1280, 720)
    page.goto(report_url)
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    settings.PUBLIC_REPORTS = True
    page.goto(report_url)
    expect(page.locator("h1")).to_have_text(report.title)
    expect(page.locator(".mainnav")).to_have_count(0)
    expect(page.get_by_role("link", name="In the workspace")).to_have_count(0)
    expect(page.locator('script[type="application/ld+json"]')).to_have_count(2)
    screenshot(page, "report-public-1280")
    assert page.console_errors == []
