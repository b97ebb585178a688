"""`make run` (manage.py run_workspace): a short console that names the address once the server answers, and a
Ctrl-C that stops the web server, beat and the worker in order, leaving nothing behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(settings.BASE_DIR)


def _url(db: dict) -> str:
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ours(launcher_pid: int) -> list[int]:
    """Processes started by this launcher (they carry its pid in FACTDESK_RUN_WORKSPACE)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"FACTDESK_RUN_WORKSPACE={launcher_pid}".encode() in environ:
            found.append(int(entry.name))
    return found


def test_prints_the_address_and_logins_once_up_and_stops_cleanly_on_ctrl_c():
    user = UserFactory(username="editor")
    hasher = PBKDF2PasswordHasher()  # what the launcher (default settings) checks with
    user.password = hasher.encode("factdesk-editor", hasher.salt())
    user.save(update_fields=["password"])
    UserFactory(username="viewer")  # its password is not the demo one: not printed
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings", "DEBUG": "true",
           "DATABASE_URL": _url(settings.DATABASES["default"]), "MIGRATION_DATABASE_URL": _url(settings.DATABASES["owner"]),
           "DATABASE_ADMIN_URL": "", "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
           "REDIS_URL": settings.REDIS_URL, "LOG_LEVEL": "WARNING"}
    launcher = subprocess.Popen(
        [sys.executable, "manage.py", "run_workspace", "--port", str(port), "--workers", "1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = launcher.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if line.startswith("Logs:"):
                break
        # Nothing before the address; the server answered before it was printed.
        assert lines[0] == f"Factdesk is up: http://127.0.0.1:{port}/", lines
        assert lines[1:3] == ["Demo logins:", "  editor   factdesk-editor   Editors"], lines
        assert lines[3].startswith("Logs: .state/worker.log, .state/beat.log, .state/web.log.")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as response:
            assert response.status == 200
        children = _ours(launcher.pid)
        assert len(children) >= 3  # web, beat, the worker (and its pool process once it has started)

        launcher.send_signal(signal.SIGINT)
        rest, _ = launcher.communicate(timeout=90)
    finally:
        # Whatever failed above, leave no server or worker behind (a stray worker answers other tests' pings).
        if launcher.poll() is None:
            launcher.send_signal(signal.SIGINT)
            try:
                launcher.wait(timeout=90)
            except subprocess.TimeoutExpired:
                launcher.kill()
        for pid in _ours(launcher.pid):
            os.kill(pid, signal.SIGKILL)
    assert launcher.returncode == 0
    assert rest.splitlines()[0] == "Stopping the web server, beat and the worker…"
    assert rest.splitlines()[-1] == "Stopped."
    assert "Segmentation fault" not in rest and "Traceback" not in rest
    assert _ours(launcher.pid) == []
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)
