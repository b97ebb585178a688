"""The cross-article layer: the same claim in every outlet, verdicts shared, contradictions flagged, stories.

`article_match_claims` runs after an article's claims are stored. PostgreSQL shortlists candidates through the
claims' blocking keys (`Claim.match_keys`, GIN index `claim_match_keys_gin`: "o:acme|v:deny", "o:acme|n:%:100",
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

import dataclasses
import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from factcheck import matching
from factcheck.matching import encoder, pairmodel
from factcheck.history import history_context
from factcheck.models import Article, Claim, ClaimCluster, Conflict, Story, Verdict
from factcheck.plans import fetch_with_settings
from factcheck.services import notifications
from factcheck.services.claims import _validate_verdict

logger = logging.getLogger(__name__)

WORKER = "matching worker"

# Key shortlist. Claims read per blocking key: a claim close to another shares several of its LSH bands, so it is
# met through several keys even when each key's bucket holds more claims than are read. Per claim of the article,
# the SHORTLIST_PER_CLAIM candidates met through the most of its keys are read with their vectors; the
# CANDIDATES_PER_CLAIM closest of them by exact cosine, at most PER_CLUSTER members of one existing cluster (a few
# say whether the claim belongs to it; the library judges the link on the members shortlisted), go to the pair
# model. Room for two clusters' worth: the claim's own and its closest rival. There is no cut relative to the
# best candidate: whether two claims are compared must not depend on which other claims exist, or matching an
# article again later would find what its first run did not.
SHORTLIST_PER_KEY = 8
SHORTLIST_PER_CLAIM = 12
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
# Contradictions looked for between claims of one story, not only within a cluster: two spellings of one name, and
# one organisation's denial beside its refusal to comment (which a reader sees as one fact, yet are worded too
# differently to share a cluster). Figures and dates disagree only between statements of one fact.
STORY_CONFLICT_KINDS = ("name", "denial")

# What a run reads of each claim it looks at, its article's story included (for the story and for conflicts). A
# plain cursor hands the facets over as jsonb text, decoded only for claims not in the pool yet (the ORM decodes
# every row, and costs about 1.5 ms more per read of 160 claims).
_CLAIM_ROWS_SQL = """
SELECT c.id, c.article_id, c.text, c.facets, c.kinds, c.cluster_id, c.cluster_pinned, a.story_id, c.match_keys,
       c.embedding, COALESCE(a.published_at, a.created_at)
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

# Each claim's lookup keys as (claim, key) pairs; each distinct key joined LATERAL to its own lookup in the GIN index
# claim_match_keys_gin, which stops after `limit` rows (in table order): one round trip, planned once. The database
# then counts, per claim of the article, how many of its keys found each candidate and returns the `per_claim`
# candidates found by the most keys: a few hundred rows, however many the lookups met (returning every hit with
# its key array cost more than the lookups themselves from a million claims on).
#
# A key known only at run time can't be estimated from the column's element statistics: the planner assumes
# 0.5% of the claims hold it, and from a few million claims on would rather read the table from the start until
# `limit` rows turn up (for a rare key, the whole table). So the statement runs with sequential scans switched
# off (`_run_shortlist`), which leaves the index, the only other way to find a key, whatever the table's size; and
# without JIT compilation, which its cost estimate would otherwise trigger for a statement that runs in
# milliseconds.
_SHORTLIST_SQL = """
WITH wanted AS (
    SELECT w.owner, w.key FROM unnest(%(owners)s::bigint[], %(keys)s::varchar(200)[]) AS w(owner, key)
), hits AS (
    SELECT k.key, c.id
    FROM (SELECT DISTINCT key FROM wanted) AS k
    CROSS JOIN LATERAL (
        SELECT c.id
        FROM factcheck_claim c
        WHERE c.match_keys @> ARRAY[k.key]::varchar(200)[] AND c.article_id <> %(article)s
              AND c.verdict <> %(verdict)s
        LIMIT %(limit)s
    ) c
)
SELECT owner, id, shared
FROM (
    SELECT w.owner, h.id, count(*) AS shared,
           row_number() OVER (PARTITION BY w.owner ORDER BY count(*) DESC, h.id DESC) AS rank
    FROM wanted w JOIN hits h ON h.key = w.key
    GROUP BY w.owner, h.id
) ranked
WHERE rank <= %(per_claim)s
ORDER BY owner, rank
"""


def shortlist_query(
    lookup: dict[int, Iterable[str]], *, article_id: int, limit: int = SHORTLIST_PER_KEY,
    per_claim: int = SHORTLIST_PER_CLAIM,
) -> tuple[str, dict]:
    """The shortlist SQL for the lookup keys of an article's claims ({claim id: keys}) and its parameters (run it,
    or an EXPLAIN of it, with `_run_shortlist`)."""
    pairs = sorted({(int(owner), key) for owner, keys in lookup.items() for key in keys})
    params = {"owners": [o for o, _ in pairs], "keys": [k for _, k in pairs], "article": int(article_id),
              "verdict": str(Verdict.NOT_A_CLAIM), "limit": int(limit), "per_claim": int(per_claim)}
    return _SHORTLIST_SQL, params


def _run_shortlist(cursor, query: str, params: dict) -> list[tuple]:
    """Run the shortlist statement (or an EXPLAIN of it) with sequential scans and JIT off, and return its rows
    (the settings put back after, see `fetch_with_settings`)."""
    return fetch_with_settings(cursor, query, params, enable_seqscan="off", jit="off")


def _shortlist(
    lookup: dict[int, list[str]], *, article_id: int, limit: int = SHORTLIST_PER_KEY,
    per_claim: int = SHORTLIST_PER_CLAIM,
) -> dict[int, list[tuple[int, int]]]:
    """Per claim of `lookup`, the claims of other articles found by the most of its keys: [(id, keys)], most keys
    first (at most `limit` claims read per key, `per_claim` kept per claim). One statement, through the GIN
    index."""
    if not any(lookup.values()):
        return {}
    query, params = shortlist_query(lookup, article_id=article_id, limit=limit, per_claim=per_claim)
    with connection.cursor() as cursor:
        rows = _run_shortlist(cursor, query, params)
    ranked: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for owner, pk, shared in rows:
        ranked[owner].append((pk, shared))
    return dict(ranked)


def _info(
    row_id: int, article_id: int, text: str, facets: Any, kinds: Any, embedding: Any = None, published: Any = None
) -> matching.ClaimInfo:
    if isinstance(facets, (str, bytes)):  # raw cursors hand jsonb over as text (Django decodes JSONField itself)
        facets = json.loads(facets)
    return matching.ClaimInfo(
        id=row_id,
        article_id=article_id,
        text=text,
        facets=facets if isinstance(facets, dict) else {},
        kinds=tuple(kinds or ()),
        embedding=encoder.from_bytes(bytes(embedding)) if embedding else None,
        published=published,
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
        self.keys: dict[int, list[str]] = {}

    def add(self, row) -> int:
        pk, art, text, facets, kinds, cluster_id, cluster_pinned, story_id, _keys, embedding, published = row
        if pk not in self.infos:
            self.infos[pk] = _info(pk, art, text, facets, kinds, embedding, published)
            self.cluster_of[pk] = cluster_id
            if cluster_pinned:
                self.pinned.add(pk)
            self.story_of_article[art] = story_id
            self.keys[pk] = list(_keys or ())
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
    pool.read("c.article_id = %s AND c.verdict <> %s", [article_id, str(Verdict.NOT_A_CLAIM)])
    own_ids = set(pool.infos)
    _refresh_own(own_ids, pool)

    # Candidates per claim: the claims of other articles sharing the most blocking keys with it (LSH bands of its
    # embedding, its people and organisations), then the closest of those by exact cosine.
    lookup = {
        pk: matching.lookup_keys(info.text, info.facets, embedding=info.embedding, when=info.published)
        for pk, info in pool.infos.items()
    }
    ranked = _shortlist(lookup, article_id=article_id)
    pool.load(pk for pks in ranked.values() for pk, _ in pks)
    ranked = {pk: _closest(pk, candidates, pool) for pk, candidates in ranked.items()}
    candidates_of: dict[int, list[int]] = {pk: [c for c, _ in ranked.get(pk, ())] for pk in own_ids}

    story_id = _assign_story(article, own=[pool.infos[i] for i in own_ids], ranked=ranked, pool=pool, result=result)
    if own_ids:
        _assign_clusters(own_ids, candidates_of, pool, result)
        partners = _conflict_partners(own_ids, candidates_of, story_id, pool)
        _detect_conflicts(own_ids, partners, pool, result)
    return result


def stored_match_keys(claim: Claim) -> list[str]:
    """The keys `claim` should carry now: from its stored embedding, its facets and its article's date (publication,
    else upload)."""
    article = claim.article
    vector = encoder.from_bytes(bytes(claim.embedding)) if claim.embedding else None
    return matching.match_keys(
        claim.text, claim.facets, embedding=vector, when=article.published_at or article.created_at
    )


def _refresh_own(own_ids: set[int], pool: _Pool) -> None:
    """Give the article's claims an embedding if they have none (stored before embeddings existed), and their
    current keys if theirs are stale. Not tracked in history: no event, no version."""
    missing = sorted(pk for pk in own_ids if pool.infos[pk].embedding is None)
    if missing:
        vectors = encoder.encode([pool.infos[pk].text for pk in missing])
        for pk, vector in zip(missing, vectors):
            pool.infos[pk] = dataclasses.replace(pool.infos[pk], embedding=vector)
    stale = []
    for pk in sorted(own_ids):
        info = pool.infos[pk]
        keys = matching.match_keys(info.text, info.facets, embedding=info.embedding, when=info.published)
        if pk in missing or pool.keys[pk] != keys:
            fields = {"match_keys": keys}
            if pk in missing:
                fields.update(embedding=encoder.to_bytes(info.embedding), embedding_model=encoder.ENCODER_VERSION)
            stale.append(Claim(pk=pk, **fields))
    if stale:
        Claim.objects.bulk_update(stale, ["match_keys", "embedding", "embedding_model"] if missing else ["match_keys"])


def _closest(claim_id: int, candidates: list[tuple[int, int]], pool: _Pool) -> list[tuple[int, int]]:
    """The `CANDIDATES_PER_CLAIM` shortlisted candidates closest to the claim by exact cosine (at most
    `PER_CLUSTER` of one cluster, none below the pair model's cosine floor), each with its count of shared keys."""
    own = pool.infos[claim_id]
    floor = pairmodel.load().cosine_floor
    cosines = {pk: matching.cosine(own, pool.infos[pk]) for pk, _ in candidates}
    scored = sorted(candidates, key=lambda item: (-cosines[item[0]], -item[0]))
    out, taken = [], defaultdict(int)
    for pk, shared in scored:
        if cosines[pk] < floor:  # too far apart for the pair model to call them one fact
            break
        cluster_id = pool.cluster_of[pk]
        if cluster_id is not None:
            if taken[cluster_id] >= PER_CLUSTER:
                continue
            taken[cluster_id] += 1
        out.append((pk, shared))
        if len(out) >= CANDIDATES_PER_CLAIM:
            break
    return out


def _conflict_partners(
    own_ids: set[int],
    candidates_of: dict[int, list[int]],
    story_id: int | None,
    pool: _Pool,
) -> dict[int, set[int]]:
    """For each claim of the article, the claims its contradictions are looked for with: the other members of the
    cluster it is in now (the same fact, where figures and dates can disagree), and its candidates from articles of
    the story `story_id` (`_detect_conflicts` keeps only the `STORY_CONFLICT_KINDS` from those). The members are listed in one query; whatever is not in the pool yet is read
    into it in one more."""
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
    pool.load(set().union(*members.values()))
    in_story = {art for art, story in pool.story_of_article.items() if story == story_id and story is not None}
    partners: dict[int, set[int]] = {}
    for own in own_ids:
        mine = {pk for pk in candidates_of.get(own, ()) if pool.infos[pk].article_id in in_story}
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


def _same_cluster(pool: _Pool, a: int, b: int) -> bool:
    return pool.cluster_of.get(a) is not None and pool.cluster_of.get(a) == pool.cluster_of.get(b)


def _detect_conflicts(own_ids: set[int], allowed: dict[int, set[int]], pool: _Pool, result: MatchResult) -> None:
    """Conflicts of each claim of the article with the claims `allowed` for it (`_conflict_partners`), never
    between two other claims: theirs were looked for when they were new."""
    infos = pool.infos
    ids = own_ids.union(*allowed.values())
    claims = [infos[i] for i in sorted(ids) if i in infos]
    found = [
        c for c in matching.find_conflicts_with(claims, new_ids=own_ids, allowed=allowed)
        if c.kind in STORY_CONFLICT_KINDS or _same_cluster(pool, *c.claim_ids)
    ]
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
    # Whoever is assigned a claim of a new contradiction hears of it (one query and one INSERT for the run).
    explanation_of = {
        claim_id: f"{Conflict.Kind(by_key[key].kind).label.lower()} ({' / '.join(by_key[key].values)})"
        for key in missing if key in stored for claim_id in by_key[key].claim_ids
    }
    notifications.notify_new_conflicts(
        claim_texts={pk: infos[pk].text for pk in explanation_of if pk in infos}, explanation_of=explanation_of
    )
    result.conflicts_created += len(missing)


# --- Maintenance ------------------------------------------------------------------------------------------


def claims_refresh_match_keys(
    *, batch_size: int = 500, vectors: bool = True, progress: Callable[[int, int], None] | None = None
) -> int:
    """Bring every claim's embedding and `match_keys` up to date, in batches by id, one transaction each: claims
    stored before embeddings existed or by another encoder get a new vector (with `vectors`; all of them when the
    encoder changed), and every claim whose keys differ from what its vector, facets and article date give gets
    new keys. Not tracked in history. Calls `progress(done, total)` after each batch. Returns how many claims
    changed."""
    total = Claim.objects.count()
    changed, done, last = 0, 0, 0
    while True:
        rows = list(
            Claim.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "text", "facets", "match_keys", "embedding", "embedding_model",
                         "article__published_at", "article__created_at")[:batch_size]
        )
        if not rows:
            return changed
        last = rows[-1][0]
        redo = [r for r in rows if vectors and (r[4] is None or r[5] != encoder.ENCODER_VERSION)]
        fresh = dict(zip((r[0] for r in redo), encoder.encode([r[1] for r in redo])))
        stale = []
        for pk, text, facets, stored, embedding, _model, published, created in rows:
            vector = fresh.get(pk)
            if vector is None and embedding is not None:
                vector = encoder.from_bytes(bytes(embedding))
            keys = matching.match_keys(text, facets if isinstance(facets, dict) else {}, embedding=vector,
                                       when=published or created)
            if pk in fresh:
                stale.append(Claim(pk=pk, match_keys=keys, embedding=encoder.to_bytes(vector),
                                   embedding_model=encoder.ENCODER_VERSION))
            elif list(stored or ()) != keys:
                stale.append(Claim(pk=pk, match_keys=keys))
        if stale:
            with transaction.atomic():
                Claim.objects.bulk_update(stale, ["match_keys", "embedding", "embedding_model"] if fresh
                                          else ["match_keys"])
            changed += len(stale)
        done += len(rows)
        if progress is not None:
            progress(min(done, total), total)


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
