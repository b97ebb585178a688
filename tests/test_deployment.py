"""Deployment defaults: what docker compose and the settings do when nobody configured anything."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _app_environment(service: dict) -> dict:
    return service.get("environment") or {}


def test_compose_requires_secret_key_with_no_default():
    compose = _compose()
    for name in ("migrate", "web", "worker", "beat"):
        secret = str(_app_environment(compose["services"][name])["SECRET_KEY"])
        assert secret.startswith("${SECRET_KEY:?"), (name, secret)  # compose refuses to start without it
        assert ":-" not in secret


def test_compose_creates_no_demo_data_or_accounts_and_keeps_debug_off():
    compose = _compose()
    for name, service in compose["services"].items():
        command = " ".join(service.get("command") or [])
        assert "--demo" not in command and "load_demo" not in command, name
        debug = str(_app_environment(service).get("DEBUG", "false"))
        assert debug in ("false", "${DEBUG:-false}"), (name, debug)


def _settings_debug(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    return subprocess.run(
        [sys.executable, "-c", "from newsroom import settings; print(settings.DEBUG)"],
        env={**clean, **env}, cwd=ROOT, capture_output=True, text=True, timeout=60,
    )


def test_debug_is_off_unless_turned_on_and_then_secret_key_is_required():
    refused = _settings_debug({})
    assert refused.returncode != 0 and "SECRET_KEY must be set when DEBUG is off" in refused.stderr
    assert _settings_debug({"SECRET_KEY": "x" * 50}).stdout.strip() == "False"
    assert _settings_debug({"DEBUG": "true"}).stdout.strip() == "True"


def test_make_run_turns_debug_on_and_loads_the_demo():
    makefile = (ROOT / "Makefile").read_text()
    assert "export DEBUG ?= true" in makefile
    assert "setup_workspace --demo" in makefile


def test_a_local_run_keeps_no_connections_between_requests_and_production_keeps_one_per_process():
    code = "from newsroom import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])"
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DATABASE_CONN_MAX_AGE",
                                                              "DJANGO_SETTINGS_MODULE")}

    def conn_max_age(env):
        return subprocess.run([sys.executable, "-c", code], env={**clean, **env}, cwd=ROOT, capture_output=True,
                              text=True, timeout=60).stdout.strip()

    assert conn_max_age({"DEBUG": "true"}) == "0"
    assert conn_max_age({"SECRET_KEY": "x" * 50}) == "60"
    assert conn_max_age({"DEBUG": "true", "DATABASE_CONN_MAX_AGE": "30"}) == "30"
