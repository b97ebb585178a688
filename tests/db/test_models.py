"""Database constraints refuse bad rows whatever wrote them."""

import pytest
from django.db import IntegrityError, transaction

from factcheck.models import Article, Claim, Evidence
from tests.factories import ArticleFactory, ClaimFactory, EvidenceFactory

pytestmark = pytest.mark.django_db


def _refused(make) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_claim_start_must_be_before_end():
    article = ArticleFactory()
    _refused(lambda: Claim.objects.create(article=article, start=10, end=10, text="x"))
    _refused(lambda: Claim.objects.create(article=article, start=12, end=3, text="x"))
    assert not Claim.objects.exists()


def test_claim_verdict_must_be_a_known_choice():
    claim = ClaimFactory()
    _refused(lambda: Claim.objects.filter(pk=claim.pk).update(verdict="probably"))
    claim.refresh_from_db()
    assert claim.verdict == Claim.Verdict.UNREVIEWED


def test_claim_score_between_zero_and_one():
    _refused(lambda: ClaimFactory(score=1.5))


def test_claim_span_is_unique_per_article():
    claim = ClaimFactory()
    _refused(lambda: Claim.objects.create(article=claim.article, start=claim.start, end=claim.end, text=claim.text))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "data:text/html,hi", "//example.org"])
def test_evidence_url_must_be_http(url):
    claim = ClaimFactory()
    _refused(lambda: Evidence.objects.create(claim=claim, url=url, stance=Evidence.Stance.SUPPORTS))


def test_evidence_http_and_https_accepted():
    assert EvidenceFactory(url="http://example.org/a").pk
    assert EvidenceFactory(url="HTTPS://Example.org/b").pk


def test_evidence_stance_must_be_known():
    _refused(lambda: EvidenceFactory(stance="agrees"))


def test_duplicate_article_text_refused():
    article = ArticleFactory()
    _refused(lambda: ArticleFactory(body="other", content_hash=article.content_hash))
    assert Article.objects.count() == 1


def test_article_status_must_be_known_and_body_not_empty():
    article = ArticleFactory()
    _refused(lambda: Article.objects.filter(pk=article.pk).update(status="done"))
    _refused(lambda: ArticleFactory(body=""))
