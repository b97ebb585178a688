"""The review workspace in a real browser: keyboard review, evidence, read-only members, conflicts."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from factcheck.models import Article, Claim, Evidence, Source, SourceDomain
from factcheck.permissions import ROLE_EDITORS, ROLE_FACT_CHECKERS, ROLE_VIEWERS
from factcheck.ingest import content_hash
from tests.factories import ArticleFactory, UserFactory, claims_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BODY = """Ford and Xiaomi held talks

Ford denied the report on Tuesday. The US imposed a 100% tariff on Chinese electric vehicles in 2024. Xiaomi did not respond to a request for comment.

Jim Farley imported a Xiaomi SU7 for personal use. China controls over 80 percent of global battery production capacity.
"""


def make_article() -> tuple[Article, list[Claim]]:
    source = Source.objects.create(name="Automotive Daily", reliability="mixed")
    reuters = Source.objects.create(name="Reuters", reliability="high")
    SourceDomain.objects.create(source=reuters, domain="reuters.com")
    article = Article.objects.create(
        title="Ford and Xiaomi discussed an EV partnership",
        body=BODY,
        headings=[[0, 26]],
        content_hash=content_hash(BODY),
        status=Article.Status.READY,
        source=source,
        byline="Staff reporter",
    )
    claims = claims_for(article)
    Claim.objects.filter(pk=claims[1].pk).update(
        score=0.93,
        kinds=["quantity", "rule"],
        facets={"numbers": [{"text": "100%", "value": 100, "unit": "%"}], "organisations": ["US"], "dates": [{"text": "2024", "year": 2024}]},
    )
    Claim.objects.filter(pk=claims[3].pk).update(facets={"people": ["Jim Farley"], "organisations": ["Xiaomi"]})
    return article, claims


def open_article(page, live_server, article, claim=None):
    url = f"{live_server.url}/articles/{article.pk}/" + (f"?claim={claim.pk}" if claim else "")
    page.goto(url)
    page.evaluate("window.__noReload = true")


def assert_not_reloaded(page):
    assert page.evaluate("window.__noReload === true"), "the page was reloaded"


def test_checker_reviews_a_claim_with_the_keyboard(live_server, new_page, sign_in, screenshot):
    UserFactory(username="ana", role=ROLE_FACT_CHECKERS)
    article, claims = make_article()
    ArticleFactory(title="Xiaomi SU7 orders pass 200,000", status=Article.Status.EXTRACTING)
    page = sign_in(new_page(), "ana")
    screenshot(page, "inbox")

    open_article(page, live_server, article)
    expect(page.locator("#claim-panel")).to_contain_text("No claim selected")
    page.keyboard.press("j")
    expect(page.locator("#claim-panel")).to_have_attribute("data-claim", str(claims[0].pk))
    page.keyboard.press("j")
    target = claims[1]
    panel = page.locator("#claim-panel")
    expect(panel).to_have_attribute("data-claim", str(target.pk))
    expect(page).to_have_url(re.compile(rf"\?claim={target.pk}$"))
    expect(page.locator(f"#claim-row-{target.pk}")).to_have_class(re.compile("is-selected"))

    # f without a rationale: the server refuses and the rationale gets the focus.
    page.keyboard.press("f")
    expect(panel.locator("#rationale-error")).to_contain_text("Give a rationale")
    expect(panel.get_by_label("Rationale")).to_be_focused()
    # Typing "f" in the field types, it doesn't trigger the shortcut.
    page.keyboard.type("The tariff was raised to 145% in 2025, not 100% in 2024; see the Federal Register.")
    page.keyboard.press("Escape")
    page.keyboard.press("f")

    highlight = page.locator(f"#hl-{target.pk}")
    expect(highlight).to_have_class(re.compile(r"\bv-false\b"))
    expect(highlight.locator(".hl-marker")).to_have_text("✗")
    expect(page.locator(f"#claim-row-{target.pk}")).to_contain_text("False")
    expect(page.locator("#verdict-counters")).to_contain_text("Reviewed 1 of 5")
    expect(page.locator("#verdict-counters .v-false")).to_contain_text("1")
    expect(page.locator("#claim-history li").first).to_contain_text("ana set False — “The tariff was raised to 145%")
    claim = Claim.objects.get(pk=target.pk)
    assert (claim.verdict, claim.verdict_by.username) == ("false", "ana")

    # e focuses the evidence link; add refuting evidence from a known source.
    page.keyboard.press("e")
    url_field = panel.get_by_label("Link")
    expect(url_field).to_be_focused()
    url_field.fill("https://www.reuters.com/world/us/tariffs-chinese-evs-2025")
    panel.get_by_label("Quoted passage").fill("The administration raised the tariff to 145%.")
    panel.get_by_label("Refutes").check()
    panel.get_by_label("Note optional", exact=True).fill("wire report")
    panel.get_by_role("button", name="Add evidence").click()
    expect(panel.locator(".evidence-item")).to_contain_text("Reuters")
    expect(panel.locator(".evidence-item .reliability")).to_have_text("Reliability: High")
    expect(panel.locator(".evidence-item a")).to_have_attribute("rel", "noopener noreferrer")
    expect(page.locator("#claim-history li").first).to_contain_text("ana added evidence (refutes) reuters.com")
    expect(page.locator(f"#claim-row-{target.pk}")).to_contain_text("1 evidence")
    assert Evidence.objects.filter(claim=target, stance="refutes", source__name="Reuters").exists()

    # v marks the next claim Verified straight away.
    page.keyboard.press("j")
    expect(panel).to_have_attribute("data-claim", str(claims[2].pk))
    page.keyboard.press("v")
    expect(page.locator(f"#hl-{claims[2].pk}")).to_have_class(re.compile(r"\bv-verified\b"))
    expect(page.locator("#verdict-counters")).to_contain_text("Reviewed 2 of 5")

    # Back to the claim with evidence for the screenshot; ? opens the shortcuts.
    page.locator(f"#claim-row-{target.pk} a").click()
    expect(panel).to_have_attribute("data-claim", str(target.pk))
    assert_not_reloaded(page)
    screenshot(page, "article-workspace")
    screenshot(page, "article-workspace-full", full_page=True)
    page.set_viewport_size({"width": 1024, "height": 800})
    screenshot(page, "article-workspace-1024")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    screenshot(page, "shortcuts")
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts")).to_be_hidden()
    assert not [e for e in page.console_errors if "Content Security Policy" in e or "Refused" in e], page.console_errors

    page.goto(f"{live_server.url}/queue/")
    expect(page.locator(".queue-table")).to_contain_text("100% tariff")
    screenshot(page, "queue")
    page.get_by_label("Search claims and articles").fill("tariff")
    page.get_by_label("Search claims and articles").press("Enter")
    expect(page.locator("#search-results mark").first).to_be_visible()
    screenshot(page, "search")


def test_viewer_sees_no_controls_and_a_forged_post_is_refused(live_server, new_page, sign_in):
    UserFactory(username="vic", role=ROLE_VIEWERS)
    article, claims = make_article()
    page = sign_in(new_page(), "vic")
    open_article(page, live_server, article, claims[1])
    panel = page.locator("#claim-panel")
    expect(panel).to_contain_text("100% tariff")
    expect(panel.locator("[data-verdict-key]")).to_have_count(0)
    expect(panel.locator("form")).to_have_count(0)
    expect(page.get_by_text("Delete this article")).to_have_count(0)
    page.keyboard.press("f")  # nothing to click
    expect(panel).not_to_contain_text("Give a rationale")
    status = page.evaluate(
        """async (url) => {
            const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
            const body = new URLSearchParams({verdict: 'verified', version: '1'});
            const response = await fetch(url, {method: 'POST', body, headers: {'X-CSRFToken': token}});
            return response.status;
        }""",
        f"/claims/{claims[1].pk}/verdict",
    )
    assert status == 403
    assert Claim.objects.get(pk=claims[1].pk).verdict == "unreviewed"


def test_two_people_on_one_claim_the_second_sees_a_conflict(live_server, new_page, sign_in, screenshot):
    UserFactory(username="ana", role=ROLE_FACT_CHECKERS)
    UserFactory(username="ed", role=ROLE_EDITORS)
    article, claims = make_article()
    target = claims[1]
    ana = sign_in(new_page(), "ana")
    ed = sign_in(new_page(), "ed")
    open_article(ana, live_server, article, target)
    open_article(ed, live_server, article, target)

    ed.locator("#claim-panel").get_by_label("Rationale").fill("Matches the 2024 Federal Register notice.")
    ed.locator("#claim-panel").get_by_role("button", name=re.compile("Verified")).click()
    expect(ed.locator(f"#hl-{target.pk}")).to_have_class(re.compile(r"\bv-verified\b"))

    panel = ana.locator("#claim-panel")
    panel.get_by_label("Rationale").fill("It was 145% by 2025.")
    panel.get_by_role("button", name=re.compile("False")).click()
    message = panel.locator("#conflict-message")
    expect(message).to_contain_text("Not saved: someone else changed this claim.")
    expect(message).to_contain_text("ed set it to Verified")
    expect(message).to_contain_text("Matches the 2024 Federal Register notice.")
    expect(panel.get_by_label("Rationale")).to_have_value("It was 145% by 2025.")
    # Ana's page now shows the claim as it is: Verified, everywhere.
    expect(ana.locator(f"#hl-{target.pk}")).to_have_class(re.compile(r"\bv-verified\b"))
    screenshot(ana, "conflict")
    claim = Claim.objects.get(pk=target.pk)
    assert (claim.verdict, claim.verdict_by.username) == ("verified", "ed")

    # Retrying saves, because the form now carries the new version.
    panel.get_by_role("button", name=re.compile("False")).click()
    expect(ana.locator(f"#hl-{target.pk}")).to_have_class(re.compile(r"\bv-false\b"))
    expect(panel).not_to_contain_text("Not saved")
    claim.refresh_from_db()
    assert (claim.verdict, claim.verdict_by.username, claim.version) == ("false", "ana", 3)


def test_background_polls_never_hold_back_the_keys(live_server, new_page, sign_in):
    """The bell and the work-status banner poll in the background: while their answers are on the way, every key
    still acts (keys pressed while the page is busy wait for it to settle, and only the last one is kept)."""
    UserFactory(username="ana", role=ROLE_FACT_CHECKERS)
    article, claims = make_article()
    page = sign_in(new_page(), "ana")
    held = []

    def hold(route):  # never answered: the polls stay on their way
        held.append(route)

    page.route(re.compile(r"/(notifications/count|status/work)"), hold)
    open_article(page, live_server, article)
    page.wait_for_function("document.querySelectorAll('.htmx-request').length >= 1")
    assert held  # both polls are on their way, and stay so
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator("#claim-panel")).to_have_attribute("data-claim", str(claims[1].pk))


def test_article_page_polls_its_status_then_loads_the_claims_once(live_server, new_page, sign_in):
    """While extraction runs, the page polls a small status fragment (not itself); when extraction is done the
    polling stops (286) and the claims are loaded once, without reloading the page."""
    UserFactory(username="ana", role=ROLE_FACT_CHECKERS)
    article = ArticleFactory(title="Awaiting its claims", body=BODY, status=Article.Status.EXTRACTING)
    page = sign_in(new_page(), "ana")
    page_path, status_path = f"/articles/{article.pk}/", f"/articles/{article.pk}/status"
    asked = []
    page.on("request", lambda request: asked.append(urlparse(request.url).path) if request.headers.get("hx-request")
            else None)

    open_article(page, live_server, article)
    expect(page.locator("#article-status")).to_contain_text("Extracting")
    with page.expect_response(lambda response: urlparse(response.url).path == status_path):
        pass
    assert page_path not in asked  # polling asks for the status only

    claims = claims_for(article)
    Article.objects.filter(pk=article.pk).update(status=Article.Status.READY)
    expect(page.locator(f"#hl-{claims[1].pk}")).to_be_visible()
    expect(page.locator("#article-status")).to_have_count(0)
    expect(page.locator("#claims-title .count")).to_have_text(str(len(claims)))
    assert_not_reloaded(page)
    assert asked.count(page_path) == 1

    # Stopped: no status request follows, however long the page stays open (a poll was due every 2 s).
    polls = asked.count(status_path)
    page.wait_for_timeout(3_000)
    assert asked.count(status_path) == polls and asked.count(page_path) == 1
