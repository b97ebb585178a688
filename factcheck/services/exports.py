"""Background exports: ask for one, write it on a worker into the database, expire it.

The file is stored as `ExportChunk` rows (about a megabyte each), so the web process serves it from PostgreSQL
whichever machine or container the worker ran on; nothing is written to a disk the two would have to share.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from factcheck import permissions
from factcheck.exports import FORMATS, ExportError, ExportRun, Scope
from factcheck.models import ExportChunk, ExportJob

logger = logging.getLogger(__name__)

CHUNK_BYTES = 1024 * 1024
PROGRESS_EVERY_CLAIMS = 500  # a progress write at most this often (in claims), besides the last one


def export_is_small(*, scope: Scope) -> bool:
    """Whether the export holds at most EXPORT_SYNC_MAX_CLAIMS claims, so it can be streamed in the request
    (a bounded count: it reads no further than the threshold)."""
    limit = settings.FACTDESK_EXPORT_SYNC_MAX_CLAIMS
    return scope.claim_count(limit=limit) <= limit


@transaction.atomic
def export_job_create(*, scope: Scope, fmt: str, actor) -> ExportJob:
    """Record an export for a worker to write; the caller sends it to the workers (`export_job_run`).
    PermissionDenied for someone who may not read the workspace."""
    permissions.require_view(actor)
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format “{fmt}”.")
    job = ExportJob.objects.create(
        created_by=actor, format=fmt, scope=scope.as_json(), label=scope.describe()[:500],
        filename=scope.filename(fmt),
    )
    return job


def export_job_run(*, job_id: uuid.UUID | str) -> bool:
    """Write the export's file into its chunks, recording progress as it goes; True when it was written.

    Claims the job with a conditional update (queued or running → running): a job that is done, failed or
    deleted is left alone, so a second delivery of the task does no harm; a job a killed worker left running
    starts again from the beginning (its chunks are replaced). Each chunk and progress write commits at once,
    so the job page shows progress while the worker writes.
    """
    claimed = ExportJob.objects.filter(
        pk=job_id, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]
    ).update(status=ExportJob.Status.RUNNING, started_at=timezone.now(), claims_done=0, message="")
    if not claimed:
        return False
    job = ExportJob.objects.get(pk=job_id)
    ExportChunk.objects.filter(job=job).delete()
    scope = Scope.from_json(job.scope)
    ExportJob.objects.filter(pk=job.pk).update(claims_total=scope.claim_count())
    last = [0]

    def progress(claims: int) -> None:
        if claims - last[0] >= PROGRESS_EVERY_CLAIMS:
            last[0] = claims
            ExportJob.objects.filter(pk=job.pk).update(claims_done=claims)

    run = ExportRun(scope, job.format, on_progress=progress)
    buffer, seq, size = bytearray(), 0, 0
    try:
        for piece in run:
            buffer += piece.encode("utf-8")
            if len(buffer) >= CHUNK_BYTES:
                ExportChunk.objects.create(job=job, seq=seq, data=bytes(buffer))
                seq, size, buffer = seq + 1, size + len(buffer), bytearray()
        if buffer or seq == 0:
            ExportChunk.objects.create(job=job, seq=seq, data=bytes(buffer))
            seq, size = seq + 1, size + len(buffer)
    except (OperationalError, InterfaceError):
        raise  # the database blinked: the task is retried and starts the file again
    except Exception as exc:
        logger.exception("Export %s failed", job.pk)
        export_job_fail(job_id=job.pk, message=f"The export stopped on an error: {type(exc).__name__}: {exc}"[:1000])
        return False
    ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
        status=ExportJob.Status.DONE, claims_done=run.claims, records=run.records, size=size, n_chunks=seq,
        finished_at=timezone.now(),
    )
    return True


@transaction.atomic
def export_job_fail(*, job_id: uuid.UUID | str, message: str) -> None:
    """Mark the export failed with a message and drop what it had written."""
    ExportChunk.objects.filter(job_id=job_id).delete()
    ExportJob.objects.filter(pk=job_id).exclude(status=ExportJob.Status.DONE).update(
        status=ExportJob.Status.FAILED, message=message, finished_at=timezone.now(), n_chunks=0, size=0
    )


def export_job_expired(job: ExportJob) -> bool:
    return job.created_at < timezone.now() - dt.timedelta(hours=settings.FACTDESK_EXPORT_RETENTION_HOURS)


def exports_expire() -> int:
    """Delete exports asked for more than EXPORT_RETENTION_HOURS ago, with their files; returns how many."""
    cutoff = timezone.now() - dt.timedelta(hours=settings.FACTDESK_EXPORT_RETENTION_HOURS)
    expired = list(ExportJob.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:1000])
    if not expired:
        return 0
    with transaction.atomic():
        ExportChunk.objects.filter(job_id__in=expired).delete()
        ExportJob.objects.filter(pk__in=expired).delete()
    logger.info("Deleted %d expired exports", len(expired))
    return len(expired)
