"""A claim's history as readable sentences, whatever path made the change."""

import pytest
from django.db import connection
from django.urls import reverse

from factcheck.history import history_context
from factcheck.models import Claim
from factcheck.services import claim_assign, claim_set_verdict, evidence_add, evidence_remove
from factcheck.timeline import OUTSIDE, claim_timeline
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def sentences(claim):
    return [f"{e.who} {e.sentence}" + (f" — {e.quote}" if e.quote else "") for e in claim_timeline(claim_id=claim.pk)]


def test_readable_sentences_newest_first(editor, checker):
    article = ArticleFactory()
    with history_context(action="factcheck.claim.extracted", actor="extraction worker"):
        claim = Claim.objects.create(article=article, start=0, end=6, text=article.body[:6], score=0.5)
    claim_assign(claim_id=claim.pk, actor=editor, assignee=checker)
    claim_set_verdict(claim_id=claim.pk, actor=checker, verdict="false", rationale="tariff was 100%, not 145%", expected_version=1)
    evidence = evidence_add(claim_id=claim.pk, actor=checker, url="https://www.example.org/doc", stance="refutes")
    evidence_remove(evidence_id=evidence.pk, actor=checker, reason="duplicate")
    got = sentences(claim)
    # Events in one test transaction share a timestamp, so compare as a set, then check the extremes' order.
    assert set(got) == {
        "extraction worker extracted the claim",
        "ed assigned the claim to ana",
        "ana set False — tariff was 100%, not 145%",
        "ana added evidence (refutes) example.org",
        "ana removed evidence example.org — duplicate",
    }
    claim_events = [s for s in got if "evidence" not in s]
    assert claim_events == [
        "ana set False — tariff was 100%, not 145%",
        "ed assigned the claim to ana",
        "extraction worker extracted the claim",
    ]


def test_take_and_give_back(checker):
    article = ArticleFactory()
    claim = Claim.objects.create(article=article, start=0, end=6, text=article.body[:6])
    claim_assign(claim_id=claim.pk, actor=checker, assignee=checker)
    claim_assign(claim_id=claim.pk, actor=checker, assignee=None)
    assert sentences(claim)[:2] == ["ana gave the claim back", "ana took the claim"]
    assert sentences(claim)[-1] == f"{OUTSIDE} created the claim"


def test_changes_outside_the_workspace_say_so():
    article = ArticleFactory()
    claim = Claim.objects.create(article=article, start=0, end=6, text=article.body[:6])
    Claim.objects.filter(pk=claim.pk).update(verdict="verified")  # a shell: no context
    with connection.cursor() as cursor:
        cursor.execute("UPDATE factcheck_claim SET rationale = 'from psql' WHERE id = %s", [claim.pk])
    assert sentences(claim)[:2] == [
        f"{OUTSIDE} changed rationale from nothing to “from psql”",
        f"{OUTSIDE} changed verdict from Unreviewed to Verified",
    ]


def test_a_long_history_shows_the_newest_changes_and_the_rest_on_request(client, checker):
    from factcheck.models import Claim
    from factcheck.presenters import TIMELINE_SHOWN
    from tests.factories import ClaimFactory

    claim = ClaimFactory()
    for n in range(TIMELINE_SHOWN + 5):
        Claim.objects.filter(pk=claim.pk).update(rationale=f"note {n}")
    client.force_login(checker)
    url = reverse("factcheck:claim", args=[claim.pk])

    html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert html.count('class="tl-item') == TIMELINE_SHOWN
    assert f"note {TIMELINE_SHOWN + 4}" in html and "note 0" not in html
    assert "Show 6 earlier changes" in html  # 5 more updates and the insert

    full = client.get(url + "?history=all", HTTP_HX_REQUEST="true").content.decode()
    assert full.count('class="tl-item') == TIMELINE_SHOWN + 6
    assert "note 0" in full and "earlier change" not in full
