"""Apply a verdict to a cluster in a real browser: the preview names the sibling a colleague already reviewed,
and after confirming, the changed claims update on the page without a reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from factcheck.models import Claim, ClaimCluster
from factcheck.permissions import ROLE_EDITORS, ROLE_FACT_CHECKERS
from factcheck.services.claims import claim_set_verdict
from tests.e2e.conftest import ARTIFACTS
from tests.factories import ArticleFactory, SourceFactory, UserFactory, claims_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_checker_applies_a_verdict_to_a_cluster_a_colleague_partly_reviewed(live_server, new_page, sign_in,
                                                                             screenshot):
    UserFactory(username="ana", role=ROLE_FACT_CHECKERS)
    bob = UserFactory(username="bob", role=ROLE_EDITORS)
    cluster = ClaimCluster.objects.create()
    mine = ArticleFactory(title="Ford says no to Xiaomi EV venture", source=SourceFactory(name="Automotive Daily"))
    claim, same_article = claims_for(mine, 2)
    (reviewed,) = claims_for(ArticleFactory(title="Ford denies talks with Xiaomi", source=SourceFactory(name="Reuters")), 1)
    (waiting,) = claims_for(ArticleFactory(title="Xiaomi and Ford: what we know", source=SourceFactory(name="CNBC")), 1)
    Claim.objects.filter(pk__in=[claim.pk, same_article.pk, reviewed.pk, waiting.pk]).update(cluster=cluster)
    claim_set_verdict(claim_id=reviewed.pk, actor=bob, verdict="verified",
                      rationale="Ford's spokesperson confirmed the denial to Reuters.", expected_version=1)

    page = sign_in(new_page(), "ana")
    page.goto(f"{live_server.url}/articles/{mine.pk}/?claim={claim.pk}")
    page.evaluate("window.__noReload = true")
    siblings = page.locator("#claim-siblings")
    expect(siblings).to_contain_text("Suggested:")

    siblings.get_by_role("button", name="Apply “Verified” to all in cluster").click()
    preview = page.locator("#cluster-preview .cluster-preview")
    expect(preview).to_contain_text("Will get “Verified” (2)")
    expect(preview).to_contain_text("Left as they are (1)")
    skipped = preview.locator(".preview-skipped")
    expect(skipped).to_contain_text("Reuters")
    expect(skipped).to_contain_text("Verified set by bob")
    expect(preview.locator(".preview-changes")).to_contain_text("CNBC")
    preview.scroll_into_view_if_needed()
    # caret="initial": the default hides the caret by styling the inputs, which the next htmx swap would copy
    # into the new panel as an inline style the Content-Security-Policy refuses.
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "cluster-apply-preview.png"), caret="initial")
    # Nothing changed yet.
    assert Claim.objects.get(pk=waiting.pk).verdict == "unreviewed"

    preview.get_by_role("button", name=re.compile("Confirm: set 3 claims")).click()
    panel = page.locator("#claim-panel")
    expect(panel.locator("#claim-conflicts .notice")).to_have_count(0)
    expect(panel.locator("#claim-siblings .notice")).to_contain_text("“Verified” applied to 3 claims. 1 left as it was.")
    # The rows and highlights of this article's changed claims, and the sibling list in the panel.
    for changed in (claim, same_article):
        expect(page.locator(f"#claim-row-{changed.pk}")).to_have_class(re.compile(r"\bv-verified\b"))
        expect(page.locator(f"#hl-{changed.pk}")).to_have_class(re.compile(r"\bv-verified\b"))
    expect(panel.locator(".panel-head .badge")).to_contain_text("Verified")
    sibling_rows = panel.locator("#claim-siblings .evidence-list .evidence-item")
    expect(sibling_rows.filter(has_text="Xiaomi and Ford: what we know").locator(".badge")).to_have_text("Verified")
    expect(sibling_rows.filter(has_text="Ford denies talks with Xiaomi").locator(".rationale")).to_contain_text("bob")
    expect(page.locator("#verdict-counters")).to_contain_text("Reviewed 2 of 2")
    assert page.evaluate("window.__noReload === true"), "the page was reloaded"
    panel.locator("#claim-siblings-title").scroll_into_view_if_needed()
    screenshot(page, "cluster-apply-done")

    assert Claim.objects.get(pk=reviewed.pk).verdict_by == bob
    assert Claim.objects.get(pk=waiting.pk).verdict == "verified"
    assert not [e for e in page.console_errors if "Content Security Policy" in e or "Refused" in e], page.console_errors
