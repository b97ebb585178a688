"""Load benchmark of the review workspace: signed-in users opening an article and setting verdicts.

What it does, all on loopback:
  1. creates a separate database (`factdesk_bench` by default; dropped and re-created), migrates it, and seeds
     one article of 150 claims plus 20 fact-checkers;
  2. starts gunicorn (normal settings, DEBUG off, a SECRET_KEY, no TLS redirect) on 127.0.0.1 and a free port;
  3. runs N concurrent users (threads, stdlib http.client, one keep-alive connection each) for --seconds:
     each signs in through the real login form, then loops: open the article with a claim selected (full page),
     set that claim's verdict through the htmx endpoint with the version it read, and fetch the floor page; with a
     think time, each user starts at a random moment within the first loop (two pauses), not all at once;
  4. prints p50/p95/p99 per endpoint, requests/s and errors, beside the floor: the inbox row of one article
     (`GET /articles/<id>/row`, an htmx fragment), the smallest signed-in view of the workspace — session, user
     with permissions, one query and a tiny template — measured in the same run under the same load.

Run:  .venv/bin/python bench/bench_workspace.py [--seconds 60] [--users 20] [--workers 4] [--think 0]
A verdict that meets someone else's newer version is a conflict (the product working as designed), counted
apart from errors; errors are transport failures and unexpected statuses.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env(database: str) -> dict[str, str]:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/factdesk")
    url = base.rsplit("/", 1)[0] + "/" + database
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": url,
            "DEBUG": "false",
            "SECRET_KEY": "bench-" + "x" * 50,
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def recreate_database(env: dict[str, str], name: str) -> None:
    import psycopg

    admin_url = env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


SEED = r"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from factcheck.models import Article, Claim, Source
from factcheck.permissions import ROLE_FACT_CHECKERS
from factcheck.ingest import content_hash

n_claims, n_users, password = {n_claims}, {n_users}, {password!r}
source = Source.objects.create(name="Bench Daily", reliability="mixed")
sentences = [f"Claim {{i}}: the tariff on item {{i}} was {{i % 90 + 10}}% in {{2000 + i % 25}}, officials said." for i in range(n_claims)]
paragraphs = [" ".join(sentences[i:i + 5]) for i in range(0, n_claims, 5)]
body = "Bench article\n\n" + "\n\n".join(paragraphs)
article = Article.objects.create(title="Bench article", body=body, headings=[[0, 13]], content_hash=content_hash(body),
                                 status="ready", source=source)
claims, position = [], 0
for i, sentence in enumerate(sentences):
    start = body.index(sentence, position)
    position = start + len(sentence)
    claims.append(Claim(article=article, start=start, end=position, text=sentence, score=(i % 100) / 100,
                        kinds=["quantity"], facets={{"numbers": [{{"text": f"{{i % 90 + 10}}%"}}]}}))
Claim.objects.bulk_create(claims)
group = Group.objects.get(name=ROLE_FACT_CHECKERS)
User = get_user_model()
for i in range(n_users):
    user = User.objects.create_user(f"bench{{i}}", password=password)
    user.groups.add(group)
print(article.pk, ",".join(str(pk) for pk in Claim.objects.filter(article=article).values_list("pk", flat=True)))
"""


def manage(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


class Client:
    """One user: a keep-alive connection and a cookie jar of two cookies."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        all_headers = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body, doseq=True)
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=all_headers)
                response = self.conn.getresponse()
                content = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.headers, content.decode("utf-8", "replace")

    def sign_in(self, username: str) -> None:
        status, _, html = self.request("GET", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        status, headers, _ = self.request(
            "POST",
            "/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD, "next": "/"},
            {"Referer": f"http://127.0.0.1:{self.port}/login/"},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"sign-in failed for {username}: {status}")


VERSION_RE = re.compile(r'name="version" value="(\d+)"')


def user_loop(client, port, username, article_id, claim_ids, deadline, think, results, lock, counters):
    csrf = client.cookies.get("csrftoken", "")
    htmx = {"HX-Request": "true", "X-CSRFToken": csrf, "Referer": f"http://127.0.0.1:{port}/"}
    rng = random.Random(username)
    local: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    conflicts = 0

    def timed(name, method, path, body=None, headers=None, ok=(200,)):
        start = time.perf_counter()
        try:
            status, _, html = client.request(method, path, body, headers)
        except Exception:
            errors[name] += 1
            return None
        local[name].append(time.perf_counter() - start)
        if status not in ok:
            errors[name] += 1
            return None
        return html

    if think:
        # People don't all click at the same instant: spread the first requests over one loop (two pauses). Started
        # together, 20 users open the article at once, twice over, and the pages queued behind each other in those
        # first seconds are most of the page's slowest 5 %.
        time.sleep(rng.uniform(0, 2 * think))
    while time.monotonic() < deadline:
        claim_id = rng.choice(claim_ids)
        html = timed("article page (150 claims, panel)", "GET", f"/articles/{article_id}/?claim={claim_id}")
        if html is None:
            continue
        match = VERSION_RE.search(html)
        if think:
            time.sleep(think)
        verdict = rng.choice(["verified", "false", "disputed", "not_claim", "unreviewed"])
        body = {"verdict": verdict, "version": match.group(1) if match else "1", "rationale": "bench rationale"}
        html = timed("verdict change (htmx POST)", "POST", f"/claims/{claim_id}/verdict", body, htmx)
        if html is not None and 'id="conflict-message"' in html:
            conflicts += 1
        timed("floor: inbox row (htmx GET)", "GET", f"/articles/{article_id}/row", headers=htmx, ok=(200, 286))
        if think:
            time.sleep(think)
    with lock:
        for name, values in local.items():
            results[name].extend(values)
        for name, n in errors.items():
            counters["errors"][name] += n
        counters["conflicts"] += conflicts


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k] * 1000


def wait_for(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("gunicorn exited during start-up")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--claims", type=int, default=150)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--think", type=float, default=0.0, help="seconds a user pauses between actions")
    parser.add_argument("--database", default="factdesk_bench")
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]  # before this bench adds its own set-up to it
    env = bench_env(args.database)
    print(f"Preparing database {args.database} …", flush=True)
    recreate_database(env, args.database)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    seeded = manage(env, "shell", stdin=SEED.format(n_claims=args.claims, n_users=args.users, password=PASSWORD))
    article_line = seeded.strip().splitlines()[-1]
    article_id, ids = article_line.split(" ", 1)
    claim_ids = [int(i) for i in ids.split(",")]

    port = free_port()
    gunicorn = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "newsroom.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "--worker-class", "sync",
            "--keep-alive", "5", "--log-level", "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        wait_for(port, gunicorn)
        # Warm every worker (imports, templates, connections) before measuring.
        warm = Client(port)
        warm.sign_in("bench0")
        for _ in range(args.workers * 4):
            Client(port).request("GET", "/login/")
            warm.request("GET", f"/articles/{article_id}/?claim={claim_ids[0]}")

        # Sign everyone in before the clock starts: password hashing is deliberately slow and not what we measure.
        clients = []
        for i in range(args.users):
            client = Client(port)
            client.sign_in(f"bench{i}")
            clients.append(client)

        results: dict[str, list[float]] = defaultdict(list)
        counters = {"errors": defaultdict(int), "conflicts": 0}
        lock = threading.Lock()
        print(
            f"Running {args.users} users for {args.seconds:.0f} s against gunicorn ({args.workers} sync workers) "
            f"on 127.0.0.1:{port}, think time {args.think:.2f} s …",
            flush=True,
        )
        deadline = time.monotonic() + args.seconds
        started = time.monotonic()
        threads = [
            threading.Thread(
                target=user_loop,
                args=(clients[i], port, f"bench{i}", int(article_id), claim_ids, deadline, args.think, results, lock,
                      counters),
                daemon=True,
            )
            for i in range(args.users)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=10)
        except subprocess.TimeoutExpired:
            gunicorn.kill()

    total = sum(len(v) for v in results.values())
    print()
    print(f"{'endpoint':<36} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name in sorted(results, key=lambda n: n.startswith("floor")):
        values = results[name]
        print(
            f"{name:<36} {len(values):>9} {len(values) / elapsed:>8.1f} {pct(values, 50):>8.1f} "
            f"{pct(values, 95):>8.1f} {pct(values, 99):>8.1f} {counters['errors'].get(name, 0):>7}"
        )
    # Other work on the machine competes for the same cores: say how busy it was (the bench itself adds to it).
    print(f"\nload average (1 min): {load_before:.2f} when launched, {os.getloadavg()[0]:.2f} at the end")
    print(f"all requests: {total} in {elapsed:.1f} s = {total / elapsed:.1f} req/s; "
          f"errors: {sum(counters['errors'].values())}; verdict conflicts (expected, shown to the user): "
          f"{counters['conflicts']}")
    verdict = results.get("verdict change (htmx POST)", [])
    floor = results.get("floor: inbox row (htmx GET)", [])
    page = results.get("article page (150 claims, panel)", [])
    if verdict and floor:
        print(
            f"targets: verdict p95 {pct(verdict, 95):.1f} ms (< 50 ms; {pct(verdict, 95) / pct(floor, 95):.1f}× the floor's "
            f"p95 {pct(floor, 95):.1f} ms, target ≤ 3×); article page p95 {pct(page, 95):.1f} ms (< 150 ms)"
        )
    if not args.keep_database:
        import psycopg

        admin_url = env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
