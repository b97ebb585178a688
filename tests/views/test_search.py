"""Full-text search over claims and articles."""

import pytest
from django.db import connection, transaction
from django.urls import reverse

from factcheck import selectors
from factcheck.models import Article, Claim
from factcheck.services import claim_set_verdict
from tests.factories import ArticleFactory, ClaimFactory
from tests.views.conftest import HTMX

pytestmark = pytest.mark.django_db


def test_finds_claims_by_text_and_rationale_and_highlights(client, checker):
    tariff = ClaimFactory(sentence="The US imposed a 100% tariff on Chinese electric vehicles in 2024.")
    other = ClaimFactory(sentence="Ford denied the report on Tuesday.")
    claim_set_verdict(claim_id=other.pk, actor=checker, verdict="false", rationale="Ford confirmed the tariffs talk", expected_version=1)
    client.force_login(checker)
    html = client.get(reverse("factcheck:search"), {"q": "tariffs"}).content.decode()
    assert tariff.get_absolute_url().replace("&", "&amp;") in html or tariff.get_absolute_url() in html
    assert "<mark>tariff</mark>" in html
    assert "<mark>tariffs</mark>" in html  # in the rationale
    assert other.get_absolute_url() in html


def test_finds_articles_by_title_and_body(client, viewer):
    article = ArticleFactory(title="Xiaomi and Ford talks")
    client.force_login(viewer)
    html = client.get(reverse("factcheck:search"), {"q": "Xiaomi"}).content.decode()
    assert reverse("factcheck:article", args=[article.pk]) in html
    assert "<mark>Xiaomi</mark> and Ford talks" in html


def test_headlines_are_escaped(client, viewer):
    body = "<b>bold</b> claim about tariffs & <script>x</script> more."
    from factcheck.ingest import content_hash

    Article.objects.create(title="<i>T</i> tariffs", body=body, content_hash=content_hash(body), status="ready")
    client.force_login(viewer)
    html = client.get(reverse("factcheck:search"), {"q": "tariffs"}).content.decode()
    assert "<script>x</script>" not in html and "<b>bold</b>" not in html
    import re

    (result,) = re.findall(r'<p class="result-body">(.*?)</p>', html)
    # PostgreSQL drops markup tags from headlines; what is left is escaped text and our own <mark>.
    assert re.sub(r"</?mark>", "", result).count("<") == 0
    assert "&amp;" in result
    assert "<mark>tariffs</mark>" in html


def test_empty_query_and_htmx_fragment(client, viewer):
    client.force_login(viewer)
    assert "Type words" in client.get(reverse("factcheck:search")).content.decode()
    html = client.get(reverse("factcheck:search"), {"q": "ford"}, HTTP_HX_TARGET="search-results", **HTMX).content.decode()
    assert html.startswith('<div id="search-results"') and "<html" not in html


def test_query_uses_the_gin_indexes():
    from django.contrib.postgres.search import SearchQuery

    query = SearchQuery("tariff", config="english", search_type="websearch")
    with transaction.atomic(), connection.cursor() as cursor:
        # Only a bitmap scan is left: the plan shows whether an index serves the match (a btree cannot).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        claim_plan = Claim.objects.filter(search=query).order_by().explain()
        article_plan = Article.objects.filter(search=query).order_by().explain()
    assert "claim_search_idx" in claim_plan
    assert "article_search_idx" in article_plan


def test_outsider_404(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("factcheck:search"), {"q": "x"}).status_code == 404
