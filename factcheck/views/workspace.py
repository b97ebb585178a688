"""What the article workspace and the claim panel show: the highlighted text, verdict markers, the panel's context.

Shared by the article page and the claim endpoints, so a fragment rendered after a change is identical to the
same fragment in a full page load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from django.http import HttpRequest
from django.urls import reverse

from factcheck import permissions, selectors
from factcheck.levels import claim_level
from factcheck.models import Article, CheckOffer, Claim, Evidence, Report, ReportClaim, Verdict
from factcheck.services.check_offers import check_label, check_publisher, proposed_verdict, review_day
from factcheck.services.notes import MENTION
from factcheck.timeline import claim_timeline

# Never colour alone: every verdict also has a marker and a word.
VERDICT_MARKERS: dict[str, str] = {
    Verdict.VERIFIED: "✓",
    Verdict.DISPUTED: "⚠",
    Verdict.FALSE: "✗",
    Verdict.UNREVIEWED: "?",
    Verdict.NOT_A_CLAIM: "—",
}


@dataclass(frozen=True)
class VerdictButton:
    value: str
    label: str
    key: str
    marker: str


VERDICT_BUTTONS = [
    VerdictButton(Verdict.VERIFIED, "Verified", "v", VERDICT_MARKERS[Verdict.VERIFIED]),
    VerdictButton(Verdict.DISPUTED, "Disputed", "d", VERDICT_MARKERS[Verdict.DISPUTED]),
    VerdictButton(Verdict.FALSE, "False", "f", VERDICT_MARKERS[Verdict.FALSE]),
    VerdictButton(Verdict.UNREVIEWED, "Unreviewed", "u", VERDICT_MARKERS[Verdict.UNREVIEWED]),
    VerdictButton(Verdict.NOT_A_CLAIM, "Not a claim", "x", VERDICT_MARKERS[Verdict.NOT_A_CLAIM]),
]

COUNTER_ORDER = [Verdict.UNREVIEWED, Verdict.VERIFIED, Verdict.DISPUTED, Verdict.FALSE, Verdict.NOT_A_CLAIM]

# Looked up for every claim of a page: `Verdict.values` would build a new list each time.
VERDICT_LABELS: dict[str, str] = dict(Verdict.choices)


_PLACEHOLDER = 987654321


def _url_pattern(name: str) -> str:
    return reverse(name, args=[_PLACEHOLDER]).replace(str(_PLACEHOLDER), "{}")


def decorate(claims: Iterable[Claim]) -> None:
    """Give each claim its verdict marker (a symbol beside the colour), its check-worthiness level and its two
    links, for the templates.

    The links are formatted from one reversed pattern each: an article page lists a claim several times, and
    reversing a URL per use would cost more than the rest of the page.
    """
    article_url, panel_url = _url_pattern("factcheck:article"), _url_pattern("factcheck:claim")
    for claim in claims:
        claim.marker = VERDICT_MARKERS.get(claim.verdict, "?")
        claim.page_url = article_url.format(claim.article_id) + f"?claim={claim.pk}"
        claim.panel_url = panel_url.format(claim.pk)
        claim.score_display = f"{claim.score:.2f}"
        claim.level = claim_level(claim.score)
        claim.verdict_label = VERDICT_LABELS.get(claim.verdict, claim.verdict)
        claim.is_selected = False


def counters(counts: dict[str, int]) -> dict[str, Any]:
    """The verdict counters of an article: one item per verdict, plus reviewed and total."""
    return {
        "verdicts": [
            {"value": v, "label": Verdict(v).label, "marker": VERDICT_MARKERS[v], "n": counts.get(v, 0)}
            for v in COUNTER_ORDER
        ],
        "reviewed": counts["reviewed"],
        "total": counts["total"],
    }


# --- The highlighted text ------------------------------------------------------------------------------


@dataclass
class Segment:
    text: str
    claim: Claim | None = None
    first: bool = True  # the piece that carries the claim's id (a claim can cross a paragraph break)
    last: bool = True  # the piece that carries the verdict marker
    start: int = 0  # where the piece begins in the body (the browser maps a selection back to offsets with it)


@dataclass
class Block:
    kind: str  # "p" or "h"
    segments: list[Segment] = field(default_factory=list)


_BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*\n\s*")


def _strip_span(body: str, start: int, end: int) -> tuple[int, int]:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return start, end


def block_ranges(body: str, headings: Iterable) -> list[tuple[str, int, int]]:
    """Paragraphs (split on blank lines) and headings (from the article's heading spans) as body offsets."""
    spans = []
    for span in headings or []:
        try:
            start, end = int(span[0]), int(span[1])
        except (TypeError, ValueError, IndexError):
            continue
        start, end = max(0, start), min(len(body), end)
        if start < end:
            spans.append((start, end))
    spans.sort()

    blocks: list[tuple[str, int, int]] = []
    position = 0
    paragraphs = []
    for match in _BLANK_LINES.finditer(body):
        paragraphs.append((position, match.start()))
        position = match.end()
    paragraphs.append((position, len(body)))

    for p_start, p_end in paragraphs:
        cursor = p_start
        for h_start, h_end in spans:
            if h_end <= p_start or h_start >= p_end:
                continue
            h_start, h_end = max(h_start, cursor), min(h_end, p_end)
            if h_start >= h_end:
                continue
            before = _strip_span(body, cursor, h_start)
            if before[0] < before[1]:
                blocks.append(("p", *before))
            heading = _strip_span(body, h_start, h_end)
            if heading[0] < heading[1]:
                blocks.append(("h", *heading))
            cursor = h_end
        rest = _strip_span(body, cursor, p_end)
        if rest[0] < rest[1]:
            blocks.append(("p", *rest))
    return blocks


def article_blocks(body: str, headings: Iterable, claims: Iterable[Claim]) -> list[Block]:
    """The article as blocks of text segments, each claim's span marked in place.

    Overlapping claims: the later one is highlighted from where the earlier one ends (it stays in the claim
    list in full). Everything is plain text here; the template escapes it.
    """
    placed: list[tuple[int, int, Claim]] = []
    cursor = 0
    for claim in sorted(claims, key=lambda c: (c.start, -c.end)):
        start, end = max(claim.start, cursor), min(claim.end, len(body))
        if start >= end:
            continue
        placed.append((start, end, claim))
        cursor = end

    blocks: list[Block] = []
    seen: set[int] = set()
    i = 0
    for kind, b_start, b_end in block_ranges(body, headings):
        block = Block(kind)
        position = b_start
        while i < len(placed) and placed[i][1] <= b_start:
            i += 1
        j = i
        while j < len(placed) and placed[j][0] < b_end:
            start, end, claim = placed[j]
            piece_start, piece_end = max(start, position), min(end, b_end)
            if piece_start > position:
                block.segments.append(Segment(body[position:piece_start], start=position))
            if piece_start < piece_end:
                block.segments.append(
                    Segment(body[piece_start:piece_end], claim, first=claim.pk not in seen, last=end <= b_end,
                            start=piece_start)
                )
                seen.add(claim.pk)
            position = max(position, piece_end)
            if end > b_end:
                break  # the claim goes on in the next block
            j += 1
        i = j
        if position < b_end:
            block.segments.append(Segment(body[position:b_end], start=position))
        blocks.append(block)
    return blocks


# --- The claim panel -----------------------------------------------------------------------------------


def panel_context(
    request: HttpRequest,
    claim: Claim,
    *,
    article: Article | None = None,
    errors: dict[str, list[str]] | None = None,
    conflict: Claim | None = None,
    rationale: str | None = None,
    evidence_values: dict[str, str] | None = None,
    notice: str = "",
    correction_note: str = "",
    note_values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the claim panel shows: evidence, history, assignment and any error, conflict or notice.

    The claim's flags in its list row (live evidence, open conflicts, a strong published check) are counted from
    what the panel loads, so any read of the claim will do: the one a service returns after a change, or the
    annotated one of a list.
    """
    if article is not None:
        claim.article = article
    decorate([claim])
    claim.is_selected = True
    user = request.user
    facets = claim.facets if isinstance(claim.facets, dict) else {}
    evidence = selectors.claim_evidence(claim_id=claim.pk)
    conflicts = selectors.claim_conflicts(claim=claim)
    claim.n_evidence = sum(1 for item in evidence if not item.is_removed)
    claim.has_conflicts = bool(conflicts)
    check_offers = check_offers_context(request, claim)
    # The stored flag (kept by a trigger on the offers) of a claim read before a decision may be stale.
    claim.has_published_check = bool(check_offers.strong)
    return {
        "claim": claim,
        "evidence": evidence,
        **_timeline_context(request, claim),
        "assignable": selectors.reviewers() if permissions.can_assign(user) else [],
        "errors": errors or {},
        "conflict": conflict,
        "rationale_value": claim.rationale if rationale is None else rationale,
        "evidence_values": evidence_values or {"stance": Evidence.Stance.SUPPORTS},
        "stances": Evidence.Stance.choices,
        "verdict_buttons": VERDICT_BUTTONS,
        "facets": facet_chips(facets),
        "notice": notice,
        "is_mine": claim.assignee_id is not None and claim.assignee_id == user.pk,
        "claim_siblings": selectors.claim_siblings(claim=claim),
        "claim_conflicts": conflicts,
        "claim_conflict_groups": selectors.conflict_groups(conflicts, claim_id=claim.pk),
        "check_offers": check_offers,
        # A claim readers have seen in a published report changes only with a correction note (asked of those
        # who can change it).
        "in_published_report": permissions.can_review(user) and _in_published_report(claim),
        "correction_note": correction_note,
        **notes_context(claim, note_values),
    }


def _in_published_report(claim: Claim) -> bool:
    """Whether the claim is in a published report: as the verdict service found it, else asked (one query)."""
    known = getattr(claim, "in_published_report", None)
    if known is not None:
        return known
    return ReportClaim.objects.filter(claim_id=claim.pk, report__status=Report.Status.PUBLISHED).exists()


def notes_context(claim: Claim, note_values: dict[str, Any] | None) -> dict[str, Any]:
    """The claim's note threads, each note's text split into plain text and @mentions (shown as chips), and
    what the user typed in a note form that was refused (`note_values`: "body", and "parent" or "edit")."""
    threads = selectors.claim_notes(claim_id=claim.pk)
    for thread in threads:
        for note in [thread, *thread.thread_replies]:
            note.segments = note_segments(note.body)
    n_notes = sum(1 + len(thread.thread_replies) for thread in threads)
    return {"notes": threads, "n_notes": n_notes, "note_values": note_values or {}}


def note_segments(body: str) -> list[tuple[str, bool]]:
    """The text as (piece, is_mention) pairs; the template escapes each piece."""
    segments: list[tuple[str, bool]] = []
    position = 0
    for match in MENTION.finditer(body):
        if match.start() > position:
            segments.append((body[position:match.start()], False))
        segments.append((match.group(0), True))
        position = match.end()
    if position < len(body):
        segments.append((body[position:], False))
    return segments


def check_offers_context(request: HttpRequest, claim: Claim) -> selectors.ClaimCheckOffers:
    """The claim's offered fact-checks, each named, and for a confirmed one the verdict its rating proposes.

    The proposal is only offered: it is a button that posts to the verdict action with the claim's version,
    so a stale claim is a conflict like any other verdict. An existing rationale is kept rather than replaced.
    """
    offers = selectors.claim_check_offers(claim_id=claim.pk, include_hidden=request.GET.get("offers") == "hidden")
    for offer in [*offers.shown, *(offers.hidden or [])]:
        check = offer.published_check
        offer.label = check_label(check)
        offer.publisher = check_publisher(check)
        offer.proposal = None
        verdict = proposed_verdict(check)
        if offer.status == CheckOffer.Status.CONFIRMED and verdict and verdict != claim.verdict:
            when = f" on {review_day(check)}" if check.review_date else ""
            offer.proposal = {
                "verdict": verdict,
                "label": VERDICT_LABELS[verdict],
                "marker": VERDICT_MARKERS[verdict],
                "rationale": claim.rationale
                or f"Already checked: {offer.label}{when}. {check.link}".strip(),
            }
    return offers


# The panel shows the newest changes; a long history (a claim argued over for days) is one click away.
TIMELINE_SHOWN = 25


def _timeline_context(request: HttpRequest, claim: Claim) -> dict[str, Any]:
    timeline = claim_timeline(claim_id=claim.pk)
    if request.GET.get("history") == "all":
        return {"timeline": timeline, "timeline_hidden": 0}
    return {"timeline": timeline[:TIMELINE_SHOWN], "timeline_hidden": max(0, len(timeline) - TIMELINE_SHOWN)}


def facet_chips(facets: dict[str, Any]) -> list[dict[str, str]]:
    """Small labelled chips for a claim's facets; tolerant of missing keys and old shapes."""
    chips: list[dict[str, str]] = []

    def add(kind: str, label: str, text: Any) -> None:
        text = str(text or "").strip()
        if text:
            chips.append({"kind": kind, "label": label, "text": text})

    for item in facets.get("numbers") or []:
        if isinstance(item, dict):
            add("number", "Number", item.get("text") or item.get("value"))
        else:
            add("number", "Number", item)
    for item in facets.get("dates") or []:
        add("date", "Date", item.get("text") if isinstance(item, dict) else item)
    for name in facets.get("people") or []:
        add("person", "Person", name if not isinstance(name, dict) else name.get("text"))
    for name in facets.get("organisations") or []:
        add("organisation", "Organisation", name if not isinstance(name, dict) else name.get("text"))
    for item in facets.get("quotes") or []:
        if isinstance(item, dict) and item.get("speaker"):
            add("speaker", "Quote by", item.get("speaker"))
    return chips
