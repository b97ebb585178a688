"""In-app notifications: written where the event happens, read on the bell and the notifications page.

Each `notify_*` function is called by the service that makes the change, inside its transaction, so a change
that rolls back leaves no notification behind. None of them notifies the person who acted, and each writes its
rows with one bulk INSERT whatever the number of recipients.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from factcheck.models import Claim, FactCheckImport, ImportBatch, Notification

logger = logging.getLogger(__name__)

TEXT_MAX = Notification._meta.get_field("text").max_length
QUOTE_MAX = 120
# Notifications one digest run reads: a run that finds more sends the rest next time.
DIGEST_MAX_ROWS = 5000
DIGEST_LINES_PER_MAIL = 50


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return f"“{text[: QUOTE_MAX - 1]}…”" if len(text) > QUOTE_MAX else f"“{text}”"


def _name(actor: AbstractBaseUser | None) -> str:
    return actor.get_username() if actor is not None else "Someone"


def notify(
    *,
    recipient_ids: Iterable[int | None],
    kind: str,
    text: str,
    actor: AbstractBaseUser | None = None,
    **target: int | None,
) -> int:
    """One notification per distinct recipient, never to `actor` (one INSERT). `target` names the object it links
    to: `claim_id` (with `note_id`), `batch_id` or `check_import_id`. Returns how many were written."""
    actor_id = actor.pk if actor is not None else None
    recipients = sorted({pk for pk in recipient_ids if pk is not None and pk != actor_id})
    if not recipients:
        return 0
    text = text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1] + "…"
    Notification.objects.bulk_create(
        [Notification(recipient_id=pk, kind=kind, actor_id=actor_id, text=text, **target) for pk in recipients]
    )
    return len(recipients)


# --- The events -----------------------------------------------------------------------------------------------


def notify_assigned(*, claim: Claim, actor: AbstractBaseUser) -> int:
    """The claim's (new) assignee learns who gave it to them; taking a claim for yourself says nothing."""
    return notify(
        recipient_ids=[claim.assignee_id], kind=Notification.Kind.ASSIGNED, actor=actor, claim_id=claim.pk,
        text=f"{_name(actor)} assigned you a claim: {_quote(claim.text)}",
    )


def notify_mentioned(*, claim: Claim, note_id: int, user_ids: Iterable[int], actor: AbstractBaseUser) -> int:
    return notify(
        recipient_ids=user_ids, kind=Notification.Kind.MENTIONED, actor=actor, claim_id=claim.pk, note_id=note_id,
        text=f"{_name(actor)} mentioned you in a note on {_quote(claim.text)}",
    )


def notify_verdict_changed(*, claim: Claim, actor: AbstractBaseUser) -> int:
    """After a verdict was saved: if it differs from the one before, everyone who set a verdict on the claim
    before (its history says who) learns that someone else changed it (one read of the claim's history).

    Called in the transaction that saved the verdict, so the newest event is that change and the one before it
    holds the previous verdict.
    """
    events = list(
        Claim.pgh_event_model.objects.filter(pgh_obj_id=claim.pk).order_by("-pgh_id").values_list(
            "verdict", "verdict_by_id"
        )
    )
    if len(events) < 2 or events[1][0] == claim.verdict:
        return 0
    return notify(
        recipient_ids=[reviewer for _, reviewer in events[1:]], kind=Notification.Kind.VERDICT, actor=actor,
        claim_id=claim.pk,
        text=f"{_name(actor)} changed the verdict to {claim.get_verdict_display()} on a claim you reviewed: "
        f"{_quote(claim.text)}",
    )


def notify_new_conflicts(*, claim_texts: dict[int, str], explanation_of: dict[int, str]) -> int:
    """The assignees of claims that a new contradiction involves (one query for them, one INSERT for all).

    `claim_texts` maps each claim in a new conflict to its text; `explanation_of` a claim to the conflict's
    description (kind and values).
    """
    assigned = Claim.objects.filter(pk__in=list(claim_texts), assignee__isnull=False).values_list("pk", "assignee_id")
    rows = [
        Notification(
            recipient_id=assignee_id, kind=Notification.Kind.CONFLICT, claim_id=claim_id,
            text=f"New contradiction on your claim {_quote(claim_texts[claim_id])}: {explanation_of[claim_id]}"[
                :TEXT_MAX
            ],
        )
        for claim_id, assignee_id in assigned
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


def _notify_import_finished(*, created_by_id: int | None, failed: bool, what: str, message: str, counts: str,
                            **target: int) -> int:
    if failed:
        return notify(recipient_ids=[created_by_id], kind=Notification.Kind.IMPORT_FAILED,
                      text=f"{what} failed: {message}", **target)
    return notify(recipient_ids=[created_by_id], kind=Notification.Kind.IMPORT_DONE, text=f"{what} finished: {counts}",
                  **target)


def notify_batch_finished(*, batch: ImportBatch) -> int:
    """The editor who started a batch learns that it finished (with its counts) or failed (with the reason)."""
    return _notify_import_finished(
        created_by_id=batch.created_by_id, failed=batch.status == ImportBatch.Status.FAILED,
        what=f"Import “{batch.label}”", message=batch.message, batch_id=batch.pk,
        counts=f"{batch.imported} imported, {batch.duplicates} already there, {batch.failed} failed",
    )


def notify_check_import_finished(*, run: FactCheckImport) -> int:
    """The editor who imported published fact-checks learns that the import finished or failed."""
    return _notify_import_finished(
        created_by_id=run.created_by_id, failed=run.status == FactCheckImport.Status.FAILED,
        what=f"Import of published checks “{run.label}”", message=run.message, check_import_id=run.pk,
        counts=f"{run.created} new, {run.updated} updated, {run.failed} skipped",
    )


# --- Reading them ---------------------------------------------------------------------------------------------


def notification_mark_read(*, notification_id: int, user: AbstractBaseUser) -> Notification:
    """Mark one of the user's notifications read. Another person's is `Notification.DoesNotExist`, like a missing
    one, so nobody learns which ids exist."""
    notification = Notification.objects.select_related("claim").only(
        "pk", "read_at", "claim_id", "claim__article_id", "note_id", "batch_id", "check_import_id"
    ).get(pk=notification_id, recipient=user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, user: AbstractBaseUser) -> int:
    """Mark every unread notification of the user read (one UPDATE). Returns how many were unread."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


# --- The e-mail digest ----------------------------------------------------------------------------------------


def _digest_body(rows: list[Notification]) -> str:
    site = settings.SITE_URL.rstrip("/")
    lines = [f"You have {len(rows)} unread notification{'s' if len(rows) != 1 else ''} in Factdesk:", ""]
    for row in rows[:DIGEST_LINES_PER_MAIL]:
        lines.append(f"- {row.text}")
        lines.append(f"  {site}{row.get_absolute_url()}")
    if len(rows) > DIGEST_LINES_PER_MAIL:
        lines.append(f"… and {len(rows) - DIGEST_LINES_PER_MAIL} more.")
    lines += ["", f"All of them: {site}/notifications/"]
    return "\n".join(lines)


def notifications_send_digest() -> int:
    """E-mail each person with an address one message listing their unread notifications not sent before, when
    `NOTIFICATION_EMAIL_DIGEST` is on. Returns the number of messages sent.

    A notification is marked sent only after its message went out, so a mail server that is down loses nothing:
    the next run sends it. Read notifications are never sent.
    """
    if not settings.NOTIFICATION_EMAIL_DIGEST:
        return 0
    pending = list(
        Notification.objects.filter(read_at__isnull=True, emailed_at__isnull=True)
        .exclude(recipient__email="")
        .select_related("recipient", "claim")
        .only("pk", "text", "recipient__email", "recipient__username", "claim__article_id", "note_id", "batch_id",
              "check_import_id", "claim_id", "recipient_id")
        .order_by("recipient_id", "id")[:DIGEST_MAX_ROWS]
    )
    by_recipient: dict[int, list[Notification]] = defaultdict(list)
    for row in pending:
        by_recipient[row.recipient_id].append(row)
    sent = 0
    connection = get_connection()
    for rows in by_recipient.values():
        message = EmailMessage(
            subject=f"Factdesk: {len(rows)} unread notification{'s' if len(rows) != 1 else ''}",
            body=_digest_body(rows),
            to=[rows[0].recipient.email],
            connection=connection,
        )
        try:
            message.send()
        except OSError:
            logger.warning("The notification digest to user %s could not be sent", rows[0].recipient_id, exc_info=True)
            continue
        with transaction.atomic():
            Notification.objects.filter(pk__in=[row.pk for row in rows]).update(emailed_at=timezone.now())
        sent += 1
    return sent
