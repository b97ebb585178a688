"""`import_factchecks` in the shell (--sync, or for the workers), and an import run end to end by a real worker."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from factcheck.models import FactCheckImport, PublishedCheck
from tests.builders.claimreview import claim_review, graph, jsonl
from tests.workers import wait_for


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_factchecks", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_sync_import_prints_progress_a_summary_and_the_skipped_records(tmp_path):
    path = tmp_path / "checks.jsonl"
    path.write_bytes(jsonl([claim_review(1), "{broken", claim_review(3, reviewRating=None)]))
    out, err = run(str(path), "--sync")
    assert "3/3 (100%)  created 2  updated 0  skipped 1" in err
    assert "Created 2, updated 0, skipped 1 (of 3 records)." in out
    assert "  skipped  Line 2: not valid JSON" in out
    assert "1 check(s) were imported with fields missing" in out
    assert PublishedCheck.objects.count() == 2
    out, _ = run(str(path), "--sync")
    assert "Created 0, updated 2, skipped 1 (of 3 records)." in out and PublishedCheck.objects.count() == 2


@pytest.mark.django_db
def test_without_sync_the_import_waits_for_the_workers(tmp_path):
    path = tmp_path / "graph.json"
    path.write_bytes(graph([claim_review(1)]))
    out, _ = run(str(path))
    run_ = FactCheckImport.objects.get()
    assert run_.status == "pending" and f"/checks/imports/{run_.pk}/" in out
    assert not PublishedCheck.objects.exists()


@pytest.mark.django_db
def test_bad_arguments_fail_with_a_message(tmp_path, settings):
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path / "missing.jsonl"), "--sync")
    settings.FACTDESK_MAX_BATCH_BYTES = 100
    path = tmp_path / "big.json"
    path.write_bytes(json.dumps([claim_review(n) for n in range(5)]).encode())
    with pytest.raises(CommandError, match="over the 100 bytes limit for an import of fact-checks"):
        run(str(path), "--sync")
    with pytest.raises(CommandError, match="No user named"):
        run(str(path), "--user", "nobody")
    assert not FactCheckImport.objects.exists()


@pytest.mark.worker
def test_a_real_worker_imports_an_upload_and_a_broken_record_does_not_stop_it(worker, editor):
    from factcheck import tasks
    from factcheck.services import factcheck_imports

    data = jsonl([claim_review(1), "{broken", claim_review(3), claim_review(4, claimReviewed=None, headline=None)])
    run_ = factcheck_imports.factcheck_import_create(data=data, filename="checks.jsonl", created_by=editor)
    tasks.factcheck_import_run.delay(run_.pk)  # as the import page does
    assert wait_for(lambda: FactCheckImport.objects.get(pk=run_.pk).status == "done", timeout=120)
    run_.refresh_from_db()
    assert (run_.total, run_.created, run_.updated, run_.failed) == (4, 2, 0, 2)
    assert run_.data is None
    assert sorted(run_.problems.values_list("line", flat=True)) == [2, 4]
    assert set(PublishedCheck.objects.values_list("identifier", flat=True)) == {"review-1", "review-3"}
