"""Extraction in the application: idempotent, and human work survives re-extraction."""

import pytest
from django.db.models import F, Value
from django.db.models.functions import Concat

from factcheck import extraction
from factcheck.models import Article, Claim
from factcheck.services import claim_assign, claim_set_verdict, evidence_add
from factcheck.services.extraction import article_extract_claims
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

BODY = (
    "Ford denied the report on Tuesday, calling it completely false.\n\n"
    "The US imposed a 100% tariff on Chinese electric vehicles in 2024, according to the Commerce Department.\n\n"
    "Rep. John Moolenaar warned that joint ventures with Chinese companies often end badly for American firms.\n\n"
    "The International Energy Agency reports that China controls over 80 percent of global battery capacity.\n\n"
    "I think it's a lovely day."
)


def _spans(article):
    return list(Claim.objects.filter(article=article).order_by("start").values_list("pk", "start", "end", "text"))


def _assert_anchored(article):
    article.refresh_from_db()
    for claim in Claim.objects.filter(article=article):
        assert article.body[claim.start : claim.end] == claim.text


def test_extraction_creates_claims_and_marks_ready():
    article = ArticleFactory(body=BODY, status=Article.Status.QUEUED)
    result = article_extract_claims(article_id=article.pk)
    article.refresh_from_db()
    assert article.status == Article.Status.READY
    assert article.extraction_model_version == extraction.EXTRACTION_VERSION
    claims = list(Claim.objects.filter(article=article))
    assert result.created == len(claims) >= 3
    assert not any("lovely day" in c.text for c in claims)
    assert all(c.model_version == extraction.EXTRACTION_VERSION and 0 <= c.score <= 1 for c in claims)
    _assert_anchored(article)


def test_running_twice_gives_the_same_claims():
    article = ArticleFactory(body=BODY, status=Article.Status.QUEUED)
    article_extract_claims(article_id=article.pk)
    first = _spans(article)
    result = article_extract_claims(article_id=article.pk)
    assert _spans(article) == first
    assert result.created == 0 and result.removed == 0


def test_reextraction_keeps_human_work_and_reanchors_when_body_changes(checker, editor):
    article = ArticleFactory(body=BODY, status=Article.Status.QUEUED)
    article_extract_claims(article_id=article.pk)
    claims = list(Claim.objects.filter(article=article).order_by("start"))
    verdict_claim, evidence_claim, assigned_claim = claims[0], claims[1], claims[2]
    claim_set_verdict(claim_id=verdict_claim.pk, actor=checker, verdict="false", rationale="not so", expected_version=1)
    evidence_add(claim_id=evidence_claim.pk, actor=checker, url="https://example.org/x", stance="supports")
    claim_assign(claim_id=assigned_claim.pk, actor=editor, assignee=checker)
    # A model upgrade and a re-derived body that gained a new first paragraph.
    Claim.objects.filter(article=article).update(model_version="old-model", score=0.5)
    Article.objects.filter(pk=article.pk).update(body=Concat(Value("Updated at 10:00.\n\n"), F("body")))

    result = article_extract_claims(article_id=article.pk)

    assert result.reanchored == 3 and result.unanchored == 0
    kept = Claim.objects.in_bulk([verdict_claim.pk, evidence_claim.pk, assigned_claim.pk])
    assert len(kept) == 3
    assert kept[verdict_claim.pk].verdict == "false" and kept[verdict_claim.pk].rationale == "not so"
    assert kept[evidence_claim.pk].evidence.count() == 1
    assert kept[assigned_claim.pk].assignee == checker
    assert kept[verdict_claim.pk].start == verdict_claim.start + len("Updated at 10:00.\n\n")
    _assert_anchored(article)
    # Machine claims were refreshed to the current model; no span is claimed twice.
    machine = Claim.objects.filter(article=article).exclude(pk__in=kept)
    assert all(c.model_version == extraction.EXTRACTION_VERSION for c in machine)
    spans = sorted((c.start, c.end) for c in Claim.objects.filter(article=article))
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


def test_reviewed_claim_missing_from_new_body_is_kept_and_reported(checker):
    article = ArticleFactory(body=BODY, status=Article.Status.QUEUED)
    article_extract_claims(article_id=article.pk)
    claim = Claim.objects.filter(article=article).order_by("start").first()
    claim_set_verdict(claim_id=claim.pk, actor=checker, verdict="verified", expected_version=1)
    Article.objects.filter(pk=article.pk).update(body=BODY.replace(claim.text, "Completely different words here."))
    result = article_extract_claims(article_id=article.pk)
    assert result.unanchored == 1
    assert Claim.objects.filter(pk=claim.pk, verdict="verified").exists()
    article.refresh_from_db()
    assert "1 reviewed claim(s) no longer appear" in article.status_message


def test_extraction_of_deleted_article_is_a_no_op():
    article = ArticleFactory(body=BODY)
    pk = article.pk
    article.delete()
    assert article_extract_claims(article_id=pk) is None


def test_extraction_is_recorded_as_the_worker():
    article = ArticleFactory(body=BODY, status=Article.Status.QUEUED)
    article_extract_claims(article_id=article.pk)
    event = Claim.pgh_event_model.objects.filter(pgh_obj__article=article, pgh_label="insert").first()
    assert event.pgh_context.metadata["actor"] == "extraction worker"


def test_claims_carry_match_keys_kept_up_to_date(checker):
    from factcheck.services.matching import stored_match_keys

    article = ArticleFactory(body=BODY, status=Article.Status.QUEUED)
    article_extract_claims(article_id=article.pk)
    claims = list(Claim.objects.filter(article=article).select_related("article").order_by("start"))
    assert all(c.match_keys == stored_match_keys(c) for c in claims)
    assert f"e:ford@{article.created_at:%Y-%m}" in claims[0].match_keys

    # Keys missing (a claim stored before they existed): the next extraction fills them in, without history rows.
    Claim.objects.filter(article=article).update(match_keys=[])
    events = Claim.pgh_event_model.objects.filter(pgh_obj__article=article).count()
    article_extract_claims(article_id=article.pk)
    assert all(c.match_keys == stored_match_keys(c) for c in Claim.objects.filter(article=article).select_related("article"))
    assert Claim.pgh_event_model.objects.filter(pgh_obj__article=article).count() == events

    # A reviewed claim re-anchored to reworded text gets the keys of its new text.
    reviewed = claims[0]
    claim_set_verdict(claim_id=reviewed.pk, actor=checker, verdict="false", rationale="not so", expected_version=1)
    Claim.objects.filter(pk=reviewed.pk).update(match_keys=["stale"])
    reworded = reviewed.text.replace("denied", "rejected")
    Article.objects.filter(pk=article.pk).update(body=BODY.replace(reviewed.text, reworded))
    result = article_extract_claims(article_id=article.pk)
    assert result.reanchored == 1
    reviewed.refresh_from_db()
    assert reviewed.text == reworded and reviewed.match_keys == stored_match_keys(reviewed)
    assert reviewed.match_keys != ["stale"]


def test_claims_per_article_are_capped_with_the_most_check_worthy_kept_and_a_message(settings):
    settings.FACTDESK_MAX_CLAIMS_PER_ARTICLE = 2
    article = ArticleFactory(body=BODY, status=Article.Status.QUEUED)
    uncapped = extraction.extract_claims(BODY)
    assert len(uncapped) > 2
    result = article_extract_claims(article_id=article.pk)
    article.refresh_from_db()
    claims = list(Claim.objects.filter(article=article))
    assert result.created == len(claims) == 2
    best = sorted(uncapped, key=lambda c: -c.score)[:2]
    assert {c.text for c in claims} == {c.text for c in best}
    assert article.status == Article.Status.READY
    assert article.status_message == (
        f"This article has more candidate claims than the 2 kept per article; "
        f"the 2 most check-worthy are listed and {len(uncapped) - 2} were left out.")
    _assert_anchored(article)
