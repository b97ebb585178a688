"""Export formats: JSON, CSV (safe in spreadsheets) and schema.org ClaimReview, and what an export covers.

Shared by `manage.py export_claims`, the browser's downloads and the background exports: a `Scope` says which
claims (one article, one story, the claims queue with its filters, a search, or everything), `ExportRun` turns
it into text, a piece at a time, counting what it wrote so a caller can show progress.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from factcheck import selectors
from factcheck.levels import LEVELS
from factcheck.models import Article, Claim, Report, ReportClaim, Story, Verdict
from factcheck.reports.claimreview import (
    RATINGS, claim_review_jsonld, item_reviewed, newsroom_author, review_rating,
)

CHUNK = 200  # articles per read: five queries each, whatever their number of claims
# A spreadsheet runs a cell that starts with one of these as a formula; a leading quote makes it text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = [
    "article_id", "article_title", "article_origin", "article_url", "article_source",
    "claim_id", "start", "end", "text", "score", "kinds", "verdict", "rationale", "cluster",
    "conflicts", "evidence_urls",
]


@dataclass(frozen=True)
class Format:
    label: str
    content_type: str
    extension: str


FORMATS: dict[str, Format] = {
    "csv": Format("CSV (spreadsheet)", "text/csv; charset=utf-8", "csv"),
    "json": Format("JSON", "application/json", "json"),
    "claimreview": Format("ClaimReview (schema.org JSON-LD)", "application/ld+json", "jsonld"),
}


class ExportError(ValueError):
    """Input an export can't take (an unknown format, a bad filter, a missing article): the message says why."""


# --- Records -------------------------------------------------------------------------------------------------


def csv_safe(value: Any) -> Any:
    """The cell as text a spreadsheet won't evaluate: a leading = + - @ tab or carriage return gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _evidence(claim: Claim) -> list[dict[str, Any]]:
    return [
        {
            "url": e.url,
            "source": e.source.name if e.source else None,
            "stance": e.stance,
            "passage": e.passage,
            "note": e.note,
            "removed": e.removed_at is not None,
        }
        for e in claim.evidence.all()
    ]


def _conflicts(claim: Claim) -> list[dict[str, Any]]:
    return [
        {"kind": c.kind, "values": list(c.values), "claims": [x.pk for x in c.claims.all()], "status": c.status}
        for c in claim.conflicts.all()
    ]


def article_record(article: Article, claims: Iterable[Claim]) -> dict[str, Any]:
    """One article as exported: the article and its claims (prefetched by selectors.articles_for_export)."""
    return {
        "article": {
            "id": article.pk,
            "title": article.title,
            "origin": article.origin,
            "url": article.url,
            "source": article.source.name if article.source else None,
            "body": article.body,
        },
        "claims": [
            {
                "id": c.pk,
                "start": c.start,
                "end": c.end,
                "text": c.text,
                "score": c.score,
                "kinds": list(c.kinds),
                "facets": c.facets,
                "verdict": c.verdict,
                "origin": c.origin,
                "cluster": c.cluster_id,
                "conflicts": _conflicts(c),
                "evidence": _evidence(c),
            }
            for c in claims
        ],
    }


def csv_row(article: Article, claim: Claim) -> list[Any]:
    conflicts = "; ".join(f"{c.kind}: {' / '.join(c.values)}" for c in claim.conflicts.all())
    evidence = " ".join(e.url for e in claim.evidence.all() if e.removed_at is None)
    row = [
        article.pk, article.title, article.origin, article.url, article.source.name if article.source else "",
        claim.pk, claim.start, claim.end, claim.text, claim.score, ";".join(claim.kinds), claim.verdict,
        claim.rationale, claim.cluster_id or "", conflicts, evidence,
    ]
    return [csv_safe(v) for v in row]


def claim_review(article: Article, claim: Claim, report: Report | None = None) -> dict[str, Any]:
    """A schema.org ClaimReview for one reviewed claim: as its published report has it (with the report's address
    as `url`) when it is in one, else the same record without an address, for the newsroom's own use."""
    claim.article = article  # loaded already: the builders read the article's address, byline and publisher
    if report is not None:
        return claim_review_jsonld(report, claim, settings.SITE_URL)
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": claim.text,
        "itemReviewed": item_reviewed(claim),
        "author": newsroom_author(),
        "reviewRating": review_rating(claim.verdict),
        "reviewBody": claim.rationale,
    }
    if claim.verdict_at:
        review["datePublished"] = claim.verdict_at.date().isoformat()
    return review


def published_reports(claims: Iterable[Claim]) -> dict[int, Report]:
    """The published report each of these claims is in (one query)."""
    items = ReportClaim.objects.filter(
        claim_id__in=[c.pk for c in claims], report__status=Report.Status.PUBLISHED
    ).select_related("report")
    return {item.claim_id: item.report for item in items}


# --- What an export covers ---------------------------------------------------------------------------------

SCOPE_KINDS = ("all", "article", "story", "queue", "search")
QUEUE_FILTERS = ("verdict", "kind", "assignee", "source", "article", "date_from", "date_to", "checked", "level")
MAX_QUERY = 200


@dataclass(frozen=True)
class Scope:
    """Which claims an export holds. Stored as JSON on a background export; `assignee` "me" is resolved to an id
    when the scope is made, so the worker exports what the person saw."""

    kind: str = "all"
    article_id: int | None = None
    story_id: int | None = None
    filters: dict[str, str] = field(default_factory=dict)
    q: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Scope:
        return cls(**{k: data[k] for k in ("kind", "article_id", "story_id", "filters", "q") if k in data})

    def claims(self) -> QuerySet[Claim] | None:
        """The claim filter of a queue or search export; None when whole articles are exported."""
        if self.kind == "queue":
            f = self.filters
            return selectors.claims_filtered(
                Claim.objects.all(), verdict=f.get("verdict", ""), kind=f.get("kind", ""),
                assignee=f.get("assignee", ""), source_id=_int(f.get("source")), article_id=_int(f.get("article")),
                date_from=_date(f.get("date_from")), date_to=_date(f.get("date_to")),
                checked_only=f.get("checked") == "1", level=f.get("level", ""),
            )
        if self.kind == "search":
            return Claim.objects.filter(search=selectors.web_query(self.q))
        return None

    def articles(self) -> QuerySet[Article]:
        return selectors.articles_for_export(
            article_id=self.article_id if self.kind == "article" else None,
            story_id=self.story_id if self.kind == "story" else None,
            claims_filter=self.claims(),
        )

    def claim_count(self, *, limit: int | None = None) -> int:
        """How many claims the export holds; with `limit`, counts no further than limit + 1 (a bounded read)."""
        qs = self.claims()
        if qs is None:
            qs = Claim.objects.all()
            if self.kind == "article":
                qs = qs.filter(article_id=self.article_id)
            elif self.kind == "story":
                qs = qs.filter(article__story_id=self.story_id)
        qs = qs.order_by().values("pk")
        return qs[: limit + 1].count() if limit is not None else qs.count()

    def describe(self) -> str:
        """What the export holds, in words (the job page and the file name say it)."""
        if self.kind == "article":
            title = Article.objects.filter(pk=self.article_id).values_list("title", flat=True).first()
            return f"Article “{title}”"
        if self.kind == "story":
            title = Story.objects.filter(pk=self.story_id).values_list("title", flat=True).first()
            return f"Story “{title}”"
        if self.kind == "queue":
            filters = dict(self.filters)
            if filters.get("assignee", "").isdigit():
                user = get_user_model().objects.filter(pk=int(filters["assignee"])).first()
                filters["assignee"] = user.get_username() if user else "someone removed"
            shown = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in filters.items() if v)
            return f"Claims queue ({shown})" if shown else "Claims queue (all claims)"
        if self.kind == "search":
            return f"Claims matching “{self.q}”"
        return "All articles"

    def filename(self, fmt: str) -> str:
        stem = {"article": f"article-{self.article_id}", "story": f"story-{self.story_id}"}.get(self.kind, self.kind)
        return f"factdesk-{stem}-claims.{FORMATS[fmt].extension}"


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _date(raw: str | None) -> dt.date | None:
    return dt.date.fromisoformat(raw) if raw else None


def scope_from_params(params: Mapping[str, str], *, user) -> Scope:
    """The scope a page's export form asks for, checked: raises ExportError with a message a person can act on.

    `params`: `scope` (all, article, story, queue, search), then `article`, `story`, the queue's filters or `q`.
    """
    if any("\x00" in str(value) for value in params.values()):
        raise ExportError("A field holds a NUL character, which no export can search for.")
    kind = params.get("scope", "")
    if kind not in SCOPE_KINDS:
        raise ExportError("Choose what to export: an article, a story, the claims queue or a search.")
    if kind == "article":
        article_id = _required_id(params, "article", "article")
        if not Article.objects.filter(pk=article_id).exists():
            raise ExportError(f"There is no article {article_id}; it may have been deleted.")
        return Scope(kind="article", article_id=article_id)
    if kind == "story":
        story_id = _required_id(params, "story", "story")
        if not Story.objects.filter(pk=story_id).exists():
            raise ExportError(f"There is no story {story_id}; it may have been merged or deleted.")
        return Scope(kind="story", story_id=story_id)
    if kind == "queue":
        return Scope(kind="queue", filters=_queue_filters(params, user=user))
    if kind == "search":
        q = params.get("q", "").strip()
        if not q:
            raise ExportError("Type what to search for before exporting the matching claims.")
        if len(q) > MAX_QUERY:
            raise ExportError(f"A search is at most {MAX_QUERY} characters.")
        return Scope(kind="search", q=q)
    return Scope()


MAX_ID_DIGITS = 18  # a database id (bigint) never has more


def _is_id(raw: str) -> bool:
    return raw.isdigit() and len(raw) <= MAX_ID_DIGITS


def _required_id(params: Mapping[str, str], name: str, what: str) -> int:
    raw = params.get(name, "")
    if not _is_id(raw):
        raise ExportError(f"Which {what}? “{raw[:40]}” is not an {what} number.")
    return int(raw)


def _queue_filters(params: Mapping[str, str], *, user) -> dict[str, str]:
    """The queue's filters as the page sends them, each checked (the page itself ignores a bad one; an export
    says so, rather than export more than the person meant)."""
    filters = {name: params.get(name, "").strip() for name in QUEUE_FILTERS if params.get(name, "").strip()}
    verdict = filters.get("verdict")
    if verdict and verdict != "open" and verdict not in Verdict.values:
        raise ExportError(f"Unknown verdict “{verdict}”.")
    assignee = filters.get("assignee")
    if assignee == "me":
        filters["assignee"] = str(user.pk)
    elif assignee and assignee != "none" and not _is_id(assignee):
        raise ExportError(f"Unknown assignee “{assignee[:40]}”.")
    for name, label in (("source", "publisher"), ("article", "article")):
        if name in filters and not _is_id(filters[name]):
            raise ExportError(f"Unknown {label} “{filters[name][:40]}”.")
    for name, label in (("date_from", "Published from"), ("date_to", "Published to")):
        if name in filters:
            try:
                day = dt.date.fromisoformat(filters[name])
            except ValueError:
                raise ExportError(f"{label}: “{filters[name][:40]}” is not a date (YYYY-MM-DD).") from None
            if not dt.date(1000, 1, 1) <= day < dt.date.max:
                raise ExportError(f"{label}: {day.isoformat()} is out of range.")
    if "checked" in filters and filters["checked"] != "1":
        del filters["checked"]
    if "level" in filters and filters["level"] not in LEVELS:
        raise ExportError(f"Unknown check-worthiness level “{filters['level'][:40]}”.")
    return filters


def format_from_params(params: Mapping[str, str]) -> str:
    fmt = params.get("format", "")
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format “{fmt}”: choose CSV, JSON or ClaimReview.")
    return fmt


# --- Writing -------------------------------------------------------------------------------------------------


class _Line:
    """A file-like object whose write returns what it was given: csv.writer's rows as strings."""

    def write(self, value: str) -> str:
        return value


class ExportRun:
    """One export written as text pieces. `records` counts articles (JSON, CSV) or reviews (ClaimReview);
    `claims` counts the claims read so far, and `on_progress(claims)` is called after each article."""

    def __init__(self, scope: Scope, fmt: str, *, on_progress: Callable[[int], None] | None = None) -> None:
        if fmt not in FORMATS:
            raise ExportError(f"Unknown format “{fmt}”.")
        self.scope, self.fmt, self.on_progress = scope, fmt, on_progress
        self.records = 0
        self.claims = 0

    def _groups(self) -> Iterator[tuple[Article, list[Claim]]]:
        for article in self.scope.articles().iterator(chunk_size=CHUNK):
            claims = list(article.claims.all())
            yield article, claims
            self.claims += len(claims)
            if self.on_progress is not None:
                self.on_progress(self.claims)

    def __iter__(self) -> Iterator[str]:
        return self._csv() if self.fmt == "csv" else self._json(claimreview=self.fmt == "claimreview")

    def _json(self, *, claimreview: bool) -> Iterator[str]:
        yield "["
        for article, claims in self._groups():
            if claimreview:
                reviewed = [c for c in claims if c.verdict in RATINGS]
                reports = published_reports(reviewed) if reviewed else {}
                records = [claim_review(article, c, reports.get(c.pk)) for c in reviewed]
            else:
                records = [article_record(article, claims)]
            for record in records:
                yield ("," if self.records else "") + "\n" + json.dumps(record, ensure_ascii=False)
                self.records += 1
        yield "\n]\n" if self.records else "]\n"

    def _csv(self) -> Iterator[str]:
        writer = csv.writer(_Line())
        yield writer.writerow(CSV_COLUMNS)
        for article, claims in self._groups():
            for claim in claims:
                yield writer.writerow(csv_row(article, claim))
            self.records += 1
