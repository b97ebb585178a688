"""The article workspace page and article deletion."""

import re

import pytest
from django.urls import reverse

from factcheck.models import Article, Claim
from factcheck.services import claim_set_verdict
from factcheck.presenters import article_blocks, block_ranges
from tests.factories import ArticleFactory, ClaimFactory
from tests.views.conftest import HTMX

pytestmark = pytest.mark.django_db


def _url(article, **query):
    url = reverse("factcheck:article", args=[article.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_workspace_highlights_every_claim_in_place_with_marker_and_word(client, checker, article):
    false_claim = article.claim_list[0]
    claim_set_verdict(claim_id=false_claim.pk, actor=checker, verdict="false", rationale="no", expected_version=1)
    client.force_login(checker)
    html = client.get(_url(article)).content.decode()
    for claim in article.claim_list:
        assert f'id="hl-{claim.pk}"' in html
        assert f'id="claim-row-{claim.pk}"' in html
    highlight = re.search(rf'<a id="hl-{false_claim.pk}"[^>]*>(.*?)</a>', html, re.S)
    assert 'class="hl v-false' in highlight.group(0)
    assert "✗" in highlight.group(1) and "(False)" in highlight.group(1)
    # The heading span is a heading; blank lines make paragraphs.
    assert '<h3 class="text-heading"><span data-s="0">Ford and Xiaomi</span></h3>' in html
    assert html.count("<p>") >= 2
    # Everything from the article is escaped.
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Ford &amp; Xiaomi &lt;talks&gt;" in html
    # Counters: 1 reviewed of 5.
    assert re.search(r"Reviewed <strong>1</strong> of 5", html)


def test_claim_list_order_toggle(client, viewer, article):
    Claim.objects.filter(pk=article.claim_list[4].pk).update(score=0.99)
    client.force_login(viewer)
    by_position = client.get(_url(article)).content.decode()
    by_score = client.get(_url(article, order="score")).content.decode()
    first = lambda html: re.search(r'id="claim-row-(\d+)"', html).group(1)  # noqa: E731
    assert first(by_position) == str(article.claim_list[0].pk)
    assert first(by_score) == str(article.claim_list[4].pk)
    fragment = client.get(_url(article, order="score"), HTTP_HX_TARGET="claim-list", **HTMX).content.decode()
    assert fragment.startswith('<div id="claim-list"') and "<html" not in fragment


def test_selected_claim_shows_its_panel(client, checker, article, claim):
    client.force_login(checker)
    html = client.get(_url(article, claim=claim.pk)).content.decode()
    assert f'<section id="claim-panel" class="panel" data-claim="{claim.pk}"' in html
    assert 'name="version" value="1"' in html
    assert 'data-verdict-key="f"' in html


def test_viewer_sees_no_controls(client, viewer, article, claim):
    client.force_login(viewer)
    html = client.get(_url(article, claim=claim.pk)).content.decode()
    assert "claim-panel" in html
    assert 'data-verdict-key' not in html
    assert 'name="url"' not in html
    assert "Delete this article" not in html
    assert "Take this claim" not in html


def test_claim_from_another_article_is_not_selected(client, viewer, article):
    other = ClaimFactory()
    client.force_login(viewer)
    html = client.get(_url(article, claim=other.pk)).content.decode()
    assert "No claim selected" in html


def test_unknown_article_is_404(client, viewer):
    client.force_login(viewer)
    assert client.get(reverse("factcheck:article", args=[999999])).status_code == 404


def test_outsider_gets_404(client, outsider, article):
    client.force_login(outsider)
    assert client.get(_url(article)).status_code == 404


def test_extracting_article_polls_until_ready(client, viewer):
    article = ArticleFactory(status=Article.Status.EXTRACTING)
    client.force_login(viewer)
    html = client.get(_url(article)).content.decode()
    assert 'hx-trigger="every 2s"' in html
    Article.objects.filter(pk=article.pk).update(status=Article.Status.READY)
    assert 'hx-trigger="every 2s"' not in client.get(_url(article)).content.decode()


def test_extracting_article_polls_its_status_fragment_not_the_page(client, viewer):
    article = ArticleFactory(status=Article.Status.EXTRACTING)
    status_url = reverse("factcheck:article-status", args=[article.pk])
    client.force_login(viewer)
    poller = re.search(r'<p id="article-status"[^>]*>', client.get(_url(article)).content.decode()).group(0)
    assert f'hx-get="{status_url}"' in poller and 'hx-trigger="every 2s"' in poller

    response = client.get(status_url, **HTMX)
    assert response.status_code == 200 and "HX-Trigger" not in response
    assert 'id="article-status"' in response.content.decode() and "Extracting" in response.content.decode()
    assert "claim-list" not in response.content.decode()


@pytest.mark.parametrize("status", [Article.Status.READY, Article.Status.FAILED])
def test_status_poll_stops_once_extraction_is_finished(client, viewer, status):
    article = ArticleFactory(status=Article.Status.EXTRACTING)
    client.force_login(viewer)
    Article.objects.filter(pk=article.pk).update(status=status)
    response = client.get(reverse("factcheck:article-status", args=[article.pk]), **HTMX)
    # 286 ends htmx polling; the event makes the page load its claims once.
    assert response.status_code == 286 and response["HX-Trigger"] == "extractionFinished"
    assert client.get(reverse("factcheck:article-status", args=[987654]), **HTMX).status_code == 404


def test_delete_needs_confirmation_and_keeps_history(client, editor, article):
    client.force_login(editor)
    claim_ids = [c.pk for c in article.claim_list]
    response = client.post(reverse("factcheck:article-delete", args=[article.pk]))
    assert response.status_code == 302 and Article.objects.filter(pk=article.pk).exists()
    response = client.post(reverse("factcheck:article-delete", args=[article.pk]), {"confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == reverse("factcheck:inbox")
    assert not Article.objects.filter(pk=article.pk).exists()
    assert not Claim.objects.filter(pk__in=claim_ids).exists()
    deletions = Claim.pgh_event_model.objects.filter(pgh_obj_id__in=claim_ids, pgh_label="delete")
    assert deletions.count() == len(claim_ids)
    assert deletions.first().pgh_context.metadata["action"] == "factcheck.article.deleted"
    assert deletions.first().pgh_context.metadata["username"] == "ed"


def test_delete_refused_to_checker_and_viewer(client, checker, viewer, article):
    for user in (checker, viewer):
        client.force_login(user)
        response = client.post(reverse("factcheck:article-delete", args=[article.pk]), {"confirm": "yes"})
        assert response.status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()


def test_delete_refuses_get(client, editor, article):
    client.force_login(editor)
    assert client.get(reverse("factcheck:article-delete", args=[article.pk])).status_code == 405


def test_page_refuses_post(client, editor, article):
    client.force_login(editor)
    assert client.post(_url(article)).status_code == 405


# --- The highlighted text, without the database --------------------------------------------------------


class _C:
    def __init__(self, pk, start, end):
        self.pk, self.start, self.end = pk, start, end


def test_blocks_split_on_blank_lines_and_headings():
    body = "Title line\nFirst para.\n\nSecond para."
    blocks = block_ranges(body, [[0, 10]])
    assert [(k, body[s:e]) for k, s, e in blocks] == [("h", "Title line"), ("p", "First para."), ("p", "Second para.")]


def test_overlapping_and_crossing_claims_are_marked_once():
    body = "Alpha beta.\n\nGamma delta."
    claims = [_C(1, 0, 11), _C(2, 6, 11), _C(3, 6, len(body))]
    blocks = article_blocks(body, [], claims)
    marked = [(s.text, s.claim.pk, s.first, s.last) for b in blocks for s in b.segments if s.claim]
    assert marked[0] == ("Alpha beta.", 1, True, True)
    # Claim 2 lies inside claim 1 and is skipped in the text; claim 3 is clipped, and crosses the paragraph break.
    assert ("Gamma delta.", 3, True, True) in marked
    text = "".join(s.text for b in blocks for s in b.segments)
    assert text == "Alpha beta.Gamma delta."
