import pytest

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def article(db):
    """An article with five claims on its five sentences, a heading, and a second paragraph."""
    from factcheck.models import Article
    from factcheck.ingest import content_hash
    from tests.factories import SENTENCES, SourceFactory, claims_for

    body = "Ford and Xiaomi\n\n" + " ".join(SENTENCES[:3]) + "\n\n" + " ".join(SENTENCES[3:]) + " <script>alert(1)</script>"
    article = Article.objects.create(
        title="Ford & Xiaomi <talks>",
        body=body,
        headings=[[0, len("Ford and Xiaomi")]],
        content_hash=content_hash(body),
        status=Article.Status.READY,
        source=SourceFactory(name="Daily Wire Service"),
    )
    article.claim_list = claims_for(article)
    return article


@pytest.fixture
def claim(article):
    return article.claim_list[1]  # "The US imposed a 100% tariff ..."
