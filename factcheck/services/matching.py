"""The cross-article layer: the same claim in every outlet, verdicts shared, contradictions flagged, stories.

`article_match_claims` runs after an article's claims are stored. PostgreSQL shortlists candidates (the trigram
index `claim_text_trgm`, plus the claims of the article's story); the pure `factcheck.matching` package decides
which claims state the same thing, which disagree and which story the article belongs to; this module stores
the outcome. Everything else here is a reviewer's action on clusters, conflicts and stories.

Work done by a person is never undone by the worker: a claim a reviewer split off or merged by hand is
"pinned" (its history holds a manual cluster change by a person) and matching never moves it; an article a
person moved to a story keeps it; a resolved or dismissed conflict is never reopened.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

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

# Trigram shortlist: candidates per claim, and the pg_trgm similarity a candidate must reach. Paraphrases across
# outlets score 0.12-0.5 in trigrams; the story candidates below catch the low ones the threshold lets through.
SHORTLIST_LIMIT = 10
TRIGRAM_THRESHOLD = 0.3
# A shortlisted claim that shares no person, organisation or figure with the claim is compared only when this
# alike in trigrams (or when the claim names nobody and gives no figure).
TRIGRAM_ALONE = 0.5
# Claims of the article's story read besides the trigram shortlist (most recent articles first), and how many of
# them sharing a person or organisation each claim is compared with.
STORY_CANDIDATE_LIMIT = 300
STORY_CANDIDATES_PER_CLAIM = 15

# One matching run at a time (and no manual cluster change during one): two articles matched at once could
# otherwise both form a cluster out of the same unclustered claims. A run takes tens of milliseconds.
MATCHING_LOCK = 0x46AC7D35

MANUAL_CLUSTER_ACTIONS = ("factcheck.claim.cluster_split", "factcheck.claim.cluster_merged")
MANUAL_STORY_ACTION = "factcheck.story.changed"

CONFLICT_KEY_MAX = 500


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

# One branch per claim of the article, joined with UNION ALL into one round trip. Each branch carries the claim's
# text as a literal, so the planner can estimate the trigram search from its trigrams and picks the GIN index
# claim_text_trgm (with the text only known at run time, as in a LATERAL join, it can't, and scans the table).
_SHORTLIST_BRANCH = """(
    SELECT %s::bigint AS query_id, c.id, c.article_id, c.text, c.facets, c.kinds, c.cluster_id,
           similarity(c.text, %s) AS similarity
    FROM factcheck_claim c
    WHERE c.text %% %s AND c.article_id <> %s AND c.verdict <> %s
    ORDER BY similarity(c.text, %s) DESC, c.id
    LIMIT %s
)"""


def shortlist_query(
    queries: list[tuple[int, str]], *, article_id: int, limit: int = SHORTLIST_LIMIT
) -> tuple[str, list[Any]]:
    """The shortlist SQL and its parameters for `queries` [(claim id, text)] of one article (for EXPLAIN too)."""
    parts, params = [], []
    for claim_id, text in queries:
        parts.append(_SHORTLIST_BRANCH)
        params += [claim_id, text, text, article_id, Verdict.NOT_A_CLAIM, text, limit]
    return "\nUNION ALL\n".join(parts), params


def _set_trigram_threshold(cursor, threshold: float) -> None:
    # SET LOCAL lasts until the end of the transaction; set_config(..., true) is its parameterised form.
    cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(threshold)])


def _shortlist(
    queries: list[tuple[int, str]], *, article_id: int, limit: int = SHORTLIST_LIMIT,
    threshold: float = TRIGRAM_THRESHOLD,
) -> list[tuple]:
    """For every claim of the article, the most similar claims of other articles (one query, via the index)."""
    if not queries:
        return []
    sql, params = shortlist_query(queries, article_id=article_id, limit=limit)
    with connection.cursor() as cursor:
        _set_trigram_threshold(cursor, threshold)
        # The planner costs similarity() like an ordinary operator, though it is far dearer, and on small tables
        # reads every row instead of using the index: keep it on the index for this one statement.
        cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        cursor.execute("SELECT set_config('enable_seqscan', 'on', true)")
        return rows


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
    """Claims whose cluster a person set by hand (split off or merged), which matching must never move.

    A claim's history is the record: matching never changes the cluster of a pinned claim afterwards, so
    "any manual cluster change" is the same as "the latest cluster change was manual". One query.
    """
    ids = list(set(claim_ids))
    if not ids:
        return set()
    ClaimEvent = Claim.pgh_event_model
    return set(
        ClaimEvent.objects.filter(
            pgh_obj_id__in=ids,
            pgh_context__metadata__action__in=MANUAL_CLUSTER_ACTIONS,
            pgh_context__metadata__has_key="user",
        )
        .values_list("pgh_obj_id", flat=True)
        .distinct()
    )


def _story_pinned(article_id: int) -> bool:
    """Whether a person chose this article's story (then matching leaves it where they put it)."""
    ArticleEvent = Article.pgh_event_model
    return ArticleEvent.objects.filter(
        pgh_obj_id=article_id,
        pgh_context__metadata__action=MANUAL_STORY_ACTION,
        pgh_context__metadata__has_key="user",
    ).exists()


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
FROM factcheck_article a
WHERE a.story_id = ANY(%s) AND a.id <> %s
"""


def _entities(infos: Iterable[matching.ClaimInfo]) -> frozenset[str]:
    names: set[str] = set()
    for info in infos:
        for key in ("people", "organisations"):
            for item in info.facets.get(key) or ():
                if isinstance(item, str) and item.strip():
                    names.add(item.strip())
    return frozenset(names)


def _story_signatures(story_ids: set[int], exclude_article_id: int) -> list[matching.StorySignature]:
    if not story_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_STORY_ARTICLES_SQL, [sorted(story_ids), exclude_article_id])
        rows = cursor.fetchall()
    by_story: dict[int, list[matching.ArticleInfo]] = defaultdict(list)
    for pk, story_id, title, published_at, entities in rows:
        by_story[story_id].append(matching.ArticleInfo(pk, title, frozenset(entities or ()), published_at))
    return [matching.story_signature(sid, arts) for sid, arts in sorted(by_story.items())]


def _story_claims(story_id: int, article_id: int, limit: int = STORY_CANDIDATE_LIMIT):
    return list(
        Claim.objects.filter(article__story_id=story_id)
        .exclude(article_id=article_id)
        .exclude(verdict=Verdict.NOT_A_CLAIM)
        .order_by("-article__created_at", "article_id", "start")
        .values_list("pk", "article_id", "text", "facets", "kinds", "cluster_id")[:limit]
    )


# --- Matching one article ------------------------------------------------------------------------------------


def _lock_matching(cursor) -> None:
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [MATCHING_LOCK])


def _conflict_key(conflict: matching.Conflict) -> str:
    key = matching.conflict_key(conflict)
    if len(key) > CONFLICT_KEY_MAX:
        digest = hashlib.sha256(key.encode()).hexdigest()
        key = key[: CONFLICT_KEY_MAX - 65] + "#" + digest
    return key


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
        _lock_matching(cursor)
    article = Article.objects.filter(pk=article_id).only("pk", "title", "published_at", "story_id").first()
    if article is None:
        return None
    result = MatchResult(story_id=article.story_id)

    own_rows = list(
        Claim.objects.filter(article_id=article_id)
        .exclude(verdict=Verdict.NOT_A_CLAIM)
        .values_list("pk", "article_id", "text", "facets", "kinds", "cluster_id")
    )
    infos: dict[int, matching.ClaimInfo] = {}
    cluster_of: dict[int, int | None] = {}
    for pk, art, text, facets, kinds, cluster_id in own_rows:
        infos[pk] = _info(pk, art, text, facets, kinds)
        cluster_of[pk] = cluster_id
    own_ids = set(infos)

    # Candidates per claim: its trigram shortlist (kept when it shares a name or a figure, or is very alike) ...
    candidates_of: dict[int, list[int]] = {pk: [] for pk in own_ids}
    best_similarity: dict[int, float] = {}
    candidate_articles: set[int] = set()
    queries = [(pk, infos[pk].text) for pk in sorted(own_ids)]
    for query_id, pk, art, text, facets, kinds, cluster_id, sim in _shortlist(queries, article_id=article_id):
        if pk not in infos:
            infos[pk] = _info(pk, art, text, facets, kinds)
            cluster_of[pk] = cluster_id
        candidate_articles.add(art)
        keys = _keys(infos[query_id])
        if sim >= TRIGRAM_ALONE or not keys or keys & _keys(infos[pk]):
            candidates_of[query_id].append(pk)
            best_similarity[query_id] = max(best_similarity.get(query_id, 0.0), sim)

    # ... and the claims of its story that name the same people or organisations, or give figures in the same unit.
    story_id = _assign_story(article, own=[infos[i] for i in own_ids], candidate_articles=candidate_articles,
                             result=result)
    if story_id is not None:
        by_key: dict[str, list[int]] = defaultdict(list)
        for pk, art, text, facets, kinds, cluster_id in _story_claims(story_id, article_id):
            if pk not in infos:
                infos[pk] = _info(pk, art, text, facets, kinds)
                cluster_of[pk] = cluster_id
            for key in _keys(infos[pk]):
                by_key[key].append(pk)
        for own in own_ids:
            shared: dict[int, int] = defaultdict(int)
            for key in _keys(infos[own]):
                for pk in by_key.get(key, ()):
                    shared[pk] += 1
            ranked = sorted(shared, key=lambda pk: (-shared[pk], pk))[:STORY_CANDIDATES_PER_CLAIM]
            candidates_of[own] = list(dict.fromkeys(candidates_of[own] + ranked))

    if own_ids:
        _assign_clusters(own_ids, candidates_of, best_similarity, infos, cluster_of, result)
        candidate_ids = {pk for pks in candidates_of.values() for pk in pks}
        _detect_conflicts(own_ids, candidate_ids, infos, cluster_of, result)
    return result


def _keys(info: matching.ClaimInfo, *, figures: bool = True) -> frozenset[str]:
    """Cheap blocking keys from a claim's facets (no text analysis): name words of its people and organisations
    (first and last, so two spellings of one surname still meet on the first name) and, with `figures`, the
    units of its figures. Cached on the ClaimInfo like its profile."""
    cache = info.__dict__.setdefault("_matching_keys", {})
    if figures in cache:
        return cache[figures]
    keys: set[str] = set()
    for kind in ("people", "organisations"):
        for name in info.facets.get(kind) or ():
            if isinstance(name, str):
                words = [w for w in name.lower().replace(".", " ").split() if len(w) > 1]
                if words:
                    keys.add(f"{kind[0]}:{words[0]}")
                    keys.add(f"{kind[0]}:{words[-1]}")
    if figures:
        for number in info.facets.get("numbers") or ():
            if isinstance(number, dict) and number.get("unit"):
                keys.add(f"n:{number['unit']}")
    cache[figures] = frozenset(keys)
    return cache[figures]


def _assign_story(
    article: Article, *, own: list[matching.ClaimInfo], candidate_articles: set[int], result: MatchResult
) -> int | None:
    if article.story_id is not None or _story_pinned(article.pk):
        return article.story_id
    story_ids = set(
        Article.objects.filter(pk__in=candidate_articles, story__isnull=False).values_list("story_id", flat=True)
    )
    info = matching.ArticleInfo(article.pk, article.title, _entities(own), article.published_at)
    best = matching.best_story(info, _story_signatures(story_ids, article.pk))
    with history_context(action="factcheck.story.assigned", actor=WORKER):
        if best is None:
            best = Story.objects.create(title=(article.title or "Untitled story")[:500]).pk
            result.story_created = True
        updated = Article.objects.filter(pk=article.pk, story__isnull=True).update(story_id=best)
        if updated:
            Story.objects.filter(pk=best).update(updated_at=timezone.now())
    result.story_id = best
    result.story_changed = bool(updated)
    return best


def _assign_clusters(
    own_ids: set[int],
    candidates_of: dict[int, list[int]],
    best_similarity: dict[int, float],
    infos: dict[int, matching.ClaimInfo],
    cluster_of: dict[int, int | None],
    result: MatchResult,
) -> None:
    """Decide each open claim against its own candidates, most trigram-alike claim first, storing each decision
    before the next: a later claim of the article then sees the clusters the earlier ones joined, so a cluster
    never gets two claims of one article."""
    all_candidates = {pk for pks in candidates_of.values() for pk in pks}
    pinned = pinned_claim_ids(own_ids | all_candidates)
    open_ids = sorted(
        (i for i in own_ids if cluster_of[i] is None and i not in pinned),
        key=lambda i: (-best_similarity.get(i, 0.0), i),
    )
    if not open_ids:
        return
    with history_context(action="factcheck.claim.clustered", actor=WORKER):
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
            assignment = matching.assign_to_clusters([infos[claim_id]], candidates)[claim_id]
            _store_assignment(claim_id, assignment, cluster_of, pinned, result)


def _store_assignment(claim_id, assignment, cluster_of, pinned, result: MatchResult) -> None:
    now = timezone.now()
    if assignment.action == "join":
        cluster_id = int(assignment.cluster_id)
        if Claim.objects.filter(pk=claim_id, cluster__isnull=True).update(cluster_id=cluster_id, updated_at=now):
            cluster_of[claim_id] = cluster_id
            result.joined += 1
            result.clustered_ids.append(claim_id)
    elif assignment.action == "new":
        movable = [m for m in assignment.new_group if cluster_of.get(m) is None and m not in pinned]
        if len(movable) < 2 or claim_id not in movable:
            return
        new_cluster = ClaimCluster.objects.create()
        n = Claim.objects.filter(pk__in=movable, cluster__isnull=True).update(cluster_id=new_cluster.pk, updated_at=now)
        if n < 2:  # clustered meanwhile: don't leave a cluster of one
            Claim.objects.filter(cluster_id=new_cluster.pk).update(cluster=None, updated_at=now)
            new_cluster.delete()
            return
        result.clusters_created += 1
        result.joined += n
        result.clustered_ids.extend(movable)
        for m in movable:
            cluster_of[m] = new_cluster.pk


def _detect_conflicts(
    own_ids: set[int],
    candidate_ids: set[int],
    infos: dict[int, matching.ClaimInfo],
    cluster_of: dict[int, int | None],
    result: MatchResult,
) -> None:
    # Cluster siblings of the article's claims that neither the shortlist nor the story brought in.
    clusters = {cluster_of[i] for i in own_ids if cluster_of[i] is not None}
    if clusters:
        rows = (
            Claim.objects.filter(cluster_id__in=clusters)
            .exclude(pk__in=list(infos))
            .exclude(verdict=Verdict.NOT_A_CLAIM)
            .values_list("pk", "article_id", "text", "facets", "kinds", "cluster_id")
        )
        for pk, art, text, facets, kinds, cluster_id in rows:
            infos[pk] = _info(pk, art, text, facets, kinds)
            cluster_of[pk] = cluster_id
            candidate_ids.add(pk)
    pool = [infos[i] for i in sorted(own_ids | candidate_ids)]
    found = [c for c in matching.find_conflicts_in_story(pool) if own_ids.intersection(c.claim_ids)]
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


# --- Reviewers' actions on clusters ---------------------------------------------------------------------------


def _require_review(actor: AbstractBaseUser) -> None:
    if not permissions.can_review(actor):
        raise PermissionDenied("You can read claims but not change them.")


def _require_story_edit(actor: AbstractBaseUser) -> None:
    if not actor.has_perm("factcheck.change_story"):
        raise PermissionDenied("Only editors can change stories.")


@transaction.atomic
def claim_split_from_cluster(*, claim_id: int, actor: AbstractBaseUser) -> Claim:
    """Take a claim out of its cluster: a reviewer says it does not state the same thing as the others.

    The claim is pinned from then on (matching never puts it back); the change is in its history with the
    reviewer's name. Raises ValidationError when the claim is not in a cluster.
    """
    _require_review(actor)
    with connection.cursor() as cursor:
        _lock_matching(cursor)
    claim = Claim.objects.select_for_update().get(pk=claim_id)
    if claim.cluster_id is None:
        raise ValidationError("This claim is not in a cluster.")
    with history_context(action="factcheck.claim.cluster_split", user=actor):
        Claim.objects.filter(pk=claim_id).update(cluster=None, updated_at=timezone.now())
    claim.refresh_from_db()
    return claim


@transaction.atomic
def clusters_merge(*, cluster_id: int, other_cluster_id: int, actor: AbstractBaseUser) -> ClaimCluster:
    """Move every claim of `other_cluster_id` into `cluster_id` and delete the emptied cluster.

    Each moved claim gets a history row naming the reviewer, and is pinned (matching never moves it again).
    """
    _require_review(actor)
    if cluster_id == other_cluster_id:
        raise ValidationError("Choose two different clusters to merge.")
    with connection.cursor() as cursor:
        _lock_matching(cursor)
    clusters = {c.pk: c for c in ClaimCluster.objects.select_for_update().filter(pk__in=[cluster_id, other_cluster_id])}
    if len(clusters) != 2:
        raise ValidationError("One of these clusters no longer exists.")
    with history_context(action="factcheck.claim.cluster_merged", user=actor):
        Claim.objects.filter(cluster_id=other_cluster_id).update(cluster_id=cluster_id, updated_at=timezone.now())
        clusters[other_cluster_id].delete()
    return clusters[cluster_id]


@transaction.atomic
def cluster_apply_verdict(*, claim_id: int, actor: AbstractBaseUser, verdict: str, rationale: str = "") -> list[int]:
    """Set `verdict` and `rationale` on every claim of the claim's cluster (the claim included), in one transaction.

    Each claim that changes gets its own history row (one conditional UPDATE per claim, its version raised);
    claims that already carry this verdict and rationale, and claims dismissed as "not a claim", are left
    alone. Returns the ids of the claims changed.
    """
    _require_review(actor)
    rationale = rationale.strip()
    _validate_verdict(verdict, rationale)
    claim = Claim.objects.only("pk", "cluster_id").get(pk=claim_id)
    if claim.cluster_id is None:
        members = list(Claim.objects.select_for_update().filter(pk=claim_id))
    else:
        members = list(Claim.objects.select_for_update().filter(cluster_id=claim.cluster_id).order_by("pk"))
    changed: list[int] = []
    now = timezone.now()
    with history_context(action="factcheck.claim.verdict_applied_to_cluster", user=actor, reason=rationale,
                         source_claim=claim_id):
        for member in members:
            if member.verdict == Verdict.NOT_A_CLAIM and member.pk != claim_id:
                continue
            if member.verdict == verdict and member.rationale == rationale:
                continue
            updated = Claim.objects.filter(pk=member.pk, version=member.version).update(
                verdict=verdict,
                rationale=rationale,
                verdict_by=actor,
                verdict_at=now,
                updated_at=now,
                version=F("version") + 1,
            )
            if updated:
                changed.append(member.pk)
    return changed


# --- Conflicts --------------------------------------------------------------------------------------------


def _close_conflict(conflict_id: int, actor: AbstractBaseUser, note: str, status: str, action: str) -> Conflict:
    _require_review(actor)
    note = note.strip()
    with history_context(action=action, user=actor, reason=note):
        updated = Conflict.objects.filter(pk=conflict_id, status=Conflict.Status.OPEN).update(
            status=status, resolved_by=actor, resolved_at=timezone.now(), resolution_note=note
        )
    conflict = Conflict.objects.select_related("resolved_by").get(pk=conflict_id)
    if not updated:
        who = conflict.resolved_by.get_username() if conflict.resolved_by else "someone"
        raise ValidationError(f"This conflict was already {conflict.get_status_display().lower()} by {who}.")
    return conflict


@transaction.atomic
def conflict_resolve(*, conflict_id: int, actor: AbstractBaseUser, note: str = "") -> Conflict:
    """Mark an open conflict resolved (the disagreement was checked), with a note. Only an open one."""
    return _close_conflict(conflict_id, actor, note, Conflict.Status.RESOLVED, "factcheck.conflict.resolved")


@transaction.atomic
def conflict_dismiss(*, conflict_id: int, actor: AbstractBaseUser, note: str = "") -> Conflict:
    """Dismiss an open conflict as a false alarm, with a note. Matching never reopens it."""
    return _close_conflict(conflict_id, actor, note, Conflict.Status.DISMISSED, "factcheck.conflict.dismissed")


# --- Stories ----------------------------------------------------------------------------------------------


@transaction.atomic
def article_set_story(*, article_id: int, story_id: int | None, actor: AbstractBaseUser) -> Article:
    """Move an article to another story (or out of any story). Matching keeps it there from then on."""
    _require_story_edit(actor)
    article = Article.objects.select_for_update().only("pk", "story_id").get(pk=article_id)
    if story_id is not None and not Story.objects.filter(pk=story_id).exists():
        raise ValidationError("That story no longer exists.")
    now = timezone.now()
    with history_context(action=MANUAL_STORY_ACTION, user=actor):
        Article.objects.filter(pk=article_id).update(story_id=story_id, updated_at=now)
        touched = [s for s in (article.story_id, story_id) if s is not None]
        Story.objects.filter(pk__in=touched).update(updated_at=now)
    article.refresh_from_db()
    return article


@transaction.atomic
def story_rename(*, story_id: int, actor: AbstractBaseUser, title: str) -> Story:
    """Give a story a new title (1 to 500 characters)."""
    _require_story_edit(actor)
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": "Give the story a title."})
    if len(title) > 500:
        raise ValidationError({"title": "Keep the title under 500 characters."})
    with history_context(action=MANUAL_STORY_ACTION, user=actor):
        updated = Story.objects.filter(pk=story_id).update(title=title, updated_at=timezone.now())
    if not updated:
        raise Story.DoesNotExist
    return Story.objects.get(pk=story_id)
