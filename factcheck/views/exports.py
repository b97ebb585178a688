"""Exports from the browser: the article, story, queue and search pages post their export form here.

Up to EXPORT_SYNC_MAX_CLAIMS claims stream back at once; more become a background export whose page follows the
worker's progress and offers the file when it is written. Anyone who can read claims can export them; a
background export is seen and downloaded only by the person who asked for it (404 for anyone else).
"""

from __future__ import annotations

import uuid
from typing import Iterator

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling

from factcheck import jobs
from factcheck.exports import FORMATS, ExportError, ExportRun, format_from_params, scope_from_params
from factcheck.models import ExportChunk, ExportJob
from factcheck.services.exports import export_is_small, export_job_create, export_job_expired
from factcheck.views.access import require_view_permission


def _back(request: HttpRequest) -> str:
    """Where the export form was, for the error page's link back (same site only)."""
    back = request.POST.get("next", "")
    hosts = {request.get_host()}
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts=hosts, require_https=request.is_secure()):
        return back
    return ""


@require_POST
@require_view_permission
def export_start(request: HttpRequest) -> HttpResponse:
    """Export what the form names (`scope` and its ids or filters, `format`): the file at once when it is small,
    otherwise a background export (303 to its page). Bad input gets the export page with the reason (400)."""
    try:
        fmt = format_from_params(request.POST)
        scope = scope_from_params(request.POST, user=request.user)
        small = export_is_small(scope=scope)
    except ExportError as exc:
        return render(request, "exports/error.html", {"message": str(exc), "back": _back(request)}, status=400)
    if small:
        response = StreamingHttpResponse(ExportRun(scope, fmt), content_type=FORMATS[fmt].content_type)
        response["Content-Disposition"] = f'attachment; filename="{scope.filename(fmt)}"'
        return response
    job = export_job_create(scope=scope, fmt=fmt, actor=request.user)
    jobs.export_send(str(job.pk))
    response = redirect(job)
    response.status_code = 303  # see the export's page (the form's POST is not repeated)
    return response


def _own_job(request: HttpRequest, pk: uuid.UUID) -> ExportJob:
    job = ExportJob.objects.filter(pk=pk, created_by=request.user).first()
    if job is None:
        raise Http404("No such export.")
    return job


@require_GET
@require_view_permission
def export_job(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """A background export: its progress (htmx polls the fragment until it is written or failed), then the link."""
    job = _own_job(request, pk)
    context = {"job": job, "expired": export_job_expired(job), "format": FORMATS.get(job.format),
               "retention_hours": settings.FACTDESK_EXPORT_RETENTION_HOURS}
    if job.claims_total:
        context["percent"] = min(100, round(100 * job.claims_done / job.claims_total))
    if request.htmx:
        response = render(request, "exports/job.html#progress", context)
        if job.is_finished or context["expired"]:
            response.status_code = HttpResponseStopPolling.status_code
        return response
    return render(request, "exports/job.html", context)


def _chunks(job: ExportJob) -> Iterator[bytes]:
    # One chunk (about a megabyte) per query: a file of any size is never held whole.
    for seq in range(job.n_chunks):
        data = ExportChunk.objects.filter(job_id=job.pk, seq=seq).values_list("data", flat=True).first()
        if data is None:  # expired and deleted while it was being downloaded
            return
        yield bytes(data)


@require_GET
@require_view_permission
def export_download(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The file of a written background export, streamed from the database."""
    job = _own_job(request, pk)
    if job.status != ExportJob.Status.DONE or export_job_expired(job):
        return render(request, "exports/job.html", {"job": job, "expired": export_job_expired(job)}, status=404)
    response = StreamingHttpResponse(_chunks(job), content_type=FORMATS[job.format].content_type)
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    response["Content-Length"] = str(job.size)
    return response


urlpatterns = [
    path("exports/", export_start, name="export"),
    path("exports/<uuid:pk>/", export_job, name="export-job"),
    path("exports/<uuid:pk>/download", export_download, name="export-download"),
]
