from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from rapidfuzz import fuzz

from factcheck import extraction, matching
from factcheck.matching import encoder
from factcheck.history import history_context
from factcheck.models import Article, Claim, ClaimOrigin, Evidence, Verdict
from factcheck.services import checkworthiness

logger = logging.getLogger(__name__)

WORKER = "extraction worker"
STALLED_AFTER = timedelta(minutes=10)  # queued or extracting this long: its worker died
REANCHOR_MIN_SIMILARITY = 80.0


@dataclass(frozen=True)
class ExtractionResult:
    created: int
    kept: int
    removed: int
    reanchored: int
    unanchored: int


def _with_human_work(qs):
    """Claims a person has touched: verdict, rationale, assignee, any evidence (even removed), or a span a person
    added, trimmed or split."""
    has_evidence = Exists(Evidence.objects.filter(claim=OuterRef("pk")))
    return qs.filter(
        ~Q(verdict=Verdict.UNREVIEWED) | ~Q(rationale="") | Q(assignee__isnull=False) | has_evidence
        | Q(model_version="") | ~Q(origin=ClaimOrigin.MACHINE)
    )


def _reanchor(body: str, claim: Claim, spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    """Where a reviewed claim now sits in a changed body: the same text nearest its old place, or the most
    similar sentence if its wording moved a little. None if it can't be found with confidence."""
    positions = []
    index = body.find(claim.text)
    while index != -1:
        positions.append(index)
        index = body.find(claim.text, index + 1)
    if positions:
        start = min(positions, key=lambda p: abs(p - claim.start))
        return start, start + len(claim.text)
    best, best_score = None, 0.0
    for start, end in spans:
        score = fuzz.ratio(claim.text, body[start:end])
        if score > best_score:
            best, best_score = (start, end), score
    return best if best_score >= REANCHOR_MIN_SIMILARITY else None


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(start < t_end and t_start < end for t_start, t_end in taken)


def article_extract_claims(*, article_id: int) -> ExtractionResult | None:
    """Extract an article's claims and mark it ready (or failed, with a message the user sees).

    Guarantees: idempotent (running it twice yields the same claims); claims with human work (verdict,
    rationale, assignee, evidence, or added by a person) are never deleted or re-scored — if the body changed
    they are re-anchored so that body[start:end] == text, and any that can't be found are named in the
    article's status message, never dropped silently; unreviewed machine claims are replaced. Returns None when
    no claims were stored (the article was deleted, failed, or its text changed meanwhile).
    """
    with transaction.atomic(), history_context(action="factcheck.article.extraction", actor=WORKER):
        started = Article.objects.filter(pk=article_id).update(
            status=Article.Status.EXTRACTING, status_message="", status_changed_at=timezone.now()
        )
    if not started:
        return None  # deleted meanwhile: nothing to do
    article = Article.objects.only("body", "headings").get(pk=article_id)
    try:
        found = extraction.extract_claims(article.body, headings=[tuple(span) for span in article.headings])
        found, dropped = _cap_claims(found)
        spans = extraction.split_sentences(article.body)
        # Outside the transaction: the encoder is the slow part of storing claims.
        vectors = dict(zip((c.text for c in found), encoder.encode([c.text for c in found])))
    except Exception as exc:  # a bug or pathological text: tell the user, don't retry forever
        logger.exception("Claim extraction failed for article %s", article_id)
        with transaction.atomic(), history_context(action="factcheck.article.extraction", actor=WORKER):
            Article.objects.filter(pk=article_id).update(
                status=Article.Status.FAILED,
                status_message=f"Claim extraction failed ({type(exc).__name__}). Try again, or report this article.",
                status_changed_at=timezone.now(),
            )
        return None
    return _store_claims(article_id=article_id, body=article.body, found=found, spans=spans, vectors=vectors,
                         dropped=dropped)


def _cap_claims(found: list) -> tuple[list, int]:
    """At most FACTDESK_MAX_CLAIMS_PER_ARTICLE claims, the most check-worthy, in text order; and how many were left
    out. Bounds the work and rows one article can cost (encoding, matching, the review list)."""
    limit = settings.FACTDESK_MAX_CLAIMS_PER_ARTICLE
    if len(found) <= limit:
        return found, 0
    kept = sorted(sorted(found, key=lambda c: -c.score)[:limit], key=lambda c: c.start)
    return kept, len(found) - limit


def claim_match_fields(text: str, facets: dict, *, when, vector=None) -> dict:
    """The stored fields matching reads for a claim: its embedding (computed here when not given), the encoder
    that made it, and its blocking keys (LSH bands of the embedding and its entities, in the month `when`)."""
    if vector is None:
        vector = encoder.encode([text])[0]
    return {
        "embedding": encoder.to_bytes(vector),
        "embedding_model": encoder.ENCODER_VERSION,
        "match_keys": matching.match_keys(text, facets, embedding=vector, when=when),
    }


@transaction.atomic
def _store_claims(
    *, article_id: int, body: str, found: list, spans: list[tuple[int, int]], vectors: dict, dropped: int = 0
) -> ExtractionResult | None:
    # One writer per article at a time: a second worker on the same article waits here, then finds nothing to do.
    article = (
        Article.objects.select_for_update().filter(pk=article_id).only("pk", "body", "published_at", "created_at").first()
    )
    if article is None or article.body != body:
        return None  # deleted, or its text changed under us: the newer run will do the work
    when = article.published_at or article.created_at
    with history_context(action="factcheck.article.extraction", actor=WORKER):
        existing = list(Claim.objects.filter(article_id=article_id))
        human_ids = set(_with_human_work(Claim.objects.filter(article_id=article_id)).values_list("pk", flat=True))
        kept_spans: list[tuple[int, int]] = []
        reanchored = unanchored = 0
        for claim in (c for c in existing if c.pk in human_ids):
            if body[claim.start : claim.end] != claim.text:
                place = _reanchor(body, claim, spans)
                if place is None:
                    unanchored += 1
                    continue
                claim.start, claim.end = place
                claim.text = body[claim.start : claim.end]
                Claim.objects.filter(pk=claim.pk).update(
                    start=claim.start, end=claim.end, text=claim.text,
                    **claim_match_fields(claim.text, claim.facets, when=when, vector=vectors.get(claim.text)),
                )
                reanchored += 1
            kept_spans.append((claim.start, claim.end))

        machine = {(c.start, c.end): c for c in existing if c.pk not in human_ids}
        wanted = {(c.start, c.end): c for c in found if not _overlaps(c.start, c.end, kept_spans)}
        stale = [c.pk for span, c in machine.items() if span not in wanted]
        if stale:
            Claim.objects.filter(pk__in=stale).delete()
        updates, creates = [], []
        # Which sentences are claims is the shipped scorer's call; the active head (if any) ranks them.
        for new in wanted.values():
            if vectors.get(new.text) is None:
                vectors[new.text] = encoder.encode([new.text])[0]
        scores = checkworthiness.claims_score([new.score for new in wanted.values()],
                                              [vectors[new.text] for new in wanted.values()])
        for (span, new), score in zip(wanted.items(), scores):
            fields = dict(score=score, base_score=round(float(new.score), 4), kinds=list(new.kinds),
                          facets=new.facets, model_version=extraction.EXTRACTION_VERSION,
                          **claim_match_fields(new.text, new.facets, when=when, vector=vectors.get(new.text)))
            current = machine.get(span)
            if current is None:
                creates.append(Claim(article_id=article_id, start=new.start, end=new.end, text=new.text, **fields))
            elif any(getattr(current, k) != v for k, v in fields.items()):
                for key, value in fields.items():
                    setattr(current, key, value)
                updates.append(current)
        Claim.objects.bulk_create(creates)
        if updates:
            Claim.objects.bulk_update(
                updates, ["score", "base_score", "kinds", "facets", "model_version", "embedding", "embedding_model",
                          "match_keys"]
            )
        message = ""
        if unanchored:
            message = (f"{unanchored} reviewed claim(s) no longer appear in the article text; "
                       "they are kept with their verdicts — check them in the claim list.")
        if dropped:
            limit = settings.FACTDESK_MAX_CLAIMS_PER_ARTICLE
            message = " ".join(filter(None, [message, (
                f"This article has more candidate claims than the {limit:,} kept per article; "
                f"the {limit:,} most check-worthy are listed and {dropped:,} were left out.")]))
        Article.objects.filter(pk=article_id).update(
            status=Article.Status.READY,
            status_message=message,
            extraction_model_version=extraction.EXTRACTION_VERSION,
            status_changed_at=timezone.now(),
        )
    return ExtractionResult(
        created=len(creates), kept=len(kept_spans), removed=len(stale), reanchored=reanchored, unanchored=unanchored
    )
