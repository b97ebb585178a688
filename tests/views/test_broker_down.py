"""Uploads and batches when the broker (Redis) cannot be reached: saved, the user told, the sweep sends them later."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from factcheck.models import Article, ImportBatch
from factcheck import tasks
from newsroom.celery import app as celery_app
from tests.builders.imports import article_text, make_jsonl

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker_unreachable(monkeypatch):
    """Every task sent from here goes to a broker URL nothing listens on (the app's pools built afresh)."""
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)


def test_upload_with_the_broker_unreachable_is_saved_and_says_so(client, editor, broker_unreachable):
    client.force_login(editor)
    response = client.post(reverse("factcheck:upload"), {"text": article_text(1)}, follow=True)
    assert response.status_code == 200
    article = Article.objects.get()
    assert article.status == Article.Status.QUEUED
    assert f"Saved “{article.title}”. Claim extraction starts when the workers are back." in response.content.decode()
    # The sweep sends it again once it has waited long enough.
    Article.objects.update(status_changed_at=timezone.now() - timedelta(hours=1))
    assert tasks.articles_resume_stalled() == 1


def test_batch_with_the_broker_unreachable_is_saved_and_says_so(client, editor, broker_unreachable):
    client.force_login(editor)
    data = make_jsonl([{"title": "One", "body": article_text(1)}])
    response = client.post(reverse("factcheck:batch-upload"), {"files": SimpleUploadedFile("rows.jsonl", data)},
                           follow=True)
    assert response.status_code == 200
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.PENDING
    assert "Saved: rows.jsonl. The import starts when the workers are back." in response.content.decode()
    ImportBatch.objects.update(created_at=timezone.now() - timedelta(hours=1))
    assert tasks.batches_resume_stalled() == 1


def test_published_checks_import_with_the_broker_unreachable_is_saved_and_says_so(client, editor, broker_unreachable):
    from factcheck.models import FactCheckImport
    from tests.builders.claimreview import claim_review, jsonl

    client.force_login(editor)
    data = jsonl([claim_review(1)])
    response = client.post(reverse("factcheck:factcheck-import-new"),
                           {"file": SimpleUploadedFile("checks.jsonl", data)}, follow=True)
    assert response.status_code == 200
    run = FactCheckImport.objects.get()
    assert run.status == FactCheckImport.Status.PENDING
    assert "Saved: checks.jsonl. The import starts when the workers are back." in response.content.decode()
