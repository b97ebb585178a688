"""Batches through the services (in-process): expansion with stable keys, per-item errors, idempotency, resume."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from factcheck.models import Article, ArticleOriginal, ImportBatch, ImportItem, ImportUpload, Source, SourceDomain
from factcheck import selectors, tasks
from factcheck.services import batches
from tests.builders.documents import make_docx, make_zip
from tests.builders.imports import article_text, make_jsonl

pytestmark = pytest.mark.django_db


def run(files, *, user=None, **kwargs) -> ImportBatch:
    """Create, expand and process a batch in this process, as `import_articles --sync` does (without extraction)."""
    batch = batches.batch_create(files=files, created_by=user, **kwargs)
    batches.batch_expand(batch_id=batch.pk)
    batches.batch_process_items(batch_id=batch.pk, item_ids=selectors.batch_pending_item_ids(batch_id=batch.pk))
    batch.refresh_from_db()
    return batch


def items(batch) -> dict[str, ImportItem]:
    return {item.key: item for item in batch.items.all()}


def assert_consistent(batch: ImportBatch) -> None:
    counts = {s: batch.items.filter(status=s).count() for s in ImportItem.Status.values}
    assert counts[ImportItem.Status.PENDING] == 0
    assert (batch.imported, batch.duplicates, batch.failed) == (
        counts["imported"], counts["duplicate"], counts["failed"])
    assert batch.total == sum(counts.values()) == batch.items.count()
    assert Article.objects.filter(batch=batch).count() == batch.imported
    assert ArticleOriginal.objects.count() == Article.objects.count()  # never an article without its original


def test_zip_jsonl_and_csv_in_one_batch(editor):
    gazette = Source.objects.create(name="Gazette")
    SourceDomain.objects.create(source=gazette, domain="gazette.example")
    archive = make_zip({
        "news/one.txt": article_text(1).encode(),
        "news/deep/two.docx": make_docx([("Second report", "Title"), (article_text(2), None)]),
        "three.html": f"<html><body><p>{article_text(3)}</p></body></html>".encode(),
    })
    rows = make_jsonl([
        {"title": "Four", "body": article_text(4), "url": "https://gazette.example/4", "author": "Jo Writer",
         "published_at": "2026-01-05T10:00:00Z"},
        {"title": "Five", "html": f"<article><p>{article_text(5)}</p></article>"},
    ])
    csv_data = ("title,body,url\n"
                f"Six,\"{article_text(6)}\",https://elsewhere.example/6\n").encode()
    batch = run([("a.zip", archive), ("rows.jsonl", rows), ("rows.csv", csv_data)], user=editor)
    assert batch.status == ImportBatch.Status.DONE and batch.kind == ImportBatch.Kind.FILES
    assert sorted(items(batch)) == sorted([
        "a.zip/news/one.txt", "a.zip/news/deep/two.docx", "a.zip/three.html",
        "rows.jsonl:1", "rows.jsonl:2", "rows.csv:2",
    ])
    assert batch.imported == 6 and batch.failed == 0
    four = Article.objects.get(title="Four")
    assert four.source == gazette and four.byline == "Jo Writer" and four.published_at.year == 2026
    assert four.uploaded_by == editor and four.batch == batch
    assert bytes(four.original.data) == rows.split(b"\n")[0]
    assert bytes(Article.objects.get(title="Six").original.data).decode().startswith("title,body,url\nSix,")
    assert Article.objects.get(title="Second report").original.filename == "two.docx"
    assert not ImportUpload.objects.filter(batch=batch).exists()  # dropped once expanded
    assert_consistent(batch)


def test_jsonl_broken_line_is_one_failed_item_the_rest_imported():
    data = make_jsonl([
        {"title": "One", "body": article_text(1)},
        '{"title": "Two", "body": "unterminated',
        "[1, 2, 3]",
        {"title": "No body"},
        {"title": "Five", "body": article_text(5)},
    ])
    batch = run([("feed.jsonl", data)])
    by_key = items(batch)
    assert by_key["feed.jsonl:1"].status == "imported" and by_key["feed.jsonl:5"].status == "imported"
    assert by_key["feed.jsonl:2"].status == "failed" and by_key["feed.jsonl:2"].message.startswith("Line 2: not valid JSON")
    assert by_key["feed.jsonl:3"].message.startswith("Line 3:")
    assert "Line 4:" in by_key["feed.jsonl:4"].message and "'body' or 'html'" in by_key["feed.jsonl:4"].message
    assert batch.status == "done" and (batch.imported, batch.failed) == (2, 3)
    assert_consistent(batch)


def test_duplicates_within_and_across_batches():
    first = run([("a.jsonl", make_jsonl([{"body": article_text(1)}, {"body": article_text(1).upper()}]))])
    assert (first.imported, first.duplicates) == (1, 1)
    second = run([("b.jsonl", make_jsonl([{"body": article_text(1)}, {"body": article_text(2)}]))])
    assert (second.imported, second.duplicates) == (1, 1)
    dup = second.items.get(status="duplicate")
    assert dup.article == Article.objects.get(batch=first) and "Already in Factdesk" in dup.message
    assert_consistent(second)


def test_csv_missing_column_fails_the_batch_with_a_message():
    batch = run([("rows.csv", b"title,text\nOne,Some text here.\n")])
    assert batch.status == ImportBatch.Status.FAILED
    assert "needs a 'body' or 'html' column" in batch.message
    assert not batch.items.exists() and not Article.objects.exists()


def test_csv_formula_cells_are_kept_as_plain_text():
    data = ('title,body\n"=HYPERLINK(""http://evil.example"")",' + f'"{article_text(1)}"\n'
            + f'@SUM(A1),"{article_text(2)}"\n').encode()
    batch = run([("rows.csv", data)])
    assert batch.imported == 2
    assert set(Article.objects.values_list("title", flat=True)) == {'=HYPERLINK("http://evil.example")', "@SUM(A1)"}


def test_hostile_zip_entries_are_refused_one_by_one():
    archive = make_zip({
        "../escape.txt": article_text(1).encode(),
        "/etc/absolute.txt": article_text(2).encode(),
        "inner.zip": make_zip({"x.txt": b"hello"}),
        "ok.txt": article_text(3).encode(),
        "fake.docx": make_zip({"a.txt": b"not word"}),
        "junk.txt": bytes(range(256)) * 10,
        "empty.txt": b"",
    })
    batch = run([("a.zip", archive)])
    by_key = items(batch)
    assert by_key["a.zip/ok.txt"].status == "imported"
    assert "outside the archive" in by_key["a.zip/../escape.txt"].message
    assert "absolute path" in by_key["a.zip//etc/absolute.txt"].message
    assert "Archives inside archives" in by_key["a.zip/inner.zip"].message
    assert "not a valid Word document" in by_key["a.zip/fake.docx"].message
    assert "binary" in by_key["a.zip/junk.txt"].message and "empty" in by_key["a.zip/empty.txt"].message
    assert batch.status == "done" and (batch.imported, batch.failed) == (1, 6)
    assert_consistent(batch)


def test_decompression_bomb_fails_the_whole_batch(settings):
    settings.FACTDESK_MAX_ARCHIVE_RATIO = 100
    bomb = make_zip({"bomb.txt": b"A" * (20 * 1024 * 1024), "ok.txt": article_text(1).encode()})
    batch = run([("bomb.zip", bomb)])
    assert batch.status == ImportBatch.Status.FAILED and "decompression bomb" in batch.message
    assert not Article.objects.exists() and not batch.items.exists()
    assert not ImportUpload.objects.filter(batch=batch).exists()


def test_not_a_zip_and_empty_and_oversized_batches(settings):
    assert "not a valid zip" in run([("a.zip", b"PK\x03\x04garbage")]).message
    assert "no rows" in run([("a.jsonl", b"\n\n  \n")]).message
    settings.FACTDESK_MAX_BATCH_BYTES = 100
    with pytest.raises(batches.IngestError, match="over the 100 bytes limit"):
        batches.batch_create(files=[("a.jsonl", b"x" * 200)], created_by=None)
    assert not ImportBatch.objects.filter(label="a.jsonl", status="pending").exists()


def test_unsupported_file_among_several_is_one_failed_item():
    batch = run([("one.txt", article_text(1).encode()), ("deck.pptx", b"PK\x03\x04..."),
                 ("two.md", article_text(2).encode())])
    assert (batch.imported, batch.failed) == (2, 1)
    assert "Unsupported file type '.pptx'" in items(batch)["deck.pptx"].message


def test_expansion_and_processing_are_idempotent():
    data = make_jsonl([{"body": article_text(n)} for n in range(30)])
    batch = batches.batch_create(files=[("r.jsonl", data)], created_by=None)
    batches.batch_expand(batch_id=batch.pk)
    batches.batch_expand(batch_id=batch.pk)  # redelivered: nothing new
    ids = selectors.batch_pending_item_ids(batch_id=batch.pk)
    assert len(ids) == 30 and ImportItem.objects.filter(batch=batch).count() == 30
    batches.batch_process_items(batch_id=batch.pk, item_ids=ids[:10])
    batches.batch_process_items(batch_id=batch.pk, item_ids=ids[:20])  # overlaps the first chunk
    batches.batch_process_items(batch_id=batch.pk, item_ids=ids)
    batches.batch_process_items(batch_id=batch.pk, item_ids=ids)
    batch.refresh_from_db()
    assert batch.status == "done" and batch.imported == 30 and Article.objects.count() == 30
    assert_consistent(batch)


def test_a_chunk_out_of_time_leaves_the_rest_pending_for_the_next_task():
    batch = batches.batch_create(files=[("r.jsonl", make_jsonl([{"body": article_text(n)} for n in range(5)]))],
                                 created_by=None)
    batches.batch_expand(batch_id=batch.pk)
    ids = selectors.batch_pending_item_ids(batch_id=batch.pk)
    chunk = batches.batch_process_items(batch_id=batch.pk, item_ids=ids, time_budget=-1)  # hands everything on
    assert chunk.left == ids and chunk.handled == 0
    assert len(selectors.batch_pending_item_ids(batch_id=batch.pk)) == 5
    batch.refresh_from_db()
    assert batch.status == "running"


def test_resume_finds_stalled_batches_only(django_capture_on_commit_callbacks):
    stalled = batches.batch_create(files=[("r.jsonl", make_jsonl([{"body": article_text(1)}]))],
                                   created_by=None)
    batches.batch_expand(batch_id=stalled.pk)
    ImportBatch.objects.filter(pk=stalled.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    fresh = batches.batch_create(files=[("s.jsonl", make_jsonl([{"body": article_text(2)}]))],
                                 created_by=None)
    batches.batch_expand(batch_id=fresh.pk)
    assert tasks.batches_resume_stalled() == 1
    assert tasks.batches_resume_stalled() == 0  # claimed: the heartbeat moved
    stalled.refresh_from_db()
    assert stalled.heartbeat_at > timezone.now() - timedelta(minutes=1)


# --- the pages -------------------------------------------------------------------------------------------


def test_batch_upload_view_creates_a_batch(client, editor):
    client.force_login(editor)
    response = client.post(reverse("factcheck:batch-upload"), {
        "files": SimpleUploadedFile("rows.jsonl", make_jsonl([{"body": article_text(1)}])),
        "new_source": "Wire Desk",
    })
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == batch.get_absolute_url()
    assert batch.kind == "jsonl" and batch.default_source.name == "Wire Desk" and batch.created_by == editor


def test_batch_upload_view_refuses_too_much(client, editor, settings):
    settings.FACTDESK_MAX_BATCH_BYTES = 10
    client.force_login(editor)
    response = client.post(reverse("factcheck:batch-upload"),
                           {"files": SimpleUploadedFile("rows.jsonl", b"x" * 100)})
    assert response.status_code == 400 and "limit" in response.content.decode()
    assert not ImportBatch.objects.exists()
    assert client.post(reverse("factcheck:batch-upload"), {}).status_code == 400


def test_batch_page_polls_until_done_then_stops_with_286(client, viewer):
    batch = batches.batch_create(files=[("r.jsonl", make_jsonl([{"body": article_text(1)}, "{broken"]))],
                                 created_by=None)
    batches.batch_expand(batch_id=batch.pk)
    client.force_login(viewer)
    url = reverse("factcheck:batch", args=[batch.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'hx-trigger="every 2s"' in page.content.decode()
    partial = client.get(url, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and partial.content.decode().lstrip().startswith("<section id=\"batch-progress\"")
    batches.batch_process_items(batch_id=batch.pk, item_ids=selectors.batch_pending_item_ids(batch_id=batch.pk))
    final = client.get(url, HTTP_HX_REQUEST="true")
    html = final.content.decode()
    assert final.status_code == 286 and "every 2s" not in html
    article = Article.objects.get()
    assert article.get_absolute_url() in html and "Line 2: not valid JSON" in html
    listing = client.get(reverse("factcheck:batches")).content.decode()
    assert batch.get_absolute_url() in listing


def test_batch_page_unknown_is_404(client, viewer):
    client.force_login(viewer)
    assert client.get(reverse("factcheck:batch", args=[999999])).status_code == 404


# --- input the database cannot store, and items that keep failing ---------------------------------------


def test_nul_characters_fail_their_own_rows_with_a_message_and_the_batch_finishes():
    rows = make_jsonl([
        {"title": "x\u0000", "body": article_text(1)},
        {"title": "Two", "body": article_text(2)},
        {"title": "Three", "body": article_text(3) + "\u0000"},
    ])
    csv_data = ("title,body\n"
                f"Four,\"{article_text(4)}\"\n"
                f"Fi\x00ve,\"{article_text(5)}\"\n").encode()
    batch = run([("rows.jsonl", rows), ("rows.csv", csv_data)])
    by_key = items(batch)
    assert batch.status == "done" and (batch.imported, batch.failed) == (1, 3)
    assert by_key["rows.jsonl:1"].message == (
        "Line 1: The text contains a NUL character (\\u0000), which cannot be stored; remove it and try again.")
    assert by_key["rows.jsonl:3"].message.startswith("Line 3: The text contains a NUL character")
    assert by_key["rows.csv"].message == "This file looks like binary data, not text."  # NUL in a CSV file
    assert {a.title for a in Article.objects.filter(batch=batch)} == {"Two"}
    assert_consistent(batch)


def test_a_database_error_in_one_item_fails_that_item_not_the_chunk(monkeypatch):
    from django.db import DataError

    real_create = batches.article_create

    def refuse_two(*, new, **kwargs):
        if new.title == "Two":
            raise DataError("value too long for type character varying(16)")
        return real_create(new=new, **kwargs)

    monkeypatch.setattr(batches, "article_create", refuse_two)
    batch = run([("r.jsonl", make_jsonl([{"title": t, "body": article_text(n)}
                                         for n, t in enumerate(["One", "Two", "Three"])]))])
    by_key = items(batch)
    assert batch.status == "done" and (batch.imported, batch.failed) == (2, 1)
    assert by_key["r.jsonl:2"].message == "This item could not be stored (DataError)."
    assert_consistent(batch)


def test_an_item_that_keeps_failing_is_set_aside_with_its_error(monkeypatch):
    from django.db import OperationalError

    def unavailable(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    batch = batches.batch_create(files=[("r.jsonl", make_jsonl([{"title": "One", "body": article_text(1)}]))],
                                 created_by=None)
    batches.batch_expand(batch_id=batch.pk)
    ids = selectors.batch_pending_item_ids(batch_id=batch.pk)
    monkeypatch.setattr(batches, "article_create", unavailable)
    for _ in range(batches.MAX_ITEM_ATTEMPTS):  # the task's retries, then the sweep's resumes
        with pytest.raises(OperationalError):
            batches.batch_process_items(batch_id=batch.pk, item_ids=ids)
    assert selectors.batch_pending_item_ids(batch_id=batch.pk) == ids
    batches.batch_process_items(batch_id=batch.pk, item_ids=ids)
    batch.refresh_from_db()
    item = batch.items.get()
    assert batch.status == "done" and batch.failed == 1
    assert item.status == "failed"
    assert item.message == ("Set aside after 3 attempts: the database was unavailable (OperationalError).")
