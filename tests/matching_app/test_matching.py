"""Matching on the real PostgreSQL: the five seed articles extracted by the real extractor, then matched one by one."""

from __future__ import annotations

import pytest
from django.db import connection

from factcheck import selectors
from factcheck.models import Article, Claim, ClaimCluster, Conflict, Story
from factcheck.services.claims import claim_set_verdict
from factcheck.services.matching import (
    article_match_claims,
    claim_split_from_cluster,
    shortlist_query,
    _set_trigram_threshold,
)
from tests.factories import ArticleFactory, ClaimFactory

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
JOINT_VENTURE = [
    "claimed Ford had been exploring a joint venture with Xiaomi",
    "Ford has held talks with China's Xiaomi about forming a JV",
]
FORD_DENIED = [
    "Ford, however, denied the allegations",
    "Mark Truby stated on social media X that this story is completely false",
    "a Ford spokesperson told the FT",
]


@pytest.mark.parametrize("fragments", [TARIFF, JOINT_VENTURE, FORD_DENIED], ids=["tariff", "joint-venture", "ford-denied"])
def test_one_fact_in_different_outlets_lands_in_one_cluster(seed_story, fragments):
    claims = [claim_with(f) for f in fragments]
    assert len({c.article_id for c in claims}) == len(claims)
    assert claims[0].cluster_id is not None
    assert {c.cluster_id for c in claims} == {claims[0].cluster_id}


def test_the_joint_venture_talks_cluster_spans_three_outlets(seed_story):
    cluster_id = claim_with(JOINT_VENTURE[0]).cluster_id
    first_outlet = seed_story[0]
    # The first article states the talks twice ("held talks", "considering forming a joint venture"): one of them.
    assert Claim.objects.filter(cluster_id=cluster_id, article=first_outlet).count() == 1


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
    name = Conflict.objects.get(kind="name")
    assert set(name.values) == {"John Mullenaar", "John Moolenaar"}
    assert {c.text for c in name.claims.all()} == {
        claim_with("John Mullenaar").text,
        claim_with("John Moolenaar").text,
    }
    numbers = [c for c in Conflict.objects.filter(kind="number") if set(c.values) == {"100%", "145%"}]
    assert numbers, "100% vs 145% not flagged"
    flagged = {claim.pk for c in numbers for claim in c.claims.all()}
    assert claim_with("temporarily increased to 145%").pk in flagged
    assert flagged & {claim_with(TARIFF[0]).pk, claim_with(TARIFF[2]).pk}
    assert all(c.status == Conflict.Status.OPEN for c in Conflict.objects.all())


@pytest.mark.xfail(
    reason="extraction does not keep 'Xiaomi did not respond to a request for comment' as a claim, so the "
    "denial conflict ('did not respond' vs 'denied') has nothing to compare",
    strict=False,
)
def test_denial_vs_no_response_is_flagged(seed_story):
    assert Conflict.objects.filter(kind="denial").exists()


def test_all_five_articles_form_one_story(seed_story):
    story_ids = set(Article.objects.values_list("story_id", flat=True))
    assert len(story_ids) == 1 and None not in story_ids
    assert Story.objects.count() == 1


def test_a_verdict_on_one_ford_denial_is_offered_on_the_others(seed_story, checker):
    first, *others = [claim_with(f) for f in FORD_DENIED]
    claim_set_verdict(
        claim_id=first.pk, actor=checker, verdict="verified", rationale="Ford's statement to the FT.",
        expected_version=first.version,
    )
    for other in others:
        siblings = selectors.claim_siblings(claim=other)
        assert first.pk in {m.pk for m in siblings.members}
        assert siblings.suggestion is not None
        assert siblings.suggestion.verdict == "verified"
        assert siblings.suggestion.rationale == "Ford's statement to the FT."


@pytest.mark.xfail(
    reason="extraction does not keep '“This story is completely false,” Ford stated unequivocally.' as a claim, "
    "so only three of the four outlets' Ford denials can share a cluster",
    strict=False,
)
def test_the_fourth_ford_denial_is_in_the_cluster(seed_story):
    denial = claim_with("Ford stated unequivocally")
    assert denial.cluster_id == claim_with(FORD_DENIED[0]).cluster_id


# --- Idempotency, human work, concurrency ----------------------------------------------------------------------


def test_matching_twice_changes_nothing(seed_story):
    before = snapshot()
    for article in seed_story:
        result = article_match_claims(article_id=article.pk)
        assert result.joined == 0 and result.clusters_created == 0 and result.conflicts_created == 0
        assert not result.story_changed and not result.story_created
    assert snapshot() == before


def test_a_claim_split_off_by_a_person_is_never_put_back(seed_story, checker):
    claim = claim_with(TARIFF[2])
    claim_split_from_cluster(claim_id=claim.pk, actor=checker)
    for article in seed_story:
        article_match_claims(article_id=article.pk)
    claim.refresh_from_db()
    assert claim.cluster_id is None
    # A new article stating the same thing joins the others, not the claim split off.
    new = ArticleFactory(body="The United States imposes 100% tariffs on Chinese-built electric vehicles, "
                              "which effectively block direct imports.", title="Tariffs block Chinese EVs")
    ClaimFactory(article=new, sentence=new.body,
                 facets={"numbers": [{"text": "100%", "value": 100.0, "unit": "%"}], "organisations": [],
                         "people": [], "dates": [], "places": [], "quotes": []})
    article_match_claims(article_id=new.pk)
    claim.refresh_from_db()
    assert claim.cluster_id is None


def test_dismissed_conflict_is_never_reopened_or_duplicated(seed_story, checker):
    from factcheck.services.matching import conflict_dismiss

    conflict = Conflict.objects.get(kind="name")
    conflict_dismiss(conflict_id=conflict.pk, actor=checker, note="Same person, a typo.")
    n = Conflict.objects.count()
    for article in seed_story:
        article_match_claims(article_id=article.pk)
    conflict.refresh_from_db()
    assert conflict.status == Conflict.Status.DISMISSED
    assert Conflict.objects.count() == n


def test_matching_writes_history_as_the_matching_worker(seed_story):
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
    from factcheck.services.extraction import article_extract_claims

    sent = []
    monkeypatch.setattr(tasks.article_match_claims, "delay", lambda article_id: sent.append(article_id))
    article = ArticleFactory()
    with django_capture_on_commit_callbacks(execute=True):
        article_extract_claims(article_id=article.pk)
    assert sent == [article.pk]


def test_task_runs_matching(seed_story):
    from factcheck.tasks import article_match_claims as task

    before = snapshot()
    task.run(seed_story[0].pk)  # the task body, in this process
    assert snapshot() == before


# --- The shortlist query uses the trigram index --------------------------------------------------------------


def test_shortlist_query_uses_the_trigram_index():
    # Varied text, so the trigram search is selective. On a table this small (thousands of rows, a few hundred
    # pages) reading the whole table is the planner's cheapest choice, so sequential scans are switched off to see
    # which index it uses; bench/bench_matching.py shows the same plan chosen freely at 10k to 1M claims.
    import random

    rng = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocabulary = ["".join(rng.choice(letters) for _ in range(rng.randint(4, 10))) for _ in range(3000)]
    claims = []
    first_article = None
    for _ in range(40):
        texts = [" ".join(rng.choice(vocabulary) for _ in range(14)).capitalize() + "." for _ in range(200)]
        article = ArticleFactory(body="\n".join(texts))
        first_article = first_article or article
        position = 0
        for text in texts:
            claims.append(Claim(article=article, start=position, end=position + len(text), text=text, score=0.5))
            position += len(text) + 1
    Claim.objects.bulk_create(claims, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE factcheck_claim")
        cursor.execute("SET LOCAL enable_seqscan = off")
        _set_trigram_threshold(cursor, 0.3)
        queries = list(Claim.objects.filter(article=first_article).values_list("pk", "text")[:20])
        sql, params = shortlist_query(queries, article_id=first_article.pk)
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(r[0] for r in cursor.fetchall())
    assert "claim_text_trgm" in plan, plan
