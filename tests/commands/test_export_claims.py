"""`manage.py export_claims`: JSON, CSV (safe in spreadsheets) and schema.org ClaimReview."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from factcheck.models import Article, Claim, Story
from tests.factories import ArticleFactory, EvidenceFactory, SourceFactory, claims_for
from tests.builders.clusters import clustered_claims, conflict_between

pytestmark = pytest.mark.django_db


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export_claims", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def reviewed(checker):
    cluster, (a, b) = clustered_claims(2)
    Article.objects.filter(pk=a.article_id).update(origin="ford.txt", url="https://news.example/ford")
    Claim.objects.filter(pk=a.pk).update(verdict="verified", rationale="Ford said so.", verdict_at=timezone.now())
    conflict = conflict_between(a, b)
    EvidenceFactory(claim=a, url="https://ford.example/statement", passage="This story is false.", note="Official")
    EvidenceFactory(claim=a, url="https://old.example/", removed_at=timezone.now())
    return cluster, a, b, conflict


def test_json_export_of_one_article(reviewed):
    cluster, a, b, conflict = reviewed
    data = json.loads(export("--format", "json", "--article", str(a.article_id)))
    assert len(data) == 1
    article = Article.objects.get(pk=a.article_id)
    assert data[0]["article"] == {
        "id": article.pk, "title": article.title, "origin": "ford.txt", "url": "https://news.example/ford",
        "source": article.source.name, "body": article.body,
    }
    claim = data[0]["claims"][0]
    assert claim["id"] == a.pk and claim["verdict"] == "verified" and claim["cluster"] == cluster.pk
    assert claim["origin"] == "machine"
    assert article.body[claim["start"]:claim["end"]] == claim["text"]
    assert set(claim) >= {"id", "start", "end", "text", "score", "kinds", "facets", "verdict", "cluster",
                          "conflicts", "evidence"}
    assert claim["conflicts"] == [{"kind": "number", "values": ["100%", "145%"], "claims": sorted([a.pk, b.pk]),
                                   "status": "open"}]
    assert [(e["url"], e["removed"]) for e in claim["evidence"]] == [
        ("https://ford.example/statement", False), ("https://old.example/", True)
    ]
    assert claim["evidence"][0]["passage"] == "This story is false." and claim["evidence"][0]["note"] == "Official"


def test_json_export_of_a_story_with_a_constant_number_of_queries(reviewed):
    story = Story.objects.create(title="Ford")
    _, a, b, _ = reviewed
    Article.objects.filter(pk__in=[a.article_id, b.article_id]).update(story=story)
    with CaptureQueriesContext(connection) as few:
        data = json.loads(export("--story", str(story.pk)))
    assert {d["article"]["id"] for d in data} == {a.article_id, b.article_id}
    for _ in range(5):
        article = ArticleFactory(story=story)
        for claim in claims_for(article):
            EvidenceFactory(claim=claim)
    with CaptureQueriesContext(connection) as many:
        assert len(json.loads(export("--story", str(story.pk)))) == 7
    assert len(many) == len(few)


def test_json_export_to_a_file(tmp_path, reviewed):
    target = tmp_path / "claims.json"
    export("--output", str(target))
    assert len(json.loads(target.read_text(encoding="utf-8"))) == Article.objects.count()


def test_empty_export_is_an_empty_list():
    assert json.loads(export()) == []


def test_unknown_article_is_an_error():
    with pytest.raises(CommandError):
        export("--article", "987654")


def test_csv_has_one_row_per_claim(reviewed):
    rows = list(csv.DictReader(io.StringIO(export("--format", "csv"))))
    assert len(rows) == Claim.objects.count()
    row = next(r for r in rows if r["claim_id"] == str(reviewed[1].pk))
    assert row["verdict"] == "verified" and row["cluster"] == str(reviewed[0].pk)
    assert row["conflicts"] == "number: 100% / 145%"
    assert row["evidence_urls"] == "https://ford.example/statement"


@pytest.mark.parametrize("dangerous", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_csv_cells_cannot_run_as_formulas(dangerous):
    source = SourceFactory(name=dangerous)
    article = ArticleFactory(title=dangerous, source=source, origin=dangerous)
    claim = claims_for(article, 1)[0]
    Claim.objects.filter(pk=claim.pk).update(rationale=dangerous)
    rows = list(csv.DictReader(io.StringIO(export("--format", "csv", "--article", str(article.pk)))))
    for column in ("article_title", "article_origin", "article_source", "rationale"):
        assert rows[0][column] == "'" + dangerous
    assert rows[0]["text"] == claim.text  # ordinary text is left as it is


def test_claimreview_export_has_reviewed_claims_only(reviewed):
    _, a, b, _ = reviewed
    data = json.loads(export("--format", "claimreview"))
    assert len(data) == 1
    review = data[0]
    assert review["@type"] == "ClaimReview" and review["@context"] == "https://schema.org"
    assert review["claimReviewed"] == a.text and review["reviewBody"] == "Ford said so."
    assert review["reviewRating"]["alternateName"] == "Verified" and review["reviewRating"]["ratingValue"] == 3
    assert review["itemReviewed"]["appearance"]["url"] == "https://news.example/ford"


def test_claimreview_export_is_authored_by_the_newsroom_and_links_a_published_claim_to_its_report(
    reviewed, editor, settings
):
    from factcheck.services.reports import report_create, report_publish

    settings.NEWSROOM_NAME, settings.NEWSROOM_URL = "The Example Gazette", "https://gazette.example/"
    settings.SITE_URL = "https://desk.gazette.example"
    _, a, _, _ = reviewed
    [unpublished] = json.loads(export("--format", "claimreview"))
    assert unpublished["author"] == {"@type": "Organization", "name": "The Example Gazette",
                                     "url": "https://gazette.example/"}
    assert "url" not in unpublished  # no report readers can open: nothing to link

    report = report_create(actor=editor, article_id=a.article_id)
    report_publish(report_id=report.pk, actor=editor)
    [published] = json.loads(export("--format", "claimreview"))
    assert published["url"] == f"https://desk.gazette.example/reports/{report.key}/#claim-{a.pk}"
    assert published["author"]["name"] == "The Example Gazette" and published["datePublished"]
    assert published["claimReviewed"] == a.text and published["reviewRating"]["ratingValue"] == 3
