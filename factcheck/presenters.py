"""What the pages show, shaped for the templates: claim rows, the highlighted text, verdict markers, the panel.

Shared by the article page and the claim endpoints, so a fragment rendered after a change is identical to the
same fragment in a full page load. Rows are small frozen dataclasses built from what a selector read; templates
read their fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from django.http import HttpRequest
from django.urls import reverse

from factcheck import permissions, selectors
from factcheck.levels import ClaimLevel, claim_level
from factcheck.models import Article, CheckOffer, Claim, Evidence, Report, ReportClaim, Verdict
from factcheck.services.check_offers import check_label, check_publisher, proposed_verdict, review_day
from factcheck.services.notes import MENTION
from factcheck.timeline import claim_timeline

if TYPE_CHECKING:
    from factcheck.reports.content import ReportEntry

# Never colour alone: every verdict also has a marker and a word.
VERDICT_MARKERS: dict[str, str] = {
    Verdict.VERIFIED: "✓",
    Verdict.DISPUTED: "⚠",
    Verdict.FALSE: "✗",
    Verdict.UNREVIEWED: "?",
    Verdict.NOT_A_CLAIM: "—",
}


@dataclass(frozen=True, slots=True)
class VerdictButton:
    value: str
    label: str
    key: str
    marker: str


@dataclass(frozen=True, slots=True)
class Shortcut:
    key: str
    action: str  # what static/js/factdesk.js does on the key (its ACTIONS table)
    label: str  # what the shortcuts dialog says
    review: bool = False  # offered only to people who can review (Viewers are not offered it)


# verdict -> (its button, its key, what the shortcuts dialog says of the key)
_VERDICT_KEYS: dict[str, tuple[str, str, str]] = {
    Verdict.VERIFIED: ("Verified", "v", "Mark Verified"),
    Verdict.DISPUTED: ("Disputed", "d", "Mark Disputed (needs a rationale)"),
    Verdict.FALSE: ("False", "f", "Mark False (needs a rationale)"),
    Verdict.UNREVIEWED: ("Unreviewed", "u", "Back to Unreviewed"),
    Verdict.NOT_A_CLAIM: ("Not a claim", "x", "Not a claim (dismiss)"),
}

VERDICT_BUTTONS = [
    VerdictButton(verdict, label, key, VERDICT_MARKERS[verdict]) for verdict, (label, key, _) in _VERDICT_KEYS.items()
]

# Every keyboard shortcut, once: the dialog lists these, and the page gives the script the ones it offers
# (`shortcut_keys`), so the two can't disagree.
SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("j", "next-claim", "Next claim"),
    Shortcut("k", "previous-claim", "Previous claim"),
    Shortcut("n", "next-unreviewed", "Next unreviewed claim (from the claims queue: the queue's next)"),
    *(Shortcut(key, "verdict", said, review=True) for _, key, said in _VERDICT_KEYS.values()),
    Shortcut("c", "offer", "Previously fact-checked: same claim (adds it as evidence)", review=True),
    Shortcut("o", "offer", "Previously fact-checked: other claim, not the same (hides it)", review=True),
    Shortcut("r", "rationale", "Write the rationale", review=True),
    Shortcut("e", "evidence", "Add evidence", review=True),
    Shortcut("z", "undo", "Undo your verdict (while its notice shows)", review=True),
    Shortcut("a", "add-claim", "Add the selected text as a claim", review=True),
    Shortcut("t", "set-span", "Make the selected text the selected claim (trim it)", review=True),
    Shortcut("s", "split-claim", "Split the selected claim where you clicked in it", review=True),
    Shortcut("m", "note", "Write a note", review=True),
    Shortcut("?", "shortcuts", "Show or hide this list"),
)


def shortcuts_for(*, can_review: bool) -> list[Shortcut]:
    """The shortcuts a person is offered: review keys only to those who can review."""
    return [shortcut for shortcut in SHORTCUTS if can_review or not shortcut.review]

COUNTER_ORDER = [Verdict.UNREVIEWED, Verdict.VERIFIED, Verdict.DISPUTED, Verdict.FALSE, Verdict.NOT_A_CLAIM]

# Looked up for every claim of a page: `Verdict.values` would build a new list each time.
VERDICT_LABELS: dict[str, str] = dict(Verdict.choices)


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """A claim as a list shows it: its row in the article's claim list (and its highlight in the text), in the
    queue and in search results. `article` is set where the list names the claim's article (queue, search)."""

    pk: int
    article_id: int
    text: str
    start: int
    end: int
    verdict: str
    verdict_label: str
    marker: str  # never colour alone: a symbol and a word go with it
    score: float
    score_display: str
    level: ClaimLevel  # the score's check-worthiness level (Check first, Worth a look, Low) and its chance
    kinds: tuple[str, ...]
    origin: str
    origin_label: str
    page_url: str  # the article page with the claim selected
    panel_url: str  # the claim's panel alone (htmx)
    assignee_name: str
    n_evidence: int
    has_conflicts: bool
    has_published_check: bool
    is_selected: bool = False
    article: Article | None = None


def claim_row(
    claim: Claim,
    *,
    selected: bool = False,
    with_article: bool = False,
    n_evidence: int | None = None,
    has_conflicts: bool | None = None,
    has_published_check: bool | None = None,
) -> ClaimRow:
    """The row of a claim read by a list selector (its evidence count and conflict flag annotated), or by the
    panel, which counts them from what it loads and passes them in. The claim's assignee (and its article, with
    `with_article`) are read: select them with the claim."""
    return ClaimRow(
        pk=claim.pk,
        article_id=claim.article_id,
        text=claim.text,
        start=claim.start,
        end=claim.end,
        verdict=claim.verdict,
        verdict_label=VERDICT_LABELS.get(claim.verdict, claim.verdict),
        marker=VERDICT_MARKERS.get(claim.verdict, "?"),
        score=claim.score,
        score_display=f"{claim.score:.2f}",
        level=claim_level(claim.score),
        kinds=tuple(claim.kinds or ()),
        origin=claim.origin,
        origin_label=claim.get_origin_display(),
        page_url=claim.get_absolute_url(),
        panel_url=reverse("factcheck:claim", args=[claim.pk]),
        assignee_name=claim.assignee.get_username() if claim.assignee_id else "",
        n_evidence=getattr(claim, "n_evidence", 0) if n_evidence is None else n_evidence,
        has_conflicts=getattr(claim, "has_conflicts", False) if has_conflicts is None else has_conflicts,
        has_published_check=claim.has_published_check if has_published_check is None else has_published_check,
        is_selected=selected,
        article=claim.article if with_article else None,
    )


@dataclass(frozen=True, slots=True)
class ClaimHit:
    """A claim found by search: its row, and its text and rationale with the matches marked (safe HTML)."""

    row: ClaimRow
    text_marked: str
    rationale_marked: str


def claim_rows(
    claims: Iterable[Claim], *, selected_id: int | None = None, with_article: bool = False
) -> list[ClaimRow]:
    """The rows of a list of claims, `selected_id`'s marked as the selected one."""
    return [claim_row(claim, selected=claim.pk == selected_id, with_article=with_article) for claim in claims]


@dataclass(frozen=True, slots=True)
class ReportItem:
    """A claim as its report shows it: the report's entry (claim, evidence, corrections), the verdict's marker, and
    the ClaimReview JSON-LD a published report carries (None on a draft)."""

    entry: ReportEntry
    marker: str
    jsonld: str | None = None


@dataclass(frozen=True, slots=True)
class ReportCandidate:
    """A reviewed claim an editor may choose for a report."""

    claim: Claim
    marker: str
    is_chosen: bool
    is_rated: bool  # its verdict is one a report publishes


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


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    claim: ClaimRow | None = None
    first: bool = True  # the piece that carries the claim's id (a claim can cross a paragraph break)
    last: bool = True  # the piece that carries the verdict marker
    start: int = 0  # where the piece begins in the body (the browser maps a selection back to offsets with it)


@dataclass(frozen=True, slots=True)
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


def article_blocks(body: str, headings: Iterable, claims: Iterable[ClaimRow]) -> list[Block]:
    """The article as blocks of text segments, each claim's span marked in place.

    Overlapping claims: the later one is highlighted from where the earlier one ends (it stays in the claim
    list in full). Everything is plain text here; the template escapes it.
    """
    placed: list[tuple[int, int, ClaimRow]] = []
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

    `claim` is the model; `row` is its list row (also sent out of band after a change). The row's flags (live
    evidence, open conflicts, a strong published check) are counted from what the panel loads, so any read of
    the claim will do: the one a service returns after a change, or the annotated one of a list.
    """
    if article is not None:
        claim.article = article
    user = request.user
    facets = claim.facets if isinstance(claim.facets, dict) else {}
    evidence = selectors.claim_evidence(claim_id=claim.pk)
    conflicts = selectors.claim_conflicts(claim=claim)
    check_offers = check_offers_context(request, claim)
    row = claim_row(
        claim,
        selected=True,
        n_evidence=sum(1 for item in evidence if not item.is_removed),
        has_conflicts=bool(conflicts),
        # The stored flag (kept by a trigger on the offers) of a claim read before a decision may be stale.
        has_published_check=bool(check_offers.strong),
    )
    return {
        "claim": claim,
        "row": row,
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
