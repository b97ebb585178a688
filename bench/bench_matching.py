"""How long matching one new article's claims takes as the number of stored claims grows.

Creates (or reuses) its own database, migrates it and bulk-loads synthetic coverage: stories of
ARTICLES_PER_STORY articles, each story about a small cast of organisations and people and FACTS_PER_STORY
facts (one per template), each article stating CLAIMS_PER_ARTICLE of its story's facts, so every fact is stated
by several articles in different words, and its statements share a cluster (as matching left them). A fact is a
template × entities × figures; its claim facets are built from the template's slots (what extraction finds in
such a sentence). Stories are spread over STORY_YEARS years; a story's articles are published within
STORY_DAYS days of its start, and every claim's keys carry that month, as in production.

Embeddings: encoding a million sentences with the real encoder would take over an hour, so stored claims get
synthetic vectors that behave like the encoder's. Each template variant (and its paraphrase) is encoded once with
the real encoder, filled with one fixed cast; a fact's vector mixes its template's vector with a random one of its
own (TEMPLATE_WEIGHT), so two facts of one template are as alike as two real sentences of one shape about other
names and figures; each statement adds noise (STATEMENT_NOISE) for its own wording. `vector_check` prints the
cosines this gives beside the real encoder's on the same sentence pairs. Keys are `factcheck.matching.match_keys`
of that vector, the facets and the article's date; all in Python, loaded with COPY.

At each size it times `article_match_claims` for new articles of CLAIMS_PER_ARTICLE claims restating facts of one
stored story (other openings and endings, a paraphrase for a third of them), published within the story's days and
stored as extraction stores them (embedding, encoder version, keys; the embedding made the same synthetic way). It
checks what matching made of them: how many new claims joined a cluster holding the same fact stated elsewhere
(recall), and how many sit in a cluster with a claim of another fact. Prints p50/p95 per size, where the time
goes (shortlist query, reading claims, ranking, exact cosine, profiles, pair scoring, story, clusters, conflicts),
the CPU time per article of this process and of the database backend (when the server runs on this machine: the
part of the time that other work on the machine does not change), and EXPLAIN (ANALYZE, BUFFERS) of one shortlist
query.

    .venv/bin/python bench/bench_matching.py --fresh         # 10k, 100k and 1M claims
    .venv/bin/python bench/bench_matching.py --sizes 10000 100000 --articles 30

Only the bulk load runs with triggers off (history and foreign-key checks: session_replication_role = replica);
the timed matching runs exactly as in production, history included. The bench database is left in place for
inspection (a later run reuses what is loaded); --fresh drops it first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import benchdb  # noqa: E402

DB_NAME = os.environ.get("BENCH_DATABASE_NAME", "factdesk_bench_matching")
SERVER_URL = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")
CLAIMS_PER_ARTICLE = 20
ARTICLES_PER_STORY = 8
FACTS_PER_STORY = 24  # each template once: a story rarely states two facts of one shape
CLAIMS_PER_STORY = CLAIMS_PER_ARTICLE * ARTICLES_PER_STORY
PARAPHRASE_SHARE = 0.33
# Dates: stories start on a day of STORY_YEARS years from FIRST_DAY; a story's articles appear within STORY_DAYS.
FIRST_DAY = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
STORY_YEARS = 3
STORY_DAYS = 10
# Synthetic embeddings. A fact's vector is normalise(sqrt(w)·template + sqrt(1 − w)·own random direction), so two
# facts of one template have cosine ≈ w (before the statements' noise); a statement adds noise of this norm, so two
# statements of one fact have cosine ≈ 1 / (1 + noise²), a paraphrase (the other variant's template vector) less.
# Set so the means match what the real encoder gives on the bench's own sentences (`vector_check`: same fact 0.94,
# paraphrase 0.88, another fact of the template 0.51). Noise for cosines of 0.87 / 0.82 instead left 35% of new
# claims with their fact at 10k claims: the pair model, fitted on the encoder's cosines, wants them higher.
TEMPLATE_WEIGHT = 0.55
STATEMENT_NOISE = 0.27
# The one cast each template variant is encoded with.
TEMPLATE_FILL = {"1": "Acme Motors", "2": "Globex Energy", "3": "John Smith", "4": "Mary Jones", "5": "Ohio",
                 "6": "Bavaria", "7": "250", "8": "12", "9": "2024", "10": "battery cells"}

# Each template with a paraphrase that uses the same slots: %1/%2 organisations, %3/%4 people, %5/%6 places,
# %7 an amount (its scale and unit are in the words after it), %8 a percentage, %9 a year, %10 a product.
TEMPLATES = [
    ("%1$s denied the report that it held talks with %2$s about a joint venture in %5$s.",
     "%1$s rejected reports of joint venture negotiations with %2$s in %5$s."),
    ("%1$s said it will invest %7$s million dollars in a new battery plant in %5$s by %9$s.",
     "%1$s plans to put %7$s million dollars into a battery factory in %5$s, due by %9$s."),
    ("%3$s, the chief executive of %1$s, said sales of %10$s rose %8$s%% in %9$s.",
     "Sales of %10$s at %1$s were up %8$s%% in %9$s, according to chief executive %3$s."),
    ("%5$s imposed a %8$s%% tariff on %10$s imported from %6$s.",
     "%10$s imported from %6$s now face a %8$s percent duty in %5$s."),
    ("%1$s did not respond to a request for comment on the %10$s recall.",
     "%1$s declined to comment on the recall of its %10$s."),
    ("%3$s warned that %1$s could cut %7$s jobs in %5$s this year.",
     "%1$s may eliminate %7$s jobs in %5$s this year, %3$s warned."),
    ("%1$s reported revenue of %7$s billion dollars for %9$s, up %8$s percent from a year earlier.",
     "%1$s said its %9$s revenue rose %8$s percent to %7$s billion dollars."),
    ("%3$s met %4$s in %5$s to discuss exports of %10$s to %6$s.",
     "%3$s and %4$s held talks in %5$s on exporting %10$s to %6$s."),
    ("According to people familiar with the matter, %1$s is considering buying a stake in %2$s.",
     "%1$s is weighing buying a stake in %2$s, people familiar with the matter said."),
    ("%2$s said the partnership with %1$s would create %7$s jobs in %5$s.",
     "The %1$s partnership will bring %7$s jobs to %5$s, %2$s said."),
    ("Regulators in %5$s fined %1$s %7$s million dollars over misleading claims about %10$s.",
     "%1$s must pay a %7$s million dollars fine in %5$s over misleading %10$s claims."),
    ("%3$s, who chairs the %5$s trade committee, called the deal with %1$s a threat to national security.",
     "%3$s, chair of the %5$s trade committee, said the %1$s deal threatens national security."),
    ("Shares of %1$s fell %8$s%% after %3$s said %10$s deliveries would slip to %9$s.",
     "%1$s stock dropped %8$s%% once %3$s pushed %10$s deliveries back to %9$s."),
    ("%1$s recalled %7$s thousand vehicles in %5$s because of faulty %10$s.",
     "Faulty %10$s forced %1$s to recall %7$s thousand vehicles in %5$s."),
    ("The %5$s government said it would subsidise %10$s made by %1$s with %7$s million dollars.",
     "%1$s will receive %7$s million dollars in %5$s subsidies for its %10$s."),
    ("%1$s and %2$s denied that they were negotiating a merger.",
     "%2$s and %1$s rejected reports of merger negotiations."),
    ("%3$s said %1$s controls about %8$s percent of the market for %10$s in %5$s.",
     "%1$s has a market share of roughly %8$s%% in %10$s in %5$s, %3$s said."),
    ("%1$s plans to open %7$s stores in %5$s before the end of %9$s, %3$s told reporters.",
     "%3$s said %1$s would open %7$s stores in %5$s by the end of %9$s."),
    ("Unions at %1$s in %5$s voted to strike after talks with %3$s broke down.",
     "Workers at %1$s in %5$s will strike after negotiations with %3$s collapsed."),
    ("%4$s, an analyst at %2$s, said %1$s would need %7$s million dollars to finish the %10$s project.",
     "%1$s needs %7$s million dollars to complete its %10$s project, said %4$s of %2$s."),
    ("%1$s said its %10$s would go on sale in %6$s in %9$s at a price of %7$s thousand dollars.",
     "%1$s will sell its %10$s in %6$s from %9$s at a price of %7$s thousand dollars."),
    ("A court in %5$s ordered %1$s to pay %2$s %7$s million dollars in damages.",
     "%1$s must pay %2$s %7$s million dollars in damages, a %5$s court ruled."),
    ("%3$s resigned as chair of %1$s after %8$s%% of shareholders voted against the pay plan.",
     "%3$s stepped down as %1$s chair when %8$s%% of shareholders voted against the pay plan."),
    ("%1$s confirmed it had held preliminary talks with %2$s about sharing %10$s technology.",
     "%1$s said it held early talks with %2$s on sharing %10$s technology."),
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

_SLOT = re.compile(r"%(\d+)\$s")
_AMOUNT = re.compile(r"%7\$s (million|billion|thousand)?\s?(dollars?)?")
_SCALES = {"million": 1e6, "billion": 1e9, "thousand": 1e3, None: 1.0}


MIDDLES = ["", "a", "e", "i", "o", "u", "ar", "en", "il", "or"]
SURNAME_STEMS = "Mor Ben Kal Dur Fen Gar Hol Ist Jan Kov Lam Nor Pel Rad Sar Tam Vel Wal Zor Bar".split()
SURNAME_ENDS = "ez ski sen ard ova ini ton ley berg ic".split()


def entities(rng: random.Random | None = None):
    """Organisations (a distinct first word each: the library takes "Norvex Motors" and "Norvex Energy" for one
    organisation) and people, in numbers closer to a newsroom's than the templates' few dozen names."""
    rng = rng or random.Random(11)
    orgs = sorted(f"{p}{m}{s}" for p in PREFIXES for m in MIDDLES for s in SUFFIXES)
    rng.shuffle(orgs)
    orgs = [f"{name} {rng.choice(KINDS)}" for name in orgs[:3000]]
    surnames = LAST + [f"{a}{b}" for a in SURNAME_STEMS for b in SURNAME_ENDS]
    people = sorted({f"{f} {l}" for f in FIRST for l in surnames})
    rng.shuffle(people)
    return orgs, people[:4000]


ORGS, PEOPLE = entities()


# --- Synthetic coverage ----------------------------------------------------------------------------------------


def story_facts(story: int) -> list[tuple[int, dict[str, str]]]:
    """The FACTS_PER_STORY facts of a story, [(template index, slot values)]: mostly about the story's cast."""
    rng = random.Random(story * 7_919 + 17)
    cast_orgs = rng.sample(ORGS, 3)
    cast_people = rng.sample(PEOPLE, 4)
    cast_places = rng.sample(PLACES, 3)
    facts = []
    for _ in range(FACTS_PER_STORY):
        org1, org2 = rng.sample(cast_orgs, 2) if rng.random() < 0.8 else rng.sample(ORGS, 2)
        person1, person2 = rng.sample(cast_people, 2) if rng.random() < 0.8 else rng.sample(PEOPLE, 2)
        values = {
            "1": org1, "2": org2, "3": person1, "4": person2,
            "5": rng.choice(cast_places), "6": rng.choice(PLACES),
            "7": str(rng.randint(10, 999)), "8": str(rng.randint(5, 154)), "9": str(rng.randint(2015, 2026)),
            "10": rng.choice(PRODUCTS),
        }
        facts.append(values)
    templates = list(range(len(TEMPLATES)))
    rng.shuffle(templates)
    return [(templates[j % len(templates)], values) for j, values in enumerate(facts)]


def render(template: str, values: dict[str, str]) -> str:
    return _SLOT.sub(lambda m: values[m.group(1)], template.replace("%%", "%"))


def facets_of(template: str, values: dict[str, str]) -> dict:
    """The facets extraction finds in a sentence of this template, built from its slots."""
    slots = set(_SLOT.findall(template))
    numbers = []
    if "7" in slots:
        m = _AMOUNT.search(template)
        scale = _SCALES[m.group(1) if m else None]
        unit = "USD" if m and m.group(2) else ""
        words = " ".join(w for w in (m.groups() if m else ()) if w)
        numbers.append({"text": f"{values['7']} {words}".strip(), "value": float(values["7"]) * scale, "unit": unit})
    if "8" in slots:
        numbers.append({"text": values["8"] + "%", "value": float(values["8"]), "unit": "%"})
    return {
        "numbers": numbers,
        "dates": ([{"text": values["9"], "year": int(values["9"]), "month": None, "day": None, "relative": False}]
                  if "9" in slots else []),
        "people": [values[k] for k in ("3", "4") if k in slots],
        "organisations": [values[k] for k in ("1", "2") if k in slots],
        "places": [values[k] for k in ("5", "6") if k in slots],
        "quotes": [],
    }


def statement(
    rng: random.Random, fact: tuple[int, dict[str, str]], *, paraphrase: float = 0.0
) -> tuple[str, dict, int]:
    """One outlet's sentence stating `fact`, its facets, and which variant of the template it uses (1: the
    paraphrase)."""
    index, values = fact
    variant = 1 if rng.random() < paraphrase else 0
    template = TEMPLATES[index][variant]
    text = rng.choice(LEADS) + render(template, values) + rng.choice(TAILS)
    if text[0].islower():
        text = text[0].upper() + text[1:]
    return text, facets_of(template, values), variant


def article_statements(story: int, article: int) -> list[tuple[int, str, dict, int]]:
    """The claims of one stored article: [(fact number, text, facets, variant)]."""
    rng = random.Random(story * 1_000_003 + article)
    facts = story_facts(story)
    chosen = rng.sample(range(FACTS_PER_STORY), CLAIMS_PER_ARTICLE)
    return [(j, *statement(rng, facts[j], paraphrase=PARAPHRASE_SHARE)) for j in chosen]


def story_start(story: int) -> dt.datetime:
    return FIRST_DAY + dt.timedelta(days=random.Random(story * 104_729 + 3).randrange(365 * STORY_YEARS))


def published(rng: random.Random, story: int) -> dt.datetime:
    """A publication time within the story's days."""
    return story_start(story) + dt.timedelta(seconds=rng.randrange(STORY_DAYS * 86_400))


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)


@lru_cache(maxsize=1)
def template_vectors() -> np.ndarray:
    """(len(TEMPLATES), 2, DIM): each template variant encoded once by the real encoder, with TEMPLATE_FILL."""
    from factcheck.matching import encoder

    texts = [render(variant, TEMPLATE_FILL) for pair in TEMPLATES for variant in pair]
    return encoder.encode(texts).reshape(len(TEMPLATES), 2, -1)


def fact_vectors(story: int) -> np.ndarray:
    """(FACTS_PER_STORY, 2, DIM): each fact of the story as stated with either variant of its template, before a
    statement's noise. The fact's own direction is the same for both variants."""
    from factcheck.matching import encoder

    own = _unit(np.random.default_rng([story, 1]).standard_normal((FACTS_PER_STORY, encoder.DIM)))
    bases = template_vectors()[[index for index, _ in story_facts(story)]]
    return _unit(np.sqrt(TEMPLATE_WEIGHT) * bases + np.sqrt(1 - TEMPLATE_WEIGHT) * own[:, None, :])


def statement_vectors(facts: np.ndarray, chosen: list[tuple[int, int]], noise: np.random.Generator) -> np.ndarray:
    """Unit vectors of statements [(fact number, variant)]: the fact's vector plus the statement's own noise."""
    base = facts[[j for j, _ in chosen], [v for _, v in chosen]]
    return _unit(base + STATEMENT_NOISE * noise.standard_normal(base.shape) / np.sqrt(base.shape[1]))


# --- Database ----------------------------------------------------------------------------------------------------


def setup_django() -> None:
    os.environ["DATABASE_URL"] = f"{SERVER_URL}/{DB_NAME}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault("DEBUG", "true")  # a local run, as make sets it
    import django

    django.setup()


def create_database(fresh: bool) -> None:
    benchdb.create_database(SERVER_URL, DB_NAME, fresh=fresh)


_CLAIM_COLUMNS = ("article_id", "start", "end", "text", "score", "kinds", "facets", "model_version", "verdict",
                  "rationale", "version", "cluster_id", "cluster_pinned", "match_keys", "embedding", "embedding_model",
                  "created_at", "updated_at")


def stored_stories() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM factcheck_story WHERE title LIKE 'Bench story %%'")
        return cursor.fetchone()[0]


def load(n_from: int, n_to: int) -> float:
    """Stored claims n_from+1 .. n_to (whole stories), with their articles and stories. COPY, with triggers off
    (no history, no foreign-key checks) for the load only. Returns the seconds spent generating in Python."""
    from django.db import connection, transaction

    from factcheck.matching import encoder, match_keys

    first_story = n_from // CLAIMS_PER_STORY
    last_story = n_to // CLAIMS_PER_STORY  # exclusive
    now = dt.datetime.now(dt.UTC)
    generating = 0.0
    dates = [published(random.Random(story * 31 + a), story)
             for story in range(first_story, last_story) for a in range(ARTICLES_PER_STORY)]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SELECT coalesce(max(id), 0) FROM factcheck_story")
        (story_base,) = cursor.fetchone()
        cursor.execute("SELECT coalesce(max(id), 0) FROM factcheck_article")
        (article_base,) = cursor.fetchone()
        cursor.execute("SELECT coalesce(max(id), 0) FROM factcheck_claimcluster")
        (cluster_base,) = cursor.fetchone()
        n_stories = last_story - first_story
        cursor.execute(
            """INSERT INTO factcheck_story (id, title, created_at, updated_at)
               SELECT %s + s, 'Bench story ' || (%s + s), now(), now() FROM generate_series(1, %s) s""",
            [story_base, first_story - 1, n_stories],
        )
        cursor.execute(
            """INSERT INTO factcheck_article (id, title, body, headings, content_hash, origin, url, byline, language,
                   status, status_message, extraction_model_version, feed_guid, story_id, story_pinned, created_at,
                   updated_at, published_at)
               SELECT %s + a, 'Bench article ' || (%s + a), 'Stored for the benchmark.', '[]', md5('bench' || (%s + a)),
                      '', '', '', 'en', 'ready', '', 'bench', '', %s + 1 + (a - 1) / %s, false, now(), now(), p.at
               FROM unnest(%s::timestamptz[]) WITH ORDINALITY AS p(at, a)""",
            [article_base, article_base, article_base, story_base, ARTICLES_PER_STORY, dates],
        )
        # Matching ran as each stored article arrived: every fact's statements already share a cluster.
        cursor.execute(
            """INSERT INTO factcheck_claimcluster (id, created_at)
               SELECT %s + c, now() FROM generate_series(1, %s) c""",
            [cluster_base, n_stories * FACTS_PER_STORY],
        )
        raw = connection.connection  # the psycopg connection, for COPY
        with raw.cursor() as copy_cursor, copy_cursor.copy(
            "COPY factcheck_claim ({}) FROM STDIN".format(", ".join(f'"{c}"' for c in _CLAIM_COLUMNS))
        ) as copy:
            for s in range(n_stories):
                story = first_story + s
                if story % 625 == 0 and story > first_story:
                    print(f"  generated claims up to {story * CLAIMS_PER_STORY:,}", flush=True)
                t0 = time.perf_counter()
                facts = fact_vectors(story)
                generating += time.perf_counter() - t0
                for a in range(ARTICLES_PER_STORY):
                    article_id = article_base + 1 + s * ARTICLES_PER_STORY + a
                    when = dates[s * ARTICLES_PER_STORY + a]
                    t0 = time.perf_counter()
                    statements = article_statements(story, a)
                    vectors = statement_vectors(facts, [(j, v) for j, _, _, v in statements],
                                                np.random.default_rng([story, a, 2]))
                    rows, position = [], 0
                    for (fact, text, facets, _), vector in zip(statements, vectors):
                        rows.append((
                            article_id, position, position + len(text), text, 0.5, ["event"], json.dumps(facets),
                            f"bench:{story}:{fact}", "unreviewed", "", 1, cluster_base + 1 + s * FACTS_PER_STORY + fact,
                            False, match_keys(text, facets, embedding=vector, when=when), encoder.to_bytes(vector),
                            encoder.ENCODER_VERSION, now, now,
                        ))
                        position += len(text) + 1
                    generating += time.perf_counter() - t0
                    for row in rows:
                        copy.write_row(row)
        for table in ("factcheck_story", "factcheck_article", "factcheck_claimcluster", "factcheck_claim"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    with connection.cursor() as cursor:
        for table in ("factcheck_claim", "factcheck_article", "factcheck_claimcluster"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return generating


def new_article(rng: random.Random, index: int, n_stories: int):
    """A new article of CLAIMS_PER_ARTICLE claims restating facts of one stored story, published within the story's
    days and stored as extraction stores it (`claim_match_fields`: embedding, encoder version, keys; the embedding
    made as the stored claims' are)."""
    from factcheck.models import Article, Claim
    from factcheck.services.extraction import claim_match_fields

    story = rng.randrange(n_stories)
    facts = story_facts(story)
    chosen = rng.sample(range(FACTS_PER_STORY), CLAIMS_PER_ARTICLE)
    statements = [(j, *statement(rng, facts[j], paraphrase=PARAPHRASE_SHARE)) for j in chosen]
    vectors = statement_vectors(fact_vectors(story), [(j, v) for j, _, _, v in statements],
                                np.random.default_rng(rng.randrange(2**32)))
    when = published(rng, story)
    body = "\n".join(text for _, text, _, _ in statements)
    article = Article.objects.create(
        title=f"New report {index}: {statements[0][1][:60]}", body=body,
        content_hash=f"new-{index}-{time.time_ns()}", status=Article.Status.READY, published_at=when,
    )
    claims, position = [], 0
    for (fact, text, facets, _), vector in zip(statements, vectors):
        claims.append(Claim(article=article, start=position, end=position + len(text), text=text, score=0.6,
                            kinds=["event"], facets=facets, model_version=f"bench:{story}:{fact}",
                            **claim_match_fields(text, facets, when=when, vector=vector)))
        position += len(text) + 1
    Claim.objects.bulk_create(claims)
    return article


def quality(article_id: int) -> tuple[int, int, int]:
    """(new claims, those in a cluster with the same fact from another article, those in a cluster with any
    claim of another fact)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.id,
                      bool_or(o.model_version = c.model_version),
                      bool_or(o.model_version <> c.model_version)
               FROM factcheck_claim c
               LEFT JOIN factcheck_claim o ON o.cluster_id = c.cluster_id AND o.id <> c.id
               WHERE c.article_id = %s GROUP BY c.id""",
            [article_id],
        )
        rows = cursor.fetchall()
    return len(rows), sum(1 for _, same, _ in rows if same), sum(1 for _, _, other in rows if other)


def explain(article_id: int) -> str:
    from django.db import connection, transaction

    from factcheck import matching
    from factcheck.matching import encoder
    from factcheck.models import Claim
    from factcheck.selectors import shortlist_query, shortlist_run

    lookup = {}  # what the run looks up: each claim's lookup_keys (multi-probe bands, entities)
    for claim in Claim.objects.filter(article_id=article_id).select_related("article"):
        lookup[claim.pk] = matching.lookup_keys(
            claim.text, claim.facets, embedding=encoder.from_bytes(bytes(claim.embedding)),
            when=claim.article.published_at or claim.article.created_at,
        )
    keys = {k for ks in lookup.values() for k in ks}
    sql, params = shortlist_query(lookup, article_id=article_id)
    with transaction.atomic(), connection.cursor() as cursor:
        lines = [r[0] for r in shortlist_run(cursor, "EXPLAIN (ANALYZE, BUFFERS) " + sql, params)]
    lookups = [line for line in lines if "Bitmap Index Scan on claim_match_keys_gin" in line]
    loops = sum(int(m[1]) for line in lookups if (m := re.search(r"loops=(\d+)", line)))
    seq = sum(1 for line in lines if "Seq Scan" in line)
    head = [line for line in lines if not line.strip().startswith(("Planning", "Execution"))]
    tail = [line for line in lines if line.startswith(("Planning", "Execution"))]
    return "\n".join(
        [f"EXPLAIN (ANALYZE, BUFFERS) of the shortlist of one article: {len(keys)} keys, {loops} lookups on "
         f"claim_match_keys_gin, {seq} sequential scans:"]
        + ["    " + line for line in head[:16]] + ["    " + line for line in tail]
    )


def backend_cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) the database backend with this pid has used, when the server runs on this machine
    (read from /proc); None otherwise."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Split:
    """Wall time of a run by part, each part's own time only (what it calls that is timed too counts there): the
    functions of the matching service and library are wrapped where the run looks them up, and put back after.
    The wrapping adds about a microsecond per call (a few hundred calls per article)."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._stack: list[list] = []  # [part, time spent in timed callees]
        self._undo: list = []

    def wrap(self, owner, attr: str, part, *, method: bool = False) -> None:
        """Time `owner.attr` as `part` (a name, or a function of the enclosing part giving one)."""
        original = getattr(owner, attr)

        def timed(*args, **kwargs):
            name = part(self._stack[-1][0] if self._stack else None) if callable(part) else part
            frame = [name, 0.0]
            self._stack.append(frame)
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - t0
                self._stack.pop()
                self.spent[name] += elapsed - frame[1]
                self.calls[name] += 1
                if self._stack:
                    self._stack[-1][1] += elapsed

        setattr(owner, attr, timed)
        self._undo.append((owner, attr, original))

    def restore(self) -> None:
        for owner, attr, original in reversed(self._undo):
            setattr(owner, attr, original)
        self._undo.clear()

    def reset(self) -> None:
        self.spent.clear()
        self.calls.clear()


# Parts of a run, in the order they happen. Reads of claims by id (`_Pool.load`) are candidates, except those for
# conflicts (the members of the clusters the article's claims joined).
PARTS = ("own claims and keys", "shortlist query", "reading candidates", "exact cosine",
         "story", "clusters (writes)", "profiles", "pair scoring", "reading members", "conflicts", "encoding")


def instrument() -> Split:
    from factcheck import selectors
    from factcheck.matching import encoder, pairmodel, profile
    from factcheck.services import matching as service

    split = Split()
    split.wrap(service, "_refresh_own", "own claims and keys")
    split.wrap(selectors, "claims_shortlist", "shortlist query")  # ranked in the database
    split.wrap(service._Pool, "load", lambda outer: "reading members" if outer == "conflicts" else "reading candidates")
    split.wrap(service, "_closest", "exact cosine")
    split.wrap(service, "_assign_story", "story")
    split.wrap(service, "_assign_clusters", "clusters (writes)")
    split.wrap(service, "_conflict_partners", "conflicts")
    split.wrap(service, "_detect_conflicts", "conflicts")
    split.wrap(profile, "build_profile", "profiles")
    split.wrap(pairmodel, "same_fact_probability", "pair scoring")
    split.wrap(encoder, "encode", "encoding")  # stays 0: the claims arrive with their embeddings
    return split


def measure(n_articles: int, rng: random.Random, n_stories: int) -> dict:
    from django.db import connection

    from factcheck.services import matching as service

    totals, shortlists, found = [], [], [0, 0, 0]
    python_cpu, server_cpu = [], []  # CPU per article: the load of other work on the machine doesn't count
    parts: dict[str, list[float]] = defaultdict(list)
    profiles_per_article = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    split = instrument()
    try:
        for i in range(n_articles + 2):
            article = new_article(rng, i, n_stories)
            split.reset()
            s0 = backend_cpu_seconds(backend)
            c0, t0 = time.process_time(), time.perf_counter()
            service.article_match_claims(article_id=article.pk)
            t_total, c_total = time.perf_counter() - t0, time.process_time() - c0
            s1 = backend_cpu_seconds(backend)
            if i >= 2:  # the first two warm the caches and the connection
                totals.append(t_total * 1000)
                shortlists.append(split.spent["shortlist query"] * 1000)
                python_cpu.append(c_total * 1000)
                if s0 is not None and s1 is not None:
                    server_cpu.append((s1 - s0) * 1000)
                for part in PARTS:
                    parts[part].append(split.spent[part] * 1000)
                parts["rest"].append(t_total * 1000 - sum(split.spent.values()) * 1000)
                profiles_per_article.append(split.calls["profiles"])
                for k, v in enumerate(quality(article.pk)):
                    found[k] += v
    finally:
        split.restore()
    connection.close()

    def pct(values, q):
        values = sorted(values)
        return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]

    return {
        "p50": statistics.median(totals), "p95": pct(totals, 0.95), "max": max(totals),
        "short_p50": statistics.median(shortlists), "short_p95": pct(shortlists, 0.95),
        "share": sum(shortlists) / sum(totals),
        "recall": found[1] / max(1, found[0]), "mixed": found[2] / max(1, found[0]),
        # The backend's CPU time ticks in hundredths of a second: its mean over the articles, not a percentile.
        "python_cpu": statistics.median(python_cpu),
        "server_cpu": statistics.mean(server_cpu) if server_cpu else float("nan"),
        # Mean per part (they add up to the mean time), and at the slowest twentieth of the runs.
        "parts": {part: statistics.mean(values) for part, values in parts.items()},
        "parts_slow": {part: statistics.mean(v for v, t in zip(values, totals) if t >= pct(totals, 0.95))
                       for part, values in parts.items()},
        "mean": statistics.mean(totals),
        "profiles": statistics.mean(profiles_per_article),
    }


def vector_check(pairs: int = 60) -> str:
    """The cosines of the synthetic vectors beside the real encoder's, on the same sentence pairs: two statements of
    one fact in the same words (other opening and ending), a paraphrase, the same template about another fact, and
    another fact of the same story."""
    from factcheck.matching import encoder

    rng = random.Random(5)
    texts, synthetic = [], defaultdict(list)
    kinds = ("same fact", "paraphrase", "other fact, same template", "other fact, same story")
    for n in range(pairs):
        story, other = rng.randrange(10_000), rng.randrange(10_000)
        facts, vectors = story_facts(story), fact_vectors(story)
        j = rng.randrange(FACTS_PER_STORY)
        index = facts[j][0]
        k = next(m for m, (t, _) in enumerate(story_facts(other)) if t == index)
        j2 = (j + 1 + rng.randrange(FACTS_PER_STORY - 1)) % FACTS_PER_STORY
        noise = np.random.default_rng([n, 9])
        group = [(facts[j], vectors, j, 0), (facts[j], vectors, j, 0), (facts[j], vectors, j, 1),
                 (story_facts(other)[k], fact_vectors(other), k, 0), (facts[j2], vectors, j2, 0)]
        for fact, fv, number, variant in group:
            values = fact[1]
            texts.append(rng.choice(LEADS) + render(TEMPLATES[fact[0]][variant], values) + rng.choice(TAILS))
            vector = statement_vectors(fv, [(number, variant)], noise)[0]
            synthetic[n].append(encoder.from_bytes(encoder.to_bytes(vector)))  # as stored: float16
    real = encoder.encode(texts).reshape(pairs, 5, -1)
    lines = ["Cosines, synthetic vectors (as stored) / real encoder on the same sentences, mean [10th–90th pct]:"]
    for kind, other in zip(kinds, (1, 2, 3, 4)):
        syn = np.array([float(synthetic[n][0] @ synthetic[n][other]) for n in range(pairs)])
        enc = np.einsum("nd,nd->n", real[:, 0], real[:, other])
        lines.append(f"    {kind:<28} {syn.mean():.2f} [{np.percentile(syn, 10):.2f}–{np.percentile(syn, 90):.2f}]"
                     f"  /  {enc.mean():.2f} [{np.percentile(enc, 10):.2f}–{np.percentile(enc, 90):.2f}]")
    return "\n".join(lines)


def gin_settings(fastupdate: str) -> str:
    """Set (or keep) the key index's fastupdate; returns what it is now, with its pending list."""
    from django.db import connection

    with connection.cursor() as cursor:
        if fastupdate != "as-migrated":
            cursor.execute(f"ALTER INDEX claim_match_keys_gin SET (fastupdate = {fastupdate})")
        cursor.execute("SELECT coalesce(array_to_string(reloptions, ', '), 'defaults (fastupdate = on)') "
                       "FROM pg_class WHERE relname = 'claim_match_keys_gin'")
        return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--articles", type=int, default=30, help="new articles matched per size")
    parser.add_argument("--fresh", action="store_true", help="drop the bench database first")
    parser.add_argument(
        "--gin-fastupdate", choices=["off", "on", "as-migrated"], default="off",
        help="fastupdate of claim_match_keys_gin (default off: with it on, every lookup also reads the index's "
             "pending list of recent inserts, up to gin_pending_list_limit)",
    )
    args = parser.parse_args()

    create_database(args.fresh)
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"claim_match_keys_gin: {gin_settings(args.gin_fastupdate)}", flush=True)
    print(vector_check(), flush=True)  # loads the encoder (for the template vectors)
    stored = stored_stories() * CLAIMS_PER_STORY
    rng = random.Random(2026)
    results = []
    for size in sorted(args.sizes):
        size = size // CLAIMS_PER_STORY * CLAIMS_PER_STORY
        if stored < size:
            print(f"Loading {size - stored:,} claims (to {size:,}) …", flush=True)
            t0 = time.perf_counter()
            generating = load(stored, size)
            print(f"  done in {time.perf_counter() - t0:.0f} s ({generating:.0f} s generating claims, facets and "
                  f"match keys in Python; the rest COPY, indexes and VACUUM ANALYZE)", flush=True)
            stored = size
        load_avg = os.getloadavg()[0]
        r = measure(args.articles, rng, size // CLAIMS_PER_STORY)
        results.append((size, r, load_avg))
        print(f"{size:>9,} stored claims: match one article of {CLAIMS_PER_ARTICLE} claims "
              f"p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms (max {r['max']:.1f}); "
              f"shortlist query p50 {r['short_p50']:.1f} ms, p95 {r['short_p95']:.1f} ms "
              f"({r['share']:.0%} of the matching time); CPU per article: this process p50 {r['python_cpu']:.1f} ms, "
              f"database backend mean {r['server_cpu']:.1f} ms; new claims clustered with their fact "
              f"{r['recall']:.0%}, with another fact {r['mixed']:.0%}; load average {load_avg:.1f}", flush=True)
        print(f"  where the time goes, mean ms per article (all runs / the slowest 5%); {r['profiles']:.0f} profiles "
              f"built per article:", flush=True)
        for part in (*PARTS, "rest"):
            print(f"    {part:<24} {r['parts'][part]:6.1f} / {r['parts_slow'][part]:6.1f}", flush=True)
        print(f"    {'total':<24} {r['mean']:6.1f} / {sum(r['parts_slow'].values()):6.1f}", flush=True)
        rng_explain = random.Random(size)
        print(explain(new_article(rng_explain, 10_000 + size, size // CLAIMS_PER_STORY).pk), flush=True)
    print("\nsize        p50 ms   p95 ms   shortlist p50/p95 ms   CPU python/db ms   recall  mixed  load avg")
    for size, r, load_avg in results:
        print(f"{size:>9,}  {r['p50']:7.1f}  {r['p95']:7.1f}   {r['short_p50']:6.1f} / {r['short_p95']:6.1f}"
              f"        {r['python_cpu']:5.1f} / {r['server_cpu']:4.1f}     {r['recall']:5.0%}  {r['mixed']:5.0%}"
              f"  {load_avg:5.1f}")


if __name__ == "__main__":
    main()
