"""The workspace runs a fixed number of SQL queries, whatever the number of claims."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from factcheck.models import Article, Claim
from factcheck.services import claim_assign, claim_set_verdict, evidence_add
from factcheck.ingest import content_hash
from factcheck.services.check_offers import check_offer_confirm, check_offer_reject
from tests.factories import CheckOfferFactory, SourceFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
_serial = itertools.count()


def article_with_claims(n: int, *, actor, assignee) -> tuple[Article, Claim]:
    """An article of n sentences, a claim on each; the middle claim has evidence, history, an assignee and
    published checks offered (one confirmed, one rejected, two undecided)."""
    sentences = [f"Sentence {i} says the tariff was {i}% in {2000 + i % 25}." for i in range(n)]
    body = f"Heading {next(_serial)}\n\n" + "\n\n".join(" ".join(sentences[i : i + 4]) for i in range(0, n, 4))
    article = Article.objects.create(
        title=f"Article with {n} claims",
        body=body,
        headings=[[0, 7]],
        content_hash=content_hash(body),
        status=Article.Status.READY,
        source=SourceFactory(),
    )
    claims, position = [], 0
    for i, sentence in enumerate(sentences):
        start = body.index(sentence, position)
        position = start + len(sentence)
        claims.append(
            Claim(article=article, start=start, end=position, text=sentence, score=(i % 10) / 10, kinds=["quantity"],
                  facets={"numbers": [{"text": f"{i}%", "value": i, "unit": "%"}]})
        )
    claims = Claim.objects.bulk_create(claims)
    for other in claims[::3]:
        Claim.objects.filter(pk=other.pk).update(assignee=assignee, verdict="verified")
    selected = claims[n // 2]
    claim_assign(claim_id=selected.pk, actor=actor, assignee=assignee)
    seen = Claim.objects.get(pk=selected.pk).version  # a bulk verdict update above raises it too
    claim_set_verdict(claim_id=selected.pk, actor=actor, verdict="false", rationale="no", expected_version=seen)
    for i in range(3):
        evidence_add(claim_id=selected.pk, actor=actor, url=f"https://example.org/{i}", stance="refutes")
    add_offers(selected, 4, actor=actor)
    return article, selected


def add_offers(claim: Claim, n: int, *, actor) -> None:
    """n published checks offered on the claim, every other one possible; the first confirmed, the second rejected."""
    offers = [
        CheckOfferFactory(claim=claim, score=0.5 + i / 100, band="strong" if i % 2 else "possible") for i in range(n)
    ]
    check_offer_confirm(offer_id=offers[0].pk, claim_id=claim.pk, actor=actor)
    check_offer_reject(offer_id=offers[1].pk, claim_id=claim.pk, actor=actor)


def count_queries(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = func()
    assert response.status_code in (200, 302), response.content[:300]
    return len(ctx.captured_queries)


@pytest.fixture
def signed_in(client, editor):
    client.force_login(editor)
    return client


def test_article_workspace_with_panel_is_constant(signed_in, editor, checker):
    small, small_claim = article_with_claims(10, actor=editor, assignee=checker)
    large, large_claim = article_with_claims(200, actor=editor, assignee=checker)
    url = lambda a, c: reverse("factcheck:article", args=[a.pk]) + f"?claim={c.pk}"  # noqa: E731
    signed_in.get(url(small, small_claim))  # warm caches (content types, permissions)
    n_small = count_queries(lambda: signed_in.get(url(small, small_claim)))
    n_large = count_queries(lambda: signed_in.get(url(large, large_claim)))
    assert n_small == n_large
    # 12 before the "previously fact-checked" panel (the session, the user, the user's own and their groups'
    # permissions among them); it adds its offers and their decisions in the history; one more asks whether the
    # claim is in a published report (its verdict then needs a correction note); the notes add their threads and
    # their history.
    assert n_large <= 17, n_large


def test_claim_panel_fragment_is_constant(signed_in, editor, checker):
    _, small_claim = article_with_claims(10, actor=editor, assignee=checker)
    _, large_claim = article_with_claims(200, actor=editor, assignee=checker)
    url = lambda c: reverse("factcheck:claim", args=[c.pk])  # noqa: E731
    signed_in.get(url(small_claim), **HTMX)
    assert count_queries(lambda: signed_in.get(url(small_claim), **HTMX)) == count_queries(
        lambda: signed_in.get(url(large_claim), **HTMX)
    )


def test_claim_panel_does_not_grow_with_offered_checks(signed_in, editor, checker):
    _, claim = article_with_claims(10, actor=editor, assignee=checker)
    url = reverse("factcheck:claim", args=[claim.pk])
    signed_in.get(url, **HTMX)
    n_few = count_queries(lambda: signed_in.get(url, **HTMX))
    add_offers(claim, 12, actor=checker)
    assert count_queries(lambda: signed_in.get(url, **HTMX)) == n_few
    assert count_queries(lambda: signed_in.get(url + "?offers=hidden", **HTMX)) == n_few + 1


def test_offer_decision_is_constant(signed_in, editor, checker):
    _, small_claim = article_with_claims(10, actor=editor, assignee=checker)
    _, large_claim = article_with_claims(200, actor=editor, assignee=checker)

    def confirm(claim):
        offer = CheckOfferFactory(claim=claim, score=0.99)
        url = reverse("factcheck:check-offer-confirm", args=[claim.pk, offer.pk])
        return lambda: signed_in.post(url, **HTMX)

    assert count_queries(confirm(small_claim)) == count_queries(confirm(large_claim))


def test_queue_is_constant(signed_in, editor, checker):
    article_with_claims(10, actor=editor, assignee=checker)
    signed_in.get(reverse("factcheck:queue"))
    n_small = count_queries(lambda: signed_in.get(reverse("factcheck:queue")))
    article_with_claims(200, actor=editor, assignee=checker)
    n_large = count_queries(lambda: signed_in.get(reverse("factcheck:queue")))
    assert n_small == n_large
    assert n_large <= 8, n_large


def test_queue_level_filter_is_constant(signed_in, editor, checker):
    url = reverse("factcheck:queue") + "?level=look"
    article_with_claims(10, actor=editor, assignee=checker)
    small = signed_in.get(url).content.decode()
    n_small = count_queries(lambda: signed_in.get(url))
    article_with_claims(200, actor=editor, assignee=checker)
    large = signed_in.get(url).content.decode()
    n_large = count_queries(lambda: signed_in.get(url))
    assert n_small == n_large
    assert n_large <= 8, n_large
    # Scores 0.5, 0.6 and 0.7 of each ten are "Worth a look": the page fills up with them only.
    assert small.count('id="queue-claim-') == 3 and large.count('id="queue-claim-') == 50
    assert "Check first" not in large.split('id="queue-results"')[1]


def test_verdict_change_is_constant(signed_in, editor, checker):
    _, small_claim = article_with_claims(10, actor=editor, assignee=checker)
    _, large_claim = article_with_claims(200, actor=editor, assignee=checker)

    def post(claim):
        url = reverse("factcheck:claim-verdict", args=[claim.pk])
        version = Claim.objects.get(pk=claim.pk).version
        return lambda: signed_in.post(url, {"verdict": "verified", "version": version, "rationale": "ok"}, **HTMX)

    n_small = count_queries(post(small_claim))
    n_large = count_queries(post(large_claim))
    # session, user, the user's own and their groups' permissions; whether the claim is in a published report
    # (held FOR SHARE), update and read back (in a savepoint here); evidence, conflicts, offered checks, three of
    # history; counters; the claim's history read for the "verdict changed" notification, the notes and their
    # history
    assert n_small == n_large
    assert n_large <= 20, n_large
    large_claim.refresh_from_db()
    assert large_claim.verdict == "verified"


def test_inbox_is_constant(signed_in, editor, checker):
    article_with_claims(10, actor=editor, assignee=checker)
    signed_in.get(reverse("factcheck:inbox"))
    n_small = count_queries(lambda: signed_in.get(reverse("factcheck:inbox")))
    for _ in range(3):
        article_with_claims(40, actor=editor, assignee=checker)
    assert count_queries(lambda: signed_in.get(reverse("factcheck:inbox"))) == n_small

