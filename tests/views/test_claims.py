"""The claim panel and its actions: verdict (with conflicts), assignment, evidence."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from factcheck.models import Claim, Conflict, Evidence
from factcheck.permissions import ROLE_FACT_CHECKERS
from factcheck.services import claim_assign, claim_set_verdict, evidence_add
from tests.factories import EvidenceFactory, SourceDomainFactory, UserFactory
from tests.views.conftest import HTMX

pytestmark = pytest.mark.django_db


def verdict_url(claim):
    return reverse("factcheck:claim-verdict", args=[claim.pk])


def events(claim, label="update"):
    return list(Claim.pgh_event_model.objects.filter(pgh_obj_id=claim.pk, pgh_label=label).order_by("pgh_id"))


# --- The panel ---------------------------------------------------------------------------------------------


def test_panel_fragment_for_htmx_and_full_page_otherwise(client, viewer, claim):
    client.force_login(viewer)
    url = reverse("factcheck:claim", args=[claim.pk])
    fragment = client.get(url, **HTMX).content.decode()
    assert fragment.startswith(f'<section id="claim-panel" class="panel" data-claim="{claim.pk}"')
    assert "<html" not in fragment and "claim-row-" not in fragment
    page = client.get(url).content.decode()
    assert "<html" in page and f'id="claim-row-{claim.pk}"' in page and 'id="claim-panel"' in page


def test_panel_shows_facets_and_kinds_tolerantly(client, viewer, claim):
    Claim.objects.filter(pk=claim.pk).update(
        kinds=["quantity", "rule"],
        facets={
            "numbers": [{"text": "100%", "value": 100, "unit": "%"}],
            "people": ["Jim Farley"],
            "organisations": ["Ford"],
            "quotes": [{"text": "no comment", "speaker": "A spokesperson"}],
        },
    )
    client.force_login(viewer)
    html = client.get(reverse("factcheck:claim", args=[claim.pk]), **HTMX).content.decode()
    for text in ("quantity", "100%", "Jim Farley", "Ford", "A spokesperson"):
        assert text in html
    Claim.objects.filter(pk=claim.pk).update(facets={"numbers": ["7"], "people": None})
    assert client.get(reverse("factcheck:claim", args=[claim.pk]), **HTMX).status_code == 200


# --- Verdicts ----------------------------------------------------------------------------------------------


def test_set_verdict_with_htmx_updates_panel_highlight_row_and_counters(client, checker, claim):
    client.force_login(checker)
    response = client.post(verdict_url(claim), {"verdict": "verified", "version": 1, "rationale": "Checked the register"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    claim.refresh_from_db()
    assert (claim.verdict, claim.version, claim.verdict_by, claim.rationale) == ("verified", 2, checker, "Checked the register")
    assert html.startswith('<section id="claim-panel"')
    assert 'name="version" value="2"' in html
    assert re.search(rf'<li id="claim-row-{claim.pk}" class="claim-row v-verified[^"]*" hx-swap-oob="true"', html)
    assert re.search(rf'<a id="hl-{claim.pk}" class="hl v-verified[^"]*"[^>]*hx-swap-oob="true"', html)
    assert '<div id="verdict-counters" class="counters" hx-swap-oob="true">' in html
    assert "Reviewed <strong>1</strong> of 5" in html
    trigger = json.loads(response["HX-Trigger"])
    assert trigger["verdictChanged"] == {
        "claim": claim.pk, "verdict": "verified", "label": "Verified", "marker": "✓",
        "undo": f"/claims/{claim.pk}/undo", "version": 2,
    }
    # The history entry was written, and the panel's timeline shows it.
    (event,) = events(claim)
    assert event.pgh_context.metadata["action"] == "factcheck.claim.verdict_changed"
    assert event.pgh_context.metadata["user"] == checker.pk
    assert "<strong>ana</strong> set Verified — “Checked the register”" in html


def test_verdict_row_keeps_the_claims_evidence_count_and_conflict_flag(client, checker, claim):
    """The row and panel after a verdict count live evidence and open conflicts as the article page does."""
    EvidenceFactory(claim=claim)
    EvidenceFactory(claim=claim, removed_at=timezone.now(), removal_reason="dead link")
    conflict = Conflict.objects.create(key="pct|100|145", kind="number", values=["100%", "145%"])
    conflict.claims.set([claim])
    Conflict.objects.create(key="old", kind="number", values=["1", "2"], status=Conflict.Status.RESOLVED).claims.set(
        [claim]
    )
    client.force_login(checker)
    html = client.post(verdict_url(claim), {"verdict": "verified", "version": 1}, **HTMX).content.decode()
    row = re.search(rf'<li id="claim-row-{claim.pk}".*?</li>', html, re.S).group(0)
    assert "<span>1 evidence</span>" in row and "⚑ Conflict" in row
    assert "Other articles disagree with this claim (open conflict)." in html
    page = client.get(claim.get_absolute_url()).content.decode()
    assert re.search(rf'<li id="claim-row-{claim.pk}".*?</li>', page, re.S).group(0).replace(
        ' hx-swap-oob="true"', ""
    ) == row.replace(' hx-swap-oob="true"', "")


def test_set_verdict_without_js_redirects_back_to_the_article(client, checker, claim):
    client.force_login(checker)
    response = client.post(verdict_url(claim), {"verdict": "not_claim", "version": 1})
    assert response.status_code == 302
    assert response["Location"] == reverse("factcheck:article", args=[claim.article_id]) + f"?claim={claim.pk}"
    claim.refresh_from_db()
    assert claim.verdict == "not_claim"


@pytest.mark.parametrize("verdict", ["false", "disputed"])
def test_false_and_disputed_need_a_rationale(client, checker, claim, verdict):
    client.force_login(checker)
    response = client.post(verdict_url(claim), {"verdict": verdict, "version": 1, "rationale": "  "}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Give a rationale" in html
    assert 'aria-invalid="true"' in html and "autofocus" in html
    assert "hx-swap-oob" not in html and "HX-Trigger" not in response
    claim.refresh_from_db()
    assert (claim.verdict, claim.version) == ("unreviewed", 1)
    assert events(claim) == []


def test_rationale_error_without_js_renders_the_page_with_the_message(client, checker, claim):
    client.force_login(checker)
    response = client.post(verdict_url(claim), {"verdict": "false", "version": 1})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and "Give a rationale" in html


def test_stale_version_shows_who_changed_it_and_carries_the_new_version(client, checker, editor, claim):
    claim_set_verdict(claim_id=claim.pk, actor=editor, verdict="verified", rationale="Register checked", expected_version=1)
    client.force_login(checker)
    response = client.post(
        verdict_url(claim), {"verdict": "false", "version": 1, "rationale": "It was 145%"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="conflict-message"' in html
    assert "Not saved: someone else changed this claim." in html
    assert 'ed set it to <span class="badge v-verified">Verified</span>' in html
    assert "“Register checked”" in html
    assert 'name="version" value="2"' in html
    assert "It was 145%" in html  # what the user typed is kept
    claim.refresh_from_db()
    assert (claim.verdict, claim.verdict_by, claim.version) == ("verified", editor, 2)
    # Retrying with the new version saves it.
    response = client.post(verdict_url(claim), {"verdict": "false", "version": 2, "rationale": "It was 145%"}, **HTMX)
    claim.refresh_from_db()
    assert (claim.verdict, claim.verdict_by, claim.version) == ("false", checker, 3)


def test_unknown_verdict_and_missing_version_are_form_errors(client, checker, claim):
    client.force_login(checker)
    assert "Select a valid choice" in client.post(verdict_url(claim), {"verdict": "maybe", "version": 1}, **HTMX).content.decode()
    response = client.post(verdict_url(claim), {"verdict": "verified"}, **HTMX)
    assert response.status_code == 200 and "Reload the claim" in response.content.decode()
    claim.refresh_from_db()
    assert claim.verdict == "unreviewed"


def test_viewer_cannot_set_verdict(client, viewer, claim):
    client.force_login(viewer)
    assert client.post(verdict_url(claim), {"verdict": "verified", "version": 1}, **HTMX).status_code == 403
    claim.refresh_from_db()
    assert claim.verdict == "unreviewed"


def test_outsider_gets_404_on_verdict(client, outsider, claim):
    client.force_login(outsider)
    assert client.post(verdict_url(claim), {"verdict": "verified", "version": 1}).status_code == 404


def test_verdict_refuses_get(client, checker, claim):
    client.force_login(checker)
    assert client.get(verdict_url(claim)).status_code == 405


def test_verdict_on_missing_claim_is_404(client, checker):
    client.force_login(checker)
    assert client.post(reverse("factcheck:claim-verdict", args=[999999]), {"verdict": "verified", "version": 1}).status_code == 404


# --- Assignment ---------------------------------------------------------------------------------------------


def test_checker_takes_and_gives_back(client, checker, claim):
    client.force_login(checker)
    url = reverse("factcheck:claim-assign", args=[claim.pk])
    html = client.post(url, {"assignee": checker.pk}, **HTMX).content.decode()
    claim.refresh_from_db()
    assert claim.assignee == checker
    assert "Give back" in html and "<strong>ana</strong> took the claim" in html
    assert f'id="claim-row-{claim.pk}"' in html and "→ ana" in html
    client.post(url, {"assignee": ""}, **HTMX)
    claim.refresh_from_db()
    assert claim.assignee is None
    assert (
        Claim.pgh_event_model.objects.filter(pgh_obj_id=claim.pk, pgh_context__metadata__action="factcheck.claim.assigned").count()
        == 2
    )


def test_checker_cannot_take_a_claim_someone_holds(client, checker, editor, claim):
    other = UserFactory(username="bo", role=ROLE_FACT_CHECKERS)
    claim_assign(claim_id=claim.pk, actor=editor, assignee=other)
    client.force_login(checker)
    response = client.post(reverse("factcheck:claim-assign", args=[claim.pk]), {"assignee": checker.pk}, **HTMX)
    assert response.status_code == 200
    assert "assigned to bo" in response.content.decode()
    claim.refresh_from_db()
    assert claim.assignee == other


def test_checker_cannot_assign_someone_else(client, checker, claim):
    other = UserFactory(username="bo", role=ROLE_FACT_CHECKERS)
    client.force_login(checker)
    assert client.post(reverse("factcheck:claim-assign", args=[claim.pk]), {"assignee": other.pk}).status_code == 403
    claim.refresh_from_db()
    assert claim.assignee is None


def test_editor_assigns_anyone_from_a_select(client, editor, checker, claim):
    client.force_login(editor)
    html = client.get(reverse("factcheck:claim", args=[claim.pk]), **HTMX).content.decode()
    assert f'<option value="{checker.pk}">ana</option>' in html
    html = client.post(reverse("factcheck:claim-assign", args=[claim.pk]), {"assignee": checker.pk}, **HTMX).content.decode()
    claim.refresh_from_db()
    assert claim.assignee == checker
    assert "<strong>ed</strong> assigned the claim to ana" in html


def test_assign_to_unknown_person_is_a_message(client, editor, claim):
    client.force_login(editor)
    response = client.post(reverse("factcheck:claim-assign", args=[claim.pk]), {"assignee": "999999"}, **HTMX)
    assert response.status_code == 200 and "not in the workspace" in response.content.decode()


# --- Evidence -------------------------------------------------------------------------------------------------


def test_add_evidence_matches_the_source_and_records_it(client, checker, claim):
    SourceDomainFactory(source__name="Reuters", source__reliability="high", domain="reuters.com")
    client.force_login(checker)
    response = client.post(
        reverse("factcheck:evidence-add", args=[claim.pk]),
        {"url": "https://www.reuters.com/world/tariffs", "stance": "refutes", "passage": "raised to 145%", "note": "wire copy"},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    evidence = Evidence.objects.get(claim=claim)
    assert (evidence.source.name, evidence.stance, evidence.added_by) == ("Reuters", "refutes", checker)
    assert "Reuters" in html and "Reliability: High" in html and "raised to 145%" in html
    assert 'target="_blank" rel="noopener noreferrer"' in html
    assert "<strong>ana</strong> added evidence (refutes) reuters.com — “wire copy”" in html
    assert "1 evidence" in html  # the list row, out of band
    assert Evidence.pgh_event_model.objects.filter(pgh_obj_id=evidence.pk, pgh_label="insert").count() == 1


def test_add_evidence_refuses_non_http_links(client, checker, claim):
    client.force_login(checker)
    response = client.post(
        reverse("factcheck:evidence-add", args=[claim.pk]), {"url": "javascript:alert(1)", "stance": "supports"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "starting with http:// or https://" in html
    assert 'value="javascript:alert(1)"' in html  # kept in the field for correction, escaped, never a link
    assert not Evidence.objects.filter(claim=claim).exists()


def test_add_evidence_refused_to_viewer(client, viewer, claim):
    client.force_login(viewer)
    response = client.post(reverse("factcheck:evidence-add", args=[claim.pk]), {"url": "https://example.org", "stance": "supports"})
    assert response.status_code == 403
    assert not Evidence.objects.exists()


def test_remove_evidence_keeps_it_struck_through_with_reason(client, checker, claim):
    evidence = evidence_add(claim_id=claim.pk, actor=checker, url="https://example.org/a", stance="supports")
    client.force_login(checker)
    response = client.post(reverse("factcheck:evidence-remove", args=[evidence.pk]), {"reason": "wrong document"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    evidence.refresh_from_db()
    assert evidence.removed_by == checker and evidence.removal_reason == "wrong document"
    assert "is-removed" in html and "Removed</strong> by ana" in html and "“wrong document”" in html
    assert "<strong>ana</strong> removed evidence example.org — “wrong document”" in html
    # Removing twice is a message, not an error page.
    again = client.post(reverse("factcheck:evidence-remove", args=[evidence.pk]), {"reason": "again"}, **HTMX)
    assert again.status_code == 200 and "already removed" in again.content.decode()


def test_remove_evidence_refused_to_viewer_and_outsider(client, viewer, outsider):
    evidence = EvidenceFactory()
    for user, status in ((viewer, 403), (outsider, 404)):
        client.force_login(user)
        assert client.post(reverse("factcheck:evidence-remove", args=[evidence.pk]), {"reason": "x"}).status_code == status
    evidence.refresh_from_db()
    assert evidence.removed_at is None


def test_remove_evidence_refuses_get(client, checker):
    client.force_login(checker)
    assert client.get(reverse("factcheck:evidence-remove", args=[EvidenceFactory().pk])).status_code == 405


def test_remove_evidence_without_a_reason_is_refused_on_the_server(client, checker, claim):
    evidence = evidence_add(claim_id=claim.pk, actor=checker, url="https://example.org/a", stance="supports")
    client.force_login(checker)
    response = client.post(reverse("factcheck:evidence-remove", args=[evidence.pk]), {"reason": "  "}, **HTMX)
    assert response.status_code == 200
    assert "Give a reason for removing this evidence." in response.content.decode()
    evidence.refresh_from_db()
    assert evidence.removed_at is None
