"""The claim panel shows the claim's siblings in other articles, the verdict they suggest, and open conflicts."""

import pytest
from django.urls import reverse

from factcheck.models import ClaimCluster, Conflict
from factcheck.services import claim_set_verdict
from tests.factories import ArticleFactory, ClaimFactory, SourceFactory
from tests.views.conftest import HTMX

pytestmark = pytest.mark.django_db


def test_panel_offers_a_reviewed_siblings_verdict_and_shows_conflicts(client, checker):
    cluster = ClaimCluster.objects.create()
    here = ClaimFactory(cluster=cluster, sentence="Ford denied the report on Tuesday.")
    elsewhere = ClaimFactory(
        cluster=cluster,
        sentence="Ford denied the report on Tuesday.",
        article=ArticleFactory(source=SourceFactory(name="Wire Daily")),
    )
    claim_set_verdict(claim_id=elsewhere.pk, actor=checker, verdict="verified", rationale="statement", expected_version=1)
    conflict = Conflict.objects.create(key="name|mullenaar|moolenaar", kind="name", values=["Mullenaar", "Moolenaar"])
    conflict.claims.set([here, elsewhere])

    client.force_login(checker)
    html = client.get(reverse("factcheck:claim", args=[here.pk]), **HTMX).content.decode()

    assert "Also in 1 other article" in html
    assert "Wire Daily" in html
    assert "Apply “Verified” to all in cluster" in html
    assert "“Mullenaar” vs. “Moolenaar”" in html
    assert reverse("factcheck:conflict-resolve", args=[conflict.pk]) in html


def test_viewer_sees_siblings_but_no_cluster_actions(client, viewer):
    cluster = ClaimCluster.objects.create()
    here = ClaimFactory(cluster=cluster)
    ClaimFactory(cluster=cluster, article=ArticleFactory())
    client.force_login(viewer)
    html = client.get(reverse("factcheck:claim", args=[here.pk]), **HTMX).content.decode()
    assert "Also in 1 other article" in html
    assert "to all in cluster" not in html
