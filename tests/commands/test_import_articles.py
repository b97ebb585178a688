"""`import_articles` (in-process with --sync, or as a batch for the workers) and `load_demo`."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from factcheck.models import Article, ImportBatch, Source, SourceDomain
from tests.builders.documents import make_docx, make_zip
from tests.builders.imports import article_text, make_jsonl, make_rss

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_articles", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_sync_import_of_a_folder_zip_jsonl_csv_and_feed_file(tmp_path):
    folder = tmp_path / "desk"
    (folder / "sub").mkdir(parents=True)
    (folder / "one.txt").write_text(article_text(1))
    (folder / "sub" / "two.docx").write_bytes(make_docx([("Two", "Title"), (article_text(2), None)]))
    (folder / ".hidden.txt").write_text(article_text(99))
    (folder / "notes.pptx").write_bytes(b"PK\x03\x04...")
    (tmp_path / "pack.zip").write_bytes(make_zip({"three.md": article_text(3).encode()}))
    (tmp_path / "rows.ndjson").write_bytes(make_jsonl([{"body": article_text(4)}, "{broken", {"body": article_text(1)}]))
    (tmp_path / "rows.csv").write_text(f'title,body\nFive,"{article_text(5)}"\n')
    (tmp_path / "feed.xml").write_bytes(make_rss([
        {"title": "Six", "link": "", "guid": "urn:six", "summary": f"<p>{article_text(6)}</p>"}]))
    out = run(str(folder), str(tmp_path / "pack.zip"), str(tmp_path / "rows.ndjson"), str(tmp_path / "rows.csv"),
              str(tmp_path / "feed.xml"), "--sync", "--source", "Desk Wire")
    batch = ImportBatch.objects.get()
    assert batch.status == "done" and (batch.imported, batch.duplicates, batch.failed) == (6, 1, 2)
    assert "Imported 6, duplicates 1, failed 2 (of 9)" in out
    assert "failed  rows.ndjson:2: Line 2: not valid JSON" in out
    assert "failed  desk/notes.pptx: Unsupported file type '.pptx'" in out
    assert set(Article.objects.values_list("source__name", flat=True)) == {"Desk Wire"}
    assert Article.objects.get(feed_guid="urn:six").title == "Six"
    assert not Article.objects.filter(body__contains="Bridge report 99").exists()  # hidden file skipped


def test_without_sync_a_batch_waits_for_the_workers(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_bytes(make_jsonl([{"body": article_text(1)}]))
    out = run(str(path))
    batch = ImportBatch.objects.get()
    assert batch.status == "pending" and batch.kind == "jsonl" and batch.uploads.count() == 1
    assert f"Import {batch.pk}" in out and f"/imports/{batch.pk}/" in out
    assert not Article.objects.exists()


def test_domain_match_beats_the_default_source(tmp_path):
    gazette = Source.objects.create(name="Gazette")
    SourceDomain.objects.create(source=gazette, domain="gazette.example")
    path = tmp_path / "rows.jsonl"
    path.write_bytes(make_jsonl([{"body": article_text(1), "url": "https://www.gazette.example/a"},
                                 {"body": article_text(2)}]))
    run(str(path), "--sync", "--source", "Fallback")
    assert dict(Article.objects.values_list("url", "source__name")) == {
        "https://www.gazette.example/a": "Gazette", "": "Fallback"}


def test_bad_paths_and_whole_file_failures(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path / "missing.txt"))
    bad = tmp_path / "bad.csv"
    bad.write_text("title,text\nA,B\n")
    with pytest.raises(CommandError, match="needs a 'body' or 'html' column"):
        run(str(bad), "--sync")
    with pytest.raises(CommandError, match="Only http:// and https://|not valid|private|loopback|found"):
        run("http://127.0.0.1:9/feed.xml")
    assert not Article.objects.exists()


def test_load_demo_goes_through_the_upload_path():
    call_command("load_demo", stdout=io.StringIO())
    articles = list(Article.objects.select_related("original", "source"))
    assert len(articles) == 3
    for article in articles:
        assert article.source.name == "Riverside Gazette"
        assert article.uploaded_by.username == "editor"
        raw = bytes(article.original.data).decode()
        assert raw.startswith(article.title)  # the first line became the title ...
        assert not article.body.startswith(article.title)  # ... and left the body
    call_command("load_demo", stdout=io.StringIO())
    assert Article.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_sync_import_extracts_and_matches_in_process(tmp_path):
    from factcheck.models import Claim
    from newsroom.celery import app

    (tmp_path / "a.txt").write_text(
        "Ford denies Xiaomi talks\n\nFord denied the report that it held talks with Xiaomi, calling it completely "
        "false.\n\nThe US imposed a 100% tariff on Chinese electric vehicles in 2024.\n")
    (tmp_path / "b.txt").write_text(
        "Xiaomi and Ford\n\nFord, however, denied the allegations, stating that such talks with Xiaomi did not "
        "exist.\n\nThe tariff on Chinese electric vehicles was temporarily increased to 145% in 2025.\n")
    out = run(str(tmp_path), "--sync")

    assert "Claims extracted and matched for 2 article(s)" in out
    assert sorted(Article.objects.values_list("origin", flat=True)) == ["a.txt", "b.txt"]  # the file's own name
    assert set(Article.objects.values_list("status", flat=True)) == {"ready"}
    denials = Claim.objects.filter(text__contains="denied")
    assert denials.count() == 2 and denials.values("cluster").distinct().count() == 1
    assert denials.first().cluster_id is not None
    assert Article.objects.values("story").distinct().count() == 1
    assert app.conf.task_always_eager is False  # the in-process mode ends with the command
