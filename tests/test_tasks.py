"""The task base (factcheck.queueing.OnCommitTask): sent on commit, one retry policy, eager under --sync."""

from __future__ import annotations

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from factcheck import tasks
from factcheck.models import Article, Claim
from factcheck.queueing import MAX_RETRIES, TRANSIENT_ERRORS, OnCommitTask
from newsroom.celery import app as celery_app
from tests.factories import ArticleFactory


def waiting() -> int:
    """Messages waiting in this run's queue on the real Redis."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    return client.llen(settings.CELERY_TASK_DEFAULT_QUEUE)


@pytest.fixture
def empty_queue():
    celery_app.control.purge()
    yield
    celery_app.control.purge()


def test_every_task_has_the_base_and_the_shared_retry_policy():
    ours = {name: task for name, task in celery_app.tasks.items() if name.startswith("factcheck.tasks.")}
    assert {"factcheck.tasks.article_extract_claims", "factcheck.tasks.batch_process_items"} <= set(ours)
    for name, task in ours.items():
        assert isinstance(task, OnCommitTask), name
        assert task.max_retries == MAX_RETRIES and task.retry_backoff == 5 and task.retry_backoff_max == 120, name
        # The import of published checks retries by hand, to park the import once its retries are spent.
        expected = () if name == "factcheck.tasks.factcheck_import_run" else TRANSIENT_ERRORS
        assert tuple(task.autoretry_for) == expected, name


@pytest.mark.django_db(transaction=True)
def test_a_task_is_sent_when_its_transaction_commits_and_never_for_a_rollback(empty_queue):
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            tasks.exports_expire.delay()
            raise RuntimeError("rolled back")
    assert waiting() == 0
    with transaction.atomic():
        assert tasks.exports_expire.delay() is None  # not sent yet: the transaction is open
        assert waiting() == 0
    assert waiting() == 1
    assert tasks.exports_expire.delay() is not None  # outside a transaction: sent at once
    assert waiting() == 2


@pytest.mark.django_db(transaction=True)
def test_extract_claims_sync_extracts_and_matches_in_this_process(empty_queue):
    sentence = "The US imposed a 100% tariff on Chinese electric vehicles in 2024."
    articles = [ArticleFactory(body="Trade news.\n\n" + sentence), ArticleFactory(body="Markets fell. " + sentence)]
    for article in articles:
        call_command("extract_claims", "--article", str(article.pk), "--sync")
    assert set(Article.objects.values_list("status", flat=True)) == {Article.Status.READY}
    clusters = set(Claim.objects.filter(text=sentence).values_list("cluster_id", flat=True))
    assert len(clusters) == 1 and None not in clusters  # matching, which follows extraction, ran here too
    assert waiting() == 0 and not celery_app.conf.task_always_eager  # nothing left for the workers
