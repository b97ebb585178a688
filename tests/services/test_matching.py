"""Matching on the real PostgreSQL: the five seed articles, and a second story's five, extracted by the real
extractor, then matched one by one."""

from __future__ import annotations

import numpy as np
import pytest
from django.db import connection

from factcheck import selectors
from factcheck.models import Article, Claim, ClaimCluster, Conflict, Story
from factcheck.services.claims import claim_set_verdict
from factcheck.services.clusters import claim_split_from_cluster
from factcheck.selectors import shortlist_query
from factcheck.services.matching import article_match_claims
from tests.factories import ArticleFactory, ClaimFactory
from tests.queries import constant_queries, rolled_back

pytestmark = pytest.mark.django_db


def claim_with(fragment: str, *, article: Article | None = None) -> Claim:
    qs = Claim.objects.filter(text__contains=fragment)
    if article is not None:
        qs = qs.filter(article=article)
    matches = list(qs)
    assert len(matches) == 1, f"expected one claim containing {fragment!r}, found {len(matches)}"
    return matches[0]


def snapshot() -> dict:
    history = sum(m.pgh_event_model.objects.count() for m in (Claim, Article, Story, Conflict))
    return {
        "clusters": sorted(Claim.objects.values_list("pk", "cluster_id")),
        "n_clusters": ClaimCluster.objects.count(),
        "conflicts": sorted(Conflict.objects.values_list("key", "status")),
        "stories": sorted(Article.objects.values_list("pk", "story_id")),
        "n_stories": Story.objects.count(),
        "history": history,
    }


# --- Quality on the seed coverage ---------------------------------------------------------------------------

TARIFF = [
    "imposing 100 percent tariffs",
    "imposed a 100% tariff on Chinese electric vehicles",
    "current US tariffs of 100 percent",
]
FORD_DENIED = [
    "Ford, however, denied the allegations",
    "Mark Truby stated on social media X that this story is completely false",
    "a Ford spokesperson told the FT",
]


def _labelled(seed_story) -> dict[int, frozenset[str]]:
    """The seed claims the team labelled (labels/same_fact.jsonl): claim id -> the facts it states."""
    import json
    from pathlib import Path

    docs = sorted({row["doc"] for row in _label_rows() if row["corpus"] == "seeds"})
    facts: dict[int, frozenset[str]] = {}
    for doc, article in zip(docs, seed_story):
        rows = [r for r in _label_rows() if r["doc"] == doc]
        for claim in Claim.objects.filter(article=article):
            for row in rows:
                if row["text"] in claim.text or claim.text in row["text"]:
                    facts[claim.pk] = frozenset([row["fact"], *row.get("also", ())])
                    break
    assert len(facts) >= 30, "the seed claims no longer line up with the labels"
    return facts


def _label_rows() -> list[dict]:
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "labels" / "same_fact.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_clusters_on_the_seeds_never_mix_two_facts_and_find_some(seed_story):
    # Pairs of labelled claims from different articles: the clusters matching made against the team's labels.
    facts = _labelled(seed_story)
    claims = {c.pk: c for c in Claim.objects.filter(pk__in=list(facts))}
    tp = fp = fn = 0
    ids = sorted(facts)
    for n, a in enumerate(ids):
        for b in ids[n + 1 :]:
            if claims[a].article_id == claims[b].article_id:
                continue
            together = claims[a].cluster_id is not None and claims[a].cluster_id == claims[b].cluster_id
            same = bool(facts[a] & facts[b])
            tp += together and same
            fp += together and not same
            fn += same and not together
    assert tp + fp > 0, "no cross-outlet cluster on the seeds"
    assert tp / (tp + fp) >= 0.9, (tp, fp)
    assert tp / (tp + fn) >= 0.05, (tp, fn)  # a floor: BENCHMARKS has the measured figure


def test_unrelated_claims_do_not_share_a_cluster(seed_story):
    tariff = claim_with(TARIFF[0])
    denial = claim_with(FORD_DENIED[0])
    battery = claim_with("China controls over 80 percent of global lithium-ion battery")
    assert tariff.cluster_id != denial.cluster_id
    assert battery.cluster_id is None or battery.cluster_id not in {tariff.cluster_id, denial.cluster_id}
    # No cluster holds two claims of one article.
    per_cluster = {}
    for cluster_id, article_id in Claim.objects.filter(cluster__isnull=False).values_list("cluster_id", "article_id"):
        assert article_id not in per_cluster.setdefault(cluster_id, set())
        per_cluster[cluster_id].add(article_id)


def test_contradictions_are_flagged(seed_story):
    # Every outlet that spells the lawmaker "Moolenaar" disagrees with the one that writes "Mullenaar" (one conflict
    # per pair of claims; how many claims name him depends on what extraction keeps).
    names = list(Conflict.objects.filter(kind="name"))
    assert names, "Mullenaar vs Moolenaar not flagged"
    mullenaar = claim_with("John Mullenaar")
    moolenaar = set(Claim.objects.filter(text__contains="John Moolenaar").values_list("text", flat=True))
    for name in names:
        assert set(name.values) == {"John Mullenaar", "John Moolenaar"}
        texts = {c.text for c in name.claims.all()}
        assert mullenaar.text in texts and len(texts & moolenaar) == 1
    numbers = [c for c in Conflict.objects.filter(kind="number") if set(c.values) == {"100%", "145%"}]
    assert numbers, "100% vs 145% not flagged"
    flagged = {claim.pk for c in numbers for claim in c.claims.all()}
    assert claim_with("temporarily increased to 145%").pk in flagged
    assert flagged & {claim_with(TARIFF[0]).pk, claim_with(TARIFF[2]).pk}
    assert all(c.status == Conflict.Status.OPEN for c in Conflict.objects.all())


def test_contradictions_in_the_second_story_are_flagged(port_strike_story):
    # One outlet spells the harbour board's chief "Pettigrue"; one says the board denied what two say it did not
    # answer; one says the board offered 5 percent where the others say 3.
    (pettigrue,) = Claim.objects.filter(text__contains="Alan Pettigrue")
    names = list(Conflict.objects.filter(kind="name"))
    assert names and all(set(c.values) == {"Alan Pettigrew", "Alan Pettigrue"} for c in names)
    assert all(pettigrue in c.claims.all() for c in names)
    denial = claim_with("Harbour Board denied")
    denials = list(Conflict.objects.filter(kind="denial"))
    assert denials and all(denial in c.claims.all() for c in denials)
    five = claim_with("offered a 5 percent pay rise")
    assert Conflict.objects.filter(kind="number", claims=five).exists()
    assert all(c.status == Conflict.Status.OPEN for c in Conflict.objects.all())


@pytest.mark.xfail(
    strict=True,
    reason="the named-entity model labels the seed's Chinese carmaker a person, and denials are attributed to "
    "organisations only",
)
def test_denial_vs_no_response_is_flagged(seed_story):
    assert Conflict.objects.filter(kind="denial").exists()


def test_all_five_articles_form_one_story(story):
    story_ids = set(Article.objects.values_list("story_id", flat=True))
    assert len(story_ids) == 1 and None not in story_ids
    assert Story.objects.count() == 1


def test_a_verdict_on_one_claim_is_offered_on_the_rest_of_its_cluster(story, checker):
    cluster_id = Claim.objects.filter(cluster__isnull=False).values_list("cluster_id", flat=True).first()
    first, *others = Claim.objects.filter(cluster_id=cluster_id).order_by("pk")
    assert others
    claim_set_verdict(
        claim_id=first.pk, actor=checker, verdict="verified", rationale="Checked against the statement.",
        expected_version=first.version,
    )
    for other in others:
        siblings = selectors.claim_siblings(claim=other)
        assert first.pk in {m.pk for m in siblings.members}
        assert siblings.suggestion is not None
        assert siblings.suggestion.verdict == "verified"
        assert siblings.suggestion.rationale == "Checked against the statement."


# --- Idempotency, human work, concurrency ----------------------------------------------------------------------


def test_matching_twice_changes_nothing(story):
    before = snapshot()
    for article in story:
        result = article_match_claims(article_id=article.pk)
        assert result.joined == 0 and result.clusters_created == 0 and result.conflicts_created == 0
        assert not result.story_changed and not result.story_created
    assert snapshot() == before


def test_a_claim_split_off_by_a_person_is_never_put_back(story, checker):
    claim = Claim.objects.filter(cluster__isnull=False).order_by("pk").first()
    claim_split_from_cluster(claim_id=claim.pk, actor=checker)
    for article in story:
        article_match_claims(article_id=article.pk)
    claim.refresh_from_db()
    assert claim.cluster_id is None
    # A new article stating the same thing word for word joins nothing through the claim split off.
    new = ArticleFactory(body=claim.text, title="The same statement again")
    ClaimFactory(article=new, sentence=new.body, facets=claim.facets)
    article_match_claims(article_id=new.pk)
    claim.refresh_from_db()
    assert claim.cluster_id is None


def test_dismissed_conflict_is_never_reopened_or_duplicated(story, checker):
    from factcheck.services.conflicts import conflict_dismiss

    conflict = Conflict.objects.filter(kind="name").order_by("pk").first()
    conflict_dismiss(conflict_id=conflict.pk, actor=checker, note="Same person, a typo.")
    n = Conflict.objects.count()
    for article in story:
        article_match_claims(article_id=article.pk)
    conflict.refresh_from_db()
    assert conflict.status == Conflict.Status.DISMISSED
    assert Conflict.objects.count() == n


def test_matching_writes_history_as_the_matching_worker(story):
    ClaimEvent = Claim.pgh_event_model
    events = ClaimEvent.objects.filter(pgh_context__metadata__action="factcheck.claim.clustered")
    assert events.exists()
    assert {e.pgh_context.metadata.get("actor") for e in events.select_related("pgh_context")} == {"matching worker"}
    ConflictEvent = Conflict.pgh_event_model
    assert ConflictEvent.objects.filter(pgh_context__metadata__action="factcheck.conflict.detected").count() == (
        Conflict.objects.count()
    )


def test_missing_article_is_a_no_op():
    assert article_match_claims(article_id=987654) is None


def test_extraction_enqueues_matching_on_commit(django_capture_on_commit_callbacks, monkeypatch):
    from factcheck import tasks

    sent = []
    monkeypatch.setattr(tasks.article_match_claims, "delay", lambda article_id: sent.append(article_id))
    article = ArticleFactory()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.article_extract_claims.run(article.pk)  # the task's body, in this process
    assert sent == [article.pk]


def test_task_runs_matching(story):
    from factcheck.tasks import article_match_claims as task

    before = snapshot()
    task.run(story[0].pk)  # the task body, in this process
    assert snapshot() == before


# --- The shortlist query uses the key index ------------------------------------------------------------------


def test_shortlist_query_uses_the_key_index():
    # Claims with varied blocking keys (a few thousand people and organisations, each key in a handful of claims),
    # analysed. The shortlist reads claim_match_keys_gin once per key and never the whole table, and the setting
    # that keeps it so is back as it was afterwards; bench/bench_matching.py shows the same plan at 10k to 1M claims.
    import random

    from factcheck.matching import match_keys
    from factcheck.selectors import claims_shortlist, shortlist_run

    rng = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyz"
    names = ["".join(rng.choice(letters) for _ in range(rng.randint(5, 9))).capitalize() for _ in range(3000)]
    verbs = ["denied", "imposed a tariff on", "held talks with", "warned", "imported", "praised"]
    claims = []
    first_article = None
    for _ in range(40):
        texts, facets = [], []
        for _ in range(200):
            a, b = rng.sample(names, 2)
            texts.append(f"{a} {rng.choice(verbs)} {b}.")
            facets.append({"organisations": [a, b], "people": [], "numbers": [], "dates": []})
        article = ArticleFactory(body="\n".join(texts))
        first_article = first_article or article
        position = 0
        for text, facet in zip(texts, facets):
            claims.append(Claim(article=article, start=position, end=position + len(text), text=text, score=0.5,
                                facets=facet, match_keys=match_keys(text, facet, when=article.created_at)))
            position += len(text) + 1
    Claim.objects.bulk_create(claims, batch_size=2000)
    with connection.cursor() as cursor:
        # Rows just inserted wait in the index's pending list until a vacuum (autovacuum, in production) merges
        # them into the index proper; merge them now, as a vacuum would, then gather the statistics.
        # (as the tables' owner: tests/conftest.py)
        cursor.execute("SELECT factdesk_test_maintain('factcheck_claim', 'claim_match_keys_gin')")
        lookup = dict(Claim.objects.filter(article=first_article).values_list("pk", "match_keys")[:20])
        sql, params = shortlist_query(lookup, article_id=first_article.pk)
        plan = "\n".join(r[0] for r in shortlist_run(cursor, "EXPLAIN " + sql, params))
        assert "claim_match_keys_gin" in plan, plan
        assert "Seq Scan" not in plan, plan
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"

        ranked = claims_shortlist(lookup, article_id=first_article.pk, limit=3, per_claim=5)
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"
    assert ranked and set(ranked) <= set(lookup)
    others = dict(Claim.objects.exclude(article=first_article).values_list("pk", "match_keys"))
    for owner, candidates in ranked.items():
        assert len(candidates) <= 5
        shared = [count for _, count in candidates]
        assert shared == sorted(shared, reverse=True)  # most keys first
        for pk, count in candidates:  # a claim of another article, met through `count` of the owner's keys
            assert 1 <= count <= len(set(lookup[owner]) & set(others[pk]))


# --- Keys: stored with the claims, ranked in the shortlist -------------------------------------------------------


def test_extracted_claims_carry_their_embedding_and_match_keys(story):
    from factcheck.matching import encoder
    from factcheck.services.matching import stored_match_keys

    claims = list(Claim.objects.select_related("article"))
    assert claims
    for claim in claims:
        assert claim.embedding_model == encoder.ENCODER_VERSION
        assert np.allclose(encoder.from_bytes(bytes(claim.embedding)), encoder.encode([claim.text])[0], atol=2e-3)
        assert claim.match_keys == stored_match_keys(claim)
        assert sum(key.startswith("h") for key in claim.match_keys) == 16  # one per LSH band


def test_matching_stores_a_missing_embedding_and_keys_without_history():
    from factcheck.services.matching import stored_match_keys

    article = ArticleFactory(body="Ford denied the report.", title="Ford denies")
    claim = ClaimFactory(article=article, sentence=article.body,
                         facets={"organisations": ["Ford"], "people": [], "numbers": [], "dates": []})
    Claim.objects.filter(pk=claim.pk).update(match_keys=[], embedding=None, embedding_model="")
    events = Claim.pgh_event_model.objects.filter(pgh_obj_id=claim.pk).count()
    article_match_claims(article_id=article.pk)
    claim.refresh_from_db()
    assert claim.embedding is not None and claim.embedding_model
    assert claim.match_keys == stored_match_keys(claim)
    assert f"e:ford@{article.created_at:%Y-%m}" in claim.match_keys
    assert Claim.pgh_event_model.objects.filter(pgh_obj_id=claim.pk).count() == events


# --- Queries per run ---------------------------------------------------------------------------------------------

FACTS = [
    ("{a} denied that it held talks with {b} about a stake of {n} percent.", 30),
    ("{a} said it will invest {n} million dollars in a battery plant with {b}.", 400),
    ("{a} will cut {n} jobs after {b} cancelled its order.", 900),
    ("{a} raised its prices by {n} percent, {b} said.", 12),
    ("{a} imported {n} thousand cars made by {b}.", 75),
    ("{a} and {b} signed a partnership worth {n} million dollars.", 250),
]
COMPANIES = [("Norvex", "Kelmont"), ("Dravia", "Zenlon"), ("Astrix", "Lumtek"), ("Orvane", "Halvis"),
             ("Brimex", "Calgard"), ("Fenlux", "Gorvis")]


def _article_stating(facts: int, *, outlet: int, changed: int | None = None) -> Article:
    """Outlet `outlet`'s article stating the first `facts` facts (the figure of fact `changed` stated otherwise), its
    claims stored as extraction stores them."""
    from factcheck.ingest import content_hash
    from factcheck.services.extraction import claim_match_fields

    sentences, all_facets = [], []
    for i, (template, figure) in enumerate(FACTS[:facts]):
        a, b = COMPANIES[i]
        n = figure * 2 if i == changed else figure
        text = template.format(a=a, b=b, n=n)
        unit = "%" if "percent" in template else ("USD" if "dollars" in template else "")
        scale = 1e6 if "million" in template else (1e3 if "thousand" in template else 1)
        sentences.append(text)
        all_facets.append({"organisations": [a, b], "people": [], "dates": [], "quotes": [],
                           "numbers": [{"text": str(n), "value": n * scale, "unit": unit}]})
    body = " ".join(sentences)
    article = ArticleFactory(title=f"{COMPANIES[0][0]} and {COMPANIES[0][1]}", body=body,
                             content_hash=content_hash(f"outlet {outlet}: {body}"))
    position = 0
    for text, facets in zip(sentences, all_facets):
        Claim.objects.create(article=article, start=position, end=position + len(text), text=text, score=0.5,
                             facets=facets, **claim_match_fields(text, facets, when=article.created_at))
        position += len(text) + 1
    return article


def test_matching_reads_and_writes_in_a_fixed_number_of_queries():
    # Three outlets stated the facts already (matched as they came: clusters and a story); a fourth states them
    # with one figure changed. The run's queries don't grow with its claims, their candidates or the clusters they
    # join: the same number for 2 facts as for 6.
    # 18, and one for the assignees of the claims in new contradictions (to notify them).
    with constant_queries(at_most=19) as count:
        for facts in (2, 6):
            with rolled_back():
                for outlet in range(3):
                    article_match_claims(article_id=_article_stating(facts, outlet=outlet).pk)
                article = _article_stating(facts, outlet=3, changed=0)
                with count(facts):
                    result = article_match_claims(article_id=article.pk)
                assert result.joined == facts and result.conflicts_created == 3  # the changed figure against each
                assert not result.story_created
