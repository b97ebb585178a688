"""The newsroom teaches the check-worthiness model: reviewers' decisions train a head over the shipped scorer.

A verdict (verified, disputed, false) is a positive label, "Not a claim" a negative. `head_retrain` fits a new head
(`factcheck.extraction.head`) on those labels and the shipped ClaimBuster rows, measures it and the scorer in use on
the labels of a fixed share of articles it never trains on, records it as a `CheckworthinessHead` and switches to
it only when it is not worse there. A switch or a rollback re-scores the stored unreviewed claims from their stored
base score and embedding (`claims_rescore`); new claims from extraction are scored by the active head
(`claims_score`). Which sentences become claims stays the shipped scorer's decision, at its threshold.

History: a head's creation, switch and rollback are events on the head, with their actions. Re-scoring changes
only claims' scores, which write no claim events (see `Claim`); the switch is the record of it.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from factcheck import extraction
from factcheck.extraction import head as headlib
from factcheck.history import history_context
from factcheck.levels import level_figures
from factcheck.matching import encoder
from factcheck.models import CheckworthinessHead, Claim, Verdict

WORKER = "check-worthiness trainer"
HeadStatus = CheckworthinessHead.Status
HeadTrigger = CheckworthinessHead.Trigger

POSITIVE = (Verdict.VERIFIED, Verdict.DISPUTED, Verdict.FALSE)
NEGATIVE = (Verdict.NOT_A_CLAIM,)
# One reviewer label weighs as much as this many shipped rows. A reviewer's decision is the newsroom's own kind of
# sentence judged by its own standard, so it should count for more than a debate sentence labelled by the crowd;
# at 5, about 600 reviewer labels weigh as much as the 3,000 shipped rows, while a few dozen (one reviewer's
# afternoon) nudge the head rather than overturn what the shipped data teaches.
REVIEWER_WEIGHT = 5.0
# Labels of this share of articles (by a hash of the article id, so an article's labels are always on the same
# side and never leak into training) are held back to judge each candidate.
HOLDOUT_PERCENT = 25
# Fewer held-back labels than this (or none of one class) say too little to switch on: the candidate is rejected.
MIN_HELDOUT_LABELS = 30
# "Not worse": neither average precision nor F1 at the threshold lower than the scorer in use by more than this.
NOT_WORSE_TOLERANCE = 0.01
RESCORE_CHUNK = 2000
# The most recent reviewer labels read for one retraining: bounds its memory (768 bytes a vector) and time.
MAX_REVIEWER_LABELS = 200_000
_LOCK_KEY = int.from_bytes(hashlib.sha256(b"factcheck.checkworthiness").digest()[:4], "big") & 0x7FFFFFFF


class HeadError(ValidationError):
    """A retraining, switch or rollback that can't be done, with the reason in words."""


@dataclass(frozen=True)
class Labels:
    article_ids: np.ndarray
    base: np.ndarray
    embeddings: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return len(self.y)

    def take(self, mask: np.ndarray) -> Labels:
        return Labels(self.article_ids[mask], self.base[mask], self.embeddings[mask], self.y[mask])


@dataclass(frozen=True)
class RetrainResult:
    head: CheckworthinessHead
    switched: bool
    rescored: int


def is_held_back(article_id: int) -> bool:
    """Whether an article's labels are held back for evaluation (fixed for the article, whatever else exists)."""
    digest = hashlib.sha256(f"factcheck.head.{article_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HOLDOUT_PERCENT


def reviewer_labels() -> Labels:
    """Reviewed claims with a base score and an embedding from the current encoder (the most recent
    MAX_REVIEWER_LABELS): verdict → 1, not a claim → 0."""
    rows = (
        Claim.objects.filter(verdict__in=[*POSITIVE, *NEGATIVE], base_score__isnull=False, embedding__isnull=False,
                             embedding_model=encoder.ENCODER_VERSION)
        .order_by("-pk")
        .values_list("article_id", "base_score", "embedding", "verdict")[:MAX_REVIEWER_LABELS]
    )
    article_ids, base, blobs, y = [], [], [], []
    for article_id, base_score, blob, verdict in rows.iterator(chunk_size=RESCORE_CHUNK):
        article_ids.append(article_id)
        base.append(base_score)
        blobs.append(blob)
        y.append(0 if verdict in NEGATIVE else 1)
    return Labels(np.asarray(article_ids, dtype=np.int64), np.asarray(base, dtype=np.float64),
                  encoder.from_bytes_many(blobs), np.asarray(y, dtype=np.int64))


# --------------------------------------------------------------------------- the active head


def _usable(row: CheckworthinessHead) -> bool:
    return row.base_model_version == extraction.MODEL_VERSION and row.encoder_version == encoder.ENCODER_VERSION


class _ActiveCache:
    """The active head, loaded once per process and again only when the active version changes (one indexed
    query of its id per call)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.key: int | None = None
        self.head: headlib.Head | None = None

    def get(self) -> headlib.Head | None:
        active_id = CheckworthinessHead.objects.filter(status=HeadStatus.ACTIVE).values_list("pk", flat=True).first()
        with self.lock:
            if active_id != self.key:
                row = CheckworthinessHead.objects.filter(pk=active_id).first() if active_id else None
                self.head = headlib.Head.from_json(row.coefficients) if row and _usable(row) else None
                self.key = active_id
            return self.head


_ACTIVE = _ActiveCache()


def active_head() -> headlib.Head | None:
    """The head claims are scored with now, or None (the shipped scorer's score stands)."""
    return _ACTIVE.get()


def claims_score(base_scores: list[float], vectors) -> list[float]:
    """Scores for new claims: the active head's over (base score, embedding), else the base scores; rounded."""
    head = active_head()
    if head is None or not len(base_scores):
        return [round(float(s), 4) for s in base_scores]
    return [round(float(s), 4) for s in head.score(base_scores, np.asarray(vectors, dtype=np.float32))]


def _current_scores(labels: Labels, current: CheckworthinessHead | None) -> tuple[np.ndarray, float]:
    if current is None:
        return labels.base, extraction.DEFAULT_THRESHOLD
    head = headlib.Head.from_json(current.coefficients)
    return head.score(labels.base, labels.embeddings), head.threshold


# --------------------------------------------------------------------------- retraining


def _check_user(user) -> None:
    if user is not None and not user.has_perm("factcheck.change_checkworthinesshead"):
        raise PermissionDenied("Only administrators can retrain or switch the check-worthiness model.")


def _next_name() -> str:
    name = stem = f"head-{timezone.now():%Y%m%d-%H%M%S}"
    n = 1
    while CheckworthinessHead.objects.filter(name=name).exists():
        n += 1
        name = f"{stem}-{n}"
    return name


def _decide(labels_held: Labels, candidate: dict, current: dict) -> str:
    """Why the candidate must not be switched on, or "" when it may."""
    n, pos = len(labels_held), int(labels_held.y.sum())
    if n < MIN_HELDOUT_LABELS or pos == 0 or pos == n:
        return (f"Too few held-back reviewer labels to judge it: {n} ({pos} claims, {n - pos} not a claim); "
                f"at least {MIN_HELDOUT_LABELS}, with both kinds, are needed.")
    worse = [f"{label} {candidate[key]:.3f} < {current[key]:.3f}"
             for key, label in (("average_precision", "average precision"), ("f1", "F1"))
             if candidate[key] < current[key] - NOT_WORSE_TOLERANCE]
    if worse:
        return "Worse than the scorer in use on the held-back reviewer labels: " + "; ".join(worse) + "."
    return ""


def labels_new_since_last_version() -> bool:
    """Whether any claim got a verdict or "not a claim" after the latest version was trained (or none exists)."""
    latest = CheckworthinessHead.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    return latest is None or Claim.objects.filter(
        verdict__in=[*POSITIVE, *NEGATIVE], verdict_at__gt=latest, base_score__isnull=False).exists()


def head_retrain(*, trigger: str, user=None, switch: bool = True,
                 progress: Callable[[int, int], None] | None = None) -> RetrainResult:
    """Fit a new head on reviewers' labels and the shipped rows, record it, and switch to it if it is not worse.

    Guarantees: one retraining at a time (a second one is refused while the first runs); the version is recorded
    whatever the outcome — rejected with its reason (too few held-back labels, or worse than the scorer in use),
    a candidate (``switch=False``), or active; only an active version changes claims' scores, and then every
    stored unreviewed claim is re-scored with it.
    """
    _check_user(user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_LOCK_KEY])
        if not cursor.fetchone()[0]:
            raise HeadError("A retraining is already running; try again when it has finished.")
    try:
        head = _train_and_record(trigger=trigger, user=user, switch=switch)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])
    switched = head.status == HeadStatus.ACTIVE
    rescored = claims_rescore(progress=progress) if switched else 0
    return RetrainResult(head=head, switched=switched, rescored=rescored)


def _train_and_record(*, trigger: str, user, switch: bool) -> CheckworthinessHead:
    labels = reviewer_labels()
    held_mask = np.fromiter((is_held_back(int(a)) for a in labels.article_ids), dtype=bool, count=len(labels))
    train_labels, held = labels.take(~held_mask), labels.take(held_mask)
    shipped = headlib.load_shipped()
    base = np.concatenate([shipped.base, train_labels.base])
    embeddings = np.vstack([shipped.embeddings, train_labels.embeddings])
    y = np.concatenate([shipped.labels, train_labels.y])
    weights = np.concatenate([np.ones(len(shipped.labels)), np.full(len(train_labels), REVIEWER_WEIGHT)])
    candidate = headlib.train(base, embeddings, y, weights)

    current = CheckworthinessHead.objects.filter(status=HeadStatus.ACTIVE).first()
    if current is not None and not _usable(current):
        current = None  # made for another scorer or encoder: claims are on the base score
    metrics = {}
    if len(held):
        current_scores, current_threshold = _current_scores(held, current)
        candidate_scores = candidate.score(held.base, held.embeddings)
        # Levels keep the shipped cut points under a head (see factcheck.levels): the precision of each level on
        # the held-back labels shows whether they still mean what they say.
        metrics = {"candidate": {**headlib.measures(held.y, candidate_scores, candidate.threshold),
                                 "levels": level_figures(held.y, candidate_scores)},
                   "current": {**headlib.measures(held.y, current_scores, current_threshold),
                               "levels": level_figures(held.y, current_scores)}}
    reason = _decide(held, metrics.get("candidate", {}), metrics.get("current", {}))
    status = HeadStatus.REJECTED if reason else HeadStatus.CANDIDATE
    who = {"user": user} if user is not None else {"actor": WORKER}
    action = "factcheck.model.rejected" if reason else "factcheck.model.trained"
    with transaction.atomic(), history_context(action=action, reason=reason or None, trigger=trigger, **who):
        row = CheckworthinessHead.objects.create(
            name=_next_name(), status=status, base_model_version=extraction.MODEL_VERSION,
            encoder_version=encoder.ENCODER_VERSION, coefficients=candidate.to_json(),
            threshold=candidate.threshold, n_shipped=len(shipped.labels), n_train=len(train_labels),
            n_train_positive=int(train_labels.y.sum()), n_heldout=len(held), n_heldout_positive=int(held.y.sum()),
            metrics=metrics, compared_with=current.name if current else extraction.MODEL_VERSION,
            reason=reason, trigger=trigger, triggered_by=user,
        )
    if status == HeadStatus.CANDIDATE and switch:
        head_activate(head=row, trigger=trigger, user=user, rescore=False)
        row.refresh_from_db()
    return row


# --------------------------------------------------------------------------- switching


@transaction.atomic
def _switch(*, to: CheckworthinessHead | None, action: str, trigger: str, user, reason: str,
            previous_from_current: bool) -> CheckworthinessHead | None:
    """Make `to` the active version (None: the shipped scorer alone), retiring the active one. Returns the version
    that was active."""
    current = CheckworthinessHead.objects.select_for_update().filter(status=HeadStatus.ACTIVE).first()
    who = {"user": user} if user is not None else {"actor": WORKER}
    with history_context(action=action, reason=reason, trigger=trigger, **who):
        if current is not None:
            CheckworthinessHead.objects.filter(pk=current.pk).update(status=HeadStatus.RETIRED)
        if to is not None:
            fields = {"status": HeadStatus.ACTIVE, "activated_at": timezone.now()}
            if previous_from_current:
                fields["previous"] = current
            CheckworthinessHead.objects.filter(pk=to.pk).update(**fields)
    return current


def head_activate(*, head: CheckworthinessHead, trigger: str, user=None, rescore: bool = True,
                  progress: Callable[[int, int], None] | None = None) -> int:
    """Switch claims' scoring to `head` (a candidate or a retired version); the one active before becomes its
    `previous`, which a rollback returns to. Re-scores stored unreviewed claims when `rescore`; returns how many
    changed."""
    _check_user(user)
    head.refresh_from_db()
    if head.status == HeadStatus.ACTIVE:
        raise HeadError(f"{head.name} is already the active version.")
    if head.status == HeadStatus.REJECTED:
        raise HeadError(f"{head.name} was rejected ({head.reason}) and can't be switched on.")
    if not _usable(head):
        raise HeadError(f"{head.name} sits on {head.base_model_version} / {head.encoder_version}, not on the "
                        f"scorer and encoder in use ({extraction.MODEL_VERSION} / {encoder.ENCODER_VERSION}).")
    current = CheckworthinessHead.objects.filter(status=HeadStatus.ACTIVE).first()
    _switch(to=head, action="factcheck.model.switched", trigger=trigger, user=user, previous_from_current=True,
            reason=f"{head.name} replaces {current.name if current else 'the shipped scorer alone'}.")
    return claims_rescore(progress=progress) if rescore else 0


def head_rollback(*, trigger: str, user=None, rescore: bool = True,
                  progress: Callable[[int, int], None] | None = None) -> tuple[CheckworthinessHead | None, int]:
    """Re-activate the version that was active before the current one (or the shipped scorer alone, if there was
    none), retire the current one, and re-score stored unreviewed claims. Returns (the version now active, how
    many claims changed)."""
    _check_user(user)
    current = CheckworthinessHead.objects.filter(status=HeadStatus.ACTIVE).first()
    if current is None:
        raise HeadError("No version is active: claims already have the shipped scorer's scores.")
    target = current.previous
    if target is not None and not _usable(target):
        raise HeadError(f"The previous version, {target.name}, sits on another scorer or encoder; switch to a "
                        "version made for the ones in use instead.")
    _switch(to=target, action="factcheck.model.rolled_back", trigger=trigger, user=user, previous_from_current=False,
            reason=f"{current.name} rolled back to {target.name if target else 'the shipped scorer alone'}.")
    return target, (claims_rescore(progress=progress) if rescore else 0)


def claims_rescore(*, chunk: int = RESCORE_CHUNK, progress: Callable[[int, int], None] | None = None) -> int:
    """Re-score every stored unreviewed claim that has a base score with the active head (or set it back to its
    base score), in chunks by id, one UPDATE a chunk; no model runs. Stops early if the active version changes
    meanwhile (the switch that changed it re-scores). Idempotent. Returns how many claims' scores changed."""
    active = CheckworthinessHead.objects.filter(status=HeadStatus.ACTIVE).first()
    head = headlib.Head.from_json(active.coefficients) if active and _usable(active) else None
    active_id = active.pk if active else None
    top = Claim.objects.aggregate(top=Max("pk"))["top"] or 0
    # Back on the base score, the vectors need not be read.
    fields = ("pk", "base_score", "embedding") if head is not None else ("pk", "base_score")
    last, changed = 0, 0
    while True:
        rows = list(
            Claim.objects.filter(pk__gt=last, verdict=Verdict.UNREVIEWED, base_score__isnull=False)
            .order_by("pk").values_list(*fields)[:chunk]
        )
        if not rows:
            break
        last = rows[-1][0]
        ids = [r[0] for r in rows]
        scores = np.array([r[1] for r in rows], dtype=np.float64)
        if head is not None:
            with_vec = [n for n, r in enumerate(rows) if r[2] is not None and len(r[2]) == encoder.STORED_BYTES]
            if with_vec:
                vecs = encoder.from_bytes_many([rows[n][2] for n in with_vec])
                scores[with_vec] = head.score(scores[with_vec], vecs)
        with transaction.atomic():
            if CheckworthinessHead.objects.filter(status=HeadStatus.ACTIVE).values_list("pk", flat=True).first() \
                    != active_id:
                break
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE factcheck_claim c SET score = u.score "
                    "FROM unnest(%s::bigint[], %s::float8[]) AS u(id, score) "
                    "WHERE c.id = u.id AND c.verdict = %s AND c.score IS DISTINCT FROM u.score",
                    [ids, [round(float(s), 4) for s in np.clip(scores, 0.0, 1.0)], Verdict.UNREVIEWED],
                )
                changed += cursor.rowcount
        if progress:
            progress(last, top)
    return changed
