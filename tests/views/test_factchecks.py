"""The import page of published fact-checks: who may start one, what an upload or a URL does, live progress."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from factcheck.models import FactCheckImport, FactCheckImportProblem
from tests.builders.claimreview import claim_review, jsonl

pytestmark = pytest.mark.django_db

NEW = reverse("factcheck:factcheck-import-new")


def upload(name: str, data: bytes) -> dict:
    return {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")}


def test_a_viewer_cannot_start_an_import(client, viewer):
    client.force_login(viewer)
    response = client.post(NEW, upload("checks.jsonl", jsonl([claim_review(1)])))
    assert response.status_code == 403
    assert not FactCheckImport.objects.exists()


def test_a_checker_cannot_either_and_an_outsider_is_told_nothing(client, checker, outsider):
    client.force_login(checker)
    assert client.post(NEW, upload("checks.jsonl", jsonl([claim_review(1)]))).status_code == 403
    client.force_login(outsider)
    assert client.post(NEW, upload("checks.jsonl", jsonl([claim_review(1)]))).status_code == 404
    assert not FactCheckImport.objects.exists()


def test_an_editor_uploads_a_file_and_lands_on_its_page(client, editor, django_capture_on_commit_callbacks):
    client.force_login(editor)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(NEW, upload("checks.jsonl", jsonl([claim_review(1), claim_review(2)])))
    run = FactCheckImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("factcheck:factcheck-import", args=[run.pk])
    assert (run.label, run.status, run.created_by) == ("checks.jsonl", "pending", editor)
    assert bytes(run.data).count(b"\n") == 2
    assert len(callbacks) == 1  # the worker's task, sent after commit


def test_an_editor_gives_a_url(client, editor):
    client.force_login(editor)
    response = client.post(NEW, {"url": "https://checks.example/feed.json"})
    run = FactCheckImport.objects.get()
    assert response.status_code == 302 and run.label == "https://checks.example/feed.json" and run.data is None


@pytest.mark.parametrize("data, message", [
    ({}, "Choose a file or enter a web address."),
    ({"url": "ftp://checks.example/feed"}, "Enter a web address starting with http:// or https://."),
    ({"url": "https://checks.example/", **upload("a.json", b"{}")}, "not both"),
    (upload("rows.csv", b"title,body\nA,B\n"), "not ClaimReview JSON, JSON lines or an HTML page"),
    (upload("empty.json", b""), "empty"),
])
def test_bad_input_is_shown_on_the_form(client, editor, data, message):
    client.force_login(editor)
    response = client.post(NEW, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not FactCheckImport.objects.exists()


def test_an_oversized_upload_is_refused_with_a_clear_message(client, editor, settings):
    settings.FACTDESK_MAX_BATCH_BYTES = 2048
    client.force_login(editor)
    response = client.post(NEW, upload("big.jsonl", jsonl([claim_review(n) for n in range(30)])))
    assert response.status_code == 400
    assert "over the 2 KB limit for an import of fact-checks; split it into smaller files" in response.content.decode()
    assert not FactCheckImport.objects.exists()


def test_the_page_shows_counts_and_problems_and_htmx_polls_until_done(client, viewer):
    run = FactCheckImport.objects.create(label="checks.jsonl", status="running", total=3, created=1, failed=1)
    FactCheckImportProblem.objects.create(run=run, line=2, skipped=True, message="Line 2: not valid JSON (x).")
    FactCheckImportProblem.objects.create(run=run, line=3, skipped=False,
                                          message="Line 3: imported without a rating.")
    client.force_login(viewer)
    url = reverse("factcheck:factcheck-import", args=[run.pk])
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in page and "2 of 3 records processed" in page
    assert "Line 2: not valid JSON (x)." in page and "Line 3: imported without a rating." in page
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    FactCheckImport.objects.filter(pk=run.pk).update(status="done", created=2)
    done = client.get(url, headers={"HX-Request": "true"})
    assert done.status_code == 286 and "every 2s" not in done.content.decode()


def test_the_list_shows_imports_and_the_button_only_to_editors(client, viewer, editor):
    FactCheckImport.objects.create(label="first.jsonl", status="done", total=4, created=3, failed=1)
    client.force_login(viewer)
    page = client.get(reverse("factcheck:factcheck-imports")).content.decode()
    assert "first.jsonl" in page and NEW not in page
    client.force_login(editor)
    page = client.get(reverse("factcheck:factcheck-imports")).content.decode()
    assert NEW in page and reverse("factcheck:factcheck-imports") in page


def test_the_list_follows_imports_under_way_and_stops_when_they_are_done(client, viewer):
    run = FactCheckImport.objects.create(label="feed.json", status="running", total=500, created=250)
    client.force_login(viewer)
    url = reverse("factcheck:factcheck-imports")
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in page and "250 of 500" in page
    FactCheckImport.objects.filter(pk=run.pk).update(status="done", created=500)
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 286 and "500 of 500" in fragment.content.decode()
    assert "every 2s" not in fragment.content.decode() and "<html" not in fragment.content.decode()


def test_the_navigation_links_to_the_imports_for_editors(client, editor):
    client.force_login(editor)
    page = client.get(reverse("factcheck:inbox")).content.decode()
    assert f'href="{reverse("factcheck:factcheck-imports")}"' in page


def test_the_admin_finds_checks_by_text_and_edits_rating_mappings(client, django_user_model):
    from factcheck.models import PublishedCheck, RatingMapping

    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    PublishedCheck.objects.create(key="url:https://checks.example/1", url="https://checks.example/1",
                                  claim_reviewed="The bridge cost twice its budget.", rating_label="Bogus-ish")
    PublishedCheck.objects.create(key="url:https://checks.example/2", claim_reviewed="Another claim entirely.")
    found = client.get("/admin/factcheck/publishedcheck/", {"q": "bridge"}).content.decode()
    assert "The bridge cost twice its budget." in found and "Another claim entirely." not in found
    check = PublishedCheck.objects.get(url="https://checks.example/1")
    page = client.get(f"/admin/factcheck/publishedcheck/{check.pk}/change/").content.decode()
    assert 'name="rating"' in page and 'name="claim_reviewed"' not in page  # read-mostly
    response = client.post("/admin/factcheck/ratingmapping/add/", {"label": "Bogus-ish", "rating": "false"})
    assert response.status_code == 302 and RatingMapping.objects.get().rating == "false"


def test_the_admin_lists_an_import_with_a_link_to_its_problems(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    run = FactCheckImport.objects.create(label="checks.jsonl", status="done", total=2, created=1, failed=1)
    FactCheckImportProblem.objects.create(run=run, line=2, message="Line 2: not valid JSON (x).")
    page = client.get(f"/admin/factcheck/factcheckimport/{run.pk}/change/").content.decode()
    assert reverse("factcheck:factcheck-import", args=[run.pk]) in page and "1 on the import" in page
