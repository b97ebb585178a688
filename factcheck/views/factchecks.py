"""Imports of published fact-checks (ClaimReview) in the browser: upload a file or give a URL, follow progress."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseStopPolling

from factcheck import jobs, permissions
from factcheck.forms import FactCheckImportForm
from factcheck.ingest import IngestError, format_size
from factcheck.models import FactCheckImport
from factcheck.pagination import keyset_page
from factcheck.queueing import sends_watched
from factcheck.services import factcheck_imports
from factcheck.views.access import require_view_permission
from factcheck.views.uploads import _form_response, require_upload_permission

FACTCHECK_ACCEPT = ".json,.jsonld,.jsonl,.ndjson,.html,.htm"


def progress_response(request: HttpRequest, template: str, context: dict, *, finished: bool) -> HttpResponse:
    """A background job's page, or its `#progress` fragment for htmx polling (286 stops the polling once the
    job is finished)."""
    if request.htmx:
        html = render_to_string(f"{template}#progress", context, request=request)
        return HttpResponseStopPolling(html) if finished else HttpResponse(html)
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@require_upload_permission
def factcheck_import_new(request: HttpRequest) -> HttpResponse:
    """Start a background import of published fact-checks from an uploaded file or a URL (editors only)."""
    form = FactCheckImportForm(request.POST, request.FILES) if request.method == "POST" else FactCheckImportForm()
    limit = factcheck_imports.max_import_bytes()
    if request.method == "POST" and form.is_valid():
        upload, url = form.cleaned_data["file"], form.cleaned_data["url"]
        try:
            with sends_watched() as unsent:
                if upload is not None:
                    if (upload.size or 0) > limit:
                        raise IngestError(f"The file is {format_size(upload.size)}, over the {format_size(limit)} "
                                          "limit for an import of fact-checks; split it into smaller files.")
                    run = factcheck_imports.factcheck_import_create(data=upload.read(), filename=upload.name,
                                                                    created_by=request.user)
                else:
                    run = factcheck_imports.factcheck_import_create_from_url(url=url, created_by=request.user)
                jobs.factcheck_import_send(run.pk)
        except IngestError as exc:
            form.add_error(None, exc.message)
        else:
            if unsent:
                messages.warning(request, f"Saved: {run.label}. The import starts when the workers are back.")
            else:
                messages.success(request, f"Import started: {run.label}. Checks appear as the workers read them.")
            return redirect(reverse("factcheck:factcheck-import", args=[run.pk]))
    return _form_response(request, "factchecks/new.html", {
        "form": form, "accept": FACTCHECK_ACCEPT, "max_size": format_size(limit),
    })


IMPORT_ORDER = (("created_at", True), ("id", True))
_UNFINISHED = (FactCheckImport.Status.PENDING, FactCheckImport.Status.RUNNING)


@require_GET
@require_view_permission
def factcheck_import_list(request: HttpRequest) -> HttpResponse:
    """Every import of published fact-checks, newest first, with its counts; the table follows the imports
    under way live (htmx polls it while any on the page is unfinished)."""
    page = keyset_page(factcheck_imports.factcheck_import_list(), order=IMPORT_ORDER,
                       cursor=request.GET.get("after"), size=25)
    context = {"page": page, "runs": page.rows, "query": "", "cursor": request.GET.get("after", "")}
    context["finished"] = finished = not any(run.status in _UNFINISHED for run in page.rows)
    return progress_response(request, "factchecks/list.html", context, finished=finished)


@require_GET
@require_view_permission
def factcheck_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One import's live counts (htmx polls every 2 s until it is finished, then 286 stops it) and the records
    it skipped or imported with fields missing."""
    run = factcheck_imports.factcheck_import_list().filter(pk=pk).first()
    if run is None:
        raise Http404("No such import.")
    finished = run.status in (FactCheckImport.Status.DONE, FactCheckImport.Status.FAILED)
    context = {
        "run": run,
        "finished": finished,
        "problems": factcheck_imports.factcheck_import_problems(run_id=run.pk),
        "limit": factcheck_imports.MAX_LISTED_PROBLEMS,
    }
    return progress_response(request, "factchecks/import.html", context, finished=finished)


urlpatterns = [
    path("checks/imports/", factcheck_import_list, name="factcheck-imports"),
    path("checks/imports/new/", factcheck_import_new, name="factcheck-import-new"),
    path("checks/imports/<int:pk>/", factcheck_import_detail, name="factcheck-import"),
]
