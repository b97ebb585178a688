"""The cross-article layer: the same claim in every outlet, verdicts shared, contradictions flagged, stories.

`article_match_claims` runs after an article's claims are stored. PostgreSQL shortlists candidates through the
claims' blocking keys (`Claim.match_keys`, GIN index `claim_match_keys_gin`: "o:acme|v:deny", "o:acme|n:%:100",
see `factcheck.matching.keys`) in one query, and keeps for each claim those sharing the most keys with it (the
keys are global, so the claims of the article's story need no separate read; only candidates that share nothing
but an organisation's stance are looked at within the story, for conflicts). Its reads are in
`factcheck.selectors`; the pure `factcheck.matching` package decides which claims state the same thing, which
disagree and which story the article belongs to; this module runs the two and stores the outcome. A reviewer's
actions on clusters, conflicts and stories are in `services.clusters`, `services.conflicts` and
`services.stories`.

Work done by a person is never undone by the worker: a claim a reviewer split off or merged by hand is pinned
(`Claim.cluster_pinned`, set with the change, which its history records) and matching never moves it; an article
a person moved to a story keeps it (`Article.story_pinned`); a resolved or dismissed conflict is never reopened.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from factcheck import matching, selectors
from factcheck.matching import encoder, pairmodel
from factcheck.history import history_context
from factcheck.models import Article, Claim, ClaimCluster, Conflict, Story
from factcheck.services import notifications

logger = logging.getLogger(__name__)

WORKER = "matching worker"

# Per claim of the article, the candidates the key shortlist met through the most of its keys
# (`selectors.claims_shortlist`) are read with their vectors; the CANDIDATES_PER_CLAIM closest of them by exact
# cosine, at most PER_CLUSTER members of one existing cluster (a few say whether the claim belongs to it; the
# library judges the link on the members shortlisted), go to the pair model. Room for two clusters' worth: the claim's own and its closest rival. There is no cut relative to the
# best candidate: whether two claims are compared must not depend on which other claims exist, or matching an
# article again later would find what its first run did not.
PER_CLUSTER = 4
CANDIDATES_PER_CLAIM = 2 * PER_CLUSTER
# Stories considered for an article without one (those whose claims share the most keys with it), and how many of
# each story's most recent articles describe it.
STORY_CANDIDATES = 5
STORY_SIGNATURE_ARTICLES = 40

# One matching run at a time (and no manual cluster change during one): two articles matched at once could
# otherwise both form a cluster out of the same unclustered claims. Runs are short, so they queue rather than
# retry.
MATCHING_LOCK = 0x46AC7D35

MANUAL_CLUSTER_ACTIONS = ("factcheck.claim.cluster_split", "factcheck.claim.cluster_merged")
MANUAL_STORY_ACTION = "factcheck.story.changed"

CONFLICT_KEY_MAX = 500
# Contradictions looked for between claims of one story, not only within a cluster: two spellings of one name, and
# one organisation's denial beside its refusal to comment (which a reader sees as one fact, yet are worded too
# differently to share a cluster). Figures and dates disagree only between statements of one fact.
STORY_CONFLICT_KINDS = ("name", "denial")


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


def _story_signatures(story_ids: Iterable[int], exclude_article_id: int) -> list[matching.StorySignature]:
    articles = selectors.story_articles_for_matching(
        story_ids, exclude_article_id=exclude_article_id, per_story=STORY_SIGNATURE_ARTICLES
    )
    return [matching.story_signature(sid, arts) for sid, arts in sorted(articles.items())]


# --- Matching one article ------------------------------------------------------------------------------------


def lock_matching(cursor) -> None:
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [MATCHING_LOCK])


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

    def read_article(self, article_id: int) -> None:
        for row in selectors.claim_rows_for_matching(article_id=article_id):
            self.add(row)

    def load(self, ids: Iterable[int]) -> None:
        missing = [pk for pk in set(ids) if pk not in self.infos]
        if missing:
            for row in selectors.claim_rows_for_matching(claim_ids=missing):
                self.add(row)


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
    pool.read_article(article_id)
    own_ids = set(pool.infos)
    _refresh_own(own_ids, pool)

    # Candidates per claim: the claims of other articles sharing the most blocking keys with it (LSH bands of its
    # embedding, its people and organisations), then the closest of those by exact cosine.
    lookup = {
        pk: matching.lookup_keys(info.text, info.facets, embedding=info.embedding, when=info.published)
        for pk, info in pool.infos.items()
    }
    ranked = selectors.claims_shortlist(lookup, article_id=article_id)
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
    return matching.closest_candidates(
        pool.infos[claim_id],
        [(pool.infos[pk], shared, pool.cluster_of[pk]) for pk, shared in candidates],
        floor=pairmodel.load().cosine_floor, per_cluster=PER_CLUSTER, limit=CANDIDATES_PER_CLAIM,
    )


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
    members = selectors.cluster_members_for_matching(cluster_ids=clusters, exclude_ids=own_ids)
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
    shared = ((pool.infos[pk].article_id, keys) for candidates in ranked.values() for pk, keys in candidates)
    story_ids = matching.stories_sharing_most(shared, pool.story_of_article, limit=STORY_CANDIDATES)
    info = matching.ArticleInfo(article.pk, article.title, matching.claim_entities(own), article.published_at)
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
    by_key = {matching.conflict_key(c, max_length=CONFLICT_KEY_MAX): c for c in found}
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
