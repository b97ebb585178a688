"""Safe cluster actions through HTTP: "apply to all" previews then confirms, merges are confirmed and can be
undone, and every answer names the changed claims so the page updates them without a reload."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from factcheck.models import Article, Claim, ClaimCluster, ClusterMerge, Story
from factcheck.services import clusters
from factcheck.services.claims import claim_set_verdict
from tests.factories import ArticleFactory, claims_for
from tests.builders.clusters import clustered_claims

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def preview(client, claim, verdict="verified", rationale="", **extra):
    return client.post(reverse("factcheck:claim-cluster-verdict-preview", args=[claim.pk]),
                       {"verdict": verdict, "rationale": rationale, **extra}, **HTMX)


def seen_in(response) -> str:
    return re.search(r'name="seen" value="([^"]*)"', response.content.decode()).group(1)


def confirm(client, claim, seen, verdict="verified", rationale="", htmx=True, **extra):
    return client.post(reverse("factcheck:claim-cluster-verdict", args=[claim.pk]),
                       {"verdict": verdict, "rationale": rationale, "seen": seen, **extra}, **(HTMX if htmx else {}))


@pytest.fixture
def cluster_with_a_reviewed_sibling(editor):
    """Four claims in one cluster: `a` is clicked; `same` is a second claim of a's article; `b` was reviewed by
    a colleague (ed); `c` is untouched in a third article."""
    cluster = ClaimCluster.objects.create()
    a, same = claims_for(ArticleFactory(), 2)
    (b,) = claims_for(ArticleFactory(), 1)
    (c,) = claims_for(ArticleFactory(), 1)
    Claim.objects.filter(pk__in=[a.pk, same.pk, b.pk, c.pk]).update(cluster=cluster)
    b = claim_set_verdict(claim_id=b.pk, actor=editor, verdict="disputed", rationale="Only one outlet says so.",
                          expected_version=1)
    return cluster, a, same, b, c


# --- Apply to all: the preview ------------------------------------------------------------------------------------


def test_preview_lists_who_gets_the_verdict_and_who_is_skipped(client, checker, cluster_with_a_reviewed_sibling):
    _, a, same, b, c = cluster_with_a_reviewed_sibling
    client.force_login(checker)
    response = preview(client, a)
    assert response.status_code == 200
    html = response.content.decode()
    plan = response.context["plan"]
    assert [m.pk for m in plan.to_change] == sorted([same.pk, c.pk], key=[same.pk, c.pk].index)
    assert [m.pk for m in plan.skipped] == [b.pk]
    assert "Will get “Verified” (2)" in html and "Left as they are (1)" in html
    skipped = html[html.index("Left as they are"):]
    assert f'id="preview-claim-{b.pk}"' in skipped and "set by <strong>ed</strong>" in skipped
    assert "Only one outlet says so." in skipped
    assert set(seen_in(response).split()) == {f"{a.pk}:1", f"{same.pk}:1", f"{c.pk}:1"}
    assert "Confirm: set 3 claims to “Verified”" in html
    # Nothing changed yet.
    assert set(Claim.objects.filter(pk__in=[a.pk, same.pk, c.pk]).values_list("verdict", flat=True)) == {"unreviewed"}


def test_preview_without_javascript_is_a_page_with_the_confirm_form(client, checker, cluster_with_a_reviewed_sibling):
    _, a, *_ = cluster_with_a_reviewed_sibling
    client.force_login(checker)
    response = client.post(reverse("factcheck:claim-cluster-verdict-preview", args=[a.pk]), {"verdict": "verified"})
    html = response.content.decode()
    assert response.status_code == 200 and "<h1>Apply a verdict to every article stating this claim</h1>" in html
    assert f'action="{reverse("factcheck:claim-cluster-verdict", args=[a.pk])}"' in html


def test_preview_says_what_is_missing(client, checker, cluster_with_a_reviewed_sibling):
    _, a, *_ = cluster_with_a_reviewed_sibling
    client.force_login(checker)
    response = preview(client, a, verdict="false")
    assert response.status_code == 200 and "Give a rationale" in response.content.decode()
    assert 'name="seen"' not in response.content.decode()


def test_preview_query_count_does_not_grow_with_the_cluster(client, checker):
    client.force_login(checker)
    _, small = clustered_claims(3)
    _, large = clustered_claims(15)
    counts = []
    for claims in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            assert preview(client, claims[0]).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


# --- Apply to all: the confirm ------------------------------------------------------------------------------------


def test_confirm_from_the_panel_updates_rows_highlights_and_panel(client, checker, cluster_with_a_reviewed_sibling):
    _, a, same, b, c = cluster_with_a_reviewed_sibling
    client.force_login(checker)
    response = confirm(client, a, seen_in(preview(client, a)))
    assert response.status_code == 200
    html = response.content.decode()
    # The panel of the clicked claim, its "also in" list showing the new verdicts.
    assert html.startswith('<section id="claim-panel"') and "“Verified” applied to 3 claims. 1 left as it was." in html
    # Out of band: the rows and highlights of the changed claims of this article, and the counters.
    for claim in (a, same):
        assert re.search(rf'<li id="claim-row-{claim.pk}" class="claim-row v-verified[^"]*" hx-swap-oob="true">', html)
        assert re.search(rf'<a id="hl-{claim.pk}" class="hl v-verified[^"]*"[^>]* hx-swap-oob="true">', html)
    assert f'id="claim-row-{c.pk}"' not in html  # another article: not on this page
    assert '<div id="verdict-counters" class="counters" hx-swap-oob="true">' in html
    trigger = json.loads(response["HX-Trigger"])["claimsChanged"]
    assert trigger["claims"] == sorted([a.pk, same.pk, c.pk])
    assert trigger["verdicts"][str(c.pk)] == {"verdict": "verified", "label": "Verified", "marker": "✓"}
    assert Claim.objects.get(pk=b.pk).verdict == "disputed"


def test_confirm_reports_a_sibling_changed_since_the_preview(client, checker, editor, cluster_with_a_reviewed_sibling):
    _, a, same, b, c = cluster_with_a_reviewed_sibling
    client.force_login(checker)
    seen = seen_in(preview(client, a))
    claim_set_verdict(claim_id=c.pk, actor=editor, verdict="false", rationale="Ford never said it.", expected_version=1)
    response = confirm(client, a, seen)
    html = response.content.decode()
    assert "was changed by ed since your preview (now “False”)" in html
    assert Claim.objects.get(pk=c.pk).verdict == "false"
    assert json.loads(response["HX-Trigger"])["claimsChanged"]["claims"] == sorted([a.pk, same.pk])


def test_confirm_without_javascript_redirects_back_with_the_outcome(client, checker, cluster_with_a_reviewed_sibling):
    _, a, same, b, c = cluster_with_a_reviewed_sibling
    client.force_login(checker)
    response = confirm(client, a, seen_in(preview(client, a)), htmx=False, next=a.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == a.get_absolute_url()
    page = client.get(response["Location"]).content.decode()
    assert "“Verified” applied to 3 claims." in page


def test_confirm_from_the_story_page_redraws_the_overview(client, checker, cluster_with_a_reviewed_sibling):
    _, a, same, b, c = cluster_with_a_reviewed_sibling
    story = Story.objects.create(title="Ford and Xiaomi")
    Article.objects.filter(pk__in=[a.article_id, b.article_id, c.article_id]).update(story=story)
    client.force_login(checker)
    seen = seen_in(preview(client, a, story_page=story.pk))
    response = confirm(client, a, seen, story_page=story.pk)
    assert response.content.decode().startswith('<div id="story-overview">')
    assert "claimsChanged" in response["HX-Trigger"]


def test_confirm_queries_grow_only_by_one_update_per_changed_claim(client, checker):
    client.force_login(checker)
    counts = []
    for n in (3, 8):
        _, claims = clustered_claims(n)
        seen = seen_in(preview(client, claims[0]))
        with CaptureQueriesContext(connection) as ctx:
            assert confirm(client, claims[0], seen).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[1] - counts[0] == 5, counts


# --- Merge and undo ----------------------------------------------------------------------------------------------


@pytest.fixture
def story_with_two_clusters():
    story = Story.objects.create(title="Ford and Xiaomi")
    keep, first = clustered_claims(2)
    gone, second = clustered_claims(2)
    Article.objects.filter(pk__in=[c.article_id for c in first + second]).update(story=story)
    return story, keep, first, gone, second


def test_merge_preview_shows_both_clusters(client, checker, story_with_two_clusters):
    story, keep, first, gone, second = story_with_two_clusters
    client.force_login(checker)
    response = client.get(reverse("factcheck:cluster-merge-preview", args=[keep.pk]),
                          {"other": gone.pk, "story_page": story.pk}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "This cluster (2)" in html and "Moves in (2)" in html
    for claim in first + second:
        assert f'id="preview-claim-{claim.pk}"' in html
    assert seen_in(response) == ",".join(str(pk) for pk in sorted(c.pk for c in first + second))
    assert ClaimCluster.objects.filter(pk=gone.pk).exists()
    assert client.post(reverse("factcheck:cluster-merge-preview", args=[keep.pk]), {"other": gone.pk}).status_code == 405


def test_merge_then_undo_from_the_story_page(client, checker, editor, story_with_two_clusters):
    story, keep, first, gone, second = story_with_two_clusters
    before = sorted(Claim.objects.values_list("pk", "cluster_id"))
    client.force_login(checker)
    seen = ",".join(str(c.pk) for c in first + second)
    response = client.post(reverse("factcheck:cluster-merge", args=[keep.pk]),
                           {"other": gone.pk, "seen": seen, "story_page": story.pk}, **HTMX)
    html = response.content.decode()
    assert "Clusters merged: 2 claims moved in." in html and "Undo this merge" in html
    assert json.loads(response["HX-Trigger"])["claimsChanged"]["claims"] == sorted(c.pk for c in second)
    merge = ClusterMerge.objects.get()

    client.force_login(editor)
    response = client.post(reverse("factcheck:cluster-merge-undo", args=[merge.pk]), {"story_page": story.pk}, **HTMX)
    html = response.content.decode()
    assert "Merge undone: 2 claims back in their own cluster." in html and "Undo this merge" not in html
    assert json.loads(response["HX-Trigger"])["claimsChanged"]["claims"] == sorted(c.pk for c in second)
    assert sorted(Claim.objects.values_list("pk", "cluster_id")) == before

    again = client.post(reverse("factcheck:cluster-merge-undo", args=[merge.pk]), {"story_page": story.pk}, **HTMX)
    assert "already undone by ed" in again.content.decode()


def test_undo_after_a_later_move_says_why_it_is_refused(client, checker, story_with_two_clusters):
    story, keep, first, gone, second = story_with_two_clusters
    merge = clusters.clusters_merge(cluster_id=keep.pk, other_cluster_id=gone.pk, actor=checker)
    clusters.claim_split_from_cluster(claim_id=second[1].pk, actor=checker)
    client.force_login(checker)
    response = client.post(reverse("factcheck:cluster-merge-undo", args=[merge.pk]), {"story_page": story.pk}, **HTMX)
    assert "1 of the 2 claims it moved has moved since" in response.content.decode()
    assert ClusterMerge.objects.get().undone_at is None


def test_undo_without_javascript_redirects_back(client, checker, story_with_two_clusters):
    story, keep, first, gone, second = story_with_two_clusters
    merge = clusters.clusters_merge(cluster_id=keep.pk, other_cluster_id=gone.pk, actor=checker)
    client.force_login(checker)
    back = reverse("factcheck:story", args=[story.pk])
    response = client.post(reverse("factcheck:cluster-merge-undo", args=[merge.pk]), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert ClaimCluster.objects.filter(pk=gone.pk).exists()


def test_unknown_merge_is_404(client, checker):
    client.force_login(checker)
    assert client.post(reverse("factcheck:cluster-merge-undo", args=[999999])).status_code == 404


def test_split_names_the_changed_claim(client, checker):
    _, claims = clustered_claims(3)
    client.force_login(checker)
    response = client.post(reverse("factcheck:claim-split", args=[claims[0].pk]), **HTMX)
    assert json.loads(response["HX-Trigger"])["claimsChanged"]["claims"] == [claims[0].pk]
