"""Exports from the browser: the article, story, queue and search pages; bad input; who may see a background export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from factcheck.exports import Scope
from factcheck.models import Article, Claim, ExportChunk, ExportJob, Story
from factcheck.services.exports import export_job_create, export_job_run, exports_expire
from tests.factories import ArticleFactory, SourceFactory, UserFactory, claims_for

pytestmark = pytest.mark.django_db

EXPORT = reverse("factcheck:export")


def body_of(response) -> str:
    assert response.streaming, "a small export is streamed"
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(body_of(response))))


def test_article_page_offers_the_export(client, viewer, article):
    client.force_login(viewer)
    html = client.get(reverse("factcheck:article", args=[article.pk])).content.decode()
    assert f'action="{EXPORT}"' in html
    assert 'name="scope" value="article"' in html and f'name="article" value="{article.pk}"' in html


def test_viewer_exports_an_article_as_csv_with_its_verdicts(client, viewer, article, claim):
    Claim.objects.filter(pk=claim.pk).update(verdict="false", rationale="It was 145%.")
    other = ArticleFactory()
    claims_for(other, 2)
    client.force_login(viewer)
    response = client.post(EXPORT, {"scope": "article", "article": article.pk, "format": "csv"})
    assert response["Content-Disposition"] == f'attachment; filename="factdesk-article-{article.pk}-claims.csv"'
    rows = csv_rows(response)
    assert [int(r["claim_id"]) for r in rows] == [c.pk for c in article.claim_list]
    row = next(r for r in rows if int(r["claim_id"]) == claim.pk)
    assert (row["text"], row["verdict"], row["rationale"]) == (claim.text, "false", "It was 145%.")


@pytest.mark.parametrize("dangerous", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_browser_csv_cells_cannot_run_as_formulas(client, checker, dangerous):
    article = ArticleFactory(title=dangerous, source=SourceFactory(name=dangerous), origin=dangerous)
    claim = claims_for(article, 1)[0]
    Claim.objects.filter(pk=claim.pk).update(rationale=dangerous, verdict="disputed")
    client.force_login(checker)
    rows = csv_rows(client.post(EXPORT, {"scope": "article", "article": article.pk, "format": "csv"}))
    for column in ("article_title", "article_origin", "article_source", "rationale"):
        assert rows[0][column] == "'" + dangerous
    assert rows[0]["text"] == claim.text


def test_story_export_as_json_holds_its_articles_only(client, editor, article):
    story = Story.objects.create(title="Ford and Xiaomi")
    Article.objects.filter(pk=article.pk).update(story=story)
    claims_for(ArticleFactory(), 2)  # not in the story
    client.force_login(editor)
    html = client.get(reverse("factcheck:story", args=[story.pk])).content.decode()
    assert 'name="scope" value="story"' in html
    response = client.post(EXPORT, {"scope": "story", "story": story.pk, "format": "json"})
    data = json.loads(body_of(response))
    assert [d["article"]["id"] for d in data] == [article.pk]
    assert len(data[0]["claims"]) == 5


def test_queue_export_follows_the_queue_filters(client, viewer, article, claim):
    Claim.objects.filter(pk=claim.pk).update(verdict="false", rationale="No.", verdict_at=timezone.now())
    other = claims_for(ArticleFactory(), 2)
    Claim.objects.filter(pk=other[0].pk).update(verdict="false", rationale="Wrong.")
    client.force_login(viewer)
    html = client.get(reverse("factcheck:queue"), {"verdict": "false"}).content.decode()
    assert 'name="scope" value="queue"' in html and 'name="verdict" value="false"' in html
    response = client.post(EXPORT, {"scope": "queue", "verdict": "false", "format": "json"})
    data = json.loads(body_of(response))
    exported = sorted(c["id"] for d in data for c in d["claims"])
    assert exported == sorted([claim.pk, other[0].pk])
    # With the publisher as well: one article's claim only.
    response = client.post(EXPORT, {"scope": "queue", "verdict": "false", "source": article.source_id,
                                    "format": "claimreview"})
    reviews = json.loads(body_of(response))
    assert [r["claimReviewed"] for r in reviews] == [claim.text]
    assert reviews[0]["reviewRating"]["alternateName"] == "False"


def test_queue_export_of_my_claims_is_the_askers(client, checker, editor, article):
    mine, theirs = article.claim_list[0], article.claim_list[1]
    Claim.objects.filter(pk=mine.pk).update(assignee=checker)
    Claim.objects.filter(pk=theirs.pk).update(assignee=editor)
    client.force_login(checker)
    rows = csv_rows(client.post(EXPORT, {"scope": "queue", "assignee": "me", "format": "csv"}))
    assert [int(r["claim_id"]) for r in rows] == [mine.pk]


def test_search_export_holds_every_matching_claim(client, viewer, article):
    client.force_login(viewer)
    html = client.get(reverse("factcheck:search"), {"q": "tariff"}).content.decode()
    assert 'name="scope" value="search"' in html and 'name="q" value="tariff"' in html
    rows = csv_rows(client.post(EXPORT, {"scope": "search", "q": "tariff", "format": "csv"}))
    assert [r["text"] for r in rows] == ["The US imposed a 100% tariff on Chinese electric vehicles in 2024."]


def test_export_reads_a_fixed_number_of_queries(client, viewer):
    story = Story.objects.create(title="Big")
    client.force_login(viewer)

    def run() -> int:
        with CaptureQueriesContext(connection) as queries:
            rows = csv_rows(client.post(EXPORT, {"scope": "story", "story": story.pk, "format": "csv"}))
        return len(queries), len(rows)

    claims_for(ArticleFactory(story=story), 2)
    few, n_few = run()
    for _ in range(6):
        claims_for(ArticleFactory(story=story))
    many, n_many = run()
    assert (n_few, n_many) == (2, 32)
    assert many == few


@pytest.mark.parametrize(
    "data, message",
    [
        ({"scope": "article", "article": "1", "format": "xlsx"}, "Unknown format “xlsx”"),
        ({"scope": "article", "article": "abc", "format": "csv"}, "“abc” is not an article number"),
        ({"scope": "article", "article": "987654", "format": "csv"}, "There is no article 987654"),
        ({"scope": "story", "story": "987654", "format": "csv"}, "There is no story 987654"),
        ({"scope": "queue", "verdict": "maybe", "format": "csv"}, "Unknown verdict “maybe”"),
        ({"scope": "queue", "date_from": "31/12/2025", "format": "csv"}, "is not a date (YYYY-MM-DD)"),
        ({"scope": "queue", "source": "x", "format": "csv"}, "Unknown publisher “x”"),
        ({"scope": "queue", "source": "9" * 30, "format": "csv"}, "Unknown publisher"),
        ({"scope": "article", "article": "9" * 30, "format": "csv"}, "is not an article number"),
        ({"scope": "queue", "date_to": "9999-12-31", "format": "csv"}, "Published to: 9999-12-31 is out of range"),
        ({"scope": "search", "q": "tariff\x00", "format": "csv"}, "NUL character"),
        ({"scope": "search", "q": "  ", "format": "csv"}, "Type what to search for"),
        ({"scope": "everything", "format": "csv"}, "Choose what to export"),
        ({"format": "csv"}, "Choose what to export"),
    ],
)
def test_bad_export_input_gets_a_message_not_an_error(client, viewer, data, message):
    client.force_login(viewer)
    response = client.post(EXPORT, {**data, "next": "/queue/?verdict=maybe"})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "Nothing was exported" in html
    assert 'href="/queue/?verdict=maybe"' in html
    assert not ExportJob.objects.exists()


def test_error_page_never_links_off_site(client, viewer):
    client.force_login(viewer)
    response = client.post(EXPORT, {"scope": "queue", "format": "pdf", "next": "https://evil.example/"})
    assert response.status_code == 400 and "evil.example" not in response.content.decode()


def test_outsiders_and_anonymous_cannot_export(client, outsider, article):
    data = {"scope": "article", "article": article.pk, "format": "csv"}
    response = client.post(EXPORT, data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(outsider)
    assert client.post(EXPORT, data).status_code == 404
    assert client.get(EXPORT).status_code in (404, 405)


# --- Large exports become background exports -----------------------------------------------------------


def test_large_export_becomes_a_background_export(client, settings, checker, article):
    settings.FACTDESK_EXPORT_SYNC_MAX_CLAIMS = 4
    client.force_login(checker)
    response = client.post(EXPORT, {"scope": "article", "article": article.pk, "format": "csv"})
    job = ExportJob.objects.get()
    assert response.status_code == 303 and response["Location"] == reverse("factcheck:export-job", args=[job.pk])
    assert (job.created_by, job.format, job.status) == (checker, "csv", "queued")
    assert job.scope == Scope(kind="article", article_id=article.pk).as_json()
    page = client.get(response["Location"]).content.decode()
    assert "Waiting for a worker" in page and f"Export: Article “{escape(article.title)}”" in page
    # Not written yet: nothing to download.
    assert client.get(reverse("factcheck:export-download", args=[job.pk])).status_code == 404


def test_at_the_threshold_the_export_still_streams(client, settings, viewer, article):
    settings.FACTDESK_EXPORT_SYNC_MAX_CLAIMS = 5
    client.force_login(viewer)
    assert len(csv_rows(client.post(EXPORT, {"scope": "article", "article": article.pk, "format": "csv"}))) == 5
    assert not ExportJob.objects.exists()


@pytest.fixture
def written_job(checker, article):
    job = export_job_create(scope=Scope(kind="article", article_id=article.pk), fmt="json", actor=checker)
    assert export_job_run(job_id=job.pk)  # in this process: the worker path has its own test
    job.refresh_from_db()
    return job


def test_written_export_downloads_for_its_owner(client, checker, written_job, article):
    assert (written_job.status, written_job.claims_done, written_job.claims_total) == ("done", 5, 5)
    client.force_login(checker)
    response = client.get(reverse("factcheck:export-job", args=[written_job.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 286  # htmx stops polling
    assert "5 of 5 claims written" in response.content.decode()
    download = client.get(reverse("factcheck:export-download", args=[written_job.pk]))
    assert download["Content-Disposition"] == f'attachment; filename="factdesk-article-{article.pk}-claims.json"'
    data = json.loads(body_of(download))
    assert [c["id"] for c in data[0]["claims"]] == [c.pk for c in article.claim_list]
    assert int(download["Content-Length"]) == written_job.size


@pytest.mark.parametrize("who", ["viewer", "editor", "other_checker"])
def test_someone_elses_export_is_not_found(client, request, written_job, who):
    if who == "other_checker":
        client.force_login(UserFactory(username="carla", role="Fact-checkers"))
    else:
        client.force_login(request.getfixturevalue(who))
    for name in ("export-job", "export-download"):
        assert client.get(reverse(f"factcheck:{name}", args=[written_job.pk])).status_code == 404


def test_a_guessed_export_id_is_not_found(client, checker):
    client.force_login(checker)
    assert client.get("/exports/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/exports/12/").status_code == 404


def test_old_exports_expire_with_their_files(client, settings, checker, written_job):
    settings.FACTDESK_EXPORT_RETENTION_HOURS = 24
    fresh = export_job_create(scope=Scope(), fmt="csv", actor=checker)
    ExportJob.objects.filter(pk=written_job.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    client.force_login(checker)
    # On access: the page says so and the file is gone even before the sweep.
    page = client.get(reverse("factcheck:export-job", args=[written_job.pk])).content.decode()
    assert "This export has expired" in page
    assert client.get(reverse("factcheck:export-download", args=[written_job.pk])).status_code == 404
    assert exports_expire() == 1
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not ExportChunk.objects.filter(job_id=written_job.pk).exists()


def test_a_second_delivery_of_a_written_export_changes_nothing(written_job):
    chunks = list(ExportChunk.objects.filter(job=written_job).values_list("pk", flat=True))
    assert export_job_run(job_id=written_job.pk) is False
    assert list(ExportChunk.objects.filter(job=written_job).values_list("pk", flat=True)) == chunks


def test_a_large_file_is_stored_in_several_chunks(monkeypatch, checker):
    from factcheck.services import exports as service

    monkeypatch.setattr(service, "CHUNK_BYTES", 2000)  # a smaller piece size, to see the file split and joined
    articles = [ArticleFactory() for _ in range(6)]
    for a in articles:
        claims_for(a)
    job = export_job_create(scope=Scope(), fmt="json", actor=checker)
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.n_chunks > 2 and job.records == 6
    pieces = ExportChunk.objects.filter(job=job).order_by("seq").values_list("data", flat=True)
    data = b"".join(bytes(d) for d in pieces)
    assert len(data) == job.size
    assert [d["article"]["id"] for d in json.loads(data)] == [a.pk for a in articles]


def test_background_export_of_my_claims_says_whose(client, settings, checker, article):
    settings.FACTDESK_EXPORT_SYNC_MAX_CLAIMS = 0
    Claim.objects.filter(pk=article.claim_list[0].pk).update(assignee=checker)
    client.force_login(checker)
    response = client.post(EXPORT, {"scope": "queue", "assignee": "me", "verdict": "open", "format": "csv"})
    job = ExportJob.objects.get()
    assert response.status_code == 303
    assert job.scope["filters"] == {"assignee": str(checker.pk), "verdict": "open"}
    assert job.label == "Claims queue (verdict open, assignee ana)"
    assert "kept 24 hours after it was asked for" in client.get(response["Location"]).content.decode()
