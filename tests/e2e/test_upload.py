"""From upload to verdict in a real browser, with a real worker extracting the claims."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from factcheck.models import Article, Claim
from factcheck.permissions import ROLE_EDITORS
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ARTICLE = """Ford denies talks with Xiaomi

Ford denied a report that it held talks with Xiaomi about building electric vehicles in the United States.

The US imposed a 100 percent tariff on Chinese electric vehicles in 2024, according to the Commerce Department.

Photo courtesy: Shutterstock
"""


def test_editor_uploads_an_article_and_marks_a_claim_false(
    live_server, celery_worker_thread, new_page, sign_in, screenshot, tmp_path
):
    UserFactory(username="ed", role=ROLE_EDITORS)
    upload = tmp_path / "ford-xiaomi.txt"
    upload.write_text(ARTICLE, encoding="utf-8")
    page = sign_in(new_page(), "ed")

    page.get_by_role("link", name="Upload", exact=True).first.click()
    page.locator("input[type=file][name=files]").set_input_files(str(upload))
    screenshot(page, "upload")
    page.get_by_role("button", name="Upload").click()

    # The article page follows extraction live; claims appear without a manual reload.
    expect(page).to_have_url(re.compile(r"/articles/\d+/"))
    article = Article.objects.get(origin="ford-xiaomi.txt")
    assert bytes(article.original.data) == ARTICLE.encode()
    assert "Photo courtesy" not in article.body
    tariff = page.locator(".hl", has_text="100 percent tariff")
    expect(tariff).to_be_visible(timeout=30_000)

    tariff.click()
    panel = page.locator("#claim-panel")
    expect(panel).to_contain_text("100 percent tariff")
    claim = Claim.objects.get(article=article, text__contains="100 percent tariff")
    expect(panel).to_have_attribute("data-claim", str(claim.pk))
    panel.get_by_label("Rationale").fill("The tariff took effect in 2024 at 100%; this is correct, but see the 2025 rise.")
    panel.get_by_label("Rationale").press("Escape")
    page.keyboard.press("f")
    expect(page.locator(f"#hl-{claim.pk}")).to_have_class(re.compile(r"\bv-false\b"))
    expect(page.locator("#claim-history li").first).to_contain_text("ed set False")
    screenshot(page, "uploaded-article")
    claim.refresh_from_db()
    assert claim.verdict == "false" and claim.verdict_by.username == "ed"
