"""Batches and feeds through a real Celery worker on the real Redis and PostgreSQL."""

from __future__ import annotations

import pytest

from factcheck import tasks
from factcheck.models import Article, ArticleOriginal, ImportBatch, ImportItem, Source
from factcheck.services import batches, feeds
from tests.builders.documents import make_docx, make_zip
from tests.builders.imports import article_text, make_jsonl, make_rss
from tests.workers import wait_for

pytestmark = [pytest.mark.worker]


def finished(batch_id: int) -> bool:
    return ImportBatch.objects.get(pk=batch_id).status in (ImportBatch.Status.DONE, ImportBatch.Status.FAILED)


def test_zip_jsonl_and_csv_batches_through_a_real_worker(worker):
    archive = make_zip({
        "a/one.txt": article_text(1).encode(),
        "a/two.docx": make_docx([("Two", "Title"), (article_text(2), None)]),
        "../evil.txt": article_text(3).encode(),
    })
    rows = make_jsonl([{"title": f"Row {n}", "body": article_text(10 + n)} for n in range(12)] + ["{oops"])
    csv_data = ("title,body\n" + "".join(f'C{n},"{article_text(40 + n)}"\n' for n in range(5))).encode()
    created = [
        batches.batch_create(files=[("docs.zip", archive)], created_by=None),
        batches.batch_create(files=[("rows.jsonl", rows)], created_by=None),
        batches.batch_create(files=[("rows.csv", csv_data)], created_by=None),
    ]
    assert [b.kind for b in created] == ["archive", "jsonl", "csv"]
    for batch in created:
        tasks.batch_expand.delay(batch.pk)  # as the upload page does
    for batch in created:
        assert wait_for(lambda batch=batch: finished(batch.pk), timeout=90), batch.label
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.DONE
        assert batch.items.filter(status=ImportItem.Status.PENDING).count() == 0
        assert batch.imported == Article.objects.filter(batch=batch).count()
    counts = [(b.imported, b.failed) for b in ImportBatch.objects.order_by("pk")]
    assert counts == [(2, 1), (12, 1), (5, 0)]
    assert ArticleOriginal.objects.count() == Article.objects.count() == 19
    # The same workers then extract every article's claims.
    assert wait_for(lambda: not Article.objects.exclude(status=Article.Status.READY).exists(), timeout=120)


def test_feed_polling_imports_new_entries_only(worker, site, allow_local_fetch):
    def page(n):
        return (200, "text/html", f"<html><head><title>Page {n}</title></head><body><article><p>"
                f"{article_text(100 + n)}</p></article></body></html>".encode())

    entries = [
        {"title": "First story", "link": site.url("/news/1"), "guid": "urn:story:1"},
        {"title": "Second story", "link": site.url("/news/2"), "guid": "urn:story:2"},
        # Its page is gone, so its summary is used instead.
        {"title": "Third story", "link": site.url("/news/gone"), "guid": "urn:story:3",
         "summary": f"<p>{article_text(103)}</p>"},
    ]
    site.pages["/news/1"], site.pages["/news/2"] = page(1), page(2)
    site.pages["/feed.xml"] = (200, "application/rss+xml", make_rss(entries))
    source = Source.objects.create(name="Local Gazette", feed_url=site.url("/feed.xml"))

    # The poll in this process (the task's body); the items it sends go to the worker.
    first = ImportBatch.objects.get(pk=tasks.source_poll_feed(source.pk))
    assert first is not None and first.kind == ImportBatch.Kind.FEED and first.total == 3
    assert wait_for(lambda: finished(first.pk), timeout=90)
    articles = {a.feed_guid: a for a in Article.objects.filter(source=source)}
    assert set(articles) == {"urn:story:1", "urn:story:2", "urn:story:3"}
    assert articles["urn:story:1"].title == "First story" and articles["urn:story:1"].url == site.url("/news/1")
    assert "Bridge report 101" in articles["urn:story:1"].body
    assert "Bridge report 103" in articles["urn:story:3"].body
    assert articles["urn:story:1"].published_at is not None

    # Second poll: one new entry; only that one is fetched and imported.
    site.pages["/news/4"] = page(4)
    entries.append({"title": "Fourth story", "link": site.url("/news/4"), "guid": "urn:story:4"})
    site.pages["/feed.xml"] = (200, "application/rss+xml", make_rss(entries))
    site.requests.clear()
    second = ImportBatch.objects.get(pk=tasks.source_poll_feed(source.pk))
    assert second.total == 1
    assert wait_for(lambda: finished(second.pk), timeout=60)
    assert second.items.get().key == "urn:story:4"
    assert Article.objects.filter(source=source).count() == 4
    assert "/news/1" not in site.requests and "/news/4" in site.requests
    assert feeds.source_poll_feed(source_id=source.pk) is None  # nothing new
    source.refresh_from_db()
    assert source.feed_failures == 0 and source.feed_last_error == "" and source.feed_last_polled_at


def test_a_failing_feed_is_recorded_and_backs_off(worker, site, allow_local_fetch):
    broken = Source.objects.create(name="Broken Feed", feed_url=site.url("/missing.xml"))
    not_a_feed = Source.objects.create(name="Not A Feed", feed_url=site.url("/page.html"))
    site.pages["/page.html"] = (200, "text/html", b"<html><body><p>Hello</p></body></html>")
    assert tasks.feeds_poll_due() == 2  # never polled: both due; the worker polls them
    assert wait_for(lambda: Source.objects.filter(feed_failures=1).count() == 2, timeout=60)
    broken.refresh_from_db()
    not_a_feed.refresh_from_db()
    assert "404" in broken.feed_last_error and broken.feed_last_polled_at
    assert "feed" in not_a_feed.feed_last_error.lower()
    assert tasks.feeds_poll_due() == 0  # backing off
    for _ in range(feeds.FEED_MAX_FAILURES - 1):
        feeds.source_poll_feed(source_id=broken.pk)
    broken.refresh_from_db()
    assert broken.feed_failures == feeds.FEED_MAX_FAILURES
    Source.objects.filter(pk=broken.pk).update(feed_last_polled_at=None)
    assert tasks.feeds_poll_due() == 0  # stopped: never retried forever
    assert not ImportBatch.objects.exists()
