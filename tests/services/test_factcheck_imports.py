"""Importing published fact-checks into the database: upserts by key, counts, problems, publishers, ratings,
resuming, URLs and feeds. Real PostgreSQL; the real encoder computes the vectors."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from factcheck import tasks
from factcheck.ingest import IngestError
from factcheck.matching import checks, encoder
from factcheck.models import (
    FactCheckFeed,
    FactCheckImport,
    FactCheckImportProblem,
    PublishedCheck,
    RatingMapping,
    Source,
    SourceDomain,
)
from factcheck.services import factcheck_imports as svc
from tests.builders.claimreview import claim_review, data_feed, graph, html_page, jsonl

pytestmark = pytest.mark.django_db


def run_import(data: bytes, filename: str = "checks.jsonl", **kwargs) -> FactCheckImport:
    run = svc.factcheck_import_create(data=data, filename=filename, **kwargs)
    svc.factcheck_import_run(run_id=run.pk, time_budget=None)
    run.refresh_from_db()
    return run


def test_a_file_is_imported_with_vectors_keys_and_counts():
    run = run_import(jsonl([claim_review(1), claim_review(2)]))
    assert (run.status, run.total, run.created, run.updated, run.failed) == ("done", 2, 2, 0, 0)
    assert run.data is None and run.finished_at is not None
    check = PublishedCheck.objects.get(identifier="review-1")
    assert check.key == "url:https://checks.example/reviews/1" and check.last_import == run
    assert check.rating == "mostly_false" and check.rating_label == "Mostly False"
    assert check.embedding_model == encoder.ENCODER_VERSION and check.match_keys
    assert checks.vectors_from_bytes(bytes(check.embedding)).shape == (2, encoder.DIM)
    assert check.raw["reviewRating"]["alternateName"] == "Mostly False"


@pytest.mark.parametrize("filename, data", [
    ("one.json", json.dumps(claim_review(1)).encode()),
    ("list.json", json.dumps([claim_review(1), claim_review(2)]).encode()),
    ("graph.jsonld", graph([{"@type": "WebSite"}, claim_review(1), claim_review(2)])),
    ("feed.json", data_feed([{"@type": "DataFeedItem", "item": [claim_review(1)]}, claim_review(2)])),
    ("lines.jsonl", jsonl([claim_review(1), claim_review(2)])),
    ("page.html", html_page(json.dumps([claim_review(1), claim_review(2)]))),
])
def test_every_feed_shape_imports(filename, data):
    run = run_import(data, filename)
    expected = {"review-1", "review-2"} if filename != "one.json" else {"review-1"}
    assert run.status == "done" and run.created == len(expected)
    assert set(PublishedCheck.objects.values_list("identifier", flat=True)) == expected


def test_the_same_checks_imported_twice_update_one_row_each():
    first = run_import(jsonl([claim_review(1), claim_review(2)]))
    changed = claim_review(2, reviewRating={"alternateName": "False"},
                           url="https://CHECKS.example/reviews/2/?utm_source=feed")
    second = run_import(jsonl([claim_review(1), changed, claim_review(3)]))
    assert (second.created, second.updated, second.failed) == (1, 2, 0)
    assert PublishedCheck.objects.count() == 3
    check = PublishedCheck.objects.get(identifier="review-2")
    assert check.rating == "false" and check.last_import == second
    assert PublishedCheck.objects.get(identifier="review-1").last_import == second != first


def test_a_key_twice_in_one_file_is_one_check():
    run = run_import(jsonl([claim_review(1, headline="first"), claim_review(1, headline="second")]))
    assert (run.created, run.updated) == (1, 1)
    assert PublishedCheck.objects.get().headline == "second"


def test_checks_without_url_are_keyed_by_publisher_and_identifier_then_text():
    records = [claim_review(1, url=None), claim_review(2, url=None, identifier=None)]
    run_import(jsonl(records))
    run = run_import(jsonl(records))
    assert (run.created, run.updated) == (0, 2) and PublishedCheck.objects.count() == 2
    keys = set(PublishedCheck.objects.values_list("key", flat=True))
    assert "id:checks desk|review-1" in keys and any(k.startswith("text:checks desk|") for k in keys)


def test_broken_and_refused_records_are_skipped_with_their_line_and_the_rest_imported():
    data = jsonl([claim_review(1), "{broken", claim_review(3, claimReviewed=None, headline=None), claim_review(4)])
    run = run_import(data)
    assert (run.status, run.total, run.created, run.failed) == ("done", 4, 2, 2)
    skipped = list(run.problems.filter(skipped=True).values_list("line", "message"))
    assert skipped[0][0] == 2 and skipped[0][1].startswith("Line 2: not valid JSON")
    assert skipped[1] == (3, "Line 3: neither the claim reviewed (claimReviewed) nor a headline, so it was skipped.")


def test_missing_fields_are_imported_and_reported():
    data = jsonl([claim_review(1, reviewRating=None, datePublished=None), claim_review(2)])
    run = run_import(data)
    assert run.created == 2 and run.failed == 0
    [problem] = run.problems.all()
    assert not problem.skipped and problem.line == 1
    assert problem.message == "Line 1: imported without a review date and a rating."
    check = PublishedCheck.objects.get(identifier="review-1")
    assert check.missing == ["review_date", "rating"] and check.rating == "other" and check.review_date is None


def test_a_nul_byte_is_removed_and_noted():
    line = json.dumps(claim_review(1, claimReviewed="The bridge\u0000 cost twice.")).encode()
    run = run_import(line + b"\n" + json.dumps(claim_review(2)).encode().replace(b"river", b"ri\x00ver") + b"\n")
    assert run.created == 2
    assert set(PublishedCheck.objects.values_list("claim_reviewed", flat=True)) == {
        "The bridge cost twice.", "The river bridge number 2 cost twice its budget."}
    assert run.problems.filter(message__contains="NUL or control characters were removed").count() == 2


def test_ratings_as_free_text_and_the_editable_mapping():
    desk = Source.objects.create(name="Checks Desk")
    SourceDomain.objects.create(source=desk, domain="checks.example")
    RatingMapping.objects.create(publisher=None, label="a stretch", rating="mostly_false")
    RatingMapping.objects.create(publisher=desk, label="Four Pinocchios", rating="mostly_false")
    RatingMapping.objects.create(publisher=None, label="Four pinocchios", rating="true")
    run_import(jsonl([
        claim_review(1, reviewRating={"alternateName": "A Stretch"}),
        claim_review(2, reviewRating={"alternateName": "four pinocchios"}),
        claim_review(3, reviewRating={"alternateName": "We could not settle this one either way, honestly"}),
        claim_review(4, reviewRating={"ratingValue": "4", "bestRating": "5"}),
    ]))
    ratings = dict(PublishedCheck.objects.values_list("identifier", "rating"))
    assert ratings == {"review-1": "mostly_false", "review-2": "mostly_false", "review-3": "other",
                       "review-4": "mostly_true"}


def test_publishers_are_found_by_domain_or_name_or_created():
    known = Source.objects.create(name="Known Desk")
    SourceDomain.objects.create(source=known, domain="known.example")
    named = Source.objects.create(name="Named Desk")
    run_import(jsonl([
        claim_review(1, author={"@type": "Organization", "name": "Whatever", "url": "https://www.known.example/"}),
        claim_review(2, author={"@type": "Organization", "name": "named desk"}, url=None),
        claim_review(3, author={"@type": "Organization", "name": "New Desk", "url": "https://new.example/"}),
        claim_review(4, author={"@type": "Organization", "name": "New Desk", "url": "https://new.example/"}),
        claim_review(5, author=None, url=None),
    ]))
    publishers = dict(PublishedCheck.objects.values_list("identifier", "publisher__name"))
    assert publishers == {"review-1": "Known Desk", "review-2": "Named Desk", "review-3": "New Desk",
                          "review-4": "New Desk", "review-5": None}
    created = Source.objects.get(name="New Desk")
    assert created.kind == Source.Kind.OTHER and created.reliability == Source.Reliability.UNKNOWN
    assert list(created.domains.values_list("domain", flat=True)) == ["new.example"]
    assert named.checks.count() == 1


def test_unreadable_uploads_are_refused_before_anything_is_stored(settings):
    with pytest.raises(IngestError, match="not ClaimReview JSON"):
        svc.factcheck_import_create(data=b"title,body\nA,B\n", filename="rows.csv")
    settings.FACTDESK_MAX_BATCH_BYTES = 2048
    with pytest.raises(IngestError, match="over the 2 KB limit for an import of fact-checks"):
        svc.factcheck_import_create(data=jsonl([claim_review(n) for n in range(20)]), filename="big.jsonl")
    assert not FactCheckImport.objects.exists()


def test_an_oversized_file_on_disk_is_refused_without_reading_it(settings, tmp_path):
    settings.FACTDESK_MAX_BATCH_BYTES = 1024 * 1024
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as f:
        f.truncate(1024 * 1024 + 1)
    with pytest.raises(IngestError, match="over the 1 MB limit"):
        svc.factcheck_import_create_from_path(path=path)


def test_a_graph_of_100000_items_imports_only_its_claim_reviews():
    nodes = [{"@type": "WebPage", "url": f"https://checks.example/page/{n}", "name": f"Page {n}"}
             for n in range(100_000 - 30)]
    for n in range(30):
        nodes.insert(n * 3000, claim_review(n))
    run = run_import(graph(nodes), "graph.json")
    assert (run.status, run.total, run.created, run.failed) == ("done", 30, 30, 0)
    assert PublishedCheck.objects.count() == 30 and not run.problems.exists()


def test_a_resumed_run_skips_what_its_counters_say_is_done(monkeypatch):
    monkeypatch.setattr(svc, "CHUNK_SIZE", 2)
    run = svc.factcheck_import_create(data=jsonl([claim_review(n) for n in range(5)]), filename="c.jsonl")
    # A worker that stops after its first chunk (its time budget spent) leaves the counters at 2.
    assert svc.factcheck_import_run(run_id=run.pk, time_budget=-1).unfinished  # for the next task
    run.refresh_from_db()
    assert (run.status, run.processed) == ("running", 0)
    calls = []
    monkeypatch.setattr(svc, "_after_chunk", lambda ids: calls.append(len(ids)))
    svc.factcheck_import_run(run_id=run.pk, time_budget=None)
    run.refresh_from_db()
    assert (run.status, run.created, run.updated) == ("done", 5, 0) and calls == [2, 2, 1]
    # Run again (a redelivered task): nothing changes.
    assert svc.factcheck_import_run(run_id=run.pk).handled == 0
    assert PublishedCheck.objects.count() == 5


def test_a_run_starts_where_its_counters_say():
    run = svc.factcheck_import_create(data=jsonl([claim_review(1), claim_review(2)]), filename="c.jsonl")
    FactCheckImport.objects.filter(pk=run.pk).update(status="running", total=2, created=1)
    assert svc.factcheck_import_run(run_id=run.pk).handled == 1
    run.refresh_from_db()
    assert (run.created, run.status) == (2, "done")
    assert list(PublishedCheck.objects.values_list("identifier", flat=True)) == ["review-2"]


def test_a_chunk_finding_another_worker_ahead_writes_nothing():
    from factcheck.ingest.claimreview import iter_records

    run = svc.factcheck_import_create(data=jsonl([claim_review(1)]), filename="c.jsonl")
    FactCheckImport.objects.filter(pk=run.pk).update(status="running", total=1, created=1)
    chunk = list(iter_records(jsonl([claim_review(1)])))
    assert svc._import_chunk(run, chunk, svc._vectors(chunk), cursor=0, mappings={}) is None
    assert not PublishedCheck.objects.exists() and not FactCheckImportProblem.objects.exists()
    assert FactCheckImport.objects.get(pk=run.pk).created == 1


def test_stalled_runs_are_resumed_once(django_capture_on_commit_callbacks):
    old = timezone.now() - svc.RUN_STALLED_AFTER * 2
    stalled = FactCheckImport.objects.create(label="a.jsonl", status="running", heartbeat_at=old)
    FactCheckImport.objects.create(label="b.jsonl", status="running", heartbeat_at=timezone.now())
    FactCheckImport.objects.create(label="c.jsonl", status="done", heartbeat_at=old)
    with django_capture_on_commit_callbacks() as callbacks:
        assert tasks.factcheck_imports_resume_stalled() == 1
        assert tasks.factcheck_imports_resume_stalled() == 0
    assert len(callbacks) == 1
    stalled.refresh_from_db()
    assert stalled.heartbeat_at > old


def test_a_run_its_worker_keeps_dying_on_is_parked_with_a_message(django_capture_on_commit_callbacks):
    old = timezone.now() - svc.RUN_STALLED_AFTER * 2
    run = FactCheckImport.objects.create(label="a.jsonl", status="running", heartbeat_at=old, created=250)
    with django_capture_on_commit_callbacks():
        for _ in range(svc.MAX_RESUMES):
            assert tasks.factcheck_imports_resume_stalled() == 1
            FactCheckImport.objects.filter(pk=run.pk).update(heartbeat_at=old)  # died again, no chunk finished
        assert tasks.factcheck_imports_resume_stalled() == 0
    run.refresh_from_db()
    assert run.status == "failed" and run.message.startswith("Stopped: the worker importing it stopped 3 times")
    assert run.created == 250 and run.data is None


def test_a_finished_chunk_resets_the_restarts():
    run = svc.factcheck_import_create(data=jsonl([claim_review(1)]), filename="c.jsonl")
    FactCheckImport.objects.filter(pk=run.pk).update(resumes=2)
    svc.factcheck_import_run(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.resumes) == ("done", 0)


def test_a_url_is_fetched_by_the_worker(site, allow_local_fetch):
    site.pages["/checks.json"] = (200, "application/json", graph([claim_review(1), claim_review(2)]))
    run = svc.factcheck_import_create_from_url(url=site.url("/checks.json"))
    assert run.data is None
    svc.factcheck_import_run(run_id=run.pk, time_budget=None)
    run.refresh_from_db()
    assert (run.status, run.created) == ("done", 2)


def test_a_private_address_or_an_oversized_feed_fails_the_import_with_a_message(site, allow_local_fetch, settings):
    run = svc.factcheck_import_create_from_url(url="http://10.0.0.1/checks.json")
    svc.factcheck_import_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "failed" and run.message.startswith("Refused: the address resolves to")
    settings.FACTDESK_MAX_BATCH_BYTES = 1024
    site.pages["/big.jsonl"] = (200, "application/x-ndjson", jsonl([claim_review(n) for n in range(50)]))
    run = svc.factcheck_import_create_from_url(url=site.url("/big.jsonl"))
    svc.factcheck_import_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "failed" and "larger than the 1 KB limit" in run.message
    assert not PublishedCheck.objects.exists()


def test_due_feeds_are_fetched_and_the_outcome_recorded(site, allow_local_fetch, django_capture_on_commit_callbacks):
    site.pages["/feed.json"] = (200, "application/json", data_feed([claim_review(1)]))
    good = FactCheckFeed.objects.create(name="Desk", url=site.url("/feed.json"), every_minutes=60)
    bad = FactCheckFeed.objects.create(name="Gone", url=site.url("/gone.json"), every_minutes=60)
    FactCheckFeed.objects.create(name="Off", url=site.url("/off.json"), is_active=False)
    with django_capture_on_commit_callbacks():
        assert tasks.factcheck_feeds_fetch_due() == 2
        assert tasks.factcheck_feeds_fetch_due() == 0  # imports under way, and just polled
    for run in FactCheckImport.objects.all():
        svc.factcheck_import_run(run_id=run.pk)
    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.failures, good.last_error) == (0, "") and good.checks.count() == 1
    assert bad.failures == 1 and "404" in bad.last_error
    assert PublishedCheck.objects.get().feed == good
    # Not due again until its interval (doubled after a failure) has passed.
    FactCheckFeed.objects.update(last_polled_at=timezone.now() - timezone.timedelta(minutes=90))
    with django_capture_on_commit_callbacks():
        assert tasks.factcheck_feeds_fetch_due() == 1
    assert FactCheckImport.objects.filter(feed=good).count() == 2


def test_imports_are_in_the_history_with_who_and_which_import(editor):
    from django.apps import apps

    event_model = apps.get_model("factcheck", "PublishedCheckEvent")
    run = run_import(jsonl([claim_review(1)]), created_by=editor)
    event = event_model.objects.get(pgh_label="insert")
    metadata = event.pgh_context.metadata
    assert (metadata["action"], metadata["user"], metadata["run"]) == ("factcheck.check.imported", editor.pk, run.pk)
    run_import(jsonl([claim_review(1, reviewRating={"alternateName": "True"})]))
    update = event_model.objects.get(pgh_label="update")
    assert update.rating == "true" and update.pgh_context.metadata["actor"] == svc.CHECK_IMPORTER
