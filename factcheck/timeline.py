"""A claim's history as readable sentences, newest first.

The rows come from the append-only event tables written by database triggers. Each sentence is derived from
what changed between two consecutive events of the same row, plus the context the change was made in: the
dotted action (see `factcheck.history.ACTIONS`), the person or machine actor, and the reason given.
Changes made outside the workspace (a shell, raw SQL) have no context and say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model

from factcheck.history import action_sentence
from factcheck.models import CheckOffer, Claim, Evidence, Note, Verdict
from factcheck.selectors import domain_of
from factcheck.services.check_offers import check_label

OUTSIDE = "someone (outside the workspace)"

# A person set the claim's span: the sentence quotes the new text rather than listing each changed field.
SPAN_ACTIONS = {"factcheck.claim.span_changed", "factcheck.claim.split"}

# Fields whose changes are worth a sentence; the rest (updated_at, version) move with them.
CLAIM_FIELDS = {
    "verdict": "verdict",
    "rationale": "rationale",
    "assignee_id": "assignee",
    "text": "text",
    "start": "position",
    "cluster_id": "cluster",
    "score": "check-worthiness",
}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    who: str
    sentence: str
    quote: str = ""
    kind: str = "change"  # verdict, assign, evidence, extraction, offer, note, change
    verdict: str = ""
    sort_key: tuple = ()


def _verdict_label(value: str | None) -> str:
    try:
        return Verdict(value).label
    except ValueError:
        return value or "—"


def _who(metadata: dict[str, Any], names: dict[int, str]) -> str:
    if not metadata:
        return OUTSIDE
    if metadata.get("username"):
        return metadata["username"]
    if metadata.get("user") in names:
        return names[metadata["user"]]
    if metadata.get("actor"):
        return metadata["actor"]
    return OUTSIDE


def _name(user_id: int | None, names: dict[int, str]) -> str:
    if user_id is None:
        return "nobody"
    return names.get(user_id, f"user #{user_id}")


def _claim_changes(previous, event) -> dict[str, tuple[Any, Any]]:
    if previous is None:
        return {}
    changes = {
        field: (getattr(previous, field), getattr(event, field))
        for field in CLAIM_FIELDS
        if getattr(previous, field) != getattr(event, field)
    }
    # A score that moved without a new scorer was re-scored by a switch of the check-worthiness head, which writes
    # no claim event (the switch is recorded on the head): the next event of the claim did not change it.
    if "score" in changes and previous.model_version == event.model_version:
        del changes["score"]
    return changes


def _describe_value(field: str, value: Any, names: dict[int, str]) -> str:
    if field == "verdict":
        return _verdict_label(value)
    if field == "assignee_id":
        return _name(value, names)
    if field == "rationale":
        return f"“{value}”" if value else "nothing"
    return str(value)


def _claim_entry(event, previous, names: dict[int, str]) -> TimelineEntry | None:
    metadata = (event.pgh_context.metadata if event.pgh_context_id and event.pgh_context else None) or {}
    action = metadata.get("action")
    who = _who(metadata, names)
    reason = metadata.get("reason", "")
    base = {"at": event.pgh_created_at, "who": who, "sort_key": (event.pgh_created_at, 0, event.pgh_id)}

    if event.pgh_label == "insert":
        if action:
            return TimelineEntry(sentence=action_sentence(action), kind="extraction", **base)
        return TimelineEntry(sentence="created the claim", kind="extraction", **base)
    if event.pgh_label == "delete":
        return TimelineEntry(sentence="deleted the claim (with its article)", **base)

    changes = _claim_changes(previous, event)
    if action == "factcheck.claim.verdict_changed":
        if "verdict" in changes or not changes:
            sentence = f"set {_verdict_label(event.verdict)}"
        else:
            sentence = f"changed the rationale of {_verdict_label(event.verdict)}"
        return TimelineEntry(
            sentence=sentence, quote=event.rationale or reason, kind="verdict", verdict=event.verdict, **base
        )
    if action == "factcheck.claim.verdict_corrected":
        # A change readers of a published report see: the note says why.
        sentence = f"corrected the published verdict to {_verdict_label(event.verdict)}"
        return TimelineEntry(sentence=sentence, quote=reason, kind="verdict", verdict=event.verdict, **base)
    if action == "factcheck.claim.assigned":
        before = previous.assignee_id if previous is not None else None
        after = event.assignee_id
        actor_id = metadata.get("user")
        if after is not None and after == actor_id:
            sentence = "took the claim"
        elif after is None and before is not None and before == actor_id:
            sentence = "gave the claim back"
        elif after is None:
            sentence = f"unassigned the claim (was {_name(before, names)})"
        else:
            sentence = f"assigned the claim to {_name(after, names)}"
        return TimelineEntry(sentence=sentence, kind="assign", **base)
    if action in SPAN_ACTIONS:
        # Text, place and scores move together; the new text (the reason given) says it all.
        return TimelineEntry(sentence=action_sentence(action), quote=reason, **base)
    if action:
        detail = _changes_sentence(changes, names)
        sentence = action_sentence(action) + (f": {detail}" if detail else "")
        return TimelineEntry(sentence=sentence, quote=reason, verdict=event.verdict if "verdict" in changes else "", **base)
    if not changes:
        return None
    return TimelineEntry(
        sentence=_changes_sentence(changes, names),
        quote=reason,
        verdict=event.verdict if "verdict" in changes else "",
        **base,
    )


def _changes_sentence(changes: dict[str, tuple[Any, Any]], names: dict[int, str]) -> str:
    parts = []
    for field, (old, new) in changes.items():
        label = CLAIM_FIELDS[field]
        if field in {"text", "start"}:
            parts.append(f"changed the claim's {label}")
        elif field == "score":
            parts.append(f"changed the {label} from {old:.2f} to {new:.2f}")
        elif field == "cluster_id":
            parts.append("changed the claim's cluster")
        else:
            parts.append(
                f"changed {label} from {_describe_value(field, old, names)} to {_describe_value(field, new, names)}"
            )
    return "; ".join(dict.fromkeys(parts))


def _evidence_entry(event, previous, names: dict[int, str]) -> TimelineEntry | None:
    metadata = (event.pgh_context.metadata if event.pgh_context_id and event.pgh_context else None) or {}
    who = _who(metadata, names)
    domain = domain_of(event.url) or event.url
    base = {"at": event.pgh_created_at, "who": who, "kind": "evidence", "sort_key": (event.pgh_created_at, 1, event.pgh_id)}
    if event.pgh_label == "insert":
        return TimelineEntry(sentence=f"added evidence ({event.stance}) {domain}", quote=event.note, **base)
    if event.pgh_label == "delete":
        return TimelineEntry(sentence=f"deleted evidence {domain}", **base)
    if previous is not None and previous.removed_at is None and event.removed_at is not None:
        return TimelineEntry(
            sentence=f"removed evidence {domain}",
            quote=event.removal_reason or metadata.get("reason", ""),
            **base,
        )
    if previous is not None and previous.removed_at is not None and event.removed_at is None:
        return TimelineEntry(sentence=f"restored evidence {domain}", **base)
    return TimelineEntry(sentence=f"changed evidence {domain}", **base)


# A decision on an offered fact-check, by the status it moved to (and from).
_OFFER_SENTENCES = {
    (CheckOffer.Status.OFFERED, CheckOffer.Status.CONFIRMED): "marked “{}” as the same claim",
    (CheckOffer.Status.OFFERED, CheckOffer.Status.REJECTED): "marked “{}” as not the same claim",
    (CheckOffer.Status.CONFIRMED, CheckOffer.Status.REJECTED): "marked “{}” as not the same claim after all",
    (CheckOffer.Status.REJECTED, CheckOffer.Status.OFFERED): "showed “{}” again",
}


def _offer_entry(event, previous, names: dict[int, str]) -> TimelineEntry | None:
    """A sentence for a reviewer's decision on an offer; re-scoring and the offer's creation say nothing."""
    if previous is None or event.pgh_label != "update" or event.decided_at == previous.decided_at:
        return None
    template = _OFFER_SENTENCES.get((previous.status, event.status))
    if template is None:
        return None
    metadata = (event.pgh_context.metadata if event.pgh_context_id and event.pgh_context else None) or {}
    return TimelineEntry(
        at=event.pgh_created_at,
        who=_who(metadata, names),
        # The check may have been deleted since; its event rows stay.
        sentence=template.format(check_label(event.published_check) if event.published_check else "a deleted check"),
        kind="offer",
        sort_key=(event.pgh_created_at, 2, event.pgh_id),
    )


def _note_entry(event, previous, names: dict[int, str]) -> TimelineEntry | None:
    """A note written, a reply, or an author's edit (quoting the text as it then read)."""
    metadata = (event.pgh_context.metadata if event.pgh_context_id and event.pgh_context else None) or {}
    base = {"at": event.pgh_created_at, "who": _who(metadata, names), "kind": "note",
            "sort_key": (event.pgh_created_at, 3, event.pgh_id)}
    if event.pgh_label == "insert":
        sentence = "replied to a note" if event.parent_id else "wrote a note"
        return TimelineEntry(sentence=sentence, quote=event.body, **base)
    if event.pgh_label == "delete":
        return TimelineEntry(sentence="deleted a note (with its claim)", **base)
    if previous is not None and previous.body != event.body:
        return TimelineEntry(sentence="edited a note", quote=event.body, **base)
    return None


def _entries(events, describe, names: dict[int, str]) -> list[TimelineEntry]:
    """Each event described against the event before it of the same row (events in the order written)."""
    entries: list[TimelineEntry] = []
    last_of: dict[int, Any] = {}
    for event in events:
        entry = describe(event, last_of.get(event.pgh_obj_id), names)
        if entry is not None:
            entries.append(entry)
        last_of[event.pgh_obj_id] = event
    return entries


def claim_timeline(*, claim_id: int) -> list[TimelineEntry]:
    """The claim's history, its evidence's, the decisions on its offered fact-checks and its notes as sentences,
    newest first (four queries).

    Assignees' names come with the claim's events; a fifth query looks up the people named only by id in an old
    context (one written before contexts carried the username).
    """
    ClaimEvent = Claim.pgh_event_model
    EvidenceEvent = Evidence.pgh_event_model
    claim_events = list(
        ClaimEvent.objects.filter(pgh_obj_id=claim_id).select_related("pgh_context", "assignee").order_by("pgh_id")
    )
    evidence_events = list(
        EvidenceEvent.objects.filter(claim_id=claim_id).select_related("pgh_context").order_by("pgh_id")
    )
    # A decision is told from the offer's event before it, so all of an offer's events are read; the check's
    # large columns are not.
    offer_events = list(
        CheckOffer.pgh_event_model.objects.filter(claim_id=claim_id)
        .select_related("pgh_context", "published_check", "published_check__publisher")
        .defer(
            "published_check__raw", "published_check__embedding", "published_check__match_keys",
            "published_check__description",
        )
        .order_by("pgh_id")
    )
    note_events = list(
        Note.pgh_event_model.objects.filter(claim_id=claim_id).select_related("pgh_context").order_by("pgh_id")
    )
    names: dict[int, str] = {
        event.assignee_id: event.assignee.get_username() for event in claim_events if event.assignee is not None
    }
    unnamed: set[int] = set()
    for event in [*claim_events, *evidence_events, *offer_events, *note_events]:
        metadata = (event.pgh_context.metadata if event.pgh_context else None) or {}
        user_id = metadata.get("user")
        if isinstance(user_id, int) and not metadata.get("username") and user_id not in names:
            unnamed.add(user_id)
    if unnamed:
        User = get_user_model()
        names.update(User.objects.filter(pk__in=unnamed).values_list("pk", User.USERNAME_FIELD))

    entries = [
        *_entries(claim_events, _claim_entry, names),
        *_entries(evidence_events, _evidence_entry, names),
        *_entries(offer_events, _offer_entry, names),
        *_entries(note_events, _note_entry, names),
    ]
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    return entries
