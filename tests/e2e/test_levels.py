"""Check-worthiness levels in a real browser: highlights told apart without colour, the level filters."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from factcheck.models import Claim
from factcheck.permissions import ROLE_FACT_CHECKERS
from tests.e2e.test_workspace import make_article, open_article
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def underline(page, claim) -> tuple[str, str]:
    return tuple(page.locator(f"#hl-{claim.pk}").evaluate(
        "el => [getComputedStyle(el).borderBottomStyle, getComputedStyle(el).borderBottomWidth]"))


def test_levels_in_the_text_the_claim_list_and_the_queue(live_server, new_page, sign_in, screenshot):
    UserFactory(username="ana", role=ROLE_FACT_CHECKERS)
    article, claims = make_article()
    for claim, score in zip(claims, (0.95, 0.93, 0.6, 0.3, 0.7)):
        Claim.objects.filter(pk=claim.pk).update(score=score)
    first, second, look, low, _ = claims
    page = sign_in(new_page(), "ana")
    open_article(page, live_server, article)

    expect(page.locator(f"#hl-{first.pk}")).to_have_attribute("data-level", "first")
    expect(page.locator(f"#hl-{look.pk}")).to_have_attribute("data-level", "look")
    expect(page.locator(f"#hl-{low.pk}")).to_have_attribute("data-level", "low")
    # Without colour: a heavy solid underline, a dashed one, a light dotted one.
    assert underline(page, first) == ("solid", "3px")
    assert underline(page, look) == ("dashed", "2px")
    assert underline(page, low) == ("dotted", "1px")
    expect(page.locator(f"#claim-row-{first.pk} .lvl")).to_have_text(re.compile(r"▲\s+Check first"))
    expect(page.locator(f"#claim-row-{low.pk} .lvl")).to_have_attribute(
        "title", re.compile(r"^Low: about \d in 10 such sentences are check-worthy \(score 0\.30\)$"))
    screenshot(page, "article-levels")

    page.locator(".level-filter a[data-level=first]").click()
    expect(page).to_have_url(re.compile(r"level=first"))
    expect(page.locator("#claim-list .claim-row")).to_have_count(2)
    expect(page.locator(f"#claim-row-{first.pk}")).to_be_visible()
    expect(page.locator(f"#claim-row-{second.pk}")).to_be_visible()
    expect(page.locator(".level-filter a[aria-current=true]")).to_contain_text("Check first")
    expect(page.locator("#article-text .hl[id]")).to_have_count(5)  # the text keeps every claim
    page.locator(".level-filter a[data-level=low]").click()
    expect(page.locator("#claim-list .claim-row")).to_have_count(1)
    expect(page.locator(f"#claim-row-{low.pk}")).to_be_visible()
    # A claim picked from the filtered list opens in the panel with its level in words.
    page.locator(f"#claim-row-{low.pk} .claim-link").click()
    expect(page.locator("#claim-panel .chip-score")).to_contain_text(re.compile(r"Low\s+About \d in 10 such sentences"))

    page.goto(f"{live_server.url}/queue/")
    expect(page.locator("#queue-results tbody tr")).to_have_count(5)
    page.get_by_label("Check-worthiness").select_option("look")
    expect(page).to_have_url(re.compile(r"level=look"))
    expect(page.locator("#queue-results tbody tr")).to_have_count(2)
    expect(page.locator(f"#queue-claim-{look.pk}")).to_contain_text("Worth a look")
    screenshot(page, "queue-levels")
    assert page.console_errors == []
