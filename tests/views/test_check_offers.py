"""The "Previously fact-checked" panel and its actions: same claim, not the same, show again."""

import datetime
import re

import pytest
from django.urls import reverse

from factcheck.models import CheckOffer, Evidence
from factcheck.services.check_offers import check_offer_reject
from tests.factories import CheckOfferFactory, PublishedCheckFactory, SourceFactory
from tests.views.conftest import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture
def offers(claim, editor):
    """A strong offer (PolitiFact, "Pants on Fire!"), a possible one with a reason, and one already rejected."""
    strong = CheckOfferFactory(
        claim=claim,
        score=0.93,
        published_check=PublishedCheckFactory(
            publisher=SourceFactory(name="PolitiFact"),
            url="https://www.politifact.com/factchecks/2024/may/14/ev-tariff/",
            claim_reviewed="Biden put a 100% tariff on Chinese EVs.",
            rating_label="Pants on Fire!",
            rating="false",
            review_date=datetime.date(2024, 5, 14),
        ),
    )
    possible = CheckOfferFactory(
        claim=claim,
        score=0.61,
        band="possible",
        reason="checked: 45% — this claim says 100%",
        published_check=PublishedCheckFactory(
            publisher=None, publisher_name="Full Fact", rating_label="Misleading", rating="mixed", review_date=None
        ),
    )
    hidden = CheckOfferFactory(
        claim=claim, score=0.8,
        published_check=PublishedCheckFactory(publisher_name="AFP Fact Check", headline="An unrelated check"),
    )
    check_offer_reject(offer_id=hidden.pk, claim_id=claim.pk, actor=editor)
    return strong, possible, hidden


def panel(client, claim, query=""):
    return client.get(reverse("factcheck:claim", args=[claim.pk]) + query, **HTMX).content.decode()


def offer_html(html: str, offer: CheckOffer) -> str:
    match = re.search(rf'<li id="offer-{offer.pk}".*?</li>', html, re.S)
    assert match, f"offer {offer.pk} is not in the panel"
    return match.group(0)


def test_panel_shows_strong_offers_as_already_checked_and_folds_possible_ones(client, checker, claim, offers):
    strong, possible, hidden = offers
    client.force_login(checker)
    html = panel(client, claim)

    assert "Previously fact-checked" in html
    first = offer_html(html, strong)
    assert html.index("Already checked") < html.index(f'id="offer-{strong.pk}"')
    assert "PolitiFact" in first and "“Pants on Fire!”" in first
    assert '<span class="badge r-false"' in first and ">False</span>" in first
    assert "14 May 2024" in first
    assert 'href="https://www.politifact.com/factchecks/2024/may/14/ev-tariff/"' in first
    assert 'data-offer-key="c" aria-keyshortcuts="c"' in first
    folded = html[html.index('<details class="offers-possible"'):html.index("</details>")]
    second = offer_html(folded, possible)
    assert "Full Fact" in second and "date unknown" in second
    assert "checked: 45% — this claim says 100%" in second
    assert "aria-keyshortcuts" not in second  # the keys act on the first undecided offer only
    assert f'id="offer-{hidden.pk}"' not in html
    assert "Show 1 hidden" in html


def test_show_hidden_lists_rejected_offers_with_show_again(client, checker, claim, offers):
    _, _, hidden = offers
    client.force_login(checker)
    item = offer_html(panel(client, claim, "?offers=hidden"), hidden)
    assert "Marked not the same by ed on" in item
    assert reverse("factcheck:check-offer-restore", args=[claim.pk, hidden.pk]) in item


def test_same_claim_swaps_the_panel_with_the_evidence_and_the_history(client, checker, claim, offers):
    strong, _, _ = offers
    client.force_login(checker)
    url = reverse("factcheck:check-offer-confirm", args=[claim.pk, strong.pk])
    response = client.post(url, **HTMX)
    html = response.content.decode()

    assert response.status_code == 200
    assert html.startswith('<section id="claim-panel"')
    assert "Marked “PolitiFact: Pants on Fire!” as the same claim and added it as evidence." in html
    evidence = Evidence.objects.get(claim=claim)
    assert f'id="evidence-{evidence.pk}"' in html
    assert "Same claim — confirmed by ana" in offer_html(html, strong)
    assert "<strong>ana</strong> marked “PolitiFact: Pants on Fire!” as the same claim" in html
    # The row in the claim list now counts the evidence (out of band).
    assert re.search(rf'<li id="claim-row-{claim.pk}"[^>]*hx-swap-oob="true"', html)
    assert "1 evidence" in html
    # A verdict is proposed, through the ordinary verdict action with the claim's version; none is set.
    proposal = offer_html(html, strong)
    assert f'hx-post="{reverse("factcheck:claim-verdict", args=[claim.pk])}"' in proposal
    assert 'name="verdict" value="false"' in proposal and 'name="version" value="1"' in proposal
    assert "Set False" in proposal
    claim.refresh_from_db()
    assert claim.verdict == "unreviewed"

    # Again (a double press): nothing more is attached.
    client.post(url, **HTMX)
    assert Evidence.objects.filter(claim=claim).count() == 1


def test_a_confirmation_can_be_taken_back(client, checker, claim, offers):
    strong, _, _ = offers
    client.force_login(checker)
    html = client.post(reverse("factcheck:check-offer-confirm", args=[claim.pk, strong.pk]), **HTMX).content.decode()
    undo = reverse("factcheck:check-offer-reject", args=[claim.pk, strong.pk])
    assert f'hx-post="{undo}"' in offer_html(html, strong)
    assert "Not the same after all (removes its evidence)" in offer_html(html, strong)
    html = client.post(undo, **HTMX).content.decode()
    assert "it is hidden here, and the evidence it added is removed." in html
    assert f'id="offer-{strong.pk}"' not in html
    evidence = Evidence.objects.get(claim=claim)
    assert evidence.removed_at is not None
    assert f'id="evidence-{evidence.pk}" class="evidence-item stance-refutes is-removed"' in html


def test_the_proposed_verdict_goes_through_the_verdict_action(client, checker, claim, offers):
    strong, _, _ = offers
    client.force_login(checker)
    html = client.post(reverse("factcheck:check-offer-confirm", args=[claim.pk, strong.pk]), **HTMX).content.decode()
    form = offer_html(html, strong)
    data = dict(re.findall(r'<input type="hidden" name="(verdict|version|rationale)" value="([^"]*)"', form))
    assert data["rationale"].startswith("Already checked: PolitiFact: Pants on Fire! on 14 May 2024.")
    response = client.post(reverse("factcheck:claim-verdict", args=[claim.pk]), data, **HTMX)
    claim.refresh_from_db()
    assert (claim.verdict, claim.verdict_by, claim.version) == ("false", checker, 2)
    assert "Set False" not in offer_html(response.content.decode(), strong)  # proposed and taken
    # Posted again with the old version, it is a conflict, not an overwrite.
    stale = client.post(reverse("factcheck:claim-verdict", args=[claim.pk]), {**data, "verdict": "verified"}, **HTMX)
    assert "Not saved: someone else changed this claim." in stale.content.decode()


def test_not_the_same_hides_the_offer(client, checker, claim, offers):
    strong, possible, _ = offers
    client.force_login(checker)
    response = client.post(reverse("factcheck:check-offer-reject", args=[claim.pk, strong.pk]), **HTMX)
    html = response.content.decode()
    assert "Marked “PolitiFact: Pants on Fire!” as not the same claim: it is hidden here." in html
    assert f'id="offer-{strong.pk}"' not in html
    assert "Show 2 hidden" in html
    # The keys now act on the next undecided offer.
    assert 'data-offer-key="c" aria-keyshortcuts="c"' in offer_html(html, possible)
    assert not Evidence.objects.filter(claim=claim).exists()


def test_show_again_brings_a_hidden_offer_back(client, checker, claim, offers):
    _, _, hidden = offers
    client.force_login(checker)
    html = client.post(reverse("factcheck:check-offer-restore", args=[claim.pk, hidden.pk]), **HTMX).content.decode()
    assert "“AFP Fact Check: False” is shown again." in html
    assert "Show again" not in offer_html(html, hidden)
    assert "Show 1 hidden" not in html


def test_another_claims_offer_is_refused_in_the_panel(client, checker, claim, offers, article):
    strong, _, _ = offers
    other = article.claim_list[0]
    client.force_login(checker)
    response = client.post(reverse("factcheck:check-offer-confirm", args=[other.pk, strong.pk]), **HTMX)
    assert response.status_code == 200  # htmx swaps the panel with the message
    assert "no longer offered on this claim" in response.content.decode()
    assert not Evidence.objects.exists()
    assert CheckOffer.objects.get(pk=strong.pk).status == "offered"


@pytest.mark.parametrize("name", ["factcheck:check-offer-confirm", "factcheck:check-offer-reject"])
def test_a_viewer_sees_the_panel_without_actions_and_is_refused(client, viewer, claim, offers, name):
    strong, _, _ = offers
    client.force_login(viewer)
    html = panel(client, claim)
    assert "Already checked" in html and "PolitiFact" in html
    assert "data-offer-key" not in html
    assert reverse(name, args=[claim.pk, strong.pk]) not in html
    response = client.post(reverse(name, args=[claim.pk, strong.pk]), **HTMX)
    assert response.status_code == 403
    assert CheckOffer.objects.get(pk=strong.pk).status == "offered"
    assert not Evidence.objects.exists()


def test_without_javascript_a_decision_redirects_to_the_claim(client, checker, claim, offers):
    strong, _, _ = offers
    client.force_login(checker)
    response = client.post(reverse("factcheck:check-offer-reject", args=[claim.pk, strong.pk]))
    assert response.status_code == 302
    assert response["Location"] == claim.get_absolute_url()


def test_a_get_is_not_allowed(client, checker, claim, offers):
    strong, _, _ = offers
    client.force_login(checker)
    assert client.get(reverse("factcheck:check-offer-confirm", args=[claim.pk, strong.pk])).status_code == 405
    assert CheckOffer.objects.get(pk=strong.pk).status == "offered"


def test_a_claim_without_offers_has_no_section(client, checker, claim):
    client.force_login(checker)
    assert "Previously fact-checked" not in panel(client, claim)
