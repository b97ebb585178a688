"""A real Celery worker on the real Redis does the work the web enqueues after commit."""

import time

import pytest

from factcheck import tasks
from factcheck.models import Article
from factcheck.services.articles import NewArticle, article_create

pytestmark = [pytest.mark.worker]


def _wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_article_created_is_extracted_by_a_real_worker(celery_worker_thread):
    body = "The bridge carries 18,000 vehicles a day, according to a 2023 council survey."
    article = article_create(new=NewArticle(title="Bridge", body=body, original=body.encode()))
    tasks.article_extract_claims.delay(article.pk)  # as the upload page does, once the article is saved
    assert article.status == Article.Status.QUEUED
    assert _wait_for(lambda: Article.objects.get(pk=article.pk).status == Article.Status.READY)
    claim = article.claims.get()
    assert claim.text == body and claim.facets["numbers"]

