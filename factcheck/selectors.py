"""Reads shared by views, exports and services. Each one runs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Window
from django.db.models.functions import Coalesce, Length, RowNumber
from django.utils import timezone

from factcheck.extraction.kinds import KINDS
from factcheck.levels import LEVELS, calibration
from factcheck.matching.types import ArticleInfo
from factcheck.models import (
    Article, Claim, Conflict, Evidence, ImportBatch, ImportItem, Source, SourceDomain, Verdict,
)
from factcheck.models import Note, Notification
from factcheck.pagination import Order
from factcheck.plans import fetch_with_settings


def domain_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def source_for_url(url: str) -> Source | None:
    """The source owning the most specific domain of `url` (news.example.com before example.com), if any."""
    host = domain_of(url)
    if not host:
        return None
    parts = host.split(".")
    candidates = [".".join(parts[i:]) for i in range(len(parts) - 1)] or [host]
    match = (
        SourceDomain.objects.filter(domain__in=candidates, source__is_active=True)
        .select_related("source")
        .order_by(Length("domain").desc())
        .first()
    )
    return match.source if match else None


def source_name(name: str) -> str:
    """A publisher's name as stored: spacing collapsed, at most the field's length."""
    return " ".join((name or "").split())[:200]


def source_named(name: str) -> Source | None:
    """The source called `name`, case and spacing aside."""
    name = source_name(name)
    return Source.objects.filter(name__iexact=name).first() if name else None


def source_for(*, url: str = "", name: str = "") -> Source | None:
    """The publisher of an article or check: the source owning the URL's domain, else the one of that name."""
    return (url and source_for_url(url)) or source_named(name) or None


# --- Work left behind ---------------------------------------------------------------------------------------


def article_ids_stalled(*, stalled_after: dt.timedelta) -> list[int]:
    """Articles queued or extracting for longer than `stalled_after` (at most 1,000, for one sweep)."""
    cutoff = timezone.now() - stalled_after
    return list(
        Article.objects.filter(
            status__in=[Article.Status.QUEUED, Article.Status.EXTRACTING], status_changed_at__lt=cutoff
        ).values_list("pk", flat=True)[:1000]
    )


# --- Imports ------------------------------------------------------------------------------------------------


def batch_list() -> QuerySet[ImportBatch]:
    return ImportBatch.objects.select_related("created_by", "default_source").order_by("-created_at")


def batch_failed_items(*, batch_id: int, limit: int) -> list[ImportItem]:
    return list(
        ImportItem.objects.filter(batch_id=batch_id, status=ImportItem.Status.FAILED)
        .only("key", "message", "position").order_by("position")[:limit]
    )


def batch_done_items(*, batch_id: int, limit: int) -> list[ImportItem]:
    return list(
        ImportItem.objects.filter(
            batch_id=batch_id, status__in=[ImportItem.Status.IMPORTED, ImportItem.Status.DUPLICATE]
        )
        .select_related("article")
        .only("key", "status", "message", "position", "article__title", "article__status")
        .order_by("position")[:limit]
    )


def batch_pending_item_ids(*, batch_id: int) -> list[int]:
    """A batch's items still to import, in file order."""
    return list(
        ImportItem.objects.filter(batch_id=batch_id, status=ImportItem.Status.PENDING)
        .order_by("position").values_list("pk", flat=True)
    )


def article_list_for_inbox() -> QuerySet[Article]:
    """Articles with their publisher; claim counts by verdict are the article's own counters (one query)."""
    return Article.objects.select_related("source").defer("body", "headings", "search").order_by("-created_at")


# --- Review workspace ---------------------------------------------------------------------------------
# Every read below runs a fixed number of queries, whatever the number of claims or evidence rows.

# Keyset orders of the inbox, each matching an index on Article (the last key is unique).
INBOX_SORTS: dict[str, Order] = {
    "newest": (("created_at", True), ("id", True)),
    "oldest": (("created_at", False), ("id", False)),
    "published": (("published_sort", True), ("id", True)),
    "title": (("title", False), ("id", False)),
    "unreviewed": (("n_unreviewed", True), ("created_at", True), ("id", True)),
}


def web_query(q: str) -> SearchQuery:
    return SearchQuery(q, config="english", search_type="websearch")


def article_list_filtered(
    *,
    status: str = "",
    source_id: int | None = None,
    uploader_id: int | None = None,
    story_id: int | None = None,
    unreviewed_only: bool = False,
    conflicts_only: bool = False,
    checked_only: bool = False,
    q: str = "",
) -> QuerySet[Article]:
    """The inbox: articles with their claim counters, filtered; page it with `INBOX_SORTS` and `keyset_page`.

    Every filter reads a column of the article (its counters included), so each is one index range.
    "Publication date" sorts an undated article by the date it was added.
    """
    qs = article_list_for_inbox().annotate(published_sort=Coalesce("published_at", "created_at"))
    if status in Article.Status.values:
        qs = qs.filter(status=status)
    if source_id:
        qs = qs.filter(source_id=source_id)
    if uploader_id:
        qs = qs.filter(uploaded_by_id=uploader_id)
    if story_id:
        qs = qs.filter(story_id=story_id)
    if unreviewed_only:
        qs = qs.filter(n_unreviewed__gt=0)
    if conflicts_only:
        qs = qs.filter(n_open_conflicts__gt=0)
    if checked_only:
        qs = qs.filter(n_published_checks__gt=0)
    if q.strip():
        qs = qs.filter(search=web_query(q))
    return qs.select_related("uploaded_by")


def article_row(*, article_id: int) -> Article | None:
    """One inbox row (the same columns as the list), for the live status poll."""
    return article_list_filtered().filter(pk=article_id).first()


def inbox_filter_choices() -> dict[str, list]:
    """Publishers and uploaders that have articles, for the inbox filters (two queries, one index probe each)."""
    User = get_user_model()
    return {
        "sources": list(Source.objects.filter(Exists(Article.objects.filter(source=OuterRef("pk")))).order_by("name")),
        "uploaders": list(
            User.objects.filter(Exists(Article.objects.filter(uploaded_by=OuterRef("pk")))).order_by("username")
        ),
    }


def article_for_workspace(*, article_id: int) -> Article:
    """The article with its publisher, uploader and report, if any (one query); raises Article.DoesNotExist."""
    return Article.objects.select_related("source", "uploaded_by", "report").get(pk=article_id)


def _claims_with_review_state() -> QuerySet[Claim]:
    open_conflicts = Conflict.objects.filter(status=Conflict.Status.OPEN, claims=OuterRef("pk"))
    live_evidence = Evidence.objects.filter(claim=OuterRef("pk"), removed_at__isnull=True)
    return Claim.objects.select_related("assignee", "verdict_by").annotate(
        has_conflicts=Exists(open_conflicts),
        n_evidence=Coalesce(
            Subquery(live_evidence.order_by().values("claim").annotate(n=Count("pk")).values("n")[:1]), 0
        ),
    )


def claims_for_article(*, article_id: int, order: str = "position") -> list[Claim]:
    """Every claim of an article, by position in the text or most check-worthy first (one query)."""
    ordering = ("-score", "start") if order == "score" else ("start", "end")
    return list(_claims_with_review_state().filter(article_id=article_id).order_by(*ordering))


def claim_for_panel(*, claim_id: int) -> Claim:
    """A claim with its article (not its text), assignee and last reviewer (one query); raises Claim.DoesNotExist.

    Its evidence and conflicts flags are the panel's to count (`presenters.panel_context`), from the rows it
    shows anyway.
    """
    return (
        Claim.objects.select_related("assignee", "verdict_by", "article", "article__source")
        .defer("article__body", "article__headings", "article__search")
        .get(pk=claim_id)
    )


def claim_evidence(*, claim_id: int) -> list[Evidence]:
    """A claim's evidence, current first then removed, with sources and people (one query)."""
    return list(
        Evidence.objects.filter(claim_id=claim_id)
        .select_related("source", "added_by", "removed_by")
        .order_by(F("removed_at").asc(nulls_first=True), "created_at")
    )


def verdict_counts(claims) -> dict[str, int]:
    """Counts by verdict of already-loaded claims, plus total and reviewed (no query)."""
    counts = {value: 0 for value in Verdict.values}
    for claim in claims:
        counts[claim.verdict] = counts.get(claim.verdict, 0) + 1
    total = sum(counts.values())
    return {**counts, "total": total, "reviewed": total - counts[Verdict.UNREVIEWED]}


def article_verdict_counts(*, article_id: int) -> dict[str, int]:
    """Counts by verdict of an article's claims, plus total and reviewed (one query)."""
    rows = Claim.objects.filter(article_id=article_id).order_by().values("verdict").annotate(n=Count("pk"))
    counts = {value: 0 for value in Verdict.values}
    for row in rows:
        counts[row["verdict"]] = row["n"]
    total = sum(counts.values())
    return {**counts, "total": total, "reviewed": total - counts[Verdict.UNREVIEWED]}


def reviewers() -> list:
    """Everyone who can review claims (fact-checkers and editors, and superusers), by name (one query)."""
    User = get_user_model()
    perm = Q(groups__permissions__codename="review_claim", groups__permissions__content_type__app_label="factcheck")
    return list(User.objects.filter(is_active=True).filter(perm | Q(is_superuser=True)).distinct().order_by("username"))


QUEUE_ORDER: Order = (("score", True), ("id", True))


def claim_queue(**filters) -> QuerySet[Claim]:
    """Claims across articles, narrowed by `claims_filtered`'s filters; page it with `QUEUE_ORDER` (most
    check-worthy first) and `keyset_page`. `assignee` is a user id, "me" or "none"."""
    qs = claims_filtered(_claims_with_review_state().select_related("article", "article__source"), **filters)
    return qs.defer("article__body", "article__headings", "article__search", "search", "embedding", "match_keys")


def claims_filtered(
    qs: QuerySet[Claim],
    *,
    verdict: str = "",
    kind: str = "",
    assignee: str = "",
    user=None,
    source_id: int | None = None,
    article_id: int | None = None,
    date_from=None,
    date_to=None,
    checked_only: bool = False,
    level: str = "",
) -> QuerySet[Claim]:
    """`qs` narrowed by the claims queue's filters (the queue page and its exports share them)."""
    if verdict == "open":
        qs = qs.filter(verdict=Verdict.UNREVIEWED)
    elif verdict in Verdict.values:
        qs = qs.filter(verdict=verdict)
    if kind:
        qs = qs.filter(kinds__contains=[kind])
    if assignee == "me" and user is not None:
        qs = qs.filter(assignee=user)
    elif assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee.isdigit():
        qs = qs.filter(assignee_id=int(assignee))
    if source_id:
        qs = qs.filter(article__source_id=source_id)
    if article_id:
        qs = qs.filter(article_id=article_id)
    # Whole days in the site's time zone, as bounds on the column (a cast of the column would defeat indexes).
    if date_from:
        qs = qs.filter(article__published_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(article__published_at__lt=_day_start(date_to + dt.timedelta(days=1)))
    if checked_only:
        qs = qs.filter(has_published_check=True)
    if level in LEVELS:
        # A level is a score range: with the queue's order it is a range scan of claim_score_idx (or of
        # claim_verdict_idx under a verdict filter).
        lowest, above = calibration().score_range(level)
        if lowest is not None:
            qs = qs.filter(score__gte=lowest)
        if above is not None:
            qs = qs.filter(score__lt=above)
    return qs


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def queue_filter_choices() -> dict[str, list]:
    """Publishers with claims and the claim kinds, for the queue filters (one query, an index probe per source)."""
    with_claims = Article.objects.filter(source=OuterRef("pk"), n_claims__gt=0)
    return {
        "sources": list(Source.objects.filter(Exists(with_claims)).order_by("name")),
        "kinds": sorted(KINDS),
    }


# Private-use characters mark matches in SearchHeadline output, so the text can be escaped before marking.
HEADLINE_START = "\ue000"
HEADLINE_STOP = "\ue001"


def _headline(field: str, query: SearchQuery, *, words: int = 35, whole: bool = False) -> SearchHeadline:
    if whole:  # short texts (a claim, a title): all of it, every match marked
        return SearchHeadline(
            field, query, config="english", start_sel=HEADLINE_START, stop_sel=HEADLINE_STOP, highlight_all=True
        )
    return SearchHeadline(
        field,
        query,
        config="english",
        start_sel=HEADLINE_START,
        stop_sel=HEADLINE_STOP,
        max_words=words,
        min_words=max(5, words // 3),
        max_fragments=2,
        fragment_delimiter=" … ",
    )


# Ranking is bounded. No index gives both "matches the words" and "most check-worthy first" (or "newest first"), so
# the candidates are found in two bounded reads: the matches among the first SEARCH_SCAN rows in that order (one
# range of its index: enough for a common word), and, when those are fewer than a page, the first
# SEARCH_CANDIDATES matches the word index finds (a rare word: all its matches). Only the candidates are ranked by
# relevance, and headlines are made for the rows shown.
SEARCH_SCAN = 5000
SEARCH_CANDIDATES = 1000

_CANDIDATES_IN_ORDER_SQL = """
SELECT top.id, ts_rank(top.search, q), top.sort_key
FROM (SELECT id, search, {key} AS sort_key FROM {table} ORDER BY {key} DESC, id DESC LIMIT %(scan)s) AS top,
     websearch_to_tsquery('english', %(q)s) AS q
WHERE top.search @@ q
"""
_CANDIDATES_BY_WORDS_SQL = """
SELECT id, ts_rank(search, q), {key}
FROM {table}, websearch_to_tsquery('english', %(q)s) AS q
WHERE search @@ q
LIMIT %(limit)s
"""


def _ranked(qs: QuerySet, q: str, *, key: str, limit: int) -> list:
    """The `limit` best-ranked rows of `qs` matching `q`, among the candidates described above; ties go to the
    higher `key` (two or three queries)."""
    params = {"q": q, "scan": SEARCH_SCAN, "limit": SEARCH_CANDIDATES}
    table = qs.model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(_CANDIDATES_IN_ORDER_SQL.format(table=table, key=key), params)
        found = {pk: (rank, sort_key) for pk, rank, sort_key in cursor.fetchall()}
        if len(found) < limit:
            # Only the word index may serve this read (a planner misled by a word's estimated frequency could
            # otherwise walk the whole table looking for it).
            with transaction.atomic():  # transaction-local settings need a transaction
                rows = fetch_with_settings(cursor, _CANDIDATES_BY_WORDS_SQL.format(table=table, key=key), params,
                                           enable_seqscan="off", enable_indexscan="off")
            found.update({pk: (rank, sort_key) for pk, rank, sort_key in rows})
    best = sorted(found, key=lambda pk: (found[pk][0], found[pk][1], pk), reverse=True)[:limit]
    rows = {row.pk: row for row in qs.filter(pk__in=best)}
    return [rows[pk] for pk in best if pk in rows]


def search_claims(*, q: str, limit: int = 50) -> list[Claim]:
    """Claims whose text or rationale match `q`, best first, with highlighted headlines (two to four queries)."""
    query = web_query(q)
    qs = (
        Claim.objects.annotate(
            text_headline=_headline("text", query, whole=True),
            rationale_headline=_headline("rationale", query, words=20),
        )
        .select_related("article", "article__source", "assignee")
        .defer("article__body", "article__headings", "article__search", "search", "embedding", "match_keys")
    )
    return _ranked(qs, q, key="score", limit=limit)


def search_articles(*, q: str, limit: int = 20) -> list[Article]:
    """Articles whose title or body match `q`, best first, with highlighted headlines (two to four queries)."""
    query = web_query(q)
    qs = (
        Article.objects.annotate(
            title_headline=_headline("title", query, whole=True),
            body_headline=_headline("body", query),
        )
        .select_related("source")
        .defer("body", "headings", "search")
    )
    return _ranked(qs, q, key="created_at", limit=limit)


# --- Across articles: clusters, conflicts, stories ------------------------------------------------------------
# Every read below runs a fixed number of queries, whatever the size of the cluster or the story.

from collections import Counter as _Counter  # noqa: E402
from dataclasses import dataclass as _dataclass, field as _field  # noqa: E402

from django.db.models import Prefetch  # noqa: E402

from factcheck.models import ClusterMerge, Story  # noqa: E402

_REVIEWED = (Verdict.VERIFIED, Verdict.DISPUTED, Verdict.FALSE)


@_dataclass
class VerdictSuggestion:
    """What reviewed claims of a cluster say: the most frequent verdict, its latest rationale, their evidence."""

    verdict: str
    label: str
    rationale: str
    n_claims: int  # how many reviewed siblings gave this verdict
    disagreement: bool  # reviewed siblings gave different verdicts
    from_claims: list = _field(default_factory=list)
    evidence: list = _field(default_factory=list)


@_dataclass
class ClaimSiblings:
    """The other claims of a claim's cluster, with their article, outlet and verdict, and a suggested verdict."""

    claim: Claim
    members: list  # Claim, with .article and .article.source loaded, claim itself excluded
    n_articles: int
    suggestion: VerdictSuggestion | None
    cluster_id: int | None

    def __bool__(self) -> bool:
        return bool(self.members)


def _suggest(members: list[Claim], evidence: list[Evidence]) -> VerdictSuggestion | None:
    reviewed = [m for m in members if m.verdict in _REVIEWED]
    if not reviewed:
        return None
    counts = _Counter(m.verdict for m in reviewed)
    # Most frequent verdict; a tie goes to the most severe (false over disputed over verified).
    severity = {Verdict.FALSE: 3, Verdict.DISPUTED: 2, Verdict.VERIFIED: 1}
    verdict = max(counts, key=lambda v: (counts[v], severity[v]))
    agreeing = sorted((m for m in reviewed if m.verdict == verdict),
                      key=lambda m: (m.verdict_at is not None, m.verdict_at), reverse=True)
    rationale = next((m.rationale for m in agreeing if m.rationale), "")
    ids = {m.pk for m in agreeing}
    return VerdictSuggestion(
        verdict=verdict,
        label=Verdict(verdict).label,
        rationale=rationale,
        n_claims=len(agreeing),
        disagreement=len(counts) > 1,
        from_claims=agreeing,
        evidence=[e for e in evidence if e.claim_id in ids],
    )


def claim_siblings(*, claim: Claim) -> ClaimSiblings:
    """The claim's cluster siblings (other claims stating the same thing) and a suggested verdict (two queries).

    Siblings are ordered by article; the suggestion is the verdict most reviewed siblings gave, with the latest
    rationale and the live evidence of the siblings that gave it.
    """
    if claim.cluster_id is None:
        return ClaimSiblings(claim=claim, members=[], n_articles=0, suggestion=None, cluster_id=None)
    members = list(
        Claim.objects.filter(cluster_id=claim.cluster_id)
        .exclude(pk=claim.pk)
        .exclude(verdict=Verdict.NOT_A_CLAIM)
        .select_related("article", "article__source", "verdict_by")
        .defer("article__body", "article__headings")
        .order_by("article__published_at", "article_id", "start")
    )
    reviewed_ids = [m.pk for m in members if m.verdict in _REVIEWED]
    evidence = (
        list(
            Evidence.objects.filter(claim_id__in=reviewed_ids, removed_at__isnull=True)
            .select_related("source")
            .order_by("claim_id", "created_at")
        )
        if reviewed_ids
        else []
    )
    return ClaimSiblings(
        claim=claim,
        members=members,
        n_articles=len({m.article_id for m in members if m.article_id != claim.article_id}),
        suggestion=_suggest(members, evidence),
        cluster_id=claim.cluster_id,
    )


def _conflict_claims_prefetch() -> Prefetch:
    return Prefetch(
        "claims",
        queryset=Claim.objects.select_related("article", "article__source")
        .defer("article__body", "article__headings")
        .order_by("pk"),
    )


def claim_conflicts(*, claim: Claim, include_closed: bool = False) -> list[Conflict]:
    """Conflicts the claim is part of (open ones unless `include_closed`), each with the claims that disagree,
    their articles and outlets (two queries)."""
    qs = Conflict.objects.filter(claims=claim.pk)
    if not include_closed:
        qs = qs.filter(status=Conflict.Status.OPEN)
    return list(qs.select_related("resolved_by").prefetch_related(_conflict_claims_prefetch()).order_by("kind", "pk"))


STORY_ORDER: Order = (("updated_at", True), ("id", True))


def story_list() -> QuerySet[Story]:
    """Stories with their article count, claim count and open conflicts; page it with STORY_ORDER and
    `keyset_page` (one query). The counts are subqueries run for the rows of the page only, from the articles'
    own counters; open conflicts are looked for only in articles that have some."""
    articles = Article.objects.filter(story=OuterRef("pk")).order_by().values("story")
    open_conflicts = Conflict.objects.filter(
        status=Conflict.Status.OPEN, claims__article__story=OuterRef("pk"), claims__article__n_open_conflicts__gt=0
    )
    return Story.objects.annotate(
        n_articles=Coalesce(Subquery(articles.annotate(n=Count("pk")).values("n")), 0),
        n_claims=Coalesce(Subquery(articles.annotate(n=Sum("n_claims")).values("n")), 0),
        n_open_conflicts=Coalesce(
            Subquery(open_conflicts.order_by().values("status").annotate(n=Count("pk", distinct=True)).values("n")),
            0,
        ),
    )


@_dataclass
class StoryRow:
    """One distinct claim of a story: a cluster, or a claim no other article states."""

    key: str  # "cluster-<id>" or "claim-<id>", stable, for element ids
    cluster_id: int | None
    claims: list  # the first STORY_MEMBERS_SHOWN claims, with .article and .article.source, in article order
    verdicts: dict  # verdict label -> count, over all the row's claims in the story
    conflicts: list  # the first STORY_CONFLICTS_SHOWN open Conflict rows touching the row's claims, by kind
    representative: Claim = None  # type: ignore[assignment]
    n_claims: int = 0  # all the row's claims in the story
    n_sources: int = 0  # articles of the story stating it
    n_conflicts: int = 0  # open conflicts touching the row's claims (the first few are in `conflicts`)
    verdict_items: list = _field(default_factory=list)  # (value, label, count) of each verdict the row has

    @property
    def n_hidden(self) -> int:
        return self.n_claims - len(self.claims)

    @property
    def n_hidden_conflicts(self) -> int:
        return self.n_conflicts - len(self.conflicts)


@_dataclass
class StoryOverview:
    story: Story
    articles: list  # the first STORY_ARTICLES_SHOWN, by publication date
    n_articles: int
    rows: list  # StoryRow of this page: stated by most articles first, then by contradictions and score
    n_rows: int  # distinct claims in the whole story that `show` keeps
    n_open_conflicts: int  # in the whole story
    page: int
    n_pages: int
    other_stories: list
    show: str = "all"  # one of STORY_FILTERS
    n_all_rows: int | None = None  # distinct claims in the whole story, whatever `show` (None: none shown)


STORY_ROWS_PER_PAGE = 30
STORY_MEMBERS_SHOWN = 8  # claims listed per row; the claim panel lists them all
STORY_ARTICLES_SHOWN = 20

# One row per distinct claim of the story (a cluster, or a claim in no cluster), in the order the page shows them,
# with its counts and the total: the story's claims are grouped in the database, and only a page of groups comes
# back. The cost is one pass over the story's claims, whatever the rest of the data.
_STORY_GROUPS_SQL = """
WITH story_claims AS (
    SELECT c.id, c.cluster_id, c.article_id, c.score, c.verdict,
           c.verdict IN ('verified', 'disputed', 'false') AS reviewed
    FROM factcheck_claim c JOIN factcheck_article a ON a.id = c.article_id
    WHERE a.story_id = %(story)s AND c.verdict <> 'not_claim'
), open_links AS (
    SELECT cc.claim_id, count(*) AS n
    FROM factcheck_conflict_claims cc
    JOIN factcheck_conflict k ON k.id = cc.conflict_id AND k.status = 'open'
    JOIN story_claims sc ON sc.id = cc.claim_id
    GROUP BY cc.claim_id
), groups AS (
    SELECT coalesce(sc.cluster_id, -sc.id) AS key,
           count(*) AS n_claims,
           count(DISTINCT sc.article_id) AS n_sources,
           coalesce(sum(ol.n), 0) AS n_conflict_links,
           (array_agg(sc.id ORDER BY sc.reviewed DESC, sc.score DESC, sc.id))[1] AS representative,
           max(sc.score) FILTER (WHERE sc.reviewed) AS reviewed_score,
           max(sc.score) AS score,
           count(*) FILTER (WHERE sc.verdict = 'unreviewed') AS n_unreviewed,
           count(*) FILTER (WHERE sc.verdict = 'verified') AS n_verified,
           count(*) FILTER (WHERE sc.verdict = 'disputed') AS n_disputed,
           count(*) FILTER (WHERE sc.verdict = 'false') AS n_false
    FROM story_claims sc LEFT JOIN open_links ol ON ol.claim_id = sc.id
    GROUP BY 1
), counted AS (
    SELECT *, count(*) OVER () AS n_all_rows FROM groups
)
SELECT key, n_claims, n_sources, representative, n_unreviewed, n_verified, n_disputed, n_false, n_all_rows,
       count(*) OVER () AS n_rows
FROM counted
WHERE %(show)s = 'all' OR (%(show)s = 'contradictions' AND n_conflict_links > 0)
      OR (%(show)s = 'unreviewed' AND n_unreviewed > 0)
ORDER BY n_sources DESC, n_conflict_links DESC, coalesce(reviewed_score, score) DESC, representative
LIMIT %(limit)s OFFSET %(offset)s
"""
_STORY_VERDICTS = (Verdict.UNREVIEWED, Verdict.VERIFIED, Verdict.DISPUTED, Verdict.FALSE)
STORY_CONFLICTS_SHOWN = 5
_STORY_ROW_CONFLICTS_SQL = """
WITH links AS (
    SELECT DISTINCT coalesce(c.cluster_id, -c.id) AS key, k.id, k.kind
    FROM factcheck_claim c
    JOIN factcheck_article a ON a.id = c.article_id AND a.story_id = %(story)s
    JOIN factcheck_conflict_claims cc ON cc.claim_id = c.id
    JOIN factcheck_conflict k ON k.id = cc.conflict_id AND k.status = 'open'
    WHERE (c.cluster_id = ANY(%(clusters)s) OR c.id = ANY(%(claims)s)) AND c.verdict <> 'not_claim'
)
SELECT key, id, n
FROM (SELECT key, id, kind, row_number() OVER (PARTITION BY key ORDER BY kind, id) AS position,
             count(*) OVER (PARTITION BY key) AS n
      FROM links) AS ranked
WHERE position <= %(shown)s
ORDER BY key, kind, id
"""


# What the story page can be narrowed to: every distinct claim, those with an open contradiction, those with a
# claim nobody reviewed yet.
STORY_FILTERS = {"all": "All claims", "contradictions": "With contradictions", "unreviewed": "Not yet reviewed"}


def article_outlet(article: Article) -> str:
    """How a list names where an article comes from: its publisher, else its web address's domain, else its title."""
    if article.source_id and article.source:
        return article.source.name
    return domain_of(article.url) if article.url else article.title


def story_overview(*, story: Story, page: int = 1, show: str = "all") -> StoryOverview:
    """A page of the story's distinct claims — one row per cluster or unclustered claim — with their sources,
    verdicts and open contradictions, the first claims and conflicts of each, and the story's first articles
    (nine queries whatever the size of the story; the Python work grows with the rows shown, not with the story)."""
    articles = list(
        Article.objects.filter(story=story).select_related("source").defer("body", "headings", "search")
        .order_by(Coalesce("published_at", "created_at"), "pk")[:STORY_ARTICLES_SHOWN]
    )
    for article in articles:
        article.outlet = article_outlet(article)
    n_articles = Article.objects.filter(story=story).count()
    page = max(1, page)
    show = show if show in STORY_FILTERS else "all"
    with connection.cursor() as cursor:
        cursor.execute(_STORY_GROUPS_SQL, {"story": story.pk, "limit": STORY_ROWS_PER_PAGE, "show": show,
                                           "offset": (page - 1) * STORY_ROWS_PER_PAGE})
        found = cursor.fetchall()
    n_rows = found[0][-1] if found else 0
    n_all_rows = found[0][-2] if found else None
    keys = [row[0] for row in found]
    cluster_ids = [key for key in keys if key > 0]
    single_ids = [-key for key in keys if key < 0]
    representatives = [row[3] for row in found]
    # The first claims of each row in article order, and every row's representative.
    in_order = ["article__published_at", "article_id", "start"]
    claims = list(
        Claim.objects.filter(article__story=story)
        .filter(Q(cluster_id__in=cluster_ids) | Q(pk__in=single_ids))
        .exclude(verdict=Verdict.NOT_A_CLAIM)
        .annotate(position=Window(RowNumber(), partition_by=[Coalesce("cluster_id", -F("id"))], order_by=in_order))
        .filter(Q(position__lte=STORY_MEMBERS_SHOWN) | Q(pk__in=representatives))
        .select_related("article", "article__source", "verdict_by")
        .defer("article__body", "article__headings", "article__search", "search", "embedding", "match_keys")
        .order_by(*in_order)
    ) if keys else []
    by_key: dict[int, list[Claim]] = {key: [] for key in keys}
    for claim in claims:
        by_key[claim.cluster_id if claim.cluster_id in by_key else -claim.pk].append(claim)
    # The first STORY_CONFLICTS_SHOWN open conflicts of each row, and how many it has.
    shown_conflicts: list[tuple[int, int, int]] = []
    if keys:
        with connection.cursor() as cursor:
            cursor.execute(_STORY_ROW_CONFLICTS_SQL, {"story": story.pk, "clusters": cluster_ids,
                                                      "claims": single_ids, "shown": STORY_CONFLICTS_SHOWN})
            shown_conflicts = cursor.fetchall()
    conflicts = {
        c.pk: c for c in Conflict.objects.filter(pk__in={pk for _, pk, _ in shown_conflicts})
        .prefetch_related(_conflict_claims_prefetch())
    }
    conflicts_of: dict[int, list[Conflict]] = {key: [] for key in keys}
    n_conflicts_of: dict[int, int] = {}
    for key, pk, n in shown_conflicts:
        conflicts_of[key].append(conflicts[pk])
        n_conflicts_of[key] = n
    n_open_conflicts = (
        Conflict.objects.filter(
            status=Conflict.Status.OPEN, claims__article__story=story, claims__article__n_open_conflicts__gt=0
        ).distinct().count()
    )
    rows = []
    for key, n_claims, n_sources, representative_id, *counts, _n_all, _n in found:
        members = by_key[key]
        representative = next((c for c in members if c.pk == representative_id), None)
        if representative is None:  # changed between the two reads
            continue
        shown = [c for c in members if c.position <= STORY_MEMBERS_SHOWN]
        for claim in shown:
            claim.outlet = article_outlet(claim.article)
        verdicts = {Verdict(v).label: n for v, n in zip(_STORY_VERDICTS, counts) if n}
        rows.append(StoryRow(
            key=f"cluster-{key}" if key > 0 else f"claim-{-key}", cluster_id=key if key > 0 else None,
            claims=shown, verdicts=verdicts, conflicts=conflicts_of[key], representative=representative,
            n_claims=n_claims, n_sources=n_sources, n_conflicts=n_conflicts_of.get(key, 0),
            verdict_items=[(v.value, v.label, n) for v, n in zip(_STORY_VERDICTS, counts) if n],
        ))
    others = list(Story.objects.exclude(pk=story.pk).order_by("-updated_at", "-pk").only("pk", "title")[:200])
    return StoryOverview(
        story=story, articles=articles, n_articles=n_articles, rows=rows, n_rows=n_rows,
        n_open_conflicts=n_open_conflicts, page=page, n_pages=max(1, -(-n_rows // STORY_ROWS_PER_PAGE)),
        other_stories=others, show=show, n_all_rows=n_all_rows,
    )


def articles_for_export(
    *, article_id: int | None = None, story_id: int | None = None, claims_filter: QuerySet[Claim] | None = None
) -> QuerySet[Article]:
    """Articles with their publisher, claims, each claim's evidence (with sources) and its conflicts (with the
    ids of the claims involved; dismissed ones left out) — five queries per chunk when iterated with a
    chunk size, whatever the number of claims.

    With `claims_filter` (a Claim queryset narrowed by filters, e.g. `claims_filtered`), only the articles with
    a claim it selects, each with those claims only."""
    conflicts = Conflict.objects.exclude(status=Conflict.Status.DISMISSED).order_by("kind", "pk").prefetch_related(
        Prefetch("claims", queryset=Claim.objects.only("pk").order_by("pk"))
    )
    claims = (Claim.objects.all() if claims_filter is None else claims_filter).order_by("start", "end")
    claims = claims.prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.select_related("source").order_by("created_at", "pk")),
        Prefetch("conflicts", queryset=conflicts),
    )
    qs = Article.objects.select_related("source").defer("headings").order_by("pk")
    if claims_filter is not None:
        qs = qs.filter(Exists(claims_filter.filter(article_id=OuterRef("pk"))))
    if article_id is not None:
        qs = qs.filter(pk=article_id)
    if story_id is not None:
        qs = qs.filter(story_id=story_id)
    return qs.prefetch_related(Prefetch("claims", queryset=claims))


def claims_with_review_state(*, claim_ids: list[int], article_id: int) -> list[Claim]:
    """The claims among `claim_ids` that belong to `article_id`, annotated as the article's claim list is
    (live evidence, open conflicts), for updating their rows after a cluster action (one query, none if empty)."""
    if not claim_ids:
        return []
    return list(_claims_with_review_state().filter(pk__in=claim_ids, article_id=article_id).order_by("start", "end"))


def clusters_for_merge(*, cluster_id: int, other_cluster_id: int) -> dict[int, list[Claim]]:
    """The claims of two clusters, each with its article and outlet, by article (one query): what a reviewer
    confirms before merging them."""
    found: dict[int, list[Claim]] = {cluster_id: [], other_cluster_id: []}
    claims = (
        Claim.objects.filter(cluster_id__in=[cluster_id, other_cluster_id])
        .select_related("article", "article__source", "verdict_by")
        .defer("article__body", "article__headings", "embedding", "match_keys")
        .order_by("article__published_at", "article_id", "start")
    )
    for claim in claims:
        found[claim.cluster_id].append(claim)
    return found


def cluster_merges_open(*, cluster_ids: list[int]) -> dict[int, list]:
    """Merges into these clusters that are not undone, newest first, with who merged (one query, none if empty):
    what the Undo buttons offer."""
    ids = [pk for pk in cluster_ids if pk]
    if not ids:
        return {}
    merges: dict[int, list] = {}
    for merge in ClusterMerge.objects.filter(into_cluster_id__in=ids, undone_at__isnull=True).select_related("merged_by"):
        merges.setdefault(merge.into_cluster_id, []).append(merge)
    return merges


# --- Published fact-checks offered on a claim ------------------------------------------------------------------

from django.db.models import Case, IntegerField, Value, When, Window  # noqa: E402

from factcheck.models import CheckOffer  # noqa: E402

CHECK_OFFERS_SHOWN = 3
CHECK_OFFERS_HIDDEN_SHOWN = 20


@_dataclass
class ClaimCheckOffers:
    """What the "Previously fact-checked" panel shows: up to three offers nobody rejected, strongest first, split
    into strong ("already checked") and possible ones; how many were rejected; the rejected ones when asked."""

    strong: list[CheckOffer]
    possible: list[CheckOffer]
    n_hidden: int
    hidden: list[CheckOffer] | None = None  # None: not asked for

    @property
    def shown(self) -> list[CheckOffer]:
        return [*self.strong, *self.possible]

    @property
    def first_open(self) -> CheckOffer | None:
        """The offer the keyboard acts on: the first one nobody has decided on yet."""
        return next((offer for offer in self.shown if offer.status == CheckOffer.Status.OFFERED), None)


def _check_offers_base() -> QuerySet[CheckOffer]:
    return CheckOffer.objects.select_related("published_check", "published_check__publisher", "decided_by").defer(
        "published_check__raw", "published_check__embedding", "published_check__match_keys",
        "published_check__description",
    )


def claim_check_offers(*, claim_id: int, include_hidden: bool = False) -> ClaimCheckOffers:
    """The published checks offered on a claim (one query; two with the rejected ones).

    Rejected offers sort last and a window counts them before the limit, so one bounded query gives both the
    offers to show and how many are hidden, however many offers the claim has.
    """
    rejected = Q(status=CheckOffer.Status.REJECTED)
    rows = list(
        _check_offers_base()
        .filter(claim_id=claim_id)
        .annotate(
            n_rejected=Window(Count("pk", filter=rejected)),
            rejected_last=Case(When(rejected, then=Value(1)), default=Value(0), output_field=IntegerField()),
            strong_first=Case(
                When(band=CheckOffer.Band.STRONG, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
        )
        .order_by("rejected_last", "strong_first", "-score", "pk")[:CHECK_OFFERS_SHOWN]
    )
    shown = [offer for offer in rows if offer.status != CheckOffer.Status.REJECTED]
    hidden = None
    if include_hidden:
        hidden = list(_check_offers_base().filter(rejected, claim_id=claim_id).order_by("-decided_at", "-pk")
                      [:CHECK_OFFERS_HIDDEN_SHOWN])
    return ClaimCheckOffers(
        strong=[offer for offer in shown if offer.band == CheckOffer.Band.STRONG],
        possible=[offer for offer in shown if offer.band != CheckOffer.Band.STRONG],
        n_hidden=rows[0].n_rejected if rows else 0,
        hidden=hidden,
    )


# --- Notes and notifications ---------------------------------------------------------------------------

# A claim's panel shows its newest notes, up to this many (a claim argued over at length stays bounded).
NOTES_SHOWN = 200
NOTIFICATION_ORDER: Order = (("created_at", True), ("id", True))


def claim_notes(*, claim_id: int, limit: int = NOTES_SHOWN) -> list:
    """The claim's newest `limit` notes as threads, oldest first: each note without a parent, with
    `.thread_replies` (one query, the authors joined). A reply whose note is older than the window heads a thread
    of its own."""
    notes = list(
        Note.objects.filter(claim_id=claim_id).select_related("author").order_by("-created_at", "-id")[:limit]
    )
    notes.reverse()
    shown = {note.pk for note in notes}
    replies: dict[int, list] = {}
    for note in notes:
        if note.parent_id in shown:
            replies.setdefault(note.parent_id, []).append(note)
    threads = [note for note in notes if note.parent_id not in shown]
    for note in threads:
        note.thread_replies = replies.get(note.pk, [])
    return threads


def notification_list(*, user) -> QuerySet:
    """The user's notifications, newest first, with what their links need (for `keyset_page`)."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("claim", "actor")
        .only(
            "pk", "kind", "text", "created_at", "read_at", "claim_id", "note_id", "batch_id", "check_import_id",
            "claim__article_id", "actor__username",
        )
    )


def notifications_unread_count(*, user) -> int:
    """Unread notifications of the user: one count, from the partial index of unread rows."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


MENTION_SUGGESTIONS = 8


def workspace_members() -> QuerySet:
    """Active people who can see claims (any role, or superusers): whom a note can mention."""
    sees_claims = Q(
        groups__permissions__codename="view_claim", groups__permissions__content_type__app_label="factcheck"
    ) | Q(is_superuser=True)
    return get_user_model().objects.filter(is_active=True).filter(sees_claims).distinct()


def people_to_mention(*, prefix: str) -> list[str]:
    """Usernames of workspace members starting with `prefix`, alphabetically (one query, on the username's pattern
    index)."""
    field_name = get_user_model().USERNAME_FIELD
    return list(
        workspace_members().filter(**{f"{field_name}__startswith": prefix})
        .order_by(field_name).values_list(field_name, flat=True)[:MENTION_SUGGESTIONS]
    )
# --- Contradictions grouped for the claim panel ---------------------------------------------------------------


@_dataclass
class ConflictGroup:
    """Open contradictions of one claim that say the same thing (same kind, same values) against other articles:
    shown once, with every other claim that states the other value, and closed together."""

    kind_label: str
    values: list
    explanation: str
    conflicts: list  # Conflict rows, the first one first
    others: list  # the other claims, each once, in the order their conflicts came

    @property
    def first(self) -> Conflict:
        return self.conflicts[0]

    @property
    def also_ids(self) -> list[int]:
        return [c.pk for c in self.conflicts[1:]]


def conflict_groups(conflicts: list[Conflict], *, claim_id: int | None) -> list[ConflictGroup]:
    """Group contradictions (claims prefetched) by kind and values, ignoring case, spacing and order: six articles
    that each say "did not respond" against this claim's "denied" are one group. `others` leaves out `claim_id`
    (the claim whose panel it is; None keeps every claim). No query."""
    groups: dict[tuple, ConflictGroup] = {}
    for conflict in conflicts:
        values = sorted({" ".join(str(v).split()).casefold() for v in conflict.values or ()})
        key = (conflict.kind, tuple(values))
        group = groups.get(key)
        if group is None:
            group = groups[key] = ConflictGroup(
                kind_label=conflict.get_kind_display(), values=list(conflict.values or ()),
                explanation=conflict.explanation, conflicts=[], others=[])
        group.conflicts.append(conflict)
        seen = {c.pk for c in group.others}
        group.others.extend(c for c in conflict.claims.all() if c.pk != claim_id and c.pk not in seen)
    return list(groups.values())


# --- A story grouped by article -------------------------------------------------------------------------------

STORY_ARTICLE_CLAIMS_SHOWN = 30  # claims listed per article on the story page; the article page has them all


def story_by_article(*, story: Story, show: str = "all") -> list[Article]:
    """The story's first STORY_ARTICLES_SHOWN articles by publication date that `show` keeps (STORY_FILTERS, read
    from the articles' own counters), each with `.outlet` and `.claims_shown`: its first STORY_ARTICLE_CLAIMS_SHOWN
    claims in text order that `show` keeps, each with `.has_conflicts` (two queries)."""
    articles_qs = Article.objects.filter(story=story)
    claims_qs = Claim.objects.exclude(verdict=Verdict.NOT_A_CLAIM).annotate(
        has_conflicts=Exists(Conflict.objects.filter(status=Conflict.Status.OPEN, claims=OuterRef("pk"))))
    if show == "contradictions":
        articles_qs, claims_qs = articles_qs.filter(n_open_conflicts__gt=0), claims_qs.filter(has_conflicts=True)
    elif show == "unreviewed":
        articles_qs, claims_qs = articles_qs.filter(n_unreviewed__gt=0), claims_qs.filter(verdict=Verdict.UNREVIEWED)
    articles = list(
        articles_qs.select_related("source").defer("body", "headings", "search")
        .order_by(Coalesce("published_at", "created_at"), "pk")[:STORY_ARTICLES_SHOWN]
    )
    by_article: dict[int, list[Claim]] = {a.pk: [] for a in articles}
    if articles:
        claims = (
            claims_qs.filter(article_id__in=list(by_article))
            .annotate(position=Window(RowNumber(), partition_by=[F("article_id")], order_by=["start", "end"]))
            .filter(position__lte=STORY_ARTICLE_CLAIMS_SHOWN)
            .only("pk", "article_id", "start", "end", "text", "verdict", "score")
            .order_by("article_id", "start", "end")
        )
        for claim in claims:
            by_article[claim.article_id].append(claim)
    for article in articles:
        article.outlet = article_outlet(article)
        article.claims_shown = by_article[article.pk]
    return articles


# --- What a matching run reads (services/matching.py decides with factcheck.matching and writes) ----------------

# Claims read per blocking key, and candidates kept per claim of the article. A claim close to another shares
# several of its LSH bands, so it is met through several keys even when each key's bucket holds more claims than
# are read.
SHORTLIST_PER_KEY = 8
SHORTLIST_PER_CLAIM = 12

# Each claim's lookup keys as (claim, key) pairs; each distinct key joined LATERAL to its own lookup in the GIN index
# claim_match_keys_gin, which stops after `limit` rows (in table order): one round trip, planned once. The database
# then counts, per claim of the article, how many of its keys found each candidate and returns the `per_claim`
# candidates found by the most keys: a few hundred rows, however many the lookups met (returning every hit with
# its key array cost more than the lookups themselves from a million claims on).
#
# A key known only at run time can't be estimated from the column's element statistics: the planner assumes
# 0.5% of the claims hold it, and from a few million claims on would rather read the table from the start until
# `limit` rows turn up (for a rare key, the whole table). So the statement runs with sequential scans switched
# off (`shortlist_run`), which leaves the index, the only other way to find a key, whatever the table's size; and
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
    or an EXPLAIN of it, with `shortlist_run`)."""
    pairs = sorted({(int(owner), key) for owner, keys in lookup.items() for key in keys})
    params = {"owners": [o for o, _ in pairs], "keys": [k for _, k in pairs], "article": int(article_id),
              "verdict": str(Verdict.NOT_A_CLAIM), "limit": int(limit), "per_claim": int(per_claim)}
    return _SHORTLIST_SQL, params


def shortlist_run(cursor, query: str, params: dict) -> list[tuple]:
    """Run the shortlist statement (or an EXPLAIN of it) with sequential scans and JIT off, and return its rows
    (the settings put back after, see `fetch_with_settings`)."""
    return fetch_with_settings(cursor, query, params, enable_seqscan="off", jit="off")


def claims_shortlist(
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
        rows = shortlist_run(cursor, query, params)
    ranked: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for owner, pk, shared in rows:
        ranked[owner].append((pk, shared))
    return dict(ranked)


# What a run reads of each claim it looks at, its article's story included (for the story and for conflicts). A
# plain cursor hands the facets over as jsonb text, decoded only for claims the run has not read yet (the ORM
# decodes every row).
_CLAIM_ROWS_SQL = """
SELECT c.id, c.article_id, c.text, c.facets, c.kinds, c.cluster_id, c.cluster_pinned, a.story_id, c.match_keys,
       c.embedding, COALESCE(a.published_at, a.created_at)
FROM factcheck_claim c JOIN factcheck_article a ON a.id = c.article_id
WHERE {where}
"""


def claim_rows_for_matching(*, article_id: int | None = None, claim_ids: Iterable[int] = ()) -> list[tuple]:
    """The matching rows (id, article, text, facets as jsonb text, kinds, cluster, pinned, story, keys, embedding,
    date) of an article's claims (those that are claims) or, without `article_id`, of `claim_ids` (one query)."""
    if article_id is not None:
        where, params = "c.article_id = %s AND c.verdict <> %s", [article_id, str(Verdict.NOT_A_CLAIM)]
    else:
        where, params = "c.id = ANY(%s)", [list(claim_ids)]
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_ROWS_SQL.format(where=where), params)
        return cursor.fetchall()


def claims_pinned(claim_ids: Iterable[int]) -> set[int]:
    """Claims whose cluster a person set by hand (split off or merged), which matching must never move."""
    ids = list(set(claim_ids))
    if not ids:
        return set()
    return set(Claim.objects.filter(pk__in=ids, cluster_pinned=True).values_list("pk", flat=True))


def article_story_pinned(article_id: int) -> bool:
    """Whether a person chose this article's story (then matching leaves it where they put it)."""
    return Article.objects.filter(pk=article_id, story_pinned=True).exists()


def cluster_members_for_matching(*, cluster_ids: Iterable[int], exclude_ids: Iterable[int]) -> dict[int, set[int]]:
    """{cluster id: its claims} for `cluster_ids`, leaving out `exclude_ids` and "not a claim" (one query)."""
    members: dict[int, set[int]] = defaultdict(set)
    cluster_ids = list(cluster_ids)
    if cluster_ids:
        rows = (
            Claim.objects.filter(cluster_id__in=cluster_ids)
            .exclude(pk__in=list(exclude_ids))
            .exclude(verdict=Verdict.NOT_A_CLAIM)
            .values_list("pk", "cluster_id")
        )
        for pk, cluster_id in rows:
            members[cluster_id].add(pk)
    return dict(members)


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


def story_articles_for_matching(
    story_ids: Iterable[int], *, exclude_article_id: int, per_story: int
) -> dict[int, list[ArticleInfo]]:
    """{story id: its `per_story` most recent articles (but `exclude_article_id`), with the people and
    organisations their claims name} (one query)."""
    story_ids = sorted(set(story_ids))
    if not story_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_STORY_ARTICLES_SQL, [story_ids, exclude_article_id, per_story])
        rows = cursor.fetchall()
    by_story: dict[int, list[ArticleInfo]] = defaultdict(list)
    for pk, story_id, title, published_at, entities in rows:
        by_story[story_id].append(ArticleInfo(pk, title, frozenset(entities or ()), published_at))
    return dict(by_story)
