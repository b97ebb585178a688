"""Reads shared by views, exports and services. Each one runs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Length
from django.utils import timezone

from factcheck.extraction.kinds import KINDS
from factcheck.models import Article, CheckOffer, Claim, Conflict, Evidence, Source, SourceDomain, Verdict
from factcheck.pagination import Order


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


def _web_query(q: str) -> SearchQuery:
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
        qs = qs.filter(search=_web_query(q))
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
    """The article with its publisher and uploader (one query); raises Article.DoesNotExist."""
    return Article.objects.select_related("source", "uploaded_by").get(pk=article_id)


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
    """A claim with its article, assignee and last reviewer (one query); raises Claim.DoesNotExist.

    Its evidence and conflicts flags are the panel's to count (`views.workspace.panel_context`), from the rows it
    shows anyway.
    """
    return Claim.objects.select_related("assignee", "verdict_by", "article", "article__source").get(pk=claim_id)


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


def _published_check_offers() -> QuerySet[CheckOffer]:
    """Offers that make a claim "already checked": strong, and not rejected (the checkoffer_strong_idx index)."""
    return CheckOffer.objects.filter(band=CheckOffer.Band.STRONG).exclude(status=CheckOffer.Status.REJECTED)


def claim_queue(
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
) -> QuerySet[Claim]:
    """Claims across articles; page it with `QUEUE_ORDER` (most check-worthy first) and `keyset_page`.
    `assignee` is a user id, "me" or "none"."""
    qs = _claims_with_review_state().select_related("article", "article__source")
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
        qs = qs.filter(Exists(_published_check_offers().filter(claim=OuterRef("pk"))))
    return qs.defer("article__body", "article__headings", "article__search", "search", "embedding", "match_keys")


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


# Ranking is bounded: the matches are narrowed first to the most check-worthy claims (the newest articles), read
# in index order, and only those are ranked by relevance; a word found in a million claims costs as much as a rare
# one. Headlines are made for the rows shown only.
SEARCH_CANDIDATES = 500


def _ranked(qs: QuerySet, query: SearchQuery, *, candidates: tuple[str, ...], limit: int) -> list:
    """The `limit` best-ranked rows of `qs` among its first SEARCH_CANDIDATES matches in `candidates` order, best
    first (two queries: the candidates with their rank, then the rows shown)."""
    ranked = list(
        qs.model.objects.filter(search=query).order_by(*candidates)
        .annotate(rank=SearchRank(F("search"), query)).values_list("pk", "rank")[:SEARCH_CANDIDATES]
    )
    # Stable: equal ranks keep the candidates' order.
    best = [pk for pk, _ in sorted(ranked, key=lambda row: -row[1])[:limit]]
    rows = {row.pk: row for row in qs.filter(pk__in=best)}
    return [rows[pk] for pk in best if pk in rows]


def search_claims(*, q: str, limit: int = 50) -> list[Claim]:
    """Claims whose text or rationale match `q`, best first, with highlighted headlines (two queries)."""
    query = _web_query(q)
    qs = (
        Claim.objects.annotate(
            text_headline=_headline("text", query, whole=True),
            rationale_headline=_headline("rationale", query, words=20),
        )
        .select_related("article", "article__source")
        .defer("article__body", "article__headings", "article__search", "search", "embedding", "match_keys")
    )
    return _ranked(qs, query, candidates=("-score", "-pk"), limit=limit)


def search_articles(*, q: str, limit: int = 20) -> list[Article]:
    """Articles whose title or body match `q`, best first, with highlighted headlines (two queries)."""
    query = _web_query(q)
    qs = (
        Article.objects.annotate(
            title_headline=_headline("title", query, whole=True),
            body_headline=_headline("body", query),
        )
        .select_related("source")
        .defer("body", "headings", "search")
    )
    return _ranked(qs, query, candidates=("-created_at", "-pk"), limit=limit)


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
    claims: list  # Claim with .article and .article.source, in article order
    verdicts: dict  # verdict label -> count
    conflicts: list  # open Conflict rows touching these claims
    representative: Claim = None  # type: ignore[assignment]

    @property
    def n_sources(self) -> int:
        return len({c.article_id for c in self.claims})

    @property
    def reviewed(self) -> bool:
        return any(c.verdict in _REVIEWED for c in self.claims)


@_dataclass
class StoryOverview:
    story: Story
    articles: list  # the first STORY_ARTICLES_SHOWN, by publication date
    n_articles: int
    rows: list  # StoryRow of this page: clusters stated by most articles first, then by contradictions and score
    n_rows: int  # distinct claims in the whole story
    n_open_conflicts: int  # in the whole story
    page: int
    n_pages: int
    other_stories: list


STORY_ROWS_PER_PAGE = 30
STORY_ARTICLES_SHOWN = 20

# One row per distinct claim of the story (a cluster, or a claim in no cluster), in the order the page shows them,
# with the total: the story's claims are grouped in the database, and only a page of groups comes back.
_STORY_GROUPS_SQL = """
WITH story_claims AS (
    SELECT c.id, c.cluster_id, c.article_id, c.score,
           c.verdict IN ('verified', 'disputed', 'false') AS reviewed
    FROM factcheck_claim c JOIN factcheck_article a ON a.id = c.article_id
    WHERE a.story_id = %(story)s AND c.verdict <> 'not_claim'
), open_links AS (
    SELECT cc.claim_id, cc.conflict_id
    FROM factcheck_conflict_claims cc
    JOIN factcheck_conflict k ON k.id = cc.conflict_id AND k.status = 'open'
    JOIN story_claims sc ON sc.id = cc.claim_id
), groups AS (
    SELECT coalesce(sc.cluster_id, -sc.id) AS key,
           count(DISTINCT sc.article_id) AS n_sources,
           count(DISTINCT ol.conflict_id) AS n_conflicts,
           (array_agg(sc.id ORDER BY sc.reviewed DESC, sc.score DESC, sc.id))[1] AS representative,
           max(sc.score) FILTER (WHERE sc.reviewed) AS reviewed_score,
           max(sc.score) AS score
    FROM story_claims sc LEFT JOIN open_links ol ON ol.claim_id = sc.id
    GROUP BY 1
)
SELECT key, count(*) OVER () AS n_rows
FROM groups
ORDER BY n_sources DESC, n_conflicts DESC, coalesce(reviewed_score, score) DESC, representative
LIMIT %(limit)s OFFSET %(offset)s
"""


def story_overview(*, story: Story, page: int = 1) -> StoryOverview:
    """A page of the story's distinct claims — one row per cluster or unclustered claim — with their sources,
    verdicts and open contradictions, and the story's first articles (eight queries whatever the size of the
    story; the Python work grows with the rows shown)."""
    articles = list(
        Article.objects.filter(story=story).select_related("source").defer("body", "headings", "search")
        .order_by(Coalesce("published_at", "created_at"), "pk")[:STORY_ARTICLES_SHOWN]
    )
    n_articles = Article.objects.filter(story=story).count()
    page = max(1, page)
    with connection.cursor() as cursor:
        cursor.execute(_STORY_GROUPS_SQL, {"story": story.pk, "limit": STORY_ROWS_PER_PAGE,
                                           "offset": (page - 1) * STORY_ROWS_PER_PAGE})
        found = cursor.fetchall()
    keys = [key for key, _ in found]
    n_rows = found[0][1] if found else 0
    cluster_ids = [key for key in keys if key > 0]
    claim_ids = [-key for key in keys if key < 0]
    claims = list(
        Claim.objects.filter(article__story=story)
        .filter(Q(cluster_id__in=cluster_ids) | Q(pk__in=claim_ids))
        .exclude(verdict=Verdict.NOT_A_CLAIM)
        .select_related("article", "article__source", "verdict_by")
        .defer("article__body", "article__headings", "article__search", "search", "embedding", "match_keys")
        .order_by("article__published_at", "article_id", "start")
    ) if keys else []
    conflicts = list(
        Conflict.objects.filter(status=Conflict.Status.OPEN, claims__in=[c.pk for c in claims])
        .distinct()
        .prefetch_related(_conflict_claims_prefetch())
        .order_by("kind", "pk")
    ) if claims else []
    n_open_conflicts = (
        Conflict.objects.filter(
            status=Conflict.Status.OPEN, claims__article__story=story, claims__article__n_open_conflicts__gt=0
        ).distinct().count()
    )
    conflicts_of: dict[int, list[Conflict]] = {}
    for conflict in conflicts:
        for c in conflict.claims.all():
            conflicts_of.setdefault(c.pk, []).append(conflict)

    members_of: dict[int, list[Claim]] = {key: [] for key in keys}
    for claim in claims:
        members_of[claim.cluster_id if claim.cluster_id in members_of else -claim.pk].append(claim)
    rows = []
    for key in keys:
        members = members_of[key]
        if not members:  # changed between the two reads
            continue
        seen: dict[int, Conflict] = {}
        for m in members:
            for conflict in conflicts_of.get(m.pk, ()):
                seen.setdefault(conflict.pk, conflict)
        verdicts = _Counter(m.get_verdict_display() for m in members)
        representative = max(members, key=lambda m: (m.verdict in _REVIEWED, m.score, -m.pk))
        row_key = f"cluster-{key}" if key > 0 else f"claim-{-key}"
        rows.append(StoryRow(row_key, members[0].cluster_id, members, dict(verdicts), list(seen.values()),
                             representative))
    others = list(Story.objects.exclude(pk=story.pk).order_by("-updated_at", "-pk").only("pk", "title")[:200])
    return StoryOverview(
        story=story, articles=articles, n_articles=n_articles, rows=rows, n_rows=n_rows,
        n_open_conflicts=n_open_conflicts, page=page, n_pages=max(1, -(-n_rows // STORY_ROWS_PER_PAGE)),
        other_stories=others,
    )


def articles_for_export(*, article_id: int | None = None, story_id: int | None = None) -> QuerySet[Article]:
    """Articles with their publisher, claims, each claim's evidence (with sources) and its conflicts (with the
    ids of the claims involved; dismissed ones left out) — five queries per chunk when iterated with a
    chunk size, whatever the number of claims."""
    conflicts = Conflict.objects.exclude(status=Conflict.Status.DISMISSED).order_by("kind", "pk").prefetch_related(
        Prefetch("claims", queryset=Claim.objects.only("pk").order_by("pk"))
    )
    claims = Claim.objects.order_by("start", "end").prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.select_related("source").order_by("created_at", "pk")),
        Prefetch("conflicts", queryset=conflicts),
    )
    qs = Article.objects.select_related("source").defer("headings").order_by("pk")
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
