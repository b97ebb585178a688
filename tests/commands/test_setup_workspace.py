"""`make run` / `make test` start with setup_workspace: a missing service stops them with one clear line."""

import pytest
from django.core.management import call_command


def test_unreachable_redis_is_named_with_how_to_start_it(settings, capsys):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    with pytest.raises(SystemExit) as exit_info:
        call_command("setup_workspace", "--check-only")
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("Redis is not reachable at redis://127.0.0.1:1/0")
    assert "docker compose up" in err


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_unreachable_postgres_is_named_with_how_to_start_it(settings, capsys):
    settings.DATABASES = {**settings.DATABASES, "default": {**settings.DATABASES["default"], "PORT": "1"}}
    with pytest.raises(SystemExit) as exit_info:
        call_command("setup_workspace", "--check-only")
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("PostgreSQL is not reachable at 127.0.0.1:1")
    assert "pg_ctlcluster" in err


@pytest.mark.django_db
def test_demo_data_loads_once(django_user_model):
    from factcheck.models import Article

    call_command("load_demo")
    users, articles = django_user_model.objects.count(), Article.objects.count()
    assert {"admin", "editor", "checker", "viewer"} <= set(django_user_model.objects.values_list("username", flat=True))
    assert articles >= 3
    assert not Article.objects.filter(body__contains="Photo courtesy").exists()  # cleaned like any upload
    call_command("load_demo")
    assert (django_user_model.objects.count(), Article.objects.count()) == (users, articles)


@pytest.mark.django_db
def test_demo_published_checks_are_imported_once():
    from factcheck.models import FactCheckImport, PublishedCheck

    call_command("load_demo")
    checks = PublishedCheck.objects.select_related("publisher")
    assert checks.count() == 6 and {c.publisher.name for c in checks} == {"Demo Fact Desk"}
    assert all(c.url.startswith("https://factcheck.example/") and c.embedding and c.missing == [] for c in checks)
    ratings = dict(checks.values_list("identifier", "rating"))
    assert ratings["dfd-2026-0202-ev-tariff-145"] == "mostly_false" and ratings["dfd-2026-0201-ev-tariff"] == "true"
    call_command("load_demo")
    assert PublishedCheck.objects.count() == 6 and FactCheckImport.objects.count() == 1
