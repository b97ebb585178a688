import json

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_is_public_and_reports_each_service(client, celery_worker_thread):
    response = client.get("/healthz")
    body = json.loads(response.content)
    assert response.status_code == 200, body
    assert body["database"]["ok"] and body["redis"]["ok"]
    assert body["workers"]["count"] >= 1


def test_healthz_503_when_redis_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    body = json.loads(response.content)
    assert response.status_code == 503
    assert body["database"]["ok"] is True
    assert body["redis"]["ok"] is False and body["workers"]["ok"] is False


def test_healthz_503_without_workers(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["workers"]["count"] == 0
