"""No review step breaks the Content-Security-Policy: every console error and policy violation is recorded."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from factcheck.models import Evidence
from factcheck.permissions import ROLE_FACT_CHECKERS
from tests.e2e.test_workspace import make_article, open_article
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Runs before the page's own scripts, outside its policy: records where each violation came from.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.sourceFile || "") + ":" + e.lineNumber + " " + (e.sample || ""));
});
"""


def csp_problems(page) -> list[str]:
    refused = [e for e in page.console_errors if "Content Security Policy" in e or "Refused" in e]
    return refused + page.evaluate("window.__cspViolations || []")


def test_review_steps_raise_no_csp_error(live_server, new_page, sign_in, tmp_path):
    """A reviewer's keyboard steps, with screenshots taken the default way between them (Playwright hides the caret
    with a style attribute on the fields; htmx used to copy such attributes onto swapped content, which the policy
    refused seven times per verdict)."""
    UserFactory(username="ana", role=ROLE_FACT_CHECKERS)
    article, claims = make_article()
    page = new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, "ana")
    open_article(page, live_server, article)
    panel = page.locator("#claim-panel")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(panel).to_have_attribute("data-claim", str(claims[1].pk))

    # f without a rationale, then with one.
    page.keyboard.press("f")
    expect(panel.locator("#rationale-error")).to_contain_text("Give a rationale")
    page.keyboard.type("Raised to 145% in 2025.")
    page.screenshot(path=str(tmp_path / "rationale.png"))
    page.keyboard.press("Escape")
    page.keyboard.press("f")
    expect(page.locator(f"#hl-{claims[1].pk}")).to_have_class(re.compile(r"\bv-false\b"))
    assert csp_problems(page) == []

    # Evidence added from the keyboard: e, type, Enter.
    page.keyboard.press("e")
    page.keyboard.type("https://www.reuters.com/world/us/tariffs-chinese-evs-2025")
    page.keyboard.press("Enter")
    expect(panel.locator(".evidence-item")).to_contain_text("Reuters")
    assert Evidence.objects.filter(claim=claims[1]).count() == 1
    page.screenshot(path=str(tmp_path / "evidence.png"))
    assert csp_problems(page) == []

    # j / k / v / u across claims, and the shortcuts dialog.
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    expect(panel).to_have_attribute("data-claim", str(claims[2].pk))
    page.keyboard.press("v")
    expect(page.locator(f"#hl-{claims[2].pk}")).to_have_class(re.compile(r"\bv-verified\b"))
    page.keyboard.press("u")
    expect(page.locator(f"#hl-{claims[2].pk}")).to_have_class(re.compile(r"\bv-unreviewed\b"))
    page.keyboard.press("k")
    expect(panel).to_have_attribute("data-claim", str(claims[1].pk))
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    assert page.console_errors == []
    assert csp_problems(page) == []
