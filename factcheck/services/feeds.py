"""Scheduled feed polling: each active source with a feed URL is read every FEED_POLL_INTERVAL, and its new entries
become a feed batch (see factcheck.services.batches), keyed by source and entry GUID."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from factcheck import ingest
from factcheck.ingest import IngestError
from factcheck.ingest.expand import feed_entry
from factcheck.models import Article, ImportBatch, ImportItem, Source
from factcheck.services.batches import batch_items
from factcheck.services.uploads import fetch

FEED_POLL_INTERVAL = timedelta(minutes=15)
FEED_MAX_FAILURES = 5  # after this many failures in a row a feed is no longer polled until fixed


def _feed_due_filter(now: dt.datetime) -> Q:
    # Back off after failures: 15 min, 30, 60, 120 ... until FEED_MAX_FAILURES stops polling altogether.
    due = Q(feed_last_polled_at__isnull=True)
    for failures in range(FEED_MAX_FAILURES):
        due |= Q(feed_failures=failures, feed_last_polled_at__lte=now - FEED_POLL_INTERVAL * (2**failures)
                 + timedelta(seconds=30))
    return due


def feed_source_ids_due() -> list[int]:
    """The active sources whose feed is due for a poll (failing feeds less often, then not at all)."""
    return list(
        Source.objects.filter(is_active=True, feed_failures__lt=FEED_MAX_FAILURES)
        .exclude(feed_url="")
        .filter(_feed_due_filter(timezone.now()))
        .values_list("pk", flat=True)
    )


def _feed_record(source_id: int, *, error: str = "") -> None:
    now = timezone.now()
    if error:
        Source.objects.filter(pk=source_id).update(
            feed_last_polled_at=now, feed_last_error=error[:2000], feed_failures=F("feed_failures") + 1
        )
    else:
        Source.objects.filter(pk=source_id).update(feed_last_polled_at=now, feed_last_error="", feed_failures=0)


def source_poll_feed(*, source_id: int) -> ImportBatch | None:
    """Read a source's feed and store its new entries (keyed by source and entry GUID) as a running feed batch,
    whose pending items the caller sends.

    Entries already stored, or waiting in an unfinished batch, are skipped. A feed that can't be fetched or
    read is recorded on the source (last error, failures in a row, last poll) and polled less often, then not
    at all after FEED_MAX_FAILURES; one success resets it. Returns the batch, or None if nothing was new.
    """
    source = Source.objects.filter(pk=source_id, is_active=True).exclude(feed_url="").first()
    if source is None:
        return None
    try:
        resource = fetch(source.feed_url)
        items = ingest.parse_feed(resource.data, base_url=resource.final_url)
    except IngestError as exc:
        _feed_record(source_id, error=exc.message)
        return None
    guids = [item.guid for item in items]
    known = set(Article.objects.filter(source=source, feed_guid__in=guids).values_list("feed_guid", flat=True))
    known |= set(
        ImportItem.objects.filter(
            batch__default_source=source, batch__kind=ImportBatch.Kind.FEED, key__in=guids,
            status=ImportItem.Status.PENDING,
        ).values_list("key", flat=True)
    )
    fresh, seen = [], set()
    for item in items:
        if item.guid not in known and item.guid not in seen:
            seen.add(item.guid)
            fresh.append(item)
    with transaction.atomic():
        _feed_record(source_id)
        if not fresh:
            return None
        batch = ImportBatch.objects.create(kind=ImportBatch.Kind.FEED, label=source.feed_url[:500],
                                           default_source=source)
        items = batch_items(batch, (feed_entry(item) for item in fresh))
        ImportItem.objects.bulk_create(items, ignore_conflicts=True)
        now = timezone.now()
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING, total=len(items),
                                                       started_at=now, heartbeat_at=now)
    batch.refresh_from_db()
    return batch
