"""What a report shows, read in a fixed number of queries whatever the number of claims in it.

A report lists at most `REPORT_MAX_CLAIMS` claims (the service refuses more), so one page holds them all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Prefetch, QuerySet
from pghistory.models import Context

from factcheck.history import action_sentence
from factcheck.models import Article, Claim, Conflict, Evidence, Report, VerdictCorrection, Verdict
from factcheck.timeline import OUTSIDE

REPORT_MAX_CLAIMS = 300
# Verdicts a report can publish: the others say the claim was not (or not yet) checked.
REPORTABLE_VERDICTS = (Verdict.VERIFIED, Verdict.DISPUTED, Verdict.FALSE)
# History actions that set a claim's verdict: the latest one says who checked it and when.
VERDICT_ACTIONS = (
    "factcheck.claim.verdict_changed",
    "factcheck.claim.verdict_corrected",
    "factcheck.claim.verdict_applied_to_cluster",
)
# A report's page and lists never need the large columns.
_CLAIM_DEFERRED = ("search", "embedding", "match_keys", "facets", "article__body", "article__headings",
                   "article__search")


@dataclass
class ReportEntry:
    claim: Claim
    evidence: list[Evidence] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    corrections: list[VerdictCorrection] = field(default_factory=list)
    checked_by: str = ""
    checked_at: datetime | None = None
    jsonld: Any = None


@dataclass
class ReportSection:
    """The report's claims from one article (a story's report has one section per article)."""

    article: Article
    entries: list[ReportEntry]


def report_candidate_claims(*, report: Report) -> QuerySet[Claim]:
    """Claims that can be chosen for the report: the reviewed claims of its article, or of its story's articles."""
    qs = Claim.objects.filter(verdict__in=REPORTABLE_VERDICTS)
    if report.article_id:
        qs = qs.filter(article_id=report.article_id)
    else:
        qs = qs.filter(article__story_id=report.story_id)
    return qs


def _in_reading_order(qs: QuerySet[Claim]) -> QuerySet[Claim]:
    return (
        qs.select_related("article", "article__source", "verdict_by")
        .defer(*_CLAIM_DEFERRED)
        .order_by("article__published_at", "article_id", "start", "pk")
    )


def report_choices(*, report: Report) -> tuple[list[Claim], set[int]]:
    """The claims an editor can choose from (bounded), plus the chosen ones whatever their verdict now, and the
    ids of those chosen (two queries)."""
    chosen = set(report.items.values_list("claim_id", flat=True))
    candidates = _in_reading_order(report_candidate_claims(report=report) | Claim.objects.filter(pk__in=chosen))
    return list(candidates[: REPORT_MAX_CLAIMS + len(chosen)]), chosen


# Each claim's latest event that set its verdict: one a verdict action wrote (even re-confirming the same
# verdict), or any change of the verdict column (the admin, a shell), whatever wrote it.
_LAST_VERDICT_EVENTS_SQL = """
SELECT DISTINCT ON (e.pgh_obj_id) e.pgh_obj_id, e.pgh_created_at, c.metadata
FROM (
    SELECT pgh_obj_id, pgh_id, pgh_created_at, pgh_context_id, verdict,
           lag(verdict) OVER (PARTITION BY pgh_obj_id ORDER BY pgh_id) AS previous
    FROM {events} WHERE pgh_obj_id = ANY(%(claims)s)
) e
LEFT JOIN {contexts} c ON c.id = e.pgh_context_id
WHERE (e.previous IS NOT NULL AND e.previous <> e.verdict) OR c.metadata ->> 'action' = ANY(%(actions)s)
ORDER BY e.pgh_obj_id, e.pgh_id DESC
"""


def _last_verdict_events(claim_ids: list[int]) -> dict[int, tuple[str, datetime]]:
    """Who last set each claim's verdict and when, from the audit history (one query)."""
    sql = _LAST_VERDICT_EVENTS_SQL.format(
        events=connection.ops.quote_name(Claim.pgh_event_model._meta.db_table),
        contexts=connection.ops.quote_name(Context._meta.db_table),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"claims": claim_ids, "actions": list(VERDICT_ACTIONS)})
        rows = cursor.fetchall()
    found = {}
    for claim_id, at, metadata in rows:
        metadata = metadata if isinstance(metadata, dict) else json.loads(metadata or "{}")
        found[claim_id] = (metadata.get("username") or metadata.get("actor") or OUTSIDE, at)
    return found


def report_content(*, report: Report) -> list[ReportSection]:
    """The report's claims by article, each with its live evidence (and sources), the contradictions it is part of
    (with the other outlets' claims and how each was resolved), its corrections, and who last set its verdict
    and when, from the audit history (seven queries)."""
    claims = list(_in_reading_order(Claim.objects.filter(report_items__report=report)))
    ids = [claim.pk for claim in claims]
    entries = {claim.pk: ReportEntry(claim=claim) for claim in claims}
    if not ids:
        return []
    for item in (
        Evidence.objects.filter(claim_id__in=ids, removed_at__isnull=True)
        .select_related("source")
        .order_by("claim_id", "created_at", "pk")
    ):
        entries[item.claim_id].evidence.append(item)
    others = Claim.objects.select_related("article", "article__source").only(
        "pk", "text", "article__title", "article__url", "article__source__name"
    ).order_by("article__published_at", "pk")
    conflicts = (
        Conflict.objects.filter(claims__in=ids)
        .distinct()
        .select_related("resolved_by")
        .prefetch_related(Prefetch("claims", queryset=others))
        .order_by("created_at", "pk")
    )
    for conflict in conflicts:
        for member in conflict.claims.all():
            if member.pk in entries:
                entries[member.pk].conflicts.append(conflict)
    for correction in VerdictCorrection.objects.filter(claim_id__in=ids).select_related("made_by"):
        entries[correction.claim_id].corrections.append(correction)
    for claim_id, (who, at) in _last_verdict_events(ids).items():
        entries[claim_id].checked_by, entries[claim_id].checked_at = who, at
    sections: list[ReportSection] = []
    for claim in claims:
        if not sections or sections[-1].article.pk != claim.article_id:
            sections.append(ReportSection(article=claim.article, entries=[]))
        sections[-1].entries.append(entries[claim.pk])
    return sections


REPORT_HISTORY_SHOWN = 20


@dataclass(frozen=True)
class ReportHistoryEntry:
    at: datetime
    who: str
    sentence: str
    status: str


def report_history(*, report: Report) -> list[ReportHistoryEntry]:
    """The report's latest changes (created, edited, marked ready, published, unpublished), newest first, from
    its append-only event table (one query)."""
    events = (
        Report.pgh_event_model.objects.filter(pgh_obj_id=report.pk)
        .select_related("pgh_context")
        .only("pgh_created_at", "status", "pgh_context__metadata")
        .order_by("-pgh_id")[:REPORT_HISTORY_SHOWN]
    )
    entries = []
    for event in events:
        metadata = (event.pgh_context.metadata if event.pgh_context else None) or {}
        entries.append(ReportHistoryEntry(
            at=event.pgh_created_at,
            who=metadata.get("username") or metadata.get("actor") or OUTSIDE,
            sentence=action_sentence(metadata.get("action")),
            status=event.status,
        ))
    return entries
