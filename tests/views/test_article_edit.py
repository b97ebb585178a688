"""Editors correct an article's details after upload; claims and their offsets stay; the history records it."""

import pytest
from django.urls import reverse

from factcheck.models import Article, Claim, Source
from tests.factories import ArticleFactory, claims_for

pytestmark = pytest.mark.django_db


def edit_url(article):
    return reverse("factcheck:article-edit", args=[article.pk])


def test_editor_corrects_title_byline_date_and_publisher(client, editor):
    article = ArticleFactory(title="Untitled article")
    claims = claims_for(article, 2)
    spans = sorted(Claim.objects.filter(article=article).values_list("start", "end", "text"))
    client.force_login(editor)
    assert "Edit details" in client.get(article.get_absolute_url()).content.decode()
    assert 'value="Untitled article"' in client.get(edit_url(article)).content.decode()

    response = client.post(edit_url(article), {
        "title": "Ford denies Xiaomi talks", "byline": "Staff reporter", "url": "https://example.org/ford",
        "published_at": "2026-01-31 14:00", "source": "", "new_source": "Automotive World",
    })

    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    article.refresh_from_db()
    assert (article.title, article.byline, article.url) == ("Ford denies Xiaomi talks", "Staff reporter",
                                                            "https://example.org/ford")
    assert article.published_at.year == 2026 and article.source == Source.objects.get(name="Automotive World")
    assert sorted(Claim.objects.filter(article=article).values_list("start", "end", "text")) == spans
    assert len(claims) == 2
    event = Article.pgh_event_model.objects.filter(pgh_obj_id=article.pk, pgh_label="update").get()
    assert event.title == "Ford denies Xiaomi talks"
    assert event.pgh_context.metadata["action"] == "factcheck.article.details_changed"
    assert event.pgh_context.metadata["user"] == editor.pk


def test_bad_details_re_render_with_messages_and_change_nothing(client, editor):
    article = ArticleFactory(title="Keep me")
    client.force_login(editor)
    response = client.post(edit_url(article), {"title": "", "url": "javascript:alert(1)"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required" in html and "Enter a valid URL" in html
    article.refresh_from_db()
    assert article.title == "Keep me"


def test_fact_checker_and_viewer_cannot_edit(client, checker, viewer):
    article = ArticleFactory(title="Keep me")
    for user in (checker, viewer):
        client.force_login(user)
        assert client.post(edit_url(article), {"title": "Changed"}).status_code == 403
        assert "Edit details" not in client.get(article.get_absolute_url()).content.decode()
    article.refresh_from_db()
    assert article.title == "Keep me"
