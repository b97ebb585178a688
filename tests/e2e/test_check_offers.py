"""Previously fact-checked, in a real browser: the panel on a claim with offers, decided from the keyboard."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from factcheck.models import CheckOffer, Evidence
from factcheck.permissions import ROLE_FACT_CHECKERS, ROLE_VIEWERS
from tests.e2e.test_workspace import make_article, open_article
from tests.factories import CheckOfferFactory, PublishedCheckFactory, SourceFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def offer_checks(claim):
    """A strong check of the tariff claim, a possible one whose figures disagree, one already rejected."""
    strong = CheckOfferFactory(
        claim=claim,
        score=0.94,
        published_check=PublishedCheckFactory(
            publisher=SourceFactory(name="Tariff Watch", kind="academic"),
            url="https://tariffwatch.example/checks/ev-tariff-2024",
            claim_reviewed="The US imposed a 100% tariff on Chinese electric vehicles in 2024.",
            headline="Yes, the 2024 tariff on Chinese EVs was 100%, before the 2025 increase",
            rating_label="Mostly True",
            rating="mostly_true",
            review_date=datetime.date(2025, 2, 3),
        ),
    )
    possible = CheckOfferFactory(
        claim=claim,
        score=0.58,
        band="possible",
        reason="checked: 145% — this claim says 100%",
        published_check=PublishedCheckFactory(
            publisher=None,
            publisher_name="Auto Facts",
            url="https://autofacts.example/2025/ev-tariff-145",
            claim_reviewed="The tariff on Chinese EVs is now 145%.",
            rating_label="Accurate",
            rating="true",
            review_date=None,
        ),
    )
    rejected = CheckOfferFactory(
        claim=claim, score=0.7, status="rejected",
        published_check=PublishedCheckFactory(publisher_name="Other Desk", claim_reviewed="Ford builds EVs in China."),
    )
    return strong, possible, rejected


def test_checker_confirms_a_published_check_with_the_keyboard(live_server, new_page, sign_in, screenshot):
    UserFactory(username="ana", role=ROLE_FACT_CHECKERS)
    article, claims = make_article()
    target = claims[1]
    strong, possible, rejected = offer_checks(target)
    page = sign_in(new_page(), "ana")

    open_article(page, live_server, article, target)
    panel = page.locator("#claim-panel")
    offers = panel.locator("#check-offers")
    expect(offers).to_contain_text("Previously fact-checked")
    expect(offers).to_contain_text("Already checked by 1 publisher")
    expect(offers.locator(f"#offer-{strong.pk}")).to_contain_text("Tariff Watch")
    expect(offers.locator(f"#offer-{strong.pk}")).to_contain_text("“Mostly True”")
    expect(offers.locator(f"#offer-{strong.pk} .badge")).to_have_text("Mostly true")
    expect(offers.locator(f"#offer-{strong.pk}")).to_contain_text("3 Feb 2025")
    expect(offers.locator(f"#offer-{possible.pk}")).to_be_hidden()  # folded under "possibly checked"
    expect(offers).not_to_contain_text("Other Desk")
    offers.locator("summary").click()
    expect(offers.locator(f"#offer-{possible.pk}")).to_contain_text("checked: 145% — this claim says 100%")
    expect(offers.locator(f"#offer-{possible.pk}")).to_contain_text("date unknown")
    screenshot(page, "previously-fact-checked")

    # c: the first undecided check is the same claim.
    page.keyboard.press("c")
    expect(panel.locator(".notice")).to_contain_text("Marked “Tariff Watch: Mostly True” as the same claim")
    evidence = panel.locator(".evidence-list .evidence-item")
    expect(evidence).to_have_count(1)
    expect(evidence).to_contain_text("Tariff Watch")
    expect(evidence.locator(".stance")).to_have_text("Supports")
    expect(evidence).to_contain_text("Published fact-check by Tariff Watch: rated “Mostly True”; reviewed 3 Feb 2025.")
    expect(evidence.locator("a")).to_have_attribute("href", "https://tariffwatch.example/checks/ev-tariff-2024")
    history = page.locator("#claim-history")
    expect(history.locator("li").first).to_contain_text("ana marked “Tariff Watch: Mostly True” as the same claim")
    expect(history).to_contain_text("ana added evidence (supports) tariffwatch.example")
    expect(page.locator(f"#claim-row-{target.pk}")).to_contain_text("1 evidence")
    expect(offers.locator(f"#offer-{strong.pk}")).to_contain_text("Same claim — confirmed by ana")
    # The verdict is proposed, not set.
    expect(page.locator(f"#hl-{target.pk}")).to_have_class(re.compile(r"\bv-unreviewed\b"))
    proposal = offers.locator(f"#offer-{strong.pk} .offer-proposal button")
    expect(proposal).to_have_text(re.compile("Set Verified"))
    screenshot(page, "previously-fact-checked-confirmed")

    # o (another claim: not the same) acts on the next undecided check in view once "possibly checked" is open;
    # it is hidden, then shown again.
    offers.locator("summary").click()
    expect(offers.locator(f"#offer-{possible.pk}").get_by_role("button", name=re.compile("^Not the same"))
           ).to_have_attribute("aria-keyshortcuts", "o")
    page.keyboard.press("o")
    expect(panel.locator(".notice")).to_contain_text("Marked “Auto Facts: Accurate” as not the same claim")
    expect(offers.locator(f"#offer-{possible.pk}")).to_have_count(0)
    expect(history.locator("li").first).to_contain_text("ana marked “Auto Facts: Accurate” as not the same claim")
    offers.get_by_role("link", name="Show 2 hidden").click()
    expect(offers.locator(".offers-hidden")).to_contain_text("Marked not the same by ana")
    offers.locator(".offers-hidden").scroll_into_view_if_needed()
    screenshot(page, "previously-fact-checked-hidden")
    offers.locator(f"#offer-{possible.pk}").get_by_role("button", name="Show it again").click()
    expect(offers.locator(f"#offer-{possible.pk}")).to_be_attached()
    expect(history.locator("li").first).to_contain_text("ana showed “Auto Facts: Accurate” again")

    # One click takes the proposed verdict, through the verdict action.
    offers.locator(f"#offer-{strong.pk} .offer-proposal button").click()
    expect(page.locator(f"#hl-{target.pk}")).to_have_class(re.compile(r"\bv-verified\b"))
    expect(history.locator("li").first).to_contain_text("ana set Verified")

    assert Evidence.objects.filter(claim=target).count() == 1
    assert [CheckOffer.objects.get(pk=o.pk).status for o in (strong, possible, rejected)] == [
        "confirmed", "offered", "rejected",
    ]
    print(page.console_errors)
    assert not [e for e in page.console_errors if "Content Security Policy" in e or "Refused" in e], page.console_errors


def test_a_viewer_sees_the_checks_and_the_keys_do_nothing(live_server, new_page, sign_in):
    UserFactory(username="vic", role=ROLE_VIEWERS)
    article, claims = make_article()
    strong, _, _ = offer_checks(claims[1])
    page = sign_in(new_page(), "vic")
    open_article(page, live_server, article, claims[1])
    offers = page.locator("#check-offers")
    expect(offers).to_contain_text("Tariff Watch")
    expect(offers.get_by_role("button")).to_have_count(0)
    page.keyboard.press("c")
    page.keyboard.press("o")
    expect(page.locator("#claim-panel .notice")).to_have_count(0)
    assert CheckOffer.objects.get(pk=strong.pk).status == "offered"
    assert not Evidence.objects.exists()
