from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from factcheck import permissions
from factcheck.history import history_context
from factcheck.models import Claim, Verdict, VerdictCorrection
from factcheck.services import notifications

VERDICTS_NEEDING_RATIONALE = {Verdict.DISPUTED, Verdict.FALSE}


class ClaimConflict(Exception):
    """Someone else changed the claim since the user loaded it. `current` is the claim as it is now."""

    def __init__(self, current: Claim):
        self.current = current
        who = current.verdict_by.get_username() if current.verdict_by else "someone"
        super().__init__(
            f"This claim was changed by {who} while you were looking at it: it is now "
            f"“{current.get_verdict_display()}”. Review the change and try again."
        )


def _validate_verdict(verdict: str, rationale: str) -> None:
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": f"Unknown verdict {verdict!r}."})
    if verdict in VERDICTS_NEEDING_RATIONALE and not rationale.strip():
        label = Verdict(verdict).label
        raise ValidationError({"rationale": f"Give a rationale for “{label}”: say what is wrong and why."})


# The reports a claim is in, locked against publishing or unpublishing until this transaction ends (FOR SHARE:
# verdict changes on claims of one report don't wait for each other, a publish waits for them and they for it).
_REPORTS_OF_CLAIM_SQL = """
SELECT r.status FROM factcheck_report r JOIN factcheck_reportclaim rc ON rc.report_id = r.id
WHERE rc.claim_id = %s FOR SHARE OF r
"""


def claim_in_published_report(*, claim_id: int) -> bool:
    """Whether the claim is in a published report, the answer held until the transaction ends (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(_REPORTS_OF_CLAIM_SQL, [claim_id])
        return any(status == "published" for (status,) in cursor.fetchall())


CORRECTION_NOTE_NEEDED = (
    "This claim is in a published report: say what was wrong and why it changes (a correction note). "
    "Readers see the old verdict, the new one and your note."
)


def _update_verdict(
    claim_id: int, expected_version: int, actor, verdict: str, rationale: str, now, *, only_unreviewed: bool = False
) -> int:
    """The conditional UPDATE of a verdict, for one claim and for a cluster alike: only at the version the actor
    saw (and, with `only_unreviewed`, only while nobody has given the claim a verdict); raises the version.
    Returns the rows changed (0: someone changed the claim first). The caller sets the history context."""
    rows = Claim.objects.filter(pk=claim_id, version=expected_version)
    if only_unreviewed:
        rows = rows.filter(verdict=Verdict.UNREVIEWED)
    return rows.update(
        verdict=verdict,
        rationale=rationale,
        verdict_by=actor,
        verdict_at=now,
        updated_at=now,
        version=F("version") + 1,
    )


@transaction.atomic
def claim_set_verdict(
    *,
    claim_id: int,
    actor: AbstractBaseUser,
    verdict: str,
    rationale: str = "",
    expected_version: int,
    correction_note: str = "",
) -> Claim:
    """Set a claim's verdict and rationale, if nobody changed the claim since the actor saw `expected_version`.

    Guarantees: one conditional UPDATE, so two concurrent saves can't both win; a stale version raises
    `ClaimConflict` carrying the current claim and changes nothing; the history row names the actor and
    carries the rationale as the reason. Returns the claim as saved, with its reviewer and assignee (and
    `in_published_report`); raises `Claim.DoesNotExist` for a claim that doesn't exist.

    PermissionDenied for someone who may not review claims.

    A claim in a published report changes only with a `correction_note` (else ValidationError, nothing
    changed): the change is recorded as a `VerdictCorrection` (old and new verdict and rationale, the note, who,
    when) and in the history as `factcheck.claim.verdict_corrected` with the note as the reason.
    """
    permissions.require_review(actor)
    rationale = rationale.strip()
    _validate_verdict(verdict, rationale)
    if claim_in_published_report(claim_id=claim_id):
        claim = _claim_correct_verdict(
            claim_id=claim_id, actor=actor, verdict=verdict, rationale=rationale,
            expected_version=expected_version, note=correction_note.strip(),
        )
        claim.in_published_report = True
        return claim
    with history_context(action="factcheck.claim.verdict_changed", user=actor, reason=rationale):
        updated = _update_verdict(claim_id, expected_version, actor, verdict, rationale, timezone.now())
    claim = Claim.objects.select_related("verdict_by", "assignee").get(pk=claim_id)
    if not updated:
        raise ClaimConflict(claim)
    claim.in_published_report = False  # known here: the panel shown next needs no query to ask
    notifications.notify_verdict_changed(claim=claim, actor=actor)
    return claim


def _claim_correct_verdict(
    *, claim_id: int, actor: AbstractBaseUser, verdict: str, rationale: str, expected_version: int, note: str
) -> Claim:
    """The verdict change of a claim readers have seen (called inside `claim_set_verdict`'s transaction)."""
    current = Claim.objects.select_for_update(of=("self",)).select_related("verdict_by", "assignee").get(pk=claim_id)
    if current.version != expected_version:
        raise ClaimConflict(current)
    if current.verdict == verdict and current.rationale == rationale:
        return current  # nothing changes, so there is nothing to correct
    if not note:
        raise ValidationError({"correction_note": CORRECTION_NOTE_NEEDED})
    now = timezone.now()
    with history_context(action="factcheck.claim.verdict_corrected", user=actor, reason=note):
        _update_verdict(claim_id, expected_version, actor, verdict, rationale, now)
        VerdictCorrection.objects.create(
            claim_id=claim_id, old_verdict=current.verdict, new_verdict=verdict, old_rationale=current.rationale,
            new_rationale=rationale, note=note, made_by=actor, made_at=now,
        )
    return Claim.objects.select_related("verdict_by", "assignee").get(pk=claim_id)


@transaction.atomic
def claim_assign(*, claim_id: int, actor: AbstractBaseUser, assignee: AbstractBaseUser | None) -> Claim:
    """Assign a claim (or clear its assignee).

    Editors may assign anyone. Anyone who can review may take an unassigned claim for themselves, or give
    back their own; taking is a conditional UPDATE, so two people can't both take the same claim.
    """
    may_assign_anyone = permissions.can_assign(actor)
    qs = Claim.objects.filter(pk=claim_id)
    if not may_assign_anyone:
        if not permissions.can_review(actor):
            raise PermissionDenied("You can't assign claims.")
        if assignee is not None and assignee.pk != actor.pk:
            raise PermissionDenied("Only editors can assign claims to other people.")
        # Take an unassigned claim, or hand back your own.
        qs = qs.filter(assignee__isnull=True) if assignee is not None else qs.filter(assignee=actor)
    # Whether the assignee changes, for the notification: someone given a claim they already have hears nothing.
    gives_to_someone_else = assignee is not None and assignee.pk != actor.pk
    before = qs.values_list("assignee_id", flat=True).first() if gives_to_someone_else else None
    with history_context(action="factcheck.claim.assigned", user=actor):
        updated = qs.update(assignee=assignee, updated_at=timezone.now())
    claim = Claim.objects.select_related("verdict_by", "assignee").get(pk=claim_id)
    if not updated:
        holder = claim.assignee.get_username() if claim.assignee else "nobody"
        raise PermissionDenied(f"This claim is assigned to {holder}; only editors can reassign it.")
    if assignee is not None and before != assignee.pk:
        notifications.notify_assigned(claim=claim, actor=actor)
    return claim


# Actions whose change an undo may take back: a verdict, or "not a claim", set through the verdict action.
UNDOABLE_ACTIONS = {"factcheck.claim.verdict_changed"}


@transaction.atomic
def claim_undo_verdict(*, claim_id: int, actor: AbstractBaseUser, expected_version: int) -> Claim:
    """Take back the actor's own last verdict (or dismissal) on a claim: verdict, rationale, who and when return to
    what they were before it.

    Guarantees: only while the claim is still at `expected_version`, the version that verdict made (one
    conditional UPDATE, as for any verdict), so an undo after anyone else's change is refused with a message and
    changes nothing; only the actor's own verdict; the undo itself raises the version and is in the history.
    """
    permissions.require_review(actor)
    events = Claim.pgh_event_model.objects.filter(pgh_obj_id=claim_id).select_related("pgh_context")
    # The event that made this version (a later one at the same version, such as matching, raised none).
    made = events.filter(version=expected_version).order_by("pgh_id").first()
    claim = Claim.objects.select_related("verdict_by", "assignee").get(pk=claim_id)
    if claim.version != expected_version:
        who = claim.verdict_by.get_username() if claim.verdict_by else "someone"
        raise ValidationError(
            f"Not undone: the claim changed after your verdict (it is now “{claim.get_verdict_display()}”, "
            f"set by {who}). Nothing was changed."
        )
    if claim_in_published_report(claim_id=claim_id):
        raise ValidationError(
            "Not undone: this claim is in a published report, so its verdict changes only with a correction note."
        )
    metadata = (made.pgh_context.metadata if made is not None and made.pgh_context else None) or {}
    if metadata.get("action") not in UNDOABLE_ACTIONS or metadata.get("user") != actor.pk:
        raise ValidationError("Not undone: the last change to this claim is not a verdict of yours.")
    before = events.filter(version__lt=expected_version).order_by("-pgh_id").first()
    if before is None:
        raise ValidationError("Not undone: the claim's earlier state is not in its history.")
    # The reviewer before may have left the workspace since (their account deleted): the verdict stays, unnamed.
    reviewer = before.verdict_by_id
    if reviewer is not None and not get_user_model().objects.filter(pk=reviewer).exists():
        reviewer = None
    with history_context(action="factcheck.claim.verdict_undone", user=actor, reason=before.rationale):
        updated = Claim.objects.filter(pk=claim_id, version=expected_version).update(
            verdict=before.verdict,
            rationale=before.rationale,
            verdict_by_id=reviewer,
            verdict_at=before.verdict_at,
            updated_at=timezone.now(),
            version=F("version") + 1,
        )
    claim = Claim.objects.select_related("verdict_by", "assignee").get(pk=claim_id)
    if not updated:
        raise ValidationError("Not undone: the claim changed meanwhile. Nothing was changed.")
    return claim
