"""Published fact-checks offered on claims: which checks each claim is shown, and how sure the offer is.

Two moments: when an article's claims have been matched (the matching task), its claims are searched among the
published checks; when checks are imported, the recent claims close to them are searched again. Both go through
`claims_offer_checks`, and `lookup` serves the `match_factchecks` command through the same search.

The search runs in the worker's memory (`factcheck.matching.checks.CheckIndex`, loaded once per process from the
stored vectors and keys, then brought up to date from `PublishedCheck.updated_at` before every search). A strong
offer whose figures or dates disagree with the claim (the conflict detectors of cross-article matching) is shown
as possible, with the reason. Decisions people made (same claim, not the same) are never undone: their rows keep
their status; only undecided offers are replaced when the ranking changes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from factcheck import matching
from factcheck.history import history_context
from factcheck.matching import checks, encoder
from factcheck.matching.conflicts import find_conflicts
from factcheck.models import CheckOffer, Claim, PublishedCheck, Verdict

WORKER = "fact-check matching worker"

# Offers kept per claim (the panel shows three).
OFFERS_PER_CLAIM = 3
# When checks are imported, the most recent claims looked at again, and the cosine below which a claim is not
# searched again (well under what any band needs: see the model card).
RECENT_CLAIMS = 5000
RECHECK_COSINE = 0.45


@dataclass
class _Loaded:
    index: checks.CheckIndex
    watermark: Any = None


_LOCK = threading.Lock()
_LOADED: _Loaded | None = None


def _rows(queryset) -> Iterable[tuple[int, bytes, list[str], str]]:
    for pk, emb, keys, claim, headline in queryset.values_list(
        "id", "embedding", "match_keys", "claim_reviewed", "headline"
    ).iterator(chunk_size=2000):
        yield pk, bytes(emb) if emb is not None else b"", keys, claim or headline


def current_index() -> checks.CheckIndex:
    """This process's index of published checks, brought up to date with the database: checks changed since the
    last look (`updated_at`, indexed) are read again. Deleted checks are dropped when a search meets them."""
    global _LOADED
    with _LOCK:
        latest = PublishedCheck.objects.aggregate(latest=Max("updated_at"))["latest"]
        if _LOADED is None:
            index = checks.CheckIndex()
            index.add(_rows(PublishedCheck.objects.exclude(embedding=None)))
            _LOADED = _Loaded(index, latest)
        elif latest is not None and (_LOADED.watermark is None or latest > _LOADED.watermark):
            qs = PublishedCheck.objects.exclude(embedding=None)
            if _LOADED.watermark is not None:
                qs = qs.filter(updated_at__gt=_LOADED.watermark)
            _LOADED.index.add(_rows(qs))
            _LOADED.watermark = latest
        return _LOADED.index


def forget_index() -> None:
    """Drop this process's index (it is loaded again on the next search): after checks were deleted."""
    global _LOADED
    with _LOCK:
        _LOADED = None


@dataclass(frozen=True)
class Found:
    check_id: int
    probability: float
    band: str | None
    reason: str = ""


def _conflict_reason(claim: matching.ClaimInfo, check: matching.ClaimInfo) -> str:
    """"checked: 45% — this claim says 145%" when figures or dates of the same quantity disagree. The check's
    info has a negative id, so it is always the first of the pair and its values come first."""
    if checks.figures(check.text) <= checks.figures(claim.text):
        return ""  # the claim states every figure the check does ("from 100% to 145%" beside "145%")
    for conflict in find_conflicts(claim, check):
        if conflict.kind in ("number", "date") and len(conflict.values) >= 2:
            return f"checked: {conflict.values[0]} — this claim says {' / '.join(conflict.values[1:])}"
    return ""


def search(vector: np.ndarray, text: str, *, facets: dict | None = None, claim_id: int = 0,
           index: checks.CheckIndex | None = None) -> list[Found]:
    """The ranked checks for one statement (best first, ``top_k`` of them), with band and reason."""
    index = index or current_index()
    offers = index.search(vector, text)
    # Checks deleted since the index was read: drop them and search again (at most a few rounds).
    for _ in range(3):
        ids = {o.check_id for o in offers}
        dead = ids - set(PublishedCheck.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if not dead:
            break
        index.remove(dead)
        offers = index.search(vector, text)
    found = []
    info = None
    for offer in offers:
        band, reason = offer.band, ""
        if band == checks.STRONG:
            info = info or matching.ClaimInfo(id=claim_id, article_id=0, text=text, facets=facets or _facets_of(text))
            check = PublishedCheck.objects.filter(pk=offer.check_id).values_list(
                "claim_reviewed", "headline").first()
            if check is not None:
                other = matching.ClaimInfo(id=-offer.check_id, article_id=-1, text=check[0] or check[1],
                                           facets=_facets_of(check[0] or check[1]))
                reason = _conflict_reason(info, other)
                if reason:
                    band = checks.POSSIBLE
        found.append(Found(offer.check_id, offer.probability, band, reason))
    return found


def _facets_of(text: str) -> dict:
    from factcheck.extraction.facets import facets_of_sentences

    try:
        return facets_of_sentences([text])[0]
    except Exception:  # noqa: BLE001 - the reason is a courtesy; a failing NER model must not stop the offer
        return {}


def lookup(texts: Sequence[str], *, top: int = 5) -> list[list[Found]]:
    """The `top` best checks for each text (the `match_factchecks` command), through the same search."""
    index = current_index()
    vectors = encoder.encode(list(texts))
    return [search(v, t, index=index)[:top] for v, t in zip(vectors, texts)]


def claims_offer_checks(claim_ids: Iterable[int]) -> int:
    """Search every claim among the published checks and store its offers. Returns the offers written."""
    claims = list(
        Claim.objects.filter(pk__in=list(claim_ids)).exclude(verdict=Verdict.NOT_A_CLAIM).exclude(embedding=None)
        .values_list("id", "text", "facets", "embedding")
    )
    if not claims:
        return 0
    index = current_index()
    if not len(index):
        return 0
    model_version = checks.load_model().version
    plans = {}
    for pk, text, facets, emb in claims:
        found = search(encoder.from_bytes(bytes(emb)), text, facets=facets, claim_id=pk, index=index)
        plans[pk] = [f for f in found if f.band is not None][:OFFERS_PER_CLAIM]
    return _store(plans, model_version)


def _store(plans: dict[int, list[Found]], model_version: str) -> int:
    written = 0
    with transaction.atomic(), history_context(action="factcheck.checkoffer.offered", actor=WORKER):
        existing = {(o.claim_id, o.published_check_id): o
                    for o in CheckOffer.objects.select_for_update().filter(claim_id__in=list(plans))}
        alive = set(PublishedCheck.objects.filter(
            pk__in={f.check_id for fs in plans.values() for f in fs}).values_list("pk", flat=True))
        keep = set()
        for claim_id, found in plans.items():
            for f in found:
                if f.check_id not in alive:
                    continue
                keep.add((claim_id, f.check_id))
                row = existing.get((claim_id, f.check_id))
                values = {"score": round(f.probability, 4), "band": f.band, "reason": f.reason[:1000],
                          "model_version": model_version}
                if row is None:
                    CheckOffer.objects.create(claim_id=claim_id, published_check_id=f.check_id, **values)
                    written += 1
                elif any(getattr(row, k) != v for k, v in values.items()):
                    CheckOffer.objects.filter(pk=row.pk).update(updated_at=timezone.now(), **values)
                    written += 1
        stale = [o.pk for key, o in existing.items()
                 if key not in keep and o.status == CheckOffer.Status.OFFERED]
        if stale:
            CheckOffer.objects.filter(pk__in=stale).delete()
    return written


def article_offer_checks(*, article_id: int) -> int:
    """Offers for every claim of one article (after its claims are matched)."""
    return claims_offer_checks(Claim.objects.filter(article_id=article_id).values_list("pk", flat=True))


def offer_checks_for_new(check_ids: Sequence[int]) -> int:
    """After checks are imported: the recent claims close to any of them are searched again."""
    vectors = [checks.vectors_from_bytes(bytes(e)) for e in PublishedCheck.objects.filter(
        pk__in=list(check_ids)).exclude(embedding=None).values_list("embedding", flat=True)]
    if not vectors:
        return 0
    new = np.concatenate(vectors)  # (2 * checks, 384)
    recent = list(
        Claim.objects.exclude(verdict=Verdict.NOT_A_CLAIM).exclude(embedding=None)
        .order_by("-created_at").values_list("id", "embedding")[:RECENT_CLAIMS]
    )
    if not recent:
        return 0
    matrix = encoder.from_bytes_many([e for _, e in recent])
    close = (matrix @ new.T).max(axis=1) >= RECHECK_COSINE
    return claims_offer_checks([pk for (pk, _), hit in zip(recent, close) if hit])
