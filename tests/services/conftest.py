from __future__ import annotations

import pytest


def build_article(title: str, text: str, source_name: str, **extra):
    """An article stored the way an upload stores it: normalised body and headings, its outlet as source."""
    from factcheck.ingest.normalise import normalise
    from tests.factories import ArticleFactory, SourceFactory

    norm = normalise(text, title=title)
    return ArticleFactory(
        title=title,
        body=norm.body,
        headings=[list(span) for span in norm.headings],
        origin=f"{source_name.lower().replace(' ', '-')}.txt",
        source=SourceFactory(name=source_name),
        **extra,
    )


def extracted_and_matched(stories: list[tuple[str, str, str]]) -> list:
    """Each (outlet, title, text) stored, extracted by the real extractor and matched, one by one in upload order."""
    from factcheck.services.extraction import article_extract_claims
    from factcheck.services.matching import article_match_claims

    articles = []
    for outlet, title, text in stories:
        article = build_article(title, text, outlet)
        article_extract_claims(article_id=article.pk)
        article_match_claims(article_id=article.pk)
        articles.append(article)
    return articles


@pytest.fixture
def seed_story(db):
    """The five seed articles, extracted by the real extractor and matched one by one in upload order."""
    from tests.builders.seed_articles import SEED_ARTICLES

    return extracted_and_matched(SEED_ARTICLES)


@pytest.fixture
def port_strike_story(db):
    """A second story (tests/builders/port_strike_articles.py), five outlets, handled as the seed story is."""
    from tests.builders.port_strike_articles import PORT_STRIKE_ARTICLES

    return extracted_and_matched(PORT_STRIKE_ARTICLES)


@pytest.fixture(params=["seed_story", "port_strike_story"], ids=["seed", "port-strike"])
def story(request):
    """Each story in turn, for what holds whatever the story."""
    return request.getfixturevalue(request.param)
