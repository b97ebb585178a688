"""Notes on a claim: written by reviewers, replied to, edited only by their author, with @mentions that notify."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from factcheck import permissions, selectors
from factcheck.history import history_context
from factcheck.models import NOTE_MAX_CHARS, Claim, Note
from factcheck.services import notifications

# "@name" where name is a username (letters, digits and . @ + - _), not the middle of an e-mail address. A
# trailing full stop or other punctuation ends the sentence, not the name.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.@+-]*\w)")
MAX_MENTIONS = 20


@dataclass
class NoteSaved:
    note: Note
    mentioned: list[str] = field(default_factory=list)  # usernames notified
    unknown: list[str] = field(default_factory=list)  # @names that are nobody in the workspace


def mentioned_names(body: str) -> list[str]:
    """The @names in a note, each once, in the order written."""
    return list(dict.fromkeys(MENTION.findall(body)))


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if "\x00" in body:
        raise ValidationError({"body": "The note contains a NUL character, which can't be stored: remove it."})
    if not body:
        raise ValidationError({"body": "Write something first: the note is empty."})
    if len(body) > NOTE_MAX_CHARS:
        raise ValidationError(
            {"body": f"The note is {len(body):,} characters long; keep it under {NOTE_MAX_CHARS:,}."}
        )
    return body


READ_ONLY_NOTES = "You can read notes but not write them."


def _people_named(names: list[str]) -> dict[str, int]:
    """username -> id of the workspace members among `names`."""
    if not names:
        return {}
    field_name = get_user_model().USERNAME_FIELD
    rows = selectors.workspace_members().filter(**{f"{field_name}__in": names[:MAX_MENTIONS]})
    return dict(rows.values_list(field_name, "pk"))


def _mention(note: Note, claim: Claim, actor: AbstractBaseUser, *, already: set[int]) -> NoteSaved:
    names = mentioned_names(note.body)
    people = _people_named(names)
    new = {name: people[name] for name in names if name in people and people[name] not in already}  # as written
    note.mentions.add(*new.values())
    notifications.notify_mentioned(claim=claim, note_id=note.pk, user_ids=new.values(), actor=actor)
    return NoteSaved(
        note=note,
        mentioned=[name for name, pk in new.items() if pk != actor.pk],
        unknown=[name for name in names if name not in people],
    )


@transaction.atomic
def note_add(*, claim_id: int, actor: AbstractBaseUser, body: str, parent_id: int | None = None) -> NoteSaved:
    """Write a note on a claim, or a reply to one of its notes, and notify the people it @mentions.

    Replies are one level deep: a reply to a reply joins its thread. Raises PermissionDenied for someone who
    can't review, ValidationError for an empty, too long or NUL-bearing text or a note that is not the claim's,
    `Claim.DoesNotExist` for a claim that doesn't exist. The history records the note with its author.
    """
    permissions.require_review(actor, READ_ONLY_NOTES)
    body = _clean_body(body)
    claim = Claim.objects.only("pk", "article_id", "text").get(pk=claim_id)
    parent = None
    if parent_id is not None:
        parent = Note.objects.filter(pk=parent_id, claim_id=claim.pk).only("pk", "parent_id").first()
        if parent is None:
            raise ValidationError({"body": "The note you replied to is no longer on this claim."})
    with history_context(action="factcheck.note.added", user=actor):
        note = Note.objects.create(
            claim=claim, parent_id=(parent.parent_id or parent.pk) if parent else None, author=actor, body=body
        )
    return _mention(note, claim, actor, already=set())


@transaction.atomic
def note_edit(*, note_id: int, actor: AbstractBaseUser, body: str) -> NoteSaved:
    """Change the text of a note. Only its author may (PermissionDenied otherwise); the note is marked edited and
    the history keeps the earlier text. Only people newly @mentioned are notified."""
    permissions.require_review(actor, READ_ONLY_NOTES)
    body = _clean_body(body)
    note = Note.objects.select_for_update().select_related("claim").only(
        "pk", "body", "author_id", "claim_id", "parent_id", "created_at", "edited_at", "claim__text",
        "claim__article_id",
    ).get(pk=note_id)
    if note.author_id != actor.pk:
        raise PermissionDenied("Only the author of a note can edit it.")
    if body == note.body:
        return NoteSaved(note=note)
    note.body = body
    note.edited_at = timezone.now()
    with history_context(action="factcheck.note.edited", user=actor):
        note.save(update_fields=["body", "edited_at", "updated_at"])
    already = set(note.mentions.values_list("pk", flat=True))
    return _mention(note, note.claim, actor, already=already)
