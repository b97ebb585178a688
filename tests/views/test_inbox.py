"""The inbox: counts, progress, filters, sorting, pagination and live rows."""

import re

import pytest
from django.urls import reverse

from factcheck.models import Article, Claim, Conflict
from tests.factories import ArticleFactory, UserFactory, claims_for
from tests.views.conftest import HTMX

pytestmark = pytest.mark.django_db


def rows(html):
    return [int(i) for i in re.findall(r'id="article-row-(\d+)"', html)]


def test_rows_show_counts_progress_and_status(client, viewer):
    article = ArticleFactory(title="Tariff story")
    claims = claims_for(article)
    Claim.objects.filter(pk__in=[claims[0].pk, claims[1].pk]).update(verdict="false")
    Claim.objects.filter(pk=claims[2].pk).update(verdict="verified")
    client.force_login(viewer)
    html = client.get(reverse("factcheck:inbox")).content.decode()
    assert "Tariff story" in html and article.source.name in html
    assert '<progress max="5" value="3"' in html and "3 / 5 reviewed" in html
    assert "✗</span> 2" in html and "✓</span> 1" in html
    assert "Upload articles" not in html  # viewers don't upload


def test_filters_and_sort(client, editor):
    uploader = UserFactory(username="up")
    a = ArticleFactory(title="Alpha", uploaded_by=uploader)
    b = ArticleFactory(title="Bravo", status=Article.Status.EXTRACTING)
    c = ArticleFactory(title="Charlie zeppelin")
    claims_for(a, 2)
    (cb,) = claims_for(c, 1)
    Claim.objects.filter(article=a).update(verdict="verified")
    conflict = Conflict.objects.create(key="k", kind="number", values=["100%", "145%"])
    conflict.claims.add(cb)
    client.force_login(editor)
    get = lambda **q: rows(client.get(reverse("factcheck:inbox"), q).content.decode())  # noqa: E731
    assert get(status="extracting") == [b.pk]
    assert get(uploader=uploader.pk) == [a.pk]
    assert get(source=a.source_id) == [a.pk]
    assert get(unreviewed="1") == [c.pk]
    assert get(conflicts="1") == [c.pk]
    assert get(q="zeppelin") == [c.pk]
    assert get(sort="title") == [a.pk, b.pk, c.pk]
    assert get(sort="oldest") == [a.pk, b.pk, c.pk]
    assert get() == [c.pk, b.pk, a.pk]
    html = client.get(reverse("factcheck:inbox"), {"conflicts": "1"}, HTTP_HX_TARGET="inbox-results", **HTMX).content.decode()
    assert html.startswith('<div id="inbox-results">') and "Conflicts" in html


def next_cursor(html):
    found = re.search(r'after=([\w-]+)" [^>]*rel="next"|after=([\w-]+)"[^>]*rel="next"', html)
    return (found.group(1) or found.group(2)) if found else None


def all_pages(client, params):
    """Every row of the inbox, following the Next links from the first page."""
    seen, cursor = [], None
    while True:
        html = client.get(reverse("factcheck:inbox"), {**params, **({"after": cursor} if cursor else {})}).content
        seen += rows(html.decode())
        cursor = next_cursor(html.decode())
        if cursor is None:
            return seen


def test_paginates_by_cursor_without_counting(client, viewer):
    for _ in range(27):
        ArticleFactory()
    client.force_login(viewer)
    first = client.get(reverse("factcheck:inbox")).content.decode()
    assert len(rows(first)) == 25 and "Articles 1–25 of many" in first
    second = client.get(reverse("factcheck:inbox"), {"after": next_cursor(first)}).content.decode()
    assert len(rows(second)) == 2 and "Articles 26–27 of 27" in second
    assert not set(rows(first)) & set(rows(second))
    assert next_cursor(second) is None


@pytest.mark.parametrize("sort", ["newest", "oldest", "published", "title", "unreviewed"])
def test_every_sort_pages_through_every_article_once_in_order(client, viewer, sort):
    """Ties on the sort keys (same time, same title, same count) are broken by id, so no row is lost or repeated
    at a page boundary."""
    from django.utils import timezone

    same_time = timezone.now()
    articles = [ArticleFactory(title=f"Title {i % 3}") for i in range(60)]
    Article.objects.filter(pk__in=[a.pk for a in articles[:40]]).update(created_at=same_time, published_at=None)
    for article in articles[::7]:
        claims_for(article, 2)
    client.force_login(viewer)
    seen = all_pages(client, {"sort": sort})
    keys = {
        "newest": ("-created_at", "-id"), "oldest": ("created_at", "id"),
        "published": ("-published_sort", "-id"), "title": ("title", "id"),
        "unreviewed": ("-n_unreviewed", "-created_at", "-id"),
    }[sort]
    from factcheck import selectors

    expected = list(selectors.article_list_filtered().order_by(*keys).values_list("pk", flat=True))
    assert seen == expected and len(seen) == 60


def test_a_cursor_that_is_not_ours_shows_the_first_page(client, viewer):
    article = ArticleFactory()
    client.force_login(viewer)
    for cursor in ["nonsense", "W1tdXQ", "WzAsWzFdXQ"]:
        response = client.get(reverse("factcheck:inbox"), {"after": cursor})
        assert response.status_code == 200 and rows(response.content.decode()) == [article.pk]


def test_has_a_published_check_filter(client, viewer):
    from tests.factories import CheckOfferFactory

    checked, rejected, possible, plain = (ArticleFactory(title=t) for t in ("Checked", "Rejected", "Possible", "Plain"))
    CheckOfferFactory(claim=claims_for(checked, 1)[0], band="strong")
    CheckOfferFactory(claim=claims_for(rejected, 1)[0], band="strong", status="rejected")
    CheckOfferFactory(claim=claims_for(possible, 1)[0], band="possible")
    claims_for(plain, 1)
    client.force_login(viewer)
    html = client.get(reverse("factcheck:inbox"), {"checked": "1"}).content.decode()
    assert rows(html) == [checked.pk]
    assert "Has a published check" in html


def test_extracting_row_polls_and_stops_when_ready(client, viewer):
    article = ArticleFactory(status=Article.Status.EXTRACTING)
    client.force_login(viewer)
    html = client.get(reverse("factcheck:inbox")).content.decode()
    assert f'hx-get="{reverse("factcheck:article-row", args=[article.pk])}" hx-trigger="every 2s"' in html
    url = reverse("factcheck:article-row", args=[article.pk])
    response = client.get(url, **HTMX)
    assert response.status_code == 200 and "every 2s" in response.content.decode()
    Article.objects.filter(pk=article.pk).update(status=Article.Status.READY)
    response = client.get(url, **HTMX)
    assert response.status_code == 286
    assert response.content.decode().startswith(f'<tr id="article-row-{article.pk}"')
    assert "every 2s" not in response.content.decode()


def test_row_for_unknown_article_is_404(client, viewer):
    client.force_login(viewer)
    assert client.get(reverse("factcheck:article-row", args=[999999])).status_code == 404


def test_upload_button_for_editors_only_when_upload_exists(client, editor, checker):
    from django.urls import NoReverseMatch

    try:
        reverse("factcheck:upload")
    except NoReverseMatch:
        pytest.skip("no upload page in this build")
    client.force_login(editor)
    assert "Upload articles" in client.get(reverse("factcheck:inbox")).content.decode()
    client.force_login(checker)
    assert "Upload articles" not in client.get(reverse("factcheck:inbox")).content.decode()
