"""Claims a person adds or corrects: a missed claim added from a selection, a span trimmed, a claim split in two.

The offsets a browser sends are only a hint: the server finds the selection in the article's stored text, trims
the whitespace around it and checks it, so `body[start:end] == text` holds for every claim whoever wrote it. Score,
kinds and facets are computed by the extraction package exactly as for an extracted claim, the sentence vector
and blocking keys as on extraction, and the caller has the article matched again after the commit, so a person's
claim joins clusters and conflicts like any other. Every claim written here carries its origin (added or edited), which
re-extraction treats as human work: it is kept, never replaced.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from factcheck import extraction, permissions
from factcheck.history import history_context
from factcheck.models import Article, Claim, ClaimOrigin
from factcheck.matching import encoder
from factcheck.services import checkworthiness
from factcheck.services.claims import ClaimConflict, claim_in_published_report
from factcheck.services.extraction import claim_match_fields

# One statement, not a page: longer selections are refused with a message.
MAX_CLAIM_CHARS = 2000

_WORD_CHAR = re.compile(r"\w")


def _squashed(text: str) -> str:
    return " ".join(text.split())


def locate_span(body: str, start: Any, end: Any, text: str = "") -> tuple[int, int]:
    """The exact span of a selection in `body`: the offsets given, when the text there is the selected text (up to
    whitespace, which a browser renders differently), else the occurrence of the selected text nearest them;
    whitespace around it left out. Raises ValidationError, with a message for the person, when it can't be found
    or is no claim (empty, too long)."""
    try:
        start, end = int(start), int(end)
    except (TypeError, ValueError):
        raise ValidationError("The selection has no place in the article; select the text again.") from None
    if not 0 <= start < end <= len(body):
        raise ValidationError("The selection is outside the article's text; select the text again.")
    wanted = _squashed(text)[: MAX_CLAIM_CHARS + 1]
    if wanted and _squashed(body[start:end]) != wanted:
        pattern = re.compile(r"\s+".join(re.escape(word) for word in wanted.split(" ")))
        found = [m.span() for m in pattern.finditer(body)]
        if not found:
            raise ValidationError("The selected text is not in the article as stored; select it again.")
        start, end = min(found, key=lambda span: abs(span[0] - start))
    start, end = extraction.trim_span(body, start, end)
    if start >= end or not _WORD_CHAR.search(body, start, end):
        raise ValidationError("The selection holds no words; select the statement to add.")
    if end - start > MAX_CLAIM_CHARS:
        raise ValidationError(f"A claim is at most {MAX_CLAIM_CHARS:,} characters; select one statement.")
    return start, end


def _features(article: Article, start: int, end: int) -> dict[str, Any]:
    """Score, kinds, facets, vector and keys of body[start:end], as extraction computes them. The names earlier
    claims of the article established resolve surnames, as they do within one extraction run."""
    text = article.body[start:end]
    context = extraction.EntityContext()
    earlier = Claim.objects.filter(article_id=article.pk, start__lt=start).order_by("start")
    for facets in earlier.values_list("facets", flat=True):
        if isinstance(facets, dict):
            context.learn(facets)
    score, kinds, facets = extraction.span_features(text, context=context)
    vector = encoder.encode([text])[0]
    return {
        # Scored as extraction scores a claim: the active check-worthiness head (if any) over the base score.
        "score": checkworthiness.claims_score([score], [vector])[0],
        "base_score": round(score, 4),
        "kinds": list(kinds),
        "facets": facets,
        **claim_match_fields(text, facets, when=article.published_at or article.created_at, vector=vector),
    }


def _article(article_id: int) -> Article:
    return Article.objects.only("pk", "body", "content_hash", "published_at", "created_at").get(pk=article_id)


def _lock_unchanged(article: Article) -> None:
    """Lock the article (extraction holds the same lock while it stores claims) and check its text is the text the
    offsets were found in."""
    current = Article.objects.select_for_update().filter(pk=article.pk).values_list("content_hash", flat=True).first()
    if current is None:
        raise Article.DoesNotExist("No such article.")
    if current != article.content_hash:
        raise ValidationError("The article's text changed meanwhile; select the text again.")


def _refuse_overlap(article_id: int, start: int, end: int, *, exclude: int | None = None) -> None:
    other = (
        Claim.objects.filter(article_id=article_id, start__lt=end, end__gt=start).exclude(pk=exclude)
        .only("text").order_by("start").first()
    )
    if other is not None:
        snippet = other.text if len(other.text) <= 80 else other.text[:79] + "…"
        raise ValidationError(
            f"This overlaps the claim “{snippet}”. Select text outside it, or trim or split that claim instead."
        )


def claim_add(*, article_id: int, actor: AbstractBaseUser, start: Any, end: Any, text: str = "") -> Claim:
    """Add a claim a person selected in the article's text.

    Guarantees: `body[start:end] == text` for the stored claim; it overlaps no other claim of the article; the
    article's text is the one the selection was made in (checked under the article's lock); score, kinds, facets,
    vector and keys as on extraction; the history names the person. The caller sends the article's matching.
    Raises ValidationError with a message for the person, PermissionDenied for a read-only member, Article.DoesNotExist.
    """
    permissions.require_review(actor)
    article = _article(article_id)
    start, end = locate_span(article.body, start, end, text)
    _refuse_overlap(article.pk, start, end)
    fields = _features(article, start, end)  # outside the transaction: the models are the slow part
    with transaction.atomic():
        _lock_unchanged(article)
        _refuse_overlap(article.pk, start, end)
        claim_text = article.body[start:end]
        with history_context(action="factcheck.claim.added", user=actor, reason=claim_text):
            claim = Claim.objects.create(
                article_id=article.pk, start=start, end=end, text=claim_text, origin=ClaimOrigin.ADDED,
                model_version="", **fields,
            )
    return claim


def _claim(claim_id: int) -> Claim:
    return Claim.objects.only("pk", "article_id", "start", "end", "text", "origin", "version").get(pk=claim_id)


def _current(claim_id: int) -> Claim:
    return Claim.objects.select_related("verdict_by", "assignee").get(pk=claim_id)


def claim_change_span(
    *, claim_id: int, actor: AbstractBaseUser, start: Any, end: Any, text: str = "", expected_version: int
) -> Claim:
    """Move a claim's span to a selection inside or around it (trim a sentence merged with its neighbour, or take
    in words it missed).

    Guarantees: the new span overlaps the old one and no other claim; `body[start:end] == text`; one conditional
    UPDATE at `expected_version` (a stale one raises ClaimConflict and changes nothing); verdict, rationale,
    evidence and cluster stay with the claim; score, kinds, facets, vector and keys are computed again; the claim
    is marked as edited by a person, so re-extraction keeps it.
    """
    permissions.require_review(actor)
    claim = _claim(claim_id)
    article = _article(claim.article_id)
    start, end = locate_span(article.body, start, end, text)
    if (start, end) == (claim.start, claim.end):
        raise ValidationError("That is the claim's span already: select more or less of the text.")
    if not (start < claim.end and claim.start < end):
        raise ValidationError("Select text inside or around the claim to change its span.")
    _refuse_overlap(article.pk, start, end, exclude=claim.pk)
    fields = _features(article, start, end)
    with transaction.atomic():
        _lock_unchanged(article)
        _refuse_published(claim.pk)
        _refuse_overlap(article.pk, start, end, exclude=claim.pk)
        claim_text = article.body[start:end]
        with history_context(action="factcheck.claim.span_changed", user=actor, reason=claim_text):
            updated = Claim.objects.filter(pk=claim.pk, version=expected_version).update(
                start=start, end=end, text=claim_text, origin=_edited(claim.origin), updated_at=timezone.now(),
                version=F("version") + 1, **fields,
            )
        if not updated:
            raise ClaimConflict(_current(claim.pk))
    return _current(claim.pk)


PUBLISHED_WORDING = (
    "This claim is in a published report, and readers have seen its wording: unpublish the report to change it, "
    "or add the missing statement as a new claim."
)


def _refuse_published(claim_id: int) -> None:
    """A claim in a published report keeps its span (the check holds until the transaction ends)."""
    if claim_in_published_report(claim_id=claim_id):
        raise ValidationError(PUBLISHED_WORDING)


def _edited(origin: str) -> str:
    """A claim a person added stays "added" when they correct it; an extracted one becomes "edited"."""
    return origin if origin == ClaimOrigin.ADDED else ClaimOrigin.EDITED


def split_spans(body: str, start: int, end: int, at: Any) -> tuple[tuple[int, int], tuple[int, int]]:
    """The two parts of a claim spanning body[start:end] split at the point `at` a person chose, each without the
    whitespace around it; a point inside a word moves back to the word's start, so no word is cut. Raises
    ValidationError when either part would hold no words."""
    try:
        at = int(at)
    except (TypeError, ValueError):
        raise ValidationError("Choose where to split the claim: click in its text, then press Split.") from None
    while start < at < end and _WORD_CHAR.match(body[at - 1]) and _WORD_CHAR.match(body[at]):
        at -= 1
    first, second = extraction.trim_span(body, start, at), extraction.trim_span(body, at, end)
    if not (start < at < end) or not all(_WORD_CHAR.search(body, s, e) for s, e in (first, second)):
        raise ValidationError("Choose a point inside the claim's text, so that both parts hold words.")
    return first, second


def claim_split(*, claim_id: int, actor: AbstractBaseUser, at: Any, expected_version: int) -> tuple[Claim, Claim]:
    """Split a claim in two at a point inside it (a sentence the splitter merged with the next).

    Guarantees: both parts hold words and `body[start:end] == text` for each; the first keeps the claim (verdict,
    rationale, evidence, cluster, history) and the second is a new unreviewed claim; both are marked as edited
    by a person; one conditional UPDATE at `expected_version` (stale: ClaimConflict, nothing written).
    """
    permissions.require_review(actor)
    claim = _claim(claim_id)
    article = _article(claim.article_id)
    first, second = split_spans(article.body, claim.start, claim.end, at)
    first_fields, second_fields = _features(article, *first), _features(article, *second)
    with transaction.atomic():
        _lock_unchanged(article)
        _refuse_published(claim.pk)
        with history_context(action="factcheck.claim.split", user=actor, reason=article.body[first[0]:first[1]]):
            updated = Claim.objects.filter(pk=claim.pk, version=expected_version).update(
                start=first[0], end=first[1], text=article.body[first[0]:first[1]], origin=_edited(claim.origin),
                updated_at=timezone.now(), version=F("version") + 1, **first_fields,
            )
            if not updated:
                raise ClaimConflict(_current(claim.pk))
        with history_context(action="factcheck.claim.split", user=actor, reason=article.body[second[0]:second[1]]):
            part = Claim.objects.create(
                article_id=article.pk, start=second[0], end=second[1], text=article.body[second[0]:second[1]],
                origin=ClaimOrigin.EDITED, model_version="", **second_fields,
            )
    return _current(claim.pk), part
