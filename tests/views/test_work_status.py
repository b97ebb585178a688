"""The work-status banner: shown when no worker answers or an article has waited too long for extraction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from factcheck.models import Article
from factcheck.views.health import workers_check
from factcheck.views.overview import WORK_STATUS_CACHE_KEY
from tests.factories import ArticleFactory
from tests.workers import wait_for

STATUS = reverse("factcheck:work-status")


@pytest.fixture(autouse=True)
def fresh_status():
    cache.delete(WORK_STATUS_CACHE_KEY)
    yield
    cache.delete(WORK_STATUS_CACHE_KEY)


def queued_for(minutes: int, title: str) -> Article:
    article = ArticleFactory(title=title, status=Article.Status.QUEUED)
    Article.objects.filter(pk=article.pk).update(status_changed_at=timezone.now() - dt.timedelta(minutes=minutes))
    return article


@pytest.mark.django_db
def test_every_page_loads_the_banner(client, viewer):
    client.force_login(viewer)
    html = client.get(reverse("factcheck:inbox")).content.decode()
    banner = html.split('id="work-status"')[1].split(">")[0]
    assert f'hx-get="{STATUS}"' in banner and 'hx-trigger="load"' in banner
    assert "data-background" in banner  # its poll never holds back the keyboard shortcuts


@pytest.mark.django_db
def test_banner_says_no_worker_and_what_to_do(client, viewer):
    client.force_login(viewer)
    html = client.get(STATUS).content.decode()
    assert "No background worker is running" in html and 'role="alert"' in html
    assert "celery -A newsroom worker --loglevel=INFO" in html and "tell an administrator" in html
    assert 'hx-trigger="every 60s"' in html and " hidden" not in html
    assert cache.get(WORK_STATUS_CACHE_KEY)["workers_ok"] is False  # kept: the next pages don't ping again


@pytest.mark.django_db
def test_banner_names_redis_when_it_is_down(client, settings, viewer):
    settings.REDIS_URL = settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    client.force_login(viewer)
    assert "the job queue, Redis, can't be reached" in client.get(STATUS).content.decode()


def worker_answering() -> None:
    """The worker thread starts consuming a moment after it is started: wait until it answers a ping."""
    assert wait_for(lambda: workers_check()["ok"], timeout=30, interval=0.5)
    cache.delete(WORK_STATUS_CACHE_KEY)


def test_banner_hidden_when_a_worker_answers(client, celery_worker_thread, viewer):
    worker_answering()
    queued_for(1, "Just uploaded")  # queued a minute ago: normal
    client.force_login(viewer)
    html = client.get(STATUS).content.decode()
    assert 'id="work-status"' in html and " hidden>" in html
    assert "banner" not in html and "No background worker" not in html


def test_banner_shows_an_article_stuck_in_the_queue(client, celery_worker_thread, viewer):
    worker_answering()
    stuck = queued_for(12, "Waiting far too long")
    queued_for(1, "Just uploaded")
    client.force_login(viewer)
    html = client.get(STATUS).content.decode()
    assert "1 article waiting for extraction for more than 5 minutes" in html
    assert f'href="{reverse("factcheck:article", args=[stuck.pk])}">Waiting far too long</a>' in html
    assert "No background worker" not in html


@pytest.mark.django_db
def test_outsiders_get_no_banner(client, outsider):
    client.force_login(outsider)
    assert client.get(STATUS).status_code == 404
    assert 'id="work-status"' not in client.get("/login/").content.decode()
