"""`make run`: the web server, a Celery worker and beat for local use, with a short console and a clean Ctrl-C.

The three run in their own sessions, so the terminal's Ctrl-C reaches only this command, which then stops them in
order: the web server first (no new work comes in), then beat (no new scheduled work), then the worker, which
finishes the task it is running (a second Ctrl-C stops it at once). Their output goes to `.state/*.log`; the console
shows the address and the demo logins once the server answers, and anything that stops on its own.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from factcheck.management.commands.load_demo import DEMO_ACCOUNTS

STATE_DIR = Path(settings.BASE_DIR) / ".state"
SERVER_WAIT_SECONDS = 60
WORKER_STOP_SECONDS = 60
LOG_TAIL_LINES = 15


@dataclass
class _Process:
    name: str
    log: Path
    popen: subprocess.Popen


class Command(BaseCommand):
    help = "Run the web server, a worker and beat for local use; Ctrl-C stops all three, in order."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="worker processes (Celery --concurrency)")
        parser.add_argument("--log-level", default="INFO", help="LOG_LEVEL of the three (their logs are files)")

    def handle(self, *args, host: str, port: int, workers: int, log_level: str, **options):
        STATE_DIR.mkdir(exist_ok=True)
        # Marks the three as this run's (a test finds them by it).
        self.env = {**os.environ, "LOG_LEVEL": log_level, "FACTDESK_RUN_WORKSPACE": str(os.getpid())}
        python = sys.executable
        self.processes: list[_Process] = []
        self.interrupts = 0
        signal.signal(signal.SIGINT, self._interrupted)
        signal.signal(signal.SIGTERM, self._interrupted)
        try:
            self._start("worker", [python, "-m", "celery", "-A", "newsroom", "worker", "--loglevel=INFO",
                                   f"--concurrency={workers}", "-n", "worker@%h"])
            self._start("beat", [python, "-m", "celery", "-A", "newsroom", "beat", "--loglevel=INFO",
                                 f"--schedule={STATE_DIR / 'celerybeat-schedule'}"])
            self._start("web", [python, "manage.py", "runserver", f"{host}:{port}", "--noreload"])
            logins = _working_demo_logins()
            url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
            if not self._wait_for_server(url):
                raise CommandError(f"The web server did not answer at {url}.")
            self._announce(url, logins)
            while not self.interrupts:
                stopped = next((p for p in self.processes if p.popen.poll() is not None), None)
                if stopped is not None:
                    self._report_stopped(stopped)
                    raise CommandError(f"The {stopped.name} stopped (exit {stopped.popen.returncode}).")
                time.sleep(0.5)
        finally:
            self._stop_all()

    # --- starting ------------------------------------------------------------------------------------------------

    def _start(self, name: str, command: list[str]) -> None:
        log = STATE_DIR / f"{name}.log"
        with log.open("ab") as out:
            out.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(command)}\n".encode())
            out.flush()
            # A session of its own: the terminal's Ctrl-C goes to this command, which stops each in turn.
            popen = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     cwd=settings.BASE_DIR, env=self.env, start_new_session=True)
        self.processes.append(_Process(name, log, popen))

    def _wait_for_server(self, url: str) -> bool:
        deadline = time.monotonic() + SERVER_WAIT_SECONDS
        while time.monotonic() < deadline and not self.interrupts:
            web = next(p for p in self.processes if p.name == "web")
            if web.popen.poll() is not None:
                self._report_stopped(web)
                return False
            try:
                with urllib.request.urlopen(url + "login/", timeout=2):
                    return True
            except urllib.error.HTTPError:
                return True  # it answered
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        return bool(self.interrupts)

    def _announce(self, url: str, logins: list[tuple[str, str, str]]) -> None:
        if self.interrupts:
            return
        self.stdout.write(self.style.SUCCESS(f"Factdesk is up: {url}"))
        if logins:
            self.stdout.write("Demo logins:")
            for username, password, role in logins:
                self.stdout.write(f"  {username:<8} {password:<17} {role}")
        logs = ", ".join(str(p.log.relative_to(settings.BASE_DIR)) for p in self.processes)
        self.stdout.write(f"Logs: {logs}. Ctrl-C stops the web server, beat and the worker.")

    # --- stopping ------------------------------------------------------------------------------------------------

    def _interrupted(self, signum, frame) -> None:
        self.interrupts += 1
        worker = next((p for p in self.processes if p.name == "worker"), None)
        if self.interrupts > 1 and worker is not None and worker.popen.poll() is None:
            worker.popen.send_signal(signal.SIGQUIT)  # cold shutdown: the running task is given up (and redelivered)

    def _stop_all(self) -> None:
        if not self.processes:
            return
        self.stdout.write("Stopping the web server, beat and the worker…")
        for name, sig, wait in (("web", signal.SIGINT, 10), ("beat", signal.SIGTERM, 10),
                                ("worker", signal.SIGTERM, WORKER_STOP_SECONDS)):
            process = next((p for p in self.processes if p.name == name), None)
            if process is None or process.popen.poll() is not None:
                continue
            process.popen.send_signal(sig)
            try:
                process.popen.wait(timeout=5)
            except subprocess.TimeoutExpired:
                if name == "worker":
                    self.stdout.write("The worker finishes its current task (Ctrl-C again to stop it now)…")
                try:
                    process.popen.wait(timeout=wait)
                except subprocess.TimeoutExpired:
                    process.popen.kill()
                    process.popen.wait()
        self.stdout.write("Stopped.")
        self.processes = []

    def _report_stopped(self, process: _Process) -> None:
        lines = process.log.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
        self.stderr.write(f"The {process.name} stopped; the end of {process.log}:")
        for line in lines:
            self.stderr.write(f"  {line}")


def _working_demo_logins() -> list[tuple[str, str, str]]:
    """The demo accounts that exist and still have their demo password (a changed one is not printed)."""
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS])}
    return [
        (username, password, role or "administrator (Django admin)")
        for username, password, role, _ in DEMO_ACCOUNTS
        if username in users and users[username].is_active and users[username].check_password(password)
    ]
