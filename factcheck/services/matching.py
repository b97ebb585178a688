"""The cross-article layer: the same claim in every outlet, verdicts shared, contradictions flagged, stories.

`article_match_claims` runs after an article's claims are stored. PostgreSQL shortlists candidates through the
claims' blocking keys (`Claim.match_keys`, GIN index `claim_match_keys_gin`: "o:ford|v:deny", "o:ford|n:%:100",
see `factcheck.matching.keys`) in one query, and keeps for each claim those sharing the most keys with it (the
keys are global, so the claims of the article's story need no separate read; only candidates that share nothing
but an organisation's stance are looked at within the story, for conflicts). The pure `factcheck.matching`
package decides which claims state the same thing, which disagree and which story the article belongs to; this
module stores the outcome. Everything else here is a reviewer's action on clusters, conflicts and stories.

Work done by a person is never undone by the worker: a claim a reviewer split off or merged by hand is pinned
(`Claim.cluster_pinned`, set with the change, which its history records) and matching never moves it; an article
a person moved to a story keeps it (`Article.story_pinned`); a resolved or dismissed conflict is never reopened.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from factcheck import matching, permissions
from factcheck.history import history_context
from factcheck.models import Article, Claim, ClaimCluster, Conflict, Story, Verdict
from factcheck.services.claims import _validate_verdict

logger = logging.getLogger(__name__)

WORKER = "matching worker"

# Key shortlist. Claims read per blocking key: a key in more claims than this says little about which of them is
# the same statement (its more specific keys bring those in), so the rest of its claims are not read. Candidates
# kept per claim, most keys shared first, and at most PER_CLUSTER members of one existing cluster among them: a
# few say whether the claim belongs to it (the library judges the link on the members shortlisted), more only
# cost comparisons. Room for two clusters' worth: the claim's own and its closest rival ("Ford denied" beside
# "Ford and Xiaomi denied"); each candidate costs a profile, the bulk of a run's time. There is no cut relative
# to the best candidate: whether two claims are compared must not depend on which other claims exist, or
# matching an article again later would find what its first run did not.
SHORTLIST_PER_KEY = 16
PER_CLUSTER = 4
CANDIDATES_PER_CLAIM = 2 * PER_CLUSTER
# Stories considered for an article without one (those whose claims share the most keys with it), and how many of
# each story's most recent articles describe it.
STORY_CANDIDATES = 5
STORY_SIGNATURE_ARTICLES = 40

# One matching run at a time (and no manual cluster change during one): two articles matched at once could
# otherwise both form a cluster out of the same unclustered claims. A run takes tens of milliseconds.
MATCHING_LOCK = 0x46AC7D35

MANUAL_CLUSTER_ACTIONS = ("factcheck.claim.cluster_split", "factcheck.claim.cluster_merged")
MANUAL_STORY_ACTION = "factcheck.story.changed"

CONFLICT_KEY_MAX = 500

# What a run reads of each claim it looks at, its article's story included (for the story and for conflicts). A
# plain cursor hands the facets over as jsonb text, decoded only for claims not in the pool yet (the ORM decodes
# every row, and costs about 1.5 ms more per read of 160 claims).
_CLAIM_ROWS_SQL = """
SELECT c.id, c.article_id, c.text, c.facets, c.kinds, c.cluster_id, c.cluster_pinned, a.story_id, c.match_keys
FROM factcheck_claim c JOIN factcheck_article a ON a.id = c.article_id
WHERE {where}
"""


@dataclass
class MatchResult:
    """What one matching run changed (all zero / unchanged on a second run)."""

    joined: int = 0
    clusters_created: int = 0
    conflicts_created: int = 0
    story_id: int | None = None
    story_created: bool = False
    story_changed: bool = False
    clustered_ids: list[int] = field(default_factory=list)


# --- Reading what matching needs ---------------------------------------------------------------------------

# The article's distinct keys as one array, each joined LATERAL to its own lookup in the GIN index
# claim_match_keys_gin: one round trip, planned once (a fraction of a millisecond; a UNION ALL of one branch per
# key, each with its key as a literal, took 5-10 ms to plan at 1M claims and twice as long to run). Each lookup
# stops after `limit` rows (in table order); the rows carry their keys so every candidate is ranked on all the
# keys it shares, not only the one that found it.
#
# A key known only at run time can't be estimated from the column's element statistics: the planner assumes
# 0.5% of the claims hold it, and from a few million claims on would rather read the table from the start until
# `limit` rows turn up (for a rare key, the whole table). So the statement runs with sequential scans switched
# off (`_run_shortlist`), which leaves the index, the only other way to find a key, whatever the table's size.
_SHORTLIST_SQL = """
SELECT c.id, c.article_id, c.cluster_id, c.match_keys
FROM unnest(%(keys)s::varchar(200)[]) AS k(key)
CROSS JOIN LATERAL (
    SELECT c.id, c.article_id, c.cluster_id, c.match_keys
    FROM factcheck_claim c
    WHERE c.match_keys @> ARRAY[k.key]::varchar(200)[] AND c.article_id <> %(article)s AND c.verdict <> %(verdict)s
    LIMIT %(limit)s
) c
"""


def shortlist_query(keys: Iterable[str], *, article_id: int, limit: int = SHORTLIST_PER_KEY) -> tuple[str, dict]:
    """The shortlist SQL for an article's `keys` and its parameters (run it, or an EXPLAIN of it, with
    `_run_shortlist`)."""
    params = {"keys": sorted(set(keys)), "article": int(article_id), "verdict": str(Verdict.NOT_A_CLAIM),
              "limit": int(limit)}
    return _SHORTLIST_SQL, params


def _run_shortlist(cursor, query: str, params: dict) -> list[tuple]:
    """Run the shortlist statement (or an EXPLAIN of it) with sequential scans off, and return its rows. The
    setting is the transaction's own (set_config(..., true)) and is put back before this returns; a statement
    that fails takes it back with the transaction."""
    cursor.execute("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)")
    ((previous, _),) = cursor.fetchall()
    cursor.execute(query, params)
    rows = cursor.fetchall()
    cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [previous])
    return rows


def _shortlist(keys: Iterable[str], *, article_id: int, limit: int = SHORTLIST_PER_KEY) -> list[tuple]:
    """(id, article id, cluster id, match keys) of claims of other articles sharing one of `keys` (at most `limit`
    per key, a claim once per key it was found by). One statement, through the GIN index."""
    keys = sorted(set(keys))
    if not keys:
        return []
    query, params = shortlist_query(keys, article_id=article_id, limit=limit)
    with connection.cursor() as cursor:
        return _run_shortlist(cursor, query, params)


def _weak(key: str) -> bool:
    """A key that brings a candidate for conflicts only: an organisation's stance ("o:xiaomi|v:stance" is in its
    denials and in its refusals to comment, which disagree but are never the same statement)."""
    return key.endswith("|v:stance")


def rank_candidates(
    own_keys: dict[int, list[str]],
    rows: Iterable[tuple[int, int, int | None, Iterable[str]]],
    *,
    per_claim: int = CANDIDATES_PER_CLAIM,
    per_cluster: int = PER_CLUSTER,
) -> tuple[dict[int, list[tuple[int, int]]], dict[int, list[int]]]:
    """For every claim, the candidates sharing the most keys with it: [(candidate id, keys shared)], best first,
    at most `per_claim`. Among candidates sharing as many keys, the one with the larger share of its own keys in
    common comes first ("Ford denied" before a long claim that also mentions a denial), then the most recent. At
    most `per_cluster` members of one cluster are kept per claim.

    Also returns, per claim, the candidates that share only weak keys (`_weak`): compared for conflicts within
    the article's story, never for clusters."""
    claims_of_key: dict[str, list[int]] = defaultdict(list)
    for claim_id, keys in own_keys.items():
        for key in keys:
            claims_of_key[key].append(claim_id)
    shared: dict[int, dict[int, int]] = {claim_id: {} for claim_id in own_keys}
    weak: dict[int, dict[int, int]] = {claim_id: {} for claim_id in own_keys}
    size: dict[int, int] = {}
    cluster_of: dict[int, int | None] = {}
    for pk, _article_id, cluster_id, keys in rows:
        if pk in size:
            continue
        keys = keys or ()
        size[pk] = max(1, len(keys))
        cluster_of[pk] = cluster_id
        for key in claims_of_key.keys() & keys:  # its keys the article has too (most it hasn't)
            counts_of = weak if _weak(key) else shared
            for claim_id in claims_of_key[key]:
                counts = counts_of[claim_id]
                counts[pk] = counts.get(pk, 0) + 1
    out: dict[int, list[tuple[int, int]]] = {}
    weak_out: dict[int, list[int]] = {}
    for claim_id, counts in shared.items():
        ranked = []
        taken: dict[int, int] = defaultdict(int)
        for item in sorted(counts.items(), key=lambda item: (-item[1], -item[1] / size[item[0]], -item[0])):
            cluster_id = cluster_of[item[0]]
            if cluster_id is not None:
                if taken[cluster_id] >= per_cluster:
                    continue
                taken[cluster_id] += 1
            ranked.append(item)
            if len(ranked) >= per_claim:
                break
        out[claim_id] = ranked
        only_weak = [pk for pk in weak[claim_id] if pk not in counts]
        weak_out[claim_id] = sorted(only_weak, key=lambda pk: (size[pk], -pk))[:per_claim]
    return out, weak_out


def _info(row_id: int, article_id: int, text: str, facets: Any, kinds: Any) -> matching.ClaimInfo:
    if isinstance(facets, (str, bytes)):  # raw cursors hand jsonb over as text (Django decodes JSONField itself)
        facets = json.loads(facets)
    return matching.ClaimInfo(
        id=row_id,
        article_id=article_id,
        text=text,
        facets=facets if isinstance(facets, dict) else {},
        kinds=tuple(kinds or ()),
    )


def pinned_claim_ids(claim_ids: Iterable[int]) -> set[int]:
    """Claims whose cluster a person set by hand (split off or merged), which matching must never move."""
    ids = list(set(claim_ids))
    if not ids:
        return set()
    return set(Claim.objects.filter(pk__in=ids, cluster_pinned=True).values_list("pk", flat=True))


def _story_pinned(article_id: int) -> bool:
    """Whether a person chose this article's story (then matching leaves it where they put it)."""
    return Article.objects.filter(pk=article_id, story_pinned=True).exists()


# The most recent articles of each candidate story, with the people and organisations their claims name.
_STORY_ARTICLES_SQL = """
SELECT a.id, a.story_id, a.title, a.published_at,
       ARRAY(
           SELECT DISTINCT e.value
           FROM factcheck_claim c,
                LATERAL jsonb_array_elements_text(
                    CASE WHEN jsonb_typeof(c.facets -> 'people') = 'array' THEN c.facets -> 'people' ELSE '[]' END
                    || CASE WHEN jsonb_typeof(c.facets -> 'organisations') = 'array'
                            THEN c.facets -> 'organisations' ELSE '[]' END
                ) AS e(value)
           WHERE c.article_id = a.id
       )
FROM unnest(%s::bigint[]) AS s(story_id)
CROSS JOIN LATERAL (
    SELECT a.id, a.story_id, a.title, a.published_at
    FROM factcheck_article a
    WHERE a.story_id = s.story_id AND a.id <> %s
    ORDER BY a.created_at DESC, a.id DESC
    LIMIT %s
) a
"""


def _entities(infos: Iterable[matching.ClaimInfo]) -> frozenset[str]:
    names: set[str] = set()
    for info in infos:
        for key in ("people", "organisations"):
            for item in info.facets.get(key) or ():
                if isinstance(item, str) and item.strip():
                    names.add(item.strip())
    return frozenset(names)


def _story_signatures(story_ids: Iterable[int], exclude_article_id: int) -> list[matching.StorySignature]:
    story_ids = sorted(set(story_ids))
    if not story_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_STORY_ARTICLES_SQL, [story_ids, exclude_article_id, STORY_SIGNATURE_ARTICLES])
        rows = cursor.fetchall()
    by_story: dict[int, list[matching.ArticleInfo]] = defaultdict(list)
    for pk, story_id, title, published_at, entities in rows:
        by_story[story_id].append(matching.ArticleInfo(pk, title, frozenset(entities or ()), published_at))
    return [matching.story_signature(sid, arts) for sid, arts in sorted(by_story.items())]


# --- Matching one article ------------------------------------------------------------------------------------


def lock_matching(cursor) -> None:
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [MATCHING_LOCK])


def _conflict_key(conflict: matching.Conflict) -> str:
    key = matching.conflict_key(conflict)
    if len(key) > CONFLICT_KEY_MAX:
        digest = hashlib.sha256(key.encode()).hexdigest()
        key = key[: CONFLICT_KEY_MAX - 65] + "#" + digest
    return key


class _Pool:
    """The claims one run looks at: their ClaimInfo, cluster and pinned flag, and the story of their article, read
    once."""

    def __init__(self) -> None:
        self.infos: dict[int, matching.ClaimInfo] = {}
        self.cluster_of: dict[int, int | None] = {}
        self.pinned: set[int] = set()
        self.story_of_article: dict[int, int | None] = {}

    def add(self, row) -> int:
        pk, art, text, facets, kinds, cluster_id, cluster_pinned, story_id, _keys = row
        if pk not in self.infos:
            self.infos[pk] = _info(pk, art, text, facets, kinds)
            self.cluster_of[pk] = cluster_id
            if cluster_pinned:
                self.pinned.add(pk)
            self.story_of_article[art] = story_id
        return pk

    def read(self, where: str, params: list) -> list[tuple]:
        """The rows of `_CLAIM_ROWS_SQL` for `where` (a condition on c, the claim), each added to the pool."""
        with connection.cursor() as cursor:
            cursor.execute(_CLAIM_ROWS_SQL.format(where=where), params)
            rows = cursor.fetchall()
        for row in rows:
            self.add(row)
        return rows

    def load(self, ids: Iterable[int]) -> None:
        missing = [pk for pk in set(ids) if pk not in self.infos]
        if missing:
            self.read("c.id = ANY(%s)", [missing])


@transaction.atomic
def article_match_claims(*, article_id: int) -> MatchResult | None:
    """Match an article's claims with the claims of other articles: clusters, story, conflicts.

    Guarantees: idempotent (a second run changes nothing); claims already in a cluster stay there, claims a
    person split off or merged are never moved, an article a person placed keeps its story; conflicts are
    upserted by their key, so they are never duplicated, and a resolved or dismissed one is never reopened.
    All writes happen in one transaction, under a lock that serialises matching runs, each with the
    matching worker named in its history. Returns None when the article no longer exists.
    """
    with connection.cursor() as cursor:
        lock_matching(cursor)
    article = (
        Article.objects.filter(pk=article_id)
        .only("pk", "title", "published_at", "story_id", "story_pinned")
        .first()
    )
    if article is None:
        return None
    result = MatchResult(story_id=article.story_id)

    pool = _Pool()
    own_keys: dict[int, list[str]] = {}
    stale_keys: list[Claim] = []
    own_rows = pool.read("c.article_id = %s AND c.verdict <> %s", [article_id, str(Verdict.NOT_A_CLAIM)])
    for row in own_rows:
        pk, stored_keys = row[0], row[-1]
        info = pool.infos[pk]
        own_keys[pk] = matching.match_keys(info.text, info.facets)
        if list(stored_keys or ()) != own_keys[pk]:  # stored before keys existed, or by another recipe
            stale_keys.append(Claim(pk=pk, match_keys=own_keys[pk]))
    if stale_keys:
        Claim.objects.bulk_update(stale_keys, ["match_keys"])  # not tracked in history: no event, no version
    own_ids = set(own_keys)

    # Candidates per claim: the claims of other articles sharing the most blocking keys with it.
    rows = _shortlist({k for keys in own_keys.values() for k in keys}, article_id=article_id)
    ranked, weak = rank_candidates(own_keys, rows)
    candidates_of: dict[int, list[int]] = {pk: [c for c, _ in ranked.get(pk, ())] for pk in own_ids}
    pool.load(pk for pks in candidates_of.values() for pk in pks)

    story_id = _assign_story(article, own=[pool.infos[i] for i in own_ids], ranked=ranked, pool=pool, result=result)
    if own_ids:
        _assign_clusters(own_ids, candidates_of, pool, result)
        partners = _conflict_partners(own_ids, candidates_of, weak, story_id, pool)
        _detect_conflicts(own_ids, partners, pool, result)
    return result


def _conflict_partners(
    own_ids: set[int],
    candidates_of: dict[int, list[int]],
    weak: dict[int, list[int]],
    story_id: int | None,
    pool: _Pool,
) -> dict[int, set[int]]:
    """For each claim of the article, the claims its conflicts are looked for with: its candidates, its weak
    candidates (`rank_candidates`) whose article is in the story `story_id`, and the other members of the cluster
    it is in now. The members are listed in one query; whatever is not in the pool yet is read into it in one
    more."""
    cluster_of = pool.cluster_of
    clusters = {cluster_of[i] for i in own_ids if cluster_of[i] is not None}
    members: dict[int, set[int]] = defaultdict(set)
    if clusters:
        rows = (
            Claim.objects.filter(cluster_id__in=clusters)
            .exclude(pk__in=list(own_ids))
            .exclude(verdict=Verdict.NOT_A_CLAIM)
            .values_list("pk", "cluster_id")
        )
        for pk, cluster_id in rows:
            members[cluster_id].add(pk)
    if story_id is None:
        weak = {}
    pool.load({pk for pks in weak.values() for pk in pks}.union(*members.values()))
    in_story = {art for art, story in pool.story_of_article.items() if story == story_id}
    partners: dict[int, set[int]] = {}
    for own in own_ids:
        mine = set(candidates_of.get(own, ()))
        mine.update(pk for pk in weak.get(own, ()) if pk in pool.infos and pool.infos[pk].article_id in in_story)
        mine |= members.get(cluster_of[own], set())
        partners[own] = mine
    return partners


def _assign_story(
    article: Article,
    *,
    own: list[matching.ClaimInfo],
    ranked: dict[int, list[tuple[int, int]]],
    pool: _Pool,
    result: MatchResult,
) -> int | None:
    if article.story_id is not None or article.story_pinned:
        return article.story_id
    # The stories whose claims share the most keys with the article's claims (a bounded few).
    weight_of_article: dict[int, int] = defaultdict(int)
    for candidates in ranked.values():
        for pk, shared in candidates:
            weight_of_article[pool.infos[pk].article_id] += shared
    weight_of_story: dict[int, int] = defaultdict(int)
    for art, weight in weight_of_article.items():
        if (story := pool.story_of_article.get(art)) is not None:
            weight_of_story[story] += weight
    story_ids = sorted(weight_of_story, key=lambda s: (-weight_of_story[s], -s))[:STORY_CANDIDATES]
    info = matching.ArticleInfo(article.pk, article.title, _entities(own), article.published_at)
    best = matching.best_story(info, _story_signatures(story_ids, article.pk))
    with history_context(action="factcheck.story.assigned", actor=WORKER):
        if best is None:
            best = Story.objects.create(title=(article.title or "Untitled story")[:500]).pk
            result.story_created = True
        updated = Article.objects.filter(pk=article.pk, story__isnull=True, story_pinned=False).update(story_id=best)
        if updated:
            Story.objects.filter(pk=best).update(updated_at=timezone.now())
    result.story_id = best
    result.story_changed = bool(updated)
    return best


def _assign_clusters(own_ids: set[int], candidates_of: dict[int, list[int]], pool: _Pool, result: MatchResult) -> None:
    """Decide each open claim against its own candidates, the claim most alike one of its candidates first, each
    decision taking effect before the next: a later claim of the article then sees the clusters the earlier ones
    joined, so a cluster never gets two claims of one article (and where two claims of the article compete for
    one cluster, the closer statement gets it). The decisions are written together at the end (one INSERT of the
    new clusters, one UPDATE of the claims), under the matching lock, so nothing changes clusters meanwhile."""
    infos, cluster_of, pinned = pool.infos, pool.cluster_of, pool.pinned
    open_ids = [i for i in own_ids if cluster_of[i] is None and i not in pinned]
    if not open_ids:
        return
    scores: dict[tuple[int, int], float] = {}

    def score(x: int, y: int) -> float:
        key = (x, y) if x < y else (y, x)
        if key not in scores:
            scores[key] = matching.similarity(infos[x], infos[y])
        return scores[key]

    best = {i: max((score(i, pk) for pk in candidates_of.get(i, ())), default=0.0) for i in open_ids}
    open_ids.sort(key=lambda i: (-best[i], i))
    plan = _ClusterPlan()
    for claim_id in open_ids:
        candidates = [
            (infos[pk], cluster_of[pk])
            for pk in candidates_of.get(claim_id, ())
            if not (cluster_of[pk] is None and pk in pinned)  # split off by a person: it stays on its own
        ]
        if not candidates:
            continue
        clusters = {cluster_id for _, cluster_id in candidates if cluster_id is not None}
        candidates += [
            (infos[pk], cluster_of[pk]) for pk in sorted(own_ids) if pk != claim_id and cluster_of[pk] in clusters
        ]
        assignment = matching.assign_to_clusters([infos[claim_id]], candidates, scores=scores)[claim_id]
        plan.decide(claim_id, assignment, cluster_of, pinned)
    if plan.moves:
        with history_context(action="factcheck.claim.clustered", actor=WORKER):
            plan.store(cluster_of, result)


class _ClusterPlan:
    """The cluster decisions of one run, applied in memory as they are taken and written at the end. A cluster
    created in this run has a negative stand-in id until it is stored."""

    def __init__(self) -> None:
        self.moves: dict[int, int] = {}  # claim id -> cluster id (negative: created in this run)
        self.new: dict[int, list[int]] = {}  # stand-in id -> its claims

    def decide(self, claim_id: int, assignment, cluster_of: dict[int, int | None], pinned: set[int]) -> None:
        if assignment.action == "join":
            cluster_id = int(assignment.cluster_id)
            self.moves[claim_id] = cluster_id
            cluster_of[claim_id] = cluster_id
            if cluster_id < 0:
                self.new[cluster_id].append(claim_id)
        elif assignment.action == "new":
            movable = [m for m in assignment.new_group if cluster_of.get(m) is None and m not in pinned]
            if len(movable) < 2 or claim_id not in movable:
                return
            stand_in = -1 - len(self.new)
            self.new[stand_in] = list(movable)
            for m in movable:
                self.moves[m] = stand_in
                cluster_of[m] = stand_in

    def store(self, cluster_of: dict[int, int | None], result: MatchResult) -> None:
        real: dict[int, int] = {}
        if self.new:
            created = ClaimCluster.objects.bulk_create([ClaimCluster() for _ in self.new])
            real = {stand_in: cluster.pk for stand_in, cluster in zip(sorted(self.new, reverse=True), created)}
        values = [(pk, real.get(cid, cid)) for pk, cid in sorted(self.moves.items())]
        with connection.cursor() as cursor:
            cursor.execute(
                """UPDATE factcheck_claim c SET cluster_id = v.cluster_id, updated_at = %s
                   FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, cluster_id)
                   WHERE c.id = v.id AND c.cluster_id IS NULL
                   RETURNING c.id""",
                [timezone.now(), [pk for pk, _ in values], [cid for _, cid in values]],
            )
            stored = {row[0] for row in cursor.fetchall()}
        for stand_in, members in self.new.items():
            cluster_id = real[stand_in]
            kept = [m for m in members if m in stored]
            if len(kept) < 2:  # clustered meanwhile: don't leave a cluster of one
                Claim.objects.filter(cluster_id=cluster_id).update(cluster=None, updated_at=timezone.now())
                ClaimCluster.objects.filter(pk=cluster_id).delete()
                stored.difference_update(kept)
                continue
            result.clusters_created += 1
        for pk, cid in self.moves.items():
            final = real.get(cid, cid)
            if pk in stored:
                cluster_of[pk] = final
                result.joined += 1
                result.clustered_ids.append(pk)
            else:
                cluster_of[pk] = None


def _detect_conflicts(own_ids: set[int], allowed: dict[int, set[int]], pool: _Pool, result: MatchResult) -> None:
    """Conflicts of each claim of the article with the claims `allowed` for it (`_conflict_partners`), never
    between two other claims: theirs were looked for when they were new."""
    infos = pool.infos
    ids = own_ids.union(*allowed.values())
    claims = [infos[i] for i in sorted(ids) if i in infos]
    found = matching.find_conflicts_with(claims, new_ids=own_ids, allowed=allowed)
    if not found:
        return
    by_key = {_conflict_key(c): c for c in found}
    existing = set(Conflict.objects.filter(key__in=list(by_key)).values_list("key", flat=True))
    missing = [key for key in by_key if key not in existing]
    if not missing:
        return
    with history_context(action="factcheck.conflict.detected", actor=WORKER):
        Conflict.objects.bulk_create(
            [
                Conflict(
                    key=key,
                    kind=by_key[key].kind,
                    values=list(by_key[key].values),
                    explanation=by_key[key].explanation,
                )
                for key in missing
            ],
            ignore_conflicts=True,  # a key stored meanwhile is the same conflict: keep that one
        )
        stored = dict(Conflict.objects.filter(key__in=missing).values_list("key", "pk"))
        Through = Conflict.claims.through
        Through.objects.bulk_create(
            [
                Through(conflict_id=stored[key], claim_id=claim_id)
                for key in missing
                if key in stored
                for claim_id in by_key[key].claim_ids
            ],
            ignore_conflicts=True,
        )
    result.conflicts_created += len(missing)


# --- Maintenance ------------------------------------------------------------------------------------------


def claims_refresh_match_keys(*, batch_size: int = 2000) -> int:
    """Recompute every claim's `match_keys` (claims stored before they existed, or after the recipe changed), in
    batches by id, one transaction each. Not tracked in history. Returns how many claims changed."""
    changed, last = 0, 0
    while True:
        rows = list(
            Claim.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "text", "facets", "match_keys")[:batch_size]
        )
        if not rows:
            return changed
        last = rows[-1][0]
        stale = []
        for pk, text, facets, stored in rows:
            keys = matching.match_keys(text, facets if isinstance(facets, dict) else {})
            if list(stored or ()) != keys:
                stale.append(Claim(pk=pk, match_keys=keys))
        if stale:
            with transaction.atomic():
                Claim.objects.bulk_update(stale, ["match_keys"])
            changed += len(stale)


@transaction.atomic
def pins_from_history() -> tuple[int, int]:
    """Set `cluster_pinned` on claims whose history holds a cluster split or merge by a person, and `story_pinned`
    on articles a person moved to a story (what pinned them before the flags existed). Returns (claims, articles)
    newly pinned."""
    claim_ids = (
        Claim.pgh_event_model.objects.filter(
            pgh_context__metadata__action__in=MANUAL_CLUSTER_ACTIONS, pgh_context__metadata__has_key="user"
        )
        .values_list("pgh_obj_id", flat=True)
        .distinct()
    )
    article_ids = (
        Article.pgh_event_model.objects.filter(
            pgh_context__metadata__action=MANUAL_STORY_ACTION, pgh_context__metadata__has_key="user"
        )
        .values_list("pgh_obj_id", flat=True)
        .distinct()
    )
    with history_context(action="factcheck.matching.pins_restored", actor=WORKER):
        claims = Claim.objects.filter(pk__in=claim_ids, cluster_pinned=False).update(cluster_pinned=True)
        articles = Article.objects.filter(pk__in=article_ids, story_pinned=False).update(story_pinned=True)
    return claims, articles
