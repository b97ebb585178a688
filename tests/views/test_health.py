import json

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_is_public_and_reports_each_service_to_staff(client, celery_worker_thread, django_user_model):
    anonymous = client.get("/healthz")
    assert anonymous.status_code == 200
    assert json.loads(anonymous.content) == {"status": "ok"}
    client.force_login(django_user_model.objects.create_user("ops", is_staff=True))
    response = client.get("/healthz")
    body = json.loads(response.content)
    assert response.status_code == 200, body
    assert body["database"]["ok"] and body["redis"]["ok"]
    assert body["workers"]["count"] >= 1 and body["workers"]["names"]


def test_healthz_503_when_redis_unreachable_names_nothing_to_anonymous_callers(client, settings, django_user_model):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "unavailable"}
    assert b"127.0.0.1" not in response.content
    client.force_login(django_user_model.objects.create_user("ops", is_staff=True))
    body = json.loads(client.get("/healthz").content)
    assert body["database"]["ok"] is True
    assert body["redis"]["ok"] is False and body["workers"]["ok"] is False


def test_healthz_503_without_workers(client, django_user_model):
    response = client.get("/healthz")
    assert response.status_code == 503
    client.force_login(django_user_model.objects.create_user("ops", is_staff=True))
    assert json.loads(client.get("/healthz").content)["workers"]["count"] == 0


def test_healthz_counts_only_workers_on_this_workspace_queue(client, celery_worker_thread, settings, django_user_model):
    # A worker that answers but consumes another queue (another deployment on the same Redis) does none of our work.
    settings.CELERY_TASK_DEFAULT_QUEUE = "another-workspace"
    assert client.get("/healthz").status_code == 503
    client.force_login(django_user_model.objects.create_user("ops", is_staff=True))
    assert json.loads(client.get("/healthz").content)["workers"]["count"] == 0
