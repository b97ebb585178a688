"""How long matching one new article's claims takes as the number of stored claims grows.

Creates (or reuses) its own database, migrates it, bulk-loads synthetic claims built from templates × entities ×
numbers in SQL (INSERT … SELECT generate_series), and at each size times `article_match_claims` for new articles
of ~20 claims that restate stored facts. Prints p50/p95 per size and the plan of the shortlist query.

    .venv/bin/python bench/bench_matching.py                 # 10k, 100k and 1M claims
    .venv/bin/python bench/bench_matching.py --sizes 10000 100000 --articles 30

Only the bulk load runs with the history triggers ignored (pgtrigger.ignore); the timed matching runs exactly as
in production, history included. The bench database is left in place for inspection; --fresh drops it first.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = os.environ.get("BENCH_DATABASE_NAME", "factdesk_bench_matching")
SERVER_URL = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")
CLAIMS_PER_ARTICLE = 20
ARTICLES_PER_STORY = 8

TEMPLATES = [
    "%1$s denied the report that it held talks with %2$s about a joint venture in %5$s.",
    "%1$s said it will invest %7$s million dollars in a new battery plant in %5$s by %9$s.",
    "%3$s, the chief executive of %1$s, said sales of %10$s rose %8$s%% in %9$s.",
    "%5$s imposed a %8$s%% tariff on %10$s imported from %6$s.",
    "%1$s did not respond to a request for comment on the %10$s recall.",
    "%3$s warned that %1$s could cut %7$s jobs in %5$s this year.",
    "%1$s reported revenue of %7$s billion dollars for %9$s, up %8$s percent from a year earlier.",
    "%3$s met %4$s in %5$s to discuss exports of %10$s to %6$s.",
    "According to people familiar with the matter, %1$s is considering buying a stake in %2$s.",
    "%2$s said the partnership with %1$s would create %7$s jobs in %5$s.",
    "Regulators in %5$s fined %1$s %7$s million dollars over misleading claims about %10$s.",
    "%3$s, who chairs the %5$s trade committee, called the deal with %1$s a threat to national security.",
    "Shares of %1$s fell %8$s%% after %3$s said %10$s deliveries would slip to %9$s.",
    "%1$s recalled %7$s thousand vehicles in %5$s because of faulty %10$s.",
    "The %5$s government said it would subsidise %10$s made by %1$s with %7$s million dollars.",
    "%1$s and %2$s denied that they were negotiating a merger.",
    "%3$s said %1$s controls about %8$s percent of the market for %10$s in %5$s.",
    "%1$s plans to open %7$s stores in %5$s before the end of %9$s, %3$s told reporters.",
    "Unions at %1$s in %5$s voted to strike after talks with %3$s broke down.",
    "%4$s, an analyst at %2$s, said %1$s would need %7$s million dollars to finish the %10$s project.",
    "%1$s said its %10$s would go on sale in %6$s in %9$s at a price of %7$s thousand dollars.",
    "A court in %5$s ordered %1$s to pay %2$s %7$s million dollars in damages.",
    "%3$s resigned as chair of %1$s after %8$s%% of shareholders voted against the pay plan.",
    "%1$s confirmed it had held preliminary talks with %2$s about sharing %10$s technology.",
]
# Openings and endings that vary the wording around the same statement, as outlets do.
LEADS = ["", "On Monday, ", "Late on Friday, ", "According to a company filing, ", "In a statement, ",
         "Speaking to reporters, ", "As first reported by local media, ", "Separately, ", "Earlier this month, ",
         "In an interview, ", "Meanwhile, ", "Last year, "]
TAILS = ["", " The figures could not be independently verified.", " Analysts had expected less.",
         " Officials declined to say more.", " The decision is expected to be challenged in court.",
         " Critics called the move premature.", " Details were not disclosed.", " The company gave no timeline.",
         " It was the first such step since the pandemic.", " Investors reacted cautiously.",
         " Lawmakers asked for a review.", " Competitors are expected to follow."]
PREFIXES = ("Nor Vel Astra Kor Zen Lum Tor Bri Cal Dra Eon Fal Gal Hel Iva Jor Kel Lyr Mar Nex Ori Pax Qua Ros Sol "
            "Tal Ura Vor Wex Xan Yor Zal Bel Cor Dun Esk Fen Gor Hal").split()
SUFFIXES = "vex mont dria lon sen tek ria vis gard nova lia rex".split()
KINDS = ["Motors", "Energy", "Group", "Automotive", "Mobility", "Batteries", "Holdings", "Industries"]
FIRST = ("John Mary Jim Sarah Wei Li Anna Carlos Fatima Ahmed Olga Pierre Hans Yuki Priya Kofi Elena Marco Nadia "
         "Tom Lucia Ivan Mei Omar Ingrid Diego Amara Sven Leila Raj").split()
LAST = ("Farley Moolenaar Chen Jenkins Miller Okafor Novak Rossi Tanaka Schmidt Dubois Kowalski Silva Haddad "
        "Larsen Petrov Nakamura Garcia Singh Mensah Fischer Moreau Ivanova Costa Berg Lindqvist Ortega Kim "
        "Hughes Varga").split()
PLACES = ("Michigan Ohio Texas Bavaria Saxony Guangdong Shanghai Ontario Quebec Jalisco Catalonia Lombardy "
          "Gujarat Karnataka Wales Scotland Flanders Silesia Hokkaido Gyeonggi Victoria Queensland Sonora Bahia "
          "Piedmont Brittany Styria Zealand Uusimaa Andalusia").split()
PRODUCTS = ("electric pickups|battery cells|hybrid sedans|charging stations|solid-state batteries|lithium|"
            "driver-assistance software|electric buses|steel|semiconductors|wind turbines|solar panels|"
            "electric scooters|rare-earth magnets|hydrogen trucks").split("|")


def entities(rng: random.Random | None = None):
    rng = rng or random.Random(11)
    orgs = sorted({f"{p}{s} {k}" for p in PREFIXES for s in SUFFIXES for k in KINDS})
    rng.shuffle(orgs)
    orgs = orgs[:600]
    people = sorted({f"{f} {l}" for f in FIRST for l in LAST})
    rng.shuffle(people)
    return orgs, people[:700]


def setup_django() -> None:
    os.environ["DATABASE_URL"] = f"{SERVER_URL}/{DB_NAME}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()


def create_database(fresh: bool) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{DB_NAME}"')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')


_LOAD_SQL = """
WITH params AS (
    SELECT %(templates)s::text[] AS tpl, %(leads)s::text[] AS leads, %(tails)s::text[] AS tails,
           %(orgs)s::text[] AS orgs, %(people)s::text[] AS people,
           %(places)s::text[] AS places, %(products)s::text[] AS products
), rows AS (
    SELECT g,
           p.tpl[1 + (g * 7 + g / 13) %% array_length(p.tpl, 1)] AS tpl,
           p.leads[1 + (g * 5 + g / 3) %% array_length(p.leads, 1)] AS lead,
           p.tails[1 + (g * 3 + g / 5) %% array_length(p.tails, 1)] AS tail,
           p.orgs[1 + (g * 31 + g / 7) %% array_length(p.orgs, 1)] AS org,
           p.orgs[1 + (g * 17 + 5) %% array_length(p.orgs, 1)] AS org2,
           p.people[1 + (g * 37 + g / 11) %% array_length(p.people, 1)] AS person,
           p.people[1 + (g * 23 + 3) %% array_length(p.people, 1)] AS person2,
           p.places[1 + (g * 13 + g / 17) %% array_length(p.places, 1)] AS place,
           p.places[1 + (g * 19 + 7) %% array_length(p.places, 1)] AS place2,
           (10 + (g * 29) %% 990)::text AS n,
           (5 + (g * 41) %% 150)::text AS pct,
           (2015 + (g * 3) %% 12)::text AS yr,
           p.products[1 + (g * 11 + g / 19) %% array_length(p.products, 1)] AS product
    FROM generate_series(%(first)s, %(last)s) AS g, params p
)
INSERT INTO factcheck_claim (article_id, start, "end", text, score, kinds, facets, model_version, verdict,
                             rationale, version, created_at, updated_at)
SELECT %(article_base)s + (g - %(first)s) / {per_article}, ((g - 1) %% {per_article}) * 1000,
       ((g - 1) %% {per_article}) * 1000 + length(t), t, 0.5, ARRAY['event'],
       jsonb_build_object(
           'organisations', to_jsonb(array_remove(ARRAY[
               CASE WHEN strpos(tpl, '%%1$s') > 0 THEN org END, CASE WHEN strpos(tpl, '%%2$s') > 0 THEN org2 END],
               NULL)),
           'people', to_jsonb(array_remove(ARRAY[
               CASE WHEN strpos(tpl, '%%3$s') > 0 THEN person END,
               CASE WHEN strpos(tpl, '%%4$s') > 0 THEN person2 END], NULL)),
           'places', '[]'::jsonb, 'quotes', '[]'::jsonb, 'dates', '[]'::jsonb,
           'numbers', CASE WHEN strpos(tpl, '%%8$s') > 0
                           THEN jsonb_build_array(jsonb_build_object('text', pct || '%%', 'value', pct::float, 'unit', '%%'))
                           ELSE '[]'::jsonb END),
       'bench', 'unreviewed', '', 1, now(), now()
FROM (SELECT *, lead || format(tpl, org, org2, person, person2, place, place2, n, pct, yr, product) || tail AS t
      FROM rows) r
"""


_NAMES = re.compile(r"%\((\w+)\)s")


def _positional(sql: str) -> str:
    return _NAMES.sub("%s", sql)


def load(n_from: int, n_to: int) -> None:
    """Stored claims n_from+1 .. n_to, with their articles and stories (history triggers ignored for the load)."""
    import pgtrigger
    from django.db import connection, transaction

    orgs, people = entities()
    n_articles = (n_to - n_from) // CLAIMS_PER_ARTICLE
    with transaction.atomic(), pgtrigger.ignore(
        "factcheck.Claim:insert_insert", "factcheck.Article:insert_insert", "factcheck.Story:insert_insert"
    ), connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM factcheck_article")
        (article_base,) = cursor.fetchone()
        cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM factcheck_story")
        (story_base,) = cursor.fetchone()
        cursor.execute(
            """INSERT INTO factcheck_story (id, title, created_at, updated_at)
               SELECT s, 'Story ' || s, now(), now() FROM generate_series(%s, %s) s""",
            [story_base, story_base + (n_articles - 1) // ARTICLES_PER_STORY],
        )
        cursor.execute(
            """INSERT INTO factcheck_article (id, title, body, headings, content_hash, origin, url, byline, language,
                   status, status_message, extraction_model_version, feed_guid, story_id, created_at, updated_at,
                   published_at)
               SELECT a, 'Article ' || a, 'Stored for the benchmark.', '[]', md5('bench' || a), '', '', '', 'en',
                      'ready', '', 'bench', '', %s + (a - %s) / %s, now(), now(), NULL
               FROM generate_series(%s, %s) a""",
            [story_base, article_base, ARTICLES_PER_STORY, article_base, article_base + n_articles - 1],
        )
        sql = _LOAD_SQL.format(per_article=CLAIMS_PER_ARTICLE)
        step = 100_000
        for start in range(n_from + 1, n_to + 1, step):
            stop = min(n_to, start + step - 1)
            named = {
                "templates": TEMPLATES, "leads": LEADS, "tails": TAILS, "orgs": orgs, "people": people, "places": PLACES, "products": PRODUCTS,
                "first": start, "last": stop,
                "article_base": article_base + (start - n_from - 1) // CLAIMS_PER_ARTICLE,
            }
            # pgtrigger.ignore prepends a statement with positional parameters: pass these positionally too.
            cursor.execute(_positional(sql),
                           [named[name] for name in _NAMES.findall(sql)])
            print(f"  loaded claims up to {stop:,}", flush=True)
        for table in ("factcheck_story", "factcheck_article", "factcheck_claim"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE factcheck_claim")
        cursor.execute("ANALYZE factcheck_article")


def _py_template(tpl: str) -> str:
    out = tpl.replace("%%", "%")
    for i in range(10, 0, -1):
        out = out.replace(f"%{i}$s", "{" + str(i) + "}")
    return out


def new_article(rng: random.Random, index: int):
    """A new article of ~20 claims restating stored facts in the same templates, with its facets."""
    from factcheck.models import Article, Claim

    orgs, people = entities()
    texts, facets = [], []
    for _ in range(CLAIMS_PER_ARTICLE):
        tpl = rng.choice(TEMPLATES)
        values = {
            "1": rng.choice(orgs), "2": rng.choice(orgs), "3": rng.choice(people), "4": rng.choice(people),
            "5": rng.choice(PLACES), "6": rng.choice(PLACES), "7": str(rng.randint(10, 999)),
            "8": str(rng.randint(5, 154)), "9": str(rng.randint(2015, 2026)), "10": rng.choice(PRODUCTS),
        }
        text = rng.choice(LEADS) + _py_template(tpl)
        for key in sorted(values, key=lambda k: -int(k)):
            text = text.replace("{" + key + "}", values[key])
        text += rng.choice(TAILS)
        texts.append(text)
        facets.append({
            "organisations": [values[k] for k in ("1", "2") if f"%{k}$s" in tpl],
            "people": [values[k] for k in ("3", "4") if f"%{k}$s" in tpl],
            "numbers": [{"text": values["8"] + "%", "value": float(values["8"]), "unit": "%"}] if "%8$s" in tpl else [],
            "dates": [], "places": [], "quotes": [],
        })
    body = "\n\n".join(texts)
    article = Article.objects.create(
        title=f"New report {index}: {texts[0][:60]}", body=body, content_hash=f"new-{index}-{time.time_ns()}",
        status=Article.Status.READY,
    )
    claims, position = [], 0
    for text, facet in zip(texts, facets):
        start = body.index(text, position)
        claims.append(Claim(article=article, start=start, end=start + len(text), text=text, score=0.6,
                            kinds=["event"], facets=facet, model_version="bench"))
        position = start + len(text)
    Claim.objects.bulk_create(claims)
    return article


def explain(article_id: int, *, analyze: bool) -> str:
    from django.db import connection, transaction

    from factcheck.models import Claim
    from factcheck.services.matching import TRIGRAM_THRESHOLD, _set_trigram_threshold, shortlist_query

    queries = list(Claim.objects.filter(article_id=article_id).order_by("pk").values_list("pk", "text"))
    sql, params = shortlist_query(queries[:2], article_id=article_id)  # two branches: each is planned alike
    with transaction.atomic(), connection.cursor() as cursor:
        _set_trigram_threshold(cursor, TRIGRAM_THRESHOLD)
        cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")  # as the service runs it
        cursor.execute(("EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN ") + sql, params)
        return "\n".join(r[0] for r in cursor.fetchall())


def measure(n_articles: int, rng: random.Random) -> dict[str, float]:
    from django.db import connection, transaction

    from factcheck.models import Claim
    from factcheck.services.matching import _set_trigram_threshold, _shortlist, article_match_claims

    totals, shortlists = [], []
    for i in range(n_articles + 2):
        article = new_article(rng, i)
        queries = list(Claim.objects.filter(article=article).values_list("pk", "text"))
        with transaction.atomic():
            t0 = time.perf_counter()
            _shortlist(queries, article_id=article.pk)
            t_short = time.perf_counter() - t0
        t0 = time.perf_counter()
        article_match_claims(article_id=article.pk)
        t_total = time.perf_counter() - t0
        if i >= 2:  # the first two warm the caches and the connection
            totals.append(t_total * 1000)
            shortlists.append(t_short * 1000)
    connection.close()

    def pct(values, q):
        values = sorted(values)
        return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]

    return {
        "p50": statistics.median(totals), "p95": pct(totals, 0.95), "max": max(totals),
        "short_p50": statistics.median(shortlists), "short_p95": pct(shortlists, 0.95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--articles", type=int, default=30, help="new articles matched per size")
    parser.add_argument("--fresh", action="store_true", help="drop the bench database first")
    args = parser.parse_args()

    create_database(args.fresh)
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM factcheck_claim WHERE model_version = 'bench'")
        (stored,) = cursor.fetchone()
    rng = random.Random(2026)
    results = []
    for size in sorted(args.sizes):
        if stored < size:
            print(f"Loading {size - stored:,} claims (to {size:,}) …", flush=True)
            t0 = time.perf_counter()
            load(stored, size)
            print(f"  done in {time.perf_counter() - t0:.0f} s", flush=True)
            stored = size
        r = measure(args.articles, rng)
        results.append((size, r))
        print(f"{size:>9,} stored claims: match one article of {CLAIMS_PER_ARTICLE} claims "
              f"p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms (max {r['max']:.1f}); "
              f"shortlist query p50 {r['short_p50']:.1f} ms, p95 {r['short_p95']:.1f} ms", flush=True)
        last = new_article(rng, 10_000 + size)
        print(explain(last.pk, analyze=True), flush=True)
    print("\nsize        p50 ms   p95 ms   shortlist p50/p95 ms")
    for size, r in results:
        print(f"{size:>9,}  {r['p50']:7.1f}  {r['p95']:7.1f}   {r['short_p50']:.1f} / {r['short_p95']:.1f}")


if __name__ == "__main__":
    main()
