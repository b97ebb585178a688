"""JSONL and CSV rows: a publisher name no source has is created (or the row's domain matches one), an unreadable
date is imported with a warning, and the batch page says both; the export leaves an empty cell for no publisher."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from factcheck.models import Article, Claim, ImportItem, Source, SourceDomain
from tests.builders.imports import article_text, make_jsonl
from tests.services.test_batches import assert_consistent, items, run

pytestmark = pytest.mark.django_db


def make_csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def test_an_unknown_source_is_created_once_and_named_on_the_batch_page(editor, client):
    rows = make_jsonl([
        {"title": f"Report {n}", "body": article_text(n), "source": "Harbour Courier"} for n in range(1, 4)
    ])
    batch = run([("rows.jsonl", rows)], user=editor)
    assert batch.imported == 3
    courier = Source.objects.get(name="Harbour Courier")
    assert set(Article.objects.filter(batch=batch).values_list("source", flat=True)) == {courier.pk}
    notes = {key: item.message for key, item in items(batch).items()}
    assert notes["rows.jsonl:1"] == "Created publisher “Harbour Courier”."
    assert notes["rows.jsonl:2"] == notes["rows.jsonl:3"] == ""
    assert_consistent(batch)
    # Who created it is in the history.
    event = courier.events.get(pgh_label="insert")
    assert event.pgh_context.metadata["action"] == "factcheck.source.created"
    assert event.pgh_context.metadata["username"] == editor.username

    client.force_login(editor)
    page = client.get(reverse("factcheck:batch", args=[batch.pk])).content.decode()
    assert "Created publisher “Harbour Courier”." in page


def test_the_row_url_domain_and_an_existing_name_win_over_creating(editor):
    wire = Source.objects.create(name="Wire Service")
    SourceDomain.objects.create(source=wire, domain="wire.example")
    Source.objects.create(name="Daily Ledger")
    data = make_csv(["title", "body", "url", "source"], [
        ["One", article_text(1), "https://www.wire.example/a", "Some Other Name"],
        ["Two", article_text(2), "", "daily ledger"],
    ])
    batch = run([("rows.csv", data)], user=editor)
    assert batch.imported == 2
    assert Article.objects.get(title="One").source == wire
    assert Article.objects.get(title="Two").source.name == "Daily Ledger"
    assert Source.objects.count() == 2  # nothing created
    assert not batch.items.exclude(message="").exists()


def test_an_unreadable_date_is_a_warning_on_an_imported_item(editor, client):
    rows = make_jsonl([
        {"title": "Dated", "body": article_text(1), "published_at": "2026-01-05"},
        {"title": "Undated", "body": article_text(2), "published_at": "the Tuesday before last"},
    ])
    csv_data = make_csv(["title", "body", "published_at"], [["Cell", article_text(3), "31/31/2026"]])
    batch = run([("rows.jsonl", rows), ("rows.csv", csv_data)], user=editor)
    assert (batch.imported, batch.failed) == (3, 0)
    found = items(batch)
    assert found["rows.jsonl:2"].status == ImportItem.Status.IMPORTED
    assert found["rows.jsonl:2"].message == "Line 2: the date 'the Tuesday before last' was not understood and was ignored."
    assert found["rows.csv:2"].message == "Line 2: the date '31/31/2026' was not understood and was ignored."
    assert found["rows.jsonl:1"].message == ""
    assert Article.objects.get(title="Undated").published_at is None
    assert Article.objects.get(title="Dated").published_at.year == 2026

    client.force_login(editor)
    page = client.get(reverse("factcheck:batch", args=[batch.pk])).content.decode()
    assert "the date &#x27;the Tuesday before last&#x27; was not understood" in page


def test_a_300_row_import_keeps_every_publisher_and_exports_no_none(editor, tmp_path):
    outlets = ["North Star", "Bay Times", "Valley Voice"]
    rows = make_jsonl([
        {"title": f"Story {n}", "body": article_text(n), "source": outlets[n % 3]} for n in range(300)
    ] + [{"title": "No publisher", "body": article_text(1000)}])
    batch = run([("big.jsonl", rows)], user=editor)
    assert batch.imported == 301
    assert Article.objects.filter(batch=batch, source__isnull=True).count() == 1
    assert sorted(Source.objects.values_list("name", flat=True)) == sorted(outlets)
    assert batch.items.filter(message__startswith="Created publisher").count() == 3

    for article in Article.objects.filter(title__in=["No publisher", "Story 1"]):
        sentence = article.body.split(". ")[0] + "."
        Claim.objects.create(article=article, start=0, end=len(sentence), text=sentence, score=0.9)
    out = tmp_path / "claims.csv"
    call_command("export_claims", "--format", "csv", "--output", str(out))
    table = {row["article_title"]: row for row in csv.DictReader(io.StringIO(out.read_text()))}
    assert table["No publisher"]["article_source"] == ""
    assert table["Story 1"]["article_source"] == "Bay Times"
    assert "None" not in out.read_text()


def test_a_source_cell_too_long_to_be_a_name_creates_nothing(editor):
    batch = run([("rows.jsonl", make_jsonl([{"title": "One", "body": article_text(1), "source": "word " * 40}]))],
                user=editor)
    assert batch.imported == 1 and not Source.objects.exists()
    assert "is too long to be a publisher's name" in batch.items.get().message


def test_a_duplicate_row_creates_no_publisher(editor):
    run([("a.jsonl", make_jsonl([{"title": "One", "body": article_text(1)}]))], user=editor)
    batch = run([("b.jsonl", make_jsonl([{"title": "One", "body": article_text(1), "source": "Echo Post"}]))],
                user=editor)
    assert batch.duplicates == 1
    assert not Source.objects.filter(name="Echo Post").exists()
