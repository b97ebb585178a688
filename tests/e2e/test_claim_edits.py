"""In a real browser: a claim added from selected text, trimmed and split; a verdict undone with z; n and the
auto-advance across articles from the queue; a viewer without these controls; j after adding evidence."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from factcheck.models import Claim
from factcheck.permissions import ROLE_FACT_CHECKERS, ROLE_VIEWERS
from tests.e2e.test_workspace import BODY, assert_not_reloaded, make_article, open_article
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MISSED = "Xiaomi did not respond to a request for comment."
TARIFF = "The US imposed a 100% tariff on Chinese electric vehicles in 2024."

# Characters from..to of the first text node of the article holding `needle`: selected, or (point) where the first
# of them is drawn.
IN_TEXT = """([needle, from, to, point]) => {
    const walker = document.createTreeWalker(document.getElementById('article-text'), NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const i = node.data.indexOf(needle);
        if (i === -1) continue;
        const range = document.createRange();
        range.setStart(node, i + from);
        range.setEnd(node, i + (to === null ? needle.length : to));
        if (point) {
            const box = range.getBoundingClientRect();
            return [box.left + 1, box.top + box.height / 2];
        }
        window.getSelection().removeAllRanges();
        window.getSelection().addRange(range);
        return true;
    }
    return null;
}"""


def point(page, needle: str, at: int) -> tuple[float, float]:
    """Where the character `at` of `needle` is drawn (its left edge), to point the mouse at."""
    found = page.evaluate(IN_TEXT, [needle, at, at + 1, True])
    assert found, f"{needle!r} is not in the article text"
    return found[0], found[1]


def drag_mouse(page, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=8)
    page.mouse.up()


def select_text(page, needle: str, start: int = 0, end: int | None = None) -> None:
    """Select `needle` (or its characters start:end; start == end puts the caret there) in the article text."""
    assert page.evaluate(IN_TEXT, [needle, start, end, False]), f"{needle!r} is not in the article text"


def csp_errors(page) -> list[str]:
    return [e for e in page.console_errors if "Content Security Policy" in e or "Refused" in e]


def test_add_a_claim_from_selected_text_verdict_and_undo_then_trim_and_split(
    live_server, new_page, sign_in, screenshot
):
    UserFactory(username="ana", role=ROLE_FACT_CHECKERS)
    article, claims = make_article()
    Claim.objects.filter(pk=claims[2].pk).delete()  # the sentence extraction missed
    page = sign_in(new_page(1440, 900), "ana")
    open_article(page, live_server, article, claims[1])
    tools = page.locator("#span-tools")
    expect(tools.locator("#span-form")).to_be_hidden()

    # The selection takes in the space before the sentence; the server trims it to the exact offsets.
    select_text(page, " " + MISSED)
    form = tools.locator("#span-form")
    expect(form).to_be_visible()
    expect(form.locator("q")).to_have_text(MISSED)
    expect(form.get_by_role("button", name=re.compile("^Add as a claim"))).to_be_visible()
    expect(form.get_by_role("button", name=re.compile("^Split"))).to_be_hidden()
    screenshot(page, "claim-add-selection-1440")
    page.set_viewport_size({"width": 1280, "height": 720})
    screenshot(page, "claim-add-selection-1280")

    page.keyboard.press("a")
    panel = page.locator("#claim-panel")
    # The first claim added in a fresh process loads the scorer, the recogniser and the encoder (seconds).
    expect(panel.locator(".notice")).to_have_text("Claim added.", timeout=30_000)
    added = Claim.objects.get(article=article, text=MISSED)
    assert (added.start, added.end, added.origin) == (BODY.index(MISSED), BODY.index(MISSED) + len(MISSED), "added")
    expect(panel).to_have_attribute("data-claim", str(added.pk))
    expect(panel).to_contain_text("Added by a person")
    expect(page.locator(f"#claim-row-{added.pk}")).to_contain_text("by hand")
    expect(page.locator(f"#hl-{added.pk}")).to_have_text(re.compile("^" + re.escape(MISSED)))
    expect(page).to_have_url(re.compile(rf"\?claim={added.pk}$"))
    expect(page.locator("#verdict-counters")).to_contain_text("Reviewed 0 of 5")

    # A verdict, then z within the notice's few seconds.
    page.keyboard.press("v")
    toast = page.locator("#undo-toast")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("Marked “Verified”: Xiaomi did not respond to a request for comment.")
    expect(page.locator(f"#hl-{added.pk}")).to_have_class(re.compile(r"\bv-verified\b"))
    screenshot(page, "claim-undo-toast-1280")
    page.set_viewport_size({"width": 1440, "height": 900})
    screenshot(page, "claim-undo-toast-1440")
    page.keyboard.press("z")
    expect(page.locator(f"#hl-{added.pk}")).to_have_class(re.compile(r"\bv-unreviewed\b"))
    expect(panel.locator(".notice")).to_have_text("Undone: the claim is “Unreviewed” again.")
    expect(toast).to_be_hidden()
    expect(page.locator("#claim-history li").first).to_contain_text("ana undid the verdict")
    added.refresh_from_db()
    assert (added.verdict, added.verdict_by, added.version) == ("unreviewed", None, 3)

    # A click on a claim in the text still opens it.
    page.locator(f"#hl-{claims[3].pk}").click()
    expect(panel).to_have_attribute("data-claim", str(claims[3].pk))

    # Trim the tariff claim to its first words: drag the mouse over them in the claim (a link), then t.
    page.locator(f"#claim-row-{claims[1].pk} a").click()
    expect(panel).to_have_attribute("data-claim", str(claims[1].pk))
    drag_mouse(page, point(page, TARIFF, 0), point(page, TARIFF, len("The US imposed a 100% tariff")))
    expect(form.locator("q")).to_have_text("The US imposed a 100% tariff")
    expect(panel).to_have_attribute("data-claim", str(claims[1].pk))  # the drag opened nothing
    expect(form.get_by_role("button", name=re.compile("^Set as the claim's span"))).to_be_visible()
    page.keyboard.press("t")
    expect(panel.locator(".notice")).to_have_text("Span changed.")
    expect(panel.locator(".claim-text")).to_have_text("The US imposed a 100% tariff")
    expect(panel).to_contain_text("Span set by a person")

    # Split it where the caret is (a click in its text), then s.
    page.mouse.click(*point(page, "The US imposed a 100% tariff", len("The US imposed ")))
    split = form.get_by_role("button", name=re.compile("^Split the claim here"))
    expect(split).to_be_visible()
    expect(form.locator("q")).to_have_text("The US imposed ‖ a 100% tariff")
    screenshot(page, "claim-split-point")
    page.keyboard.press("s")
    expect(panel.locator(".notice")).to_contain_text("Claim split in two")
    expect(panel.locator(".claim-text")).to_have_text("The US imposed")
    parts = list(Claim.objects.filter(article=article, start__gte=BODY.index(TARIFF), end__lte=BODY.index(TARIFF) + 40)
                 .order_by("start").values_list("text", "origin"))
    assert parts == [("The US imposed", "edited"), ("a 100% tariff", "edited")]
    for claim in Claim.objects.filter(article=article):
        assert BODY[claim.start : claim.end] == claim.text
    expect(page.locator("#verdict-counters")).to_contain_text("of 6")
    assert_not_reloaded(page)
    assert not csp_errors(page), page.console_errors


def test_a_refused_selection_says_why(live_server, new_page, sign_in):
    UserFactory(username="ana", role=ROLE_FACT_CHECKERS)
    article, claims = make_article()
    page = sign_in(new_page(), "ana")
    open_article(page, live_server, article)
    select_text(page, "Ford denied the report", 5, 20)  # inside an existing claim, none selected
    page.keyboard.press("a")
    expect(page.locator("#span-errors")).to_contain_text("This overlaps the claim “Ford denied the report on Tuesday.”")
    assert Claim.objects.filter(article=article).count() == len(claims)


def test_a_viewer_sees_no_add_and_no_undo(live_server, new_page, sign_in):
    UserFactory(username="vic", role=ROLE_VIEWERS)
    article, claims = make_article()
    Claim.objects.filter(pk=claims[2].pk).delete()
    page = sign_in(new_page(), "vic")
    open_article(page, live_server, article, claims[1])
    select_text(page, MISSED)
    expect(page.locator("#span-tools")).to_have_count(0)
    expect(page.locator("#undo-toast")).to_have_count(0)
    expect(page.locator("[data-auto-advance]")).to_have_count(0)
    page.keyboard.press("a")
    page.keyboard.press("z")
    expect(page.locator("#claim-panel")).to_have_attribute("data-claim", str(claims[1].pk))
    assert not Claim.objects.filter(article=article, text=MISSED).exists()


def test_after_adding_evidence_j_moves_the_selection(live_server, new_page, sign_in):
    UserFactory(username="ana", role=ROLE_FACT_CHECKERS)
    article, claims = make_article()
    page = sign_in(new_page(), "ana")
    open_article(page, live_server, article, claims[1])
    panel = page.locator("#claim-panel")
    page.keyboard.press("e")
    panel.get_by_label("Link").fill("https://example.org/tariff-notice")
    panel.get_by_label("Link").press("Enter")
    expect(panel.locator(".notice")).to_have_text("Evidence added.")
    expect(page.locator(f"#claim-row-{claims[1].pk} .claim-link")).to_be_focused()
    page.keyboard.press("j")
    expect(panel).to_have_attribute("data-claim", str(claims[2].pk))
    expect(panel.get_by_label("Link")).to_have_value("")
    # n: the next unreviewed claim of this article, past a reviewed one.
    page.keyboard.press("v")
    expect(page.locator(f"#claim-row-{claims[2].pk}")).to_have_class(re.compile(r"\bv-verified\b"))
    page.keyboard.press("k")
    expect(panel).to_have_attribute("data-claim", str(claims[1].pk))
    page.keyboard.press("n")
    expect(panel).to_have_attribute("data-claim", str(claims[3].pk))


def test_n_and_auto_advance_follow_the_queue_across_articles_and_undo_still_works(
    live_server, new_page, sign_in, screenshot
):
    UserFactory(username="ana", role=ROLE_FACT_CHECKERS)
    first, second = ArticleFactory(title="First report"), ArticleFactory(title="Second report")
    a = ClaimFactory(article=first, score=0.95)
    b = ClaimFactory(article=second, score=0.9)
    c = ClaimFactory(article=first, score=0.85)
    page = sign_in(new_page(1440, 900), "ana")
    page.goto(f"{live_server.url}/queue/?kind=event")
    page.locator(f"#queue-claim-{a.pk} .claim-cell a").click()
    panel = page.locator("#claim-panel")
    expect(panel).to_have_attribute("data-claim", str(a.pk))
    expect(page.locator(".flow-toggle")).to_contain_text("n follows it")

    # n: the queue's next claim, in the other article.
    page.keyboard.press("n")
    expect(page).to_have_url(re.compile(rf"/articles/{second.pk}/\?claim={b.pk}&queue=kind%3Devent$"))
    expect(panel).to_have_attribute("data-claim", str(b.pk))

    # With auto-advance on, a verdict moves on to the queue's next (back in the first article); its undo
    # notice comes along, and z takes the verdict back on the claim it was set on.
    page.get_by_label("Next unreviewed after a verdict").check()
    page.keyboard.press("v")
    expect(page).to_have_url(re.compile(rf"/articles/{first.pk}/\?claim={c.pk}&queue="))
    expect(page.locator("#undo-toast")).to_contain_text(f"Marked “Verified”: {b.text[:30]}")
    expect(page.get_by_label("Next unreviewed after a verdict")).to_be_checked()
    screenshot(page, "queue-auto-advance-undo")
    assert Claim.objects.get(pk=b.pk).verdict == "verified"
    page.keyboard.press("z")
    expect(page).to_have_url(re.compile(rf"/articles/{second.pk}/\?claim={b.pk}$"))
    expect(page.locator(f"#hl-{b.pk}")).to_have_class(re.compile(r"\bv-unreviewed\b"))
    assert Claim.objects.get(pk=b.pk).verdict == "unreviewed"
    assert not csp_errors(page), page.console_errors
