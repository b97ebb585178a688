"""Every list page and the search at a newsroom's years of data: 100,000 articles and 2,000,000 claims.

    .venv/bin/python bench/bench_scale.py                 # load once (reused afterwards), then time every page
    .venv/bin/python bench/bench_scale.py --fresh         # drop the databases and load again
    .venv/bin/python bench/bench_scale.py --repeat 30     # more timed requests per page

Loads two databases of its own with the same synthetic newsroom, generated in SQL (INSERT … SELECT, a chunk of
articles per statement) with every trigger in place — the history triggers and the claim counters:

- the scale one (`factdesk_bench_scale`): 100,000 articles of 20 claims, 50 sources, 20 reviewers, 5,000 stories
  (one of them with 500 articles and 10,000 claims), clusters, open conflicts, published checks offered on 1% of
  the claims (strong and not rejected on half of those), 2,000 imports;
- the demo-size one (`factdesk_bench_demo`): the same generator at 100 articles.

Then signs in as an editor with Django's test client and requests every list page and the search (warm: two
requests first, then `--repeat` timed ones), printing the median and p95 per page at both sizes, the SQL
statements per request, and the EXPLAIN (ANALYZE, BUFFERS) of any statement over 100 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402

SERVER_URL = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")
SCALE_DB = os.environ.get("BENCH_DATABASE_NAME", "factdesk_bench_scale")
DEMO_DB = "factdesk_bench_demo"
CLAIMS_PER_ARTICLE = 20
N_SOURCES = 50
N_REVIEWERS = 20
SLOW_MS = 100.0
# Articles per INSERT … SELECT. Small statements: the history trigger's cost per row grows with the number of
# rows one statement inserts (0.2 ms a row at 2,000 rows, 0.45 ms at 20,000, more beyond).
CHUNK = 100

# Words of the synthetic news text, most frequent first: word k is picked with probability ~ 1/k (Zipf).
VOCABULARY = (
    "government minister said percent tariff company report million market official year election police court "
    "president vehicle battery price deal energy workers billion export city council health school budget bank "
    "trade union hospital climate water housing plan data security director spokesperson committee investors "
    "factory supply shares growth inflation rate jobs farmers prices oil gas electricity strike protest vote "
    "senator governor mayor treaty border migration tax subsidy loan profit revenue quarter forecast survey study "
    "scientists university research drug vaccine patients doctors nurses teachers students pupils airport flights "
    "railway bridge road transport emissions carbon coal solar wind nuclear grid outage flood drought wildfire "
    "storm harvest wheat rice coffee steel aluminium copper lithium chips semiconductor software platform app "
    "users privacy lawsuit judge verdict appeal sentence prison fraud bribery audit regulator fine penalty ban "
    "licence merger acquisition stake ipo bond yield currency dollar euro yen deficit surplus debt pension "
    "benefits wages salary minimum pay rent mortgage homes construction permit zoning park museum festival "
    "football league stadium ticket broadcaster newspaper journalist editor interview statement denied "
    "confirmed announced rejected approved proposed delayed cancelled launched closed opened expanded reduced "
    "increased doubled halved tripled record lowest highest first last new former acting interim deputy chief "
    "zeppelin xylophone quasar"
).split()
COMMON_WORD = "government"  # in four claims out of five
RARE_WORD = "quasar"  # in none: the generator never draws the last word (a search for a word the tables lack)


# --- Databases ---------------------------------------------------------------------------------------------------


def setup_django() -> None:
    os.environ["DATABASE_URL"] = f"{SERVER_URL}/{SCALE_DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    # As in production: DEBUG off (no query log kept in memory), no HTTPS redirect for the test client.
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["SECURE_COOKIES"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()


def create_database(name: str, fresh: bool) -> None:
    benchdb.create_database(SERVER_URL, name, fresh=fresh)


@contextmanager
def using_database(name: str):
    """Point Django's connection at another database for the block."""
    from django.db import connection

    connection.close()
    previous = connection.settings_dict["NAME"]
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = previous


# --- Loading -----------------------------------------------------------------------------------------------------

_ZERO = {"ARRAY": "'{}'", "jsonb": "'{}'::jsonb", "boolean": "false", "integer": "0", "bigint": "0",
         "smallint": "0", "double precision": "0"}


def insert_select(cursor, table: str, values: dict[str, str], from_sql: str, params=()) -> None:
    """INSERT INTO table (…) SELECT … FROM …: the columns named in `values`, and every other NOT NULL column
    without a default filled with its type's empty value (text '', numbers 0, arrays {}), so a column added to a
    model later does not break the loader."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
        "AND is_nullable = 'NO' AND column_default IS NULL AND is_generated = 'NEVER' AND column_name <> 'id'",
        [table],
    )
    columns = dict(values)
    for column, data_type in cursor.fetchall():
        columns.setdefault(column, _ZERO.get(data_type, "''"))
    names = ", ".join(f'"{c}"' for c in columns)
    cursor.execute(f"INSERT INTO {table} ({names}) SELECT {', '.join(columns.values())} {from_sql}", params)


def load(n_articles: int) -> float:
    """Load the synthetic newsroom; returns the seconds it took."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from factcheck.models import Article
    from factcheck.permissions import ROLE_EDITORS, ROLE_FACT_CHECKERS

    started = time.perf_counter()
    n_stories = max(5, n_articles // 20)
    User = get_user_model()
    editors, checkers = Group.objects.get(name=ROLE_EDITORS), Group.objects.get(name=ROLE_FACT_CHECKERS)
    for i in range(N_REVIEWERS):
        user, created = User.objects.get_or_create(username=f"bench-{i:02d}")
        if created:
            user.set_password("bench")
            user.save()
            user.groups.add(editors if i == 0 else checkers)
    user_ids = sorted(User.objects.filter(username__startswith="bench-").values_list("pk", flat=True))
    vocab = "{" + ",".join(VOCABULARY) + "}"
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        # An empty list of ignored triggers: the history triggers then skip the error they catch when it is unset.
        cursor.execute("SET pgtrigger.ignore = '{}'")
        with transaction.atomic():
            insert_select(cursor, "factcheck_source", {
                "name": "'Bench outlet ' || s", "kind": "'news'", "reliability": "'unknown'", "is_active": "true",
                "created_at": "now()", "updated_at": "now()",
            }, "FROM generate_series(1, %s) s", [N_SOURCES])
            insert_select(cursor, "factcheck_story", {
                "title": "'Bench story ' || s", "created_at": "now() - s * interval '5 hours'",
                "updated_at": "now() - s * interval '5 hours'",
            }, "FROM generate_series(1, %s) s", [n_stories])
            insert_select(cursor, "factcheck_importbatch", {
                "kind": "'jsonl'", "label": "'bench-' || s || '.jsonl'", "status": "'done'", "total": "50",
                "imported": "48", "duplicates": "2", "created_by_id": f"({user_ids[0]})",
                "created_at": "now() - s * interval '13 hours'",
            }, "FROM generate_series(1, %s) s", [max(10, n_articles // 50)])
        cursor.execute("SELECT min(id) FROM factcheck_source")
        first_source = cursor.fetchone()[0]
        cursor.execute("SELECT min(id) FROM factcheck_story")
        first_story = cursor.fetchone()[0]
        users = "ARRAY[" + ",".join(map(str, user_ids)) + "]::bigint[]"
        for lo in range(1, n_articles + 1, CHUNK):
            hi = min(n_articles, lo + CHUNK - 1)
            with transaction.atomic():
                _load_chunk(cursor, lo, hi, n_articles, n_stories, first_source, first_story, users, vocab)
            if hi % 5_000 == 0 or hi == n_articles:
                print(f"  loaded {hi:,} articles ({time.perf_counter() - started:.0f} s)", flush=True)
    finish_load()
    assert Article.objects.count() == n_articles
    return time.perf_counter() - started


def finish_load() -> None:
    """Conflicts and published checks, then statistics for the planner."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("SET pgtrigger.ignore = '{}'")
        with transaction.atomic():
            _load_conflicts_and_checks(cursor)
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def finished() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM factcheck_checkoffer)")
        return cursor.fetchone()[0]


def _load_chunk(cursor, lo, hi, n_articles, n_stories, first_source, first_story, users, vocab) -> None:
    """Articles lo..hi and their claims: sentences of Zipf-distributed words, the body made of them (offsets hold).
    Every 200th article is in story 1 (the biggest: 500 articles at 100k); the others spread over the rest."""
    n_words = len(VOCABULARY)
    cursor.execute("DROP TABLE IF EXISTS bench_sentence")
    cursor.execute(
        f"""CREATE TEMP TABLE bench_sentence AS
        SELECT a, i, s.text,
               sum(length(s.text) + 1) OVER (PARTITION BY a ORDER BY i) - length(s.text) - 1 AS start
        FROM generate_series(%s, %s) a, generate_series(0, {CLAIMS_PER_ARTICLE - 1}) i,
        LATERAL (
            SELECT initcap(array_to_string(ARRAY(
                SELECT ('{vocab}'::text[])[least({n_words}, floor(power({n_words}::float, random()))::int)]
                FROM generate_series(1, 8 + (a * 7 + i) %% 9)
            ), ' ')) || '.' AS text
        ) s""",
        [lo, hi],
    )
    story = (f"CASE WHEN a %% 200 = 0 THEN {first_story} "
             f"ELSE {first_story} + 1 + (a * 7919) %% {n_stories - 1} END")
    insert_select(cursor, "factcheck_article", {
        "id": "a", "title": "'Bench article ' || a || ': ' || min(text) FILTER (WHERE i = 0)",
        "body": "string_agg(text, ' ' ORDER BY i)", "headings": "'[]'::jsonb",
        "content_hash": "md5('bench article ' || a)", "source_id": f"{first_source} + a %% {N_SOURCES}",
        "published_at": f"CASE WHEN a %% 10 = 0 THEN NULL "
                        f"ELSE now() - ({n_articles} - a) * interval '15 minutes' - interval '3 hours' END",
        "language": "'en'",
        "status": "CASE WHEN a %% 100 = 1 THEN 'queued' WHEN a %% 100 = 2 THEN 'failed' ELSE 'ready' END",
        "uploaded_by_id": f"({users})[1 + a %% {N_REVIEWERS}]", "story_id": story,
        "created_at": f"now() - ({n_articles} - a) * interval '15 minutes'",
        "updated_at": f"now() - ({n_articles} - a) * interval '15 minutes'",
    }, "FROM bench_sentence GROUP BY a", [])
    # Clusters: the first six sentences of articles of one story state the same facts, ten clusters per fact.
    cursor.execute(
        f"""INSERT INTO factcheck_claimcluster (id, created_at)
        SELECT DISTINCT (({story}) * 6 + i) * 10 + a %% 10, now() FROM bench_sentence WHERE i < 6
        ON CONFLICT DO NOTHING""",
        [],
    )
    insert_select(cursor, "factcheck_claim", {
        "article_id": "a", "start": "start", "end": "start + length(text)", "text": "text",
        "score": "(hashtext(a || ':' || i) & 1023) / 1023.0",
        "kinds": "ARRAY[(ARRAY['quantity','quote','attribution','event','rule','causation','prediction','opinion'])"
                 "[1 + (a + i) %% 8]]::varchar[]",
        "verdict": "CASE WHEN (a * 31 + i) %% 100 < 60 THEN 'unreviewed' WHEN (a * 31 + i) %% 100 < 85 THEN 'verified' "
                   "WHEN (a * 31 + i) %% 100 < 93 THEN 'disputed' WHEN (a * 31 + i) %% 100 < 97 THEN 'false' "
                   "ELSE 'not_claim' END",
        "rationale": "CASE WHEN (a * 31 + i) %% 100 BETWEEN 85 AND 96 THEN 'Checked against the ' || text ELSE '' END",
        "assignee_id": f"CASE WHEN (a + i) %% 10 < 3 THEN ({users})[1 + (a * 3 + i) %% {N_REVIEWERS}] END",
        # Reviewed claims: by one of the reviewers, at an hour of the last 90 days (the desk overview reads these).
        "verdict_by_id": f"CASE WHEN (a * 31 + i) %% 100 >= 60 THEN ({users})[1 + (a * 5 + i) %% {N_REVIEWERS}] END",
        "verdict_at": "CASE WHEN (a * 31 + i) %% 100 >= 60 THEN now() - ((a * 13 + i) %% 2160) * interval '1 hour' END",
        "cluster_id": f"CASE WHEN i < 6 THEN (({story}) * 6 + i) * 10 + a %% 10 END",
        "model_version": "'bench'", "version": "1", "created_at": f"now() - ({n_articles} - a) * interval '15 minutes'",
        "updated_at": "now()",
    }, "FROM bench_sentence", [])


def _load_conflicts_and_checks(cursor) -> None:
    """Open conflicts between the first claims of neighbouring articles (every 50th article), and published
    checks offered on about 1% of claims (strong on 60% of those; a tenth of the strong ones rejected)."""
    insert_select(cursor, "factcheck_conflict", {
        "key": "'bench-' || a.id", "kind": "'number'", "values": "ARRAY['100%%', '145%%']",
        "status": "'open'", "created_at": "now()",
    }, "FROM factcheck_article a WHERE a.id %% 50 = 0", [])
    cursor.execute(
        """INSERT INTO factcheck_conflict_claims (conflict_id, claim_id)
        SELECT k.id, c.id FROM factcheck_conflict k
        JOIN factcheck_claim c ON c.article_id IN (substr(k.key, 7)::bigint, substr(k.key, 7)::bigint + 1)
             AND c.start = 0
        WHERE k.key LIKE 'bench-%%'""",
        [],
    )
    insert_select(cursor, "factcheck_publishedcheck", {
        "key": "'https://checks.example.org/' || s", "url": "'https://checks.example.org/' || s",
        "claim_reviewed": "'Published check ' || s", "rating": "'false'", "raw": "'{}'::jsonb",
        "created_at": "now()", "updated_at": "now()",
    }, "FROM generate_series(1, 5000) s", [])
    cursor.execute("SELECT min(id) FROM factcheck_publishedcheck")
    first_check = cursor.fetchone()[0]
    insert_select(cursor, "factcheck_checkoffer", {
        "claim_id": "c.id", "published_check_id": f"{first_check} + c.id %% 5000", "score": "0.9",
        "band": "CASE WHEN c.id / 100 %% 10 < 6 THEN 'strong' ELSE 'possible' END",
        "status": "CASE WHEN c.id / 100 %% 10 = 0 THEN 'rejected' ELSE 'offered' END",
        "created_at": "now()", "updated_at": "now()",
    }, "FROM factcheck_claim c WHERE c.id %% 100 = 7", [])


def loaded_articles() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM factcheck_article")
        return cursor.fetchone()[0]


def ensure_loaded(name: str, n_articles: int, fresh: bool) -> None:
    from django.core.management import call_command

    create_database(name, fresh)
    with using_database(name):
        call_command("migrate", verbosity=0)
        have = loaded_articles()
        if have == n_articles and finished():
            print(f"{name}: {have:,} articles already loaded, reused", flush=True)
            return
        if have == n_articles:  # stopped after the articles and claims: finish the load
            print(f"{name}: {have:,} articles loaded, adding conflicts and checks", flush=True)
            started = time.perf_counter()
            finish_load()
            print(f"{name}: finished in {(time.perf_counter() - started) / 60:.1f} min", flush=True)
            return
    create_database(name, fresh=True)  # whatever a stopped load left behind
    with using_database(name):
        call_command("migrate", verbosity=0)
        print(f"{name}: loading {n_articles:,} articles, {n_articles * CLAIMS_PER_ARTICLE:,} claims", flush=True)
        seconds = load(n_articles)
        print(f"{name}: loaded in {seconds / 60:.1f} min", flush=True)


# --- Timing --------------------------------------------------------------------------------------------------


class StatementClock:
    """Times every SQL statement of a request (Django's execute wrapper); keeps the slow ones for EXPLAIN."""

    def __init__(self) -> None:
        self.count = 0
        self.longest = 0.0
        self.slow: dict[str, tuple[float, object]] = {}

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ms = (time.perf_counter() - started) * 1000
            self.count += 1
            self.longest = max(self.longest, ms)
            if ms > SLOW_MS and ms > self.slow.get(sql, (0.0, None))[0]:
                self.slow[sql] = (ms, params)


def pages() -> list[tuple[str, str]]:
    """(label, URL) of every list page and the search, with ids and cursors from the database being timed."""
    from django.db.models import Count
    from django.urls import reverse

    from factcheck import selectors
    from factcheck.models import Article, Claim, Source, Story
    from factcheck.pagination import encode_cursor

    def deep(qs, order, size):
        """A cursor to the last page of a list, as the Next links of every page before would have led to it."""
        n = qs.count()
        if n <= size:
            return ""
        keys = [key for key, _ in order]
        reverse_order = [key if desc else f"-{key}" for key, desc in order]
        row = qs.order_by(*reverse_order).values_list(*keys)[size]
        return encode_cursor(n - size, list(row))

    source = Source.objects.order_by("pk").first()
    biggest = Story.objects.annotate(n=Count("articles")).order_by("-n", "pk").first()
    # The newest article of an ordinary story (the biggest story's claims have clusters of fifty).
    article = Article.objects.filter(n_claims__gt=0).exclude(story=biggest).order_by("-created_at").first()
    claim = Claim.objects.filter(article=article).order_by("start").first()
    newest = Article.objects.exclude(published_at=None).order_by("-published_at").first().published_at
    month = (newest - dt.timedelta(days=30)).date().isoformat(), newest.date().isoformat()
    inbox, queue, search = reverse("factcheck:inbox"), reverse("factcheck:queue"), reverse("factcheck:search")
    stories, story = reverse("factcheck:stories"), reverse("factcheck:story", args=[biggest.pk])
    last_story_page = -(-selectors.story_overview(story=biggest).n_rows // selectors.STORY_ROWS_PER_PAGE)
    return [
        ("inbox", inbox),
        ("inbox, status ready", f"{inbox}?status=ready"),
        ("inbox, has unreviewed", f"{inbox}?unreviewed=1"),
        ("inbox, has conflicts", f"{inbox}?conflicts=1"),
        ("inbox, has a published check", f"{inbox}?checked=1"),
        ("inbox, one publisher", f"{inbox}?source={source.pk}"),
        ("inbox, by publication date", f"{inbox}?sort=published"),
        ("inbox, by title", f"{inbox}?sort=title"),
        ("inbox, most unreviewed", f"{inbox}?sort=unreviewed"),
        ("inbox, search common word", f"{inbox}?q={COMMON_WORD}"),
        ("inbox, search rare word", f"{inbox}?q={RARE_WORD}"),
        ("inbox, last page", f"{inbox}?after={deep(Article.objects.all(), selectors.INBOX_SORTS['newest'], 25)}"),
        ("claims queue", queue),
        ("queue, unreviewed", f"{queue}?verdict=open"),
        ("queue, false", f"{queue}?verdict=false"),
        ("queue, kind quote", f"{queue}?kind=quote"),
        ("queue, one publisher", f"{queue}?source={source.pk}"),
        ("queue, published in a month", f"{queue}?date_from={month[0]}&date_to={month[1]}"),
        ("queue, has a published check", f"{queue}?checked=1"),
        ("queue, unassigned", f"{queue}?assignee=none"),
        ("my claims", f"{queue}?assignee=me"),
        ("queue, last page", f"{queue}?after={deep(Claim.objects.all(), selectors.QUEUE_ORDER, 50)}"),
        ("search, common word", f"{search}?q={COMMON_WORD}"),
        ("search, rare word", f"{search}?q={RARE_WORD}"),
        ("stories", stories),
        ("stories, last page", f"{stories}?after={deep(Story.objects.all(), selectors.STORY_ORDER, 50)}"),
        ("biggest story", story),
        ("biggest story, last page", f"{story}?page={last_story_page}"),
        ("imports", reverse("factcheck:batches")),
        ("article workspace (20 claims, panel)", f"{reverse('factcheck:article', args=[article.pk])}?claim={claim.pk}"),
        ("desk overview", reverse("factcheck:overview")),
    ]


def time_pages(repeat: int) -> tuple[dict[str, dict], dict[str, tuple[float, object]]]:
    """Median, p95, SQL statements and the longest statement per page; the slow statements of all pages."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("collectstatic", "--noinput", verbosity=0)  # DEBUG off: pages name the hashed static files
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench-00"))  # an editor
    results, slow = {}, {}
    for label, url in pages():
        for _ in range(2):  # warm: caches of this process and of PostgreSQL
            response = client.get(url)
            assert response.status_code == 200, (label, url, response.status_code)
        times, clock = [], StatementClock()
        with connection.execute_wrapper(clock):
            for _ in range(repeat):
                started = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - started) * 1000)
        times.sort()
        results[label] = {
            "p50": statistics.median(times),
            "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
            "queries": clock.count // repeat,
            "longest": clock.longest,
        }
        for sql, found in clock.slow.items():
            slow.setdefault(sql, (found[0], found[1], label))
    return results, slow


def explain(slow: dict) -> None:
    from django.db import connection

    for sql, (ms, params, label) in sorted(slow.items(), key=lambda item: -item[1][0]):
        print(f"\n--- {label}: {ms:.0f} ms\n{sql}\n")
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            print("\n".join(row[0] for row in cursor.fetchall()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--demo-articles", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page")
    parser.add_argument("--fresh", action="store_true", help="drop the bench databases and load again")
    parser.add_argument("--load-only", action="store_true")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    ensure_loaded(DEMO_DB, args.demo_articles, args.fresh)
    ensure_loaded(SCALE_DB, args.articles, args.fresh)
    if args.load_only:
        return
    with using_database(DEMO_DB):
        demo, _ = time_pages(args.repeat)
    with using_database(SCALE_DB):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM factcheck_claim")
            n_claims = cursor.fetchone()[0]
        scale, slow = time_pages(args.repeat)
        load = os.getloadavg()[0]
        print(f"\n{args.repeat} requests per page after 2 to warm up; ms; load average {load:.1f}")
        print(f"{'page':40} | {'demo p50':>8} | {'demo p95':>8} | {'scale p50':>9} | {'scale p95':>9} | "
              f"{'queries':>7} | longest statement")
        print(f"{'':40} | {args.demo_articles:,} articles{'':>6} | {args.articles:,} articles, {n_claims:,} claims")
        for label, at_scale in scale.items():
            small = demo[label]
            print(f"{label:40} | {small['p50']:8.1f} | {small['p95']:8.1f} | {at_scale['p50']:9.1f} | "
                  f"{at_scale['p95']:9.1f} | {at_scale['queries']:7d} | {at_scale['longest']:.1f}")
        if slow:
            print(f"\nStatements over {SLOW_MS:.0f} ms, with their plans:")
            explain(slow)
        else:
            print(f"\nNo statement over {SLOW_MS:.0f} ms.")


if __name__ == "__main__":
    main()
