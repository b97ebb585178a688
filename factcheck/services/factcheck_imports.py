"""Importing published fact-checks (schema.org ClaimReview): uploads, files, URLs and scheduled feeds.

An import (`FactCheckImport`) is processed by a worker in chunks. Each chunk is one transaction that upserts its
checks by key, writes its per-record problems and advances the import's counters together, so an import is
never half-written and its counters are its cursor: `created + updated + failed` records are done, and a resumed
or redelivered run skips exactly those. A broken record becomes a problem row and the run goes on.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from factcheck import permissions
from factcheck.history import history_context
from factcheck.ingest import IngestError, claimreview, format_size
from factcheck.matching.checks import CheckText, check_match_fields_many
from factcheck.models import (
    FactCheckFeed,
    FactCheckImport,
    FactCheckImportProblem,
    PublishedCheck,
    RatingMapping,
    Source,
)
from factcheck.services import check_matching, notifications
from factcheck.selectors import domain_of, source_name
from factcheck.services.sources import source_find_or_create
from factcheck.services.uploads import fetch

logger = logging.getLogger(__name__)

CHECK_IMPORTER = "fact-check importer"
# Records per transaction: the vectors of a chunk are computed in one call (the slow part), so a chunk commits
# often and a killed worker loses little.
CHUNK_SIZE = 250
# A run hands what is left to a new task after this long, so it never meets the task's hard time limit.
RUN_TIME_BUDGET = 150.0
RUN_STALLED_AFTER = timedelta(minutes=5)
# Restarts without a finished chunk in between before an import is parked: its worker keeps dying on it (killed
# for memory, a crash in a library), and another restart would only do the same.
MAX_RESUMES = 3
FEED_MAX_FAILURES = 5  # after this many failed fetches in a row a feed is no longer fetched until fixed
MAX_LISTED_PROBLEMS = 200

_FINISHED = (FactCheckImport.Status.DONE, FactCheckImport.Status.FAILED)
# Fields an import writes on a check; `feed` only when the import came from a feed.
_CHECK_FIELDS = [
    "identifier", "url", "claim_reviewed", "headline", "description", "publisher", "publisher_name", "writer",
    "claimant", "claim_date", "review_date", "rating_label", "rating_value", "rating_best", "rating_worst",
    "rating", "language", "missing", "raw", "last_import", "embedding", "embedding_model", "match_keys",
    "updated_at",
]


def max_import_bytes() -> int:
    """The largest file or fetched feed of fact-checks (the batch import limit)."""
    return settings.FACTDESK_MAX_BATCH_BYTES


def _is_url(label: str) -> bool:
    return label.lower().startswith(("http://", "https://"))


# --- creating an import -----------------------------------------------------------------------------------


def factcheck_import_create(
    *, data: bytes, filename: str, created_by: AbstractBaseUser | None = None
) -> FactCheckImport:
    """Store an uploaded file of fact-checks; the caller sends its import (`factcheck_import_run`).

    Raises `IngestError` (nothing is stored) for a file that is empty, over the size limit, or in no format the
    ClaimReview reader knows; broken records inside a readable file are reported per record by the worker.
    PermissionDenied when `created_by` may not import (an import without a person is the system's own).
    """
    permissions.require_upload(created_by)
    claimreview.iter_records(data, filename=filename, max_bytes=max_import_bytes())  # checks before any record
    return FactCheckImport.objects.create(label=(filename or "upload")[-2000:], data=data, created_by=created_by)


def factcheck_import_create_from_path(
    *, path: Path | str, created_by: AbstractBaseUser | None = None
) -> FactCheckImport:
    """Like an upload, from a file on this machine; an oversized file is refused before it is read."""
    path = Path(path)
    if not path.is_file():
        raise IngestError(f"{path}: no such file.")
    size = path.stat().st_size
    if size > max_import_bytes():
        raise IngestError(f"The file is {format_size(size)}, over the {format_size(max_import_bytes())} limit for "
                          "an import of fact-checks; split it into smaller files.")
    return factcheck_import_create(data=path.read_bytes(), filename=path.name, created_by=created_by)


def factcheck_import_create_from_url(
    *, url: str, created_by: AbstractBaseUser | None = None, feed: FactCheckFeed | None = None,
) -> FactCheckImport:
    """Record an import of a URL; the worker fetches it (public http/https addresses only, within the size
    limit) outside any transaction. PermissionDenied as for an upload."""
    permissions.require_upload(created_by)
    url = url.strip()
    if not _is_url(url):
        raise IngestError("Enter a web address starting with http:// or https://.")
    return FactCheckImport.objects.create(label=url[:2000], feed=feed, created_by=created_by)


# --- running an import ------------------------------------------------------------------------------------


def _fail(run_id: int, message: str) -> None:
    """Park an import with the reason; its file is dropped. A finished import is left as it is."""
    now = timezone.now()
    with transaction.atomic():
        failed = FactCheckImport.objects.filter(pk=run_id).exclude(status__in=_FINISHED).update(
            status=FactCheckImport.Status.FAILED, message=message[:4000], finished_at=now, heartbeat_at=now,
            data=None,
        )
        run = FactCheckImport.objects.defer("data").filter(pk=run_id).first()
        if failed and run is not None:
            notifications.notify_check_import_finished(run=run)
    feed_id = run.feed_id if run is not None else None
    if feed_id:
        _feed_record(feed_id, error=message)


def factcheck_import_fail(*, run_id: int, message: str) -> None:
    """Stop an import that cannot go on (a task that keeps failing), keeping what its finished chunks wrote."""
    _fail(run_id, message)


def _run_data(run: FactCheckImport) -> bytes:
    """The bytes to import: the stored file, or the URL fetched now (and stored, so a resumed run reads the
    same bytes). Raises IngestError."""
    if run.data is not None:
        return bytes(run.data)
    if not _is_url(run.label):
        raise IngestError("The file of this import is no longer stored; upload it again.")
    resource = fetch(run.label, max_bytes=max_import_bytes())
    FactCheckImport.objects.filter(pk=run.pk, data__isnull=True).update(data=resource.data)
    stored = FactCheckImport.objects.filter(pk=run.pk).values_list("data", flat=True).first()
    return bytes(stored) if stored is not None else resource.data


def _records(run: FactCheckImport, data: bytes) -> Iterator[claimreview.CheckRecord]:
    return claimreview.iter_records(data, filename=run.label, max_bytes=max_import_bytes())


_Chunk = list[claimreview.CheckRecord]


def _vectors(chunk: _Chunk) -> list:
    """Vectors and candidate keys of a chunk's checks, in one encoder call."""
    texts = [CheckText(r.check.claim_reviewed, r.check.headline, r.check.description) for r in chunk if r.check]
    return check_match_fields_many(texts) if texts else []


def _chunks_with_vectors(records: Iterable[claimreview.CheckRecord]) -> Iterator[tuple[_Chunk, list]]:
    """The records in chunks, each with its vectors. The next chunk's vectors are computed in a thread while the
    caller writes this one (the encoder runs outside the GIL, the writes wait on the database), so the two
    overlap; the thread never touches the database."""
    iterator = iter(records)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="check-vectors") as pool:
        ahead: tuple[_Chunk, Future] | None = None
        while True:
            chunk = list(itertools.islice(iterator, CHUNK_SIZE))
            following = (chunk, pool.submit(_vectors, chunk)) if chunk else None
            if ahead is not None:
                yield ahead[0], ahead[1].result()
            if following is None:
                return
            ahead = following


@dataclass(frozen=True)
class ImportRunResult:
    handled: int  # records this call imported or skipped
    unfinished: bool = False  # the time budget ran out with records left: the caller sends the run again


def factcheck_import_run(
    *,
    run_id: int,
    time_budget: float | None = RUN_TIME_BUDGET,
    progress: Callable[[FactCheckImport], None] | None = None,
) -> ImportRunResult:
    """Import the records of one import, chunk by chunk, from where its counters say it stopped.

    Idempotent: a finished import does nothing; a resumed or redelivered one skips the records already
    counted, and a chunk that finds another worker ahead of it stops. When `time_budget` runs out it stops
    between chunks and says so (`unfinished`), for a new task to go on.
    """
    run = FactCheckImport.objects.select_related("created_by").filter(pk=run_id).first()
    if run is None or run.status in _FINISHED:
        return ImportRunResult(0)
    now = timezone.now()
    FactCheckImport.objects.filter(pk=run_id, status=FactCheckImport.Status.PENDING).update(
        status=FactCheckImport.Status.RUNNING, started_at=now, heartbeat_at=now)
    try:
        data = _run_data(run)
        if not run.total:
            # Counting first gives the page its progress bar, and finds a file that is unreadable as a whole
            # before anything is written. Parsing is cheap next to the vectors.
            total = claimreview.count_records(data, filename=run.label, max_bytes=max_import_bytes())
            FactCheckImport.objects.filter(pk=run_id).update(total=total, heartbeat_at=timezone.now())
        records = _records(run, data)
    except IngestError as exc:
        _fail(run_id, exc.message)
        return ImportRunResult(0)
    started = time.monotonic()
    cursor = run.processed
    mappings = _rating_mappings()
    handled = 0
    chunks = _chunks_with_vectors(itertools.islice(records, cursor, None))
    for chunk, fields in chunks:
        if time_budget is not None and time.monotonic() - started > time_budget:
            chunks.close()
            return ImportRunResult(handled, unfinished=True)
        check_ids = _import_chunk(run, chunk, fields, cursor=cursor, mappings=mappings)
        if check_ids is None:
            chunks.close()
            return ImportRunResult(handled)  # another worker is ahead: it carries on
        cursor += len(chunk)
        handled += len(chunk)
        _after_chunk(check_ids)
        if progress is not None:
            progress(FactCheckImport.objects.defer("data").get(pk=run_id))
    _finish(run_id)
    return ImportRunResult(handled)


def _finish(run_id: int) -> None:
    now = timezone.now()
    with transaction.atomic():
        done = FactCheckImport.objects.filter(pk=run_id, status=FactCheckImport.Status.RUNNING).update(
            status=FactCheckImport.Status.DONE, finished_at=now, heartbeat_at=now, data=None)
        run = FactCheckImport.objects.defer("data").filter(pk=run_id).first()
        if done and run is not None:
            notifications.notify_check_import_finished(run=run)
    feed_id = run.feed_id if run is not None else None
    if done and feed_id:
        _feed_record(feed_id)


def _after_chunk(check_ids: Sequence[int]) -> None:
    """Called after each committed chunk with the ids of the checks it created or updated: the place where
    recent claims are matched against new checks."""
    check_matching.offer_checks_for_new(check_ids)


# --- one chunk --------------------------------------------------------------------------------------------


def _rating_mappings() -> dict[tuple[int | None, str], str]:
    """(publisher id or None, label in lower case) -> normalised rating, from the editable mapping."""
    return {
        (publisher_id, label.casefold().strip()): rating
        for publisher_id, label, rating in RatingMapping.objects.values_list("publisher_id", "label", "rating")
    }


def _rating(check: claimreview.ParsedCheck, publisher: Source | None,
            mappings: dict[tuple[int | None, str], str]) -> str:
    label = check.rating_label.casefold().strip()
    if label:
        mapped = mappings.get((publisher.pk if publisher else None, label)) or mappings.get((None, label))
        if mapped:
            return mapped
    return check.rating


class _Publishers:
    """The publisher Source of each check: by the domain of its URL (or the check's), else by name, else a new
    source (kind "other", reliability unknown) with that domain. Lives inside one chunk's transaction."""

    def __init__(self):
        self._cache: dict[tuple[str, str], Source | None] = {}

    def resolve(self, check: claimreview.ParsedCheck) -> Source | None:
        site = check.publisher_url or check.url
        domain = domain_of(site) if site else ""
        name = source_name(check.publisher_name)
        cache_key = (domain, name.casefold())
        if cache_key not in self._cache:
            self._cache[cache_key] = source_find_or_create(name=name, url=site, kind=Source.Kind.OTHER,
                                                           claim_domain=True)[0]
        return self._cache[cache_key]


def _missing_message(record: claimreview.CheckRecord) -> str:
    check = record.check
    assert check is not None
    parts = []
    if check.missing:
        labels = [claimreview.MISSING_LABELS[name] for name in check.missing]
        parts.append("imported without " + (", ".join(labels[:-1]) + " and " + labels[-1] if len(labels) > 1
                                            else labels[0]))
    parts.extend(check.notes)
    return f"{record.where}: {'; '.join(parts)}."


def _import_chunk(run: FactCheckImport, chunk: _Chunk, fields: list, *, cursor: int,
                  mappings: dict[tuple[int | None, str], str]) -> list[int] | None:
    """Upsert one chunk's checks (with `fields`, their vectors, computed before the transaction opens), its
    problems and the counters in one transaction. Returns the ids of the checks written, or None when the
    import's counters are no longer at `cursor` (another worker moved on)."""
    good = [r for r in chunk if r.check is not None]
    problems = [FactCheckImportProblem(run_id=run.pk, line=r.line, skipped=True, message=r.error or "")
                for r in chunk if r.check is None]
    problems += [FactCheckImportProblem(run_id=run.pk, line=r.line, skipped=False, message=_missing_message(r))
                 for r in good if r.check.missing or r.check.notes]
    actor = None if run.created_by else CHECK_IMPORTER
    with transaction.atomic(), history_context(action="factcheck.check.imported", user=run.created_by,
                                               actor=actor, run=run.pk):
        locked = (FactCheckImport.objects.select_for_update().filter(pk=run.pk, status=FactCheckImport.Status.RUNNING)
                  .values_list("created", "updated", "failed").first())
        if locked is None or sum(locked) != cursor:
            return None
        publishers = _Publishers()
        rows: dict[str, PublishedCheck] = {}
        for record, stored in zip(good, fields, strict=True):
            check = record.check
            publisher = publishers.resolve(check)
            # A key seen twice in one chunk: the later record wins, the earlier counts as an update of it.
            rows[check.key] = PublishedCheck(
                key=check.key, identifier=check.identifier, url=check.url, claim_reviewed=check.claim_reviewed,
                headline=check.headline, description=check.description, publisher=publisher,
                publisher_name=check.publisher_name, writer=check.writer, claimant=check.claimant,
                claim_date=check.claim_date, review_date=check.review_date, rating_label=check.rating_label,
                rating_value=check.rating_value, rating_best=check.rating_best, rating_worst=check.rating_worst,
                rating=_rating(check, publisher, mappings), language=check.language, missing=list(check.missing),
                raw=check.raw, feed_id=run.feed_id, last_import_id=run.pk, embedding=stored.embedding,
                embedding_model=stored.embedding_model, match_keys=stored.match_keys,
            )
        existing = set(PublishedCheck.objects.filter(key__in=list(rows)).values_list("key", flat=True))
        written = PublishedCheck.objects.bulk_create(
            list(rows.values()), update_conflicts=True, unique_fields=["key"],
            update_fields=_CHECK_FIELDS + (["feed"] if run.feed_id else []),
        )
        FactCheckImportProblem.objects.bulk_create(problems)
        created = len(rows) - len(existing & rows.keys())
        FactCheckImport.objects.filter(pk=run.pk).update(
            created=F("created") + created, updated=F("updated") + len(good) - created,
            failed=F("failed") + len(chunk) - len(good), heartbeat_at=timezone.now(), resumes=0,
        )
    return [check.pk for check in written]


# --- stalled runs and feeds -------------------------------------------------------------------------------


def factcheck_imports_claim_stalled(*, stalled_after: timedelta = RUN_STALLED_AFTER) -> list[int]:
    """The imports no worker has advanced for `stalled_after` (a killed worker's run), for the caller to send
    again; each resume is claimed with a conditional update, so two sweeps never both send it. An import restarted
    MAX_RESUMES times without finishing a chunk is parked as failed instead."""
    cutoff = timezone.now() - stalled_after
    stalled = Q(status=FactCheckImport.Status.PENDING, created_at__lte=cutoff, heartbeat_at__isnull=True) | Q(
        status__in=[FactCheckImport.Status.PENDING, FactCheckImport.Status.RUNNING], heartbeat_at__lte=cutoff)
    resumed = []
    for run_id, resumes in FactCheckImport.objects.filter(stalled).values_list("pk", "resumes")[:100]:
        if resumes >= MAX_RESUMES:
            _fail(run_id, f"Stopped: the worker importing it stopped {resumes} times in a row without finishing a "
                          "chunk of records. The records imported before that are kept.")
            continue
        claimed = FactCheckImport.objects.filter(stalled, pk=run_id, resumes=resumes).update(
            heartbeat_at=timezone.now(), resumes=F("resumes") + 1)
        if claimed:
            resumed.append(run_id)
    return resumed


def _feed_is_due(feed: FactCheckFeed, now) -> bool:
    # Back off after failures: the feed's interval, then twice, four times ... until FEED_MAX_FAILURES.
    if feed.last_polled_at is None:
        return True
    wait = timedelta(minutes=feed.every_minutes) * (2 ** min(feed.failures, FEED_MAX_FAILURES))
    return feed.last_polled_at <= now - wait + timedelta(seconds=30)


def factcheck_feeds_fetch_due() -> list[FactCheckImport]:
    """Record an import of every active fact-check feed that is due and has no import under way (beat runs
    this every few minutes). Returns the imports, for the caller to send."""
    now = timezone.now()
    busy = FactCheckImport.objects.filter(feed_id=OuterRef("pk"), status__in=[
        FactCheckImport.Status.PENDING, FactCheckImport.Status.RUNNING])
    feeds = FactCheckFeed.objects.filter(is_active=True, failures__lt=FEED_MAX_FAILURES).exclude(Exists(busy))
    started = []
    for feed in feeds:
        run = factcheck_feed_fetch(feed_id=feed.pk) if _feed_is_due(feed, now) else None
        if run is not None:
            started.append(run)
    return started


def factcheck_feed_fetch(*, feed_id: int) -> FactCheckImport | None:
    """Record an import of one feed now (the admin's "fetch now", and beat), for the caller to send. The fetch
    time is recorded at once, so the next beat does not start it again; the outcome is recorded when the import
    ends."""
    with transaction.atomic():
        feed = FactCheckFeed.objects.select_for_update().filter(pk=feed_id, is_active=True).first()
        if feed is None:
            return None
        FactCheckFeed.objects.filter(pk=feed_id).update(last_polled_at=timezone.now())
        return factcheck_import_create_from_url(url=feed.url, feed=feed)


def _feed_record(feed_id: int, *, error: str = "") -> None:
    if error:
        FactCheckFeed.objects.filter(pk=feed_id).update(last_error=error[:2000], failures=F("failures") + 1)
    else:
        FactCheckFeed.objects.filter(pk=feed_id).update(last_error="", failures=0)


# --- reads for the pages ----------------------------------------------------------------------------------


def factcheck_import_list() -> QuerySet[FactCheckImport]:
    return FactCheckImport.objects.select_related("created_by", "feed").defer("data").order_by("-created_at", "-id")


def factcheck_import_problems(*, run_id: int, limit: int = MAX_LISTED_PROBLEMS) -> list[FactCheckImportProblem]:
    return list(FactCheckImportProblem.objects.filter(run_id=run_id).order_by("line", "pk")[:limit])
