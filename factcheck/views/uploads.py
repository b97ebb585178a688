"""Getting articles in from the browser: upload one or many (file, pasted text, URL) and follow batch imports."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseStopPolling

from factcheck import jobs, permissions, selectors
from factcheck.forms import BatchUploadForm, UploadForm
from factcheck.ingest import IngestError, format_size, sniff_kind
from factcheck.models import ImportBatch
from factcheck.pagination import keyset_page
from factcheck.queueing import sends_watched
from factcheck.services import batches, uploads
from factcheck.services.articles import DuplicateArticle
from factcheck.views.access import require_view_permission

DOCUMENT_ACCEPT = ".txt,.md,.markdown,.html,.htm,.docx,.pdf"
BATCH_ACCEPT = ".zip,.jsonl,.ndjson,.csv,.xml,.rss,.atom"


def require_upload_permission(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Outsiders get 404 (they can't know the page exists); members without the upload right get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not permissions.can_view(request.user):
            raise Http404("No such page.")
        if not permissions.can_upload(request.user):
            raise PermissionDenied("Only editors can upload and import articles.")
        return view(request, *args, **kwargs)

    return wrapper


def _read_files(files) -> list[tuple[str, bytes]]:
    limit = settings.FACTDESK_MAX_BATCH_BYTES
    result, total = [], 0
    for upload in files:
        total += upload.size or 0
        if total > limit:
            raise IngestError(f"The files add up to more than the {format_size(limit)} limit of an import.")
        result.append((upload.name, upload.read()))
    return result


def _is_batch_file(name: str, data: bytes) -> bool:
    try:
        return sniff_kind(name, data) in ("zip", "jsonl", "csv", "feed")
    except IngestError:
        return False


def _parse_on_a_worker(name: str, data: bytes, form: UploadForm) -> bool:
    """Whether to read this one document on a worker rather than in the request: a Word or PDF file over
    FACTDESK_PARSE_IN_REQUEST_BYTES (their parsing grows with the file), when the editor corrected no details (a
    batch item carries none)."""
    if len(data) <= settings.FACTDESK_PARSE_IN_REQUEST_BYTES or form.has_metadata():
        return False
    try:
        return sniff_kind(name, data) in ("docx", "pdf")
    except IngestError:
        return False


def _declared_type(name: str, upload) -> str | None:
    # Browsers guess the type from the extension (often "text/plain" or worse); only a nameless type helps.
    return None if "." in name.rsplit("/", 1)[-1] else upload.content_type


def _form_response(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    form = context["form"]
    invalid = request.method == "POST" and bool(form.errors)
    # htmx drops 4xx bodies, so a re-rendered form goes out as 200 there; a plain POST gets 400.
    status = 400 if invalid and not request.htmx else 200
    return render(request, template, context, status=status)


def _duplicate(request: HttpRequest, dup: DuplicateArticle) -> HttpResponse:
    messages.info(request, f"This article is already in Factdesk: “{dup.existing.title}”. Here it is.")
    return redirect(dup.existing)


def _batch_started(request: HttpRequest, batch: ImportBatch, *, unsent: list[str]) -> HttpResponse:
    if unsent:
        messages.warning(request, f"Saved: {batch.label}. The import starts when the workers are back.")
    else:
        messages.success(request, f"Import started: {batch.label}. Articles appear as the workers read them.")
    return redirect(batch)


@require_http_methods(["GET", "POST"])
@require_upload_permission
def upload(request: HttpRequest) -> HttpResponse:
    """Upload one article (file, pasted text or web page) with optional corrected metadata, or many files.

    One article -> its page; several files (or an archive/JSONL/CSV/feed) -> a background import and its page.
    A duplicate takes the editor to the article already stored.
    """
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with sends_watched() as unsent:
                if data["files"]:
                    files = _read_files(data["files"])
                    if len(files) > 1 or _is_batch_file(*files[0]) or _parse_on_a_worker(*files[0], form):
                        batch = batches.batch_create(files=files, created_by=request.user,
                                                     source=form.source_choice())
                        jobs.batch_send(batch.pk)
                        return _batch_started(request, batch, unsent=unsent)
                    name, content = files[0]
                    article = uploads.article_create_from_upload(
                        data=content, filename=name, content_type=_declared_type(name, data["files"][0]),
                        uploaded_by=request.user, metadata=form.metadata(), source=form.source_choice())
                elif data["url"]:
                    article = uploads.article_create_from_url(
                        url=data["url"], uploaded_by=request.user, metadata=form.metadata(),
                        source=form.source_choice())
                else:
                    article = uploads.article_create_from_text(
                        text=data["text"], uploaded_by=request.user, metadata=form.metadata(),
                        source=form.source_choice())
                jobs.extraction_send(article.pk)
        except IngestError as exc:
            form.add_error(None, exc.message)
        except DuplicateArticle as dup:
            return _duplicate(request, dup)
        else:
            if unsent:
                # Saved, but the broker could not be reached: the sweep sends the extraction once it is back.
                messages.warning(request, f"Saved “{article.title}”. Claim extraction starts when the workers "
                                          "are back.")
            else:
                # The page says how extraction goes, live; a message here would still say "extracting" once done.
                messages.success(request, f"Uploaded “{article.title}”.")
            return redirect(article)
    return _form_response(request, "uploads/upload.html", {
        "form": form, "accept": DOCUMENT_ACCEPT,
        "max_size": format_size(settings.FACTDESK_MAX_UPLOAD_BYTES),
    })


@require_http_methods(["GET", "POST"])
@require_upload_permission
def batch_upload(request: HttpRequest) -> HttpResponse:
    """Start a background import from a .zip, .jsonl, .csv or feed file (or several files at once)."""
    form = BatchUploadForm(request.POST, request.FILES) if request.method == "POST" else BatchUploadForm()
    if request.method == "POST" and form.is_valid():
        try:
            files = _read_files(form.cleaned_data["files"])
            with sends_watched() as unsent:
                batch = batches.batch_create(files=files, created_by=request.user, source=form.source_choice())
                jobs.batch_send(batch.pk)
        except IngestError as exc:
            form.add_error(None, exc.message)
        else:
            return _batch_started(request, batch, unsent=unsent)
    return _form_response(request, "batches/new.html", {
        "form": form, "accept": BATCH_ACCEPT,
        "max_size": format_size(settings.FACTDESK_MAX_BATCH_BYTES),
    })


@require_GET
@require_view_permission
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch's live counts (htmx polls every 2 s until it is finished, then 286 stops it), errors, articles."""
    batch = selectors.batch_list().filter(pk=pk).first()
    if batch is None:
        raise Http404("No such import.")
    finished = batch.status in (ImportBatch.Status.DONE, ImportBatch.Status.FAILED)
    context = {
        "batch": batch,
        "finished": finished,
        "percent": round(100 * batch.processed / batch.total) if batch.total else 0,
        "failed_items": selectors.batch_failed_items(batch_id=batch.pk, limit=batches.MAX_FAILED_MESSAGES),
        "done_items": selectors.batch_done_items(batch_id=batch.pk, limit=batches.MAX_FAILED_MESSAGES),
        "limit": batches.MAX_FAILED_MESSAGES,
    }
    if request.htmx:
        html = render_to_string("batches/batch.html#progress", context, request=request)
        return HttpResponseStopPolling(html) if finished else HttpResponse(html)
    return render(request, "batches/batch.html", context)


BATCH_ORDER = (("created_at", True), ("id", True))


@require_GET
@require_view_permission
def batch_list(request: HttpRequest) -> HttpResponse:
    """Every import, newest first, with its counts."""
    page = keyset_page(selectors.batch_list(), order=BATCH_ORDER, cursor=request.GET.get("after"), size=25)
    return render(request, "batches/list.html", {"page": page, "batches": page.rows, "query": ""})


urlpatterns = [
    path("upload/", upload, name="upload"),
    path("imports/", batch_list, name="batches"),
    path("imports/new/", batch_upload, name="batch-upload"),
    path("imports/<int:pk>/", batch_detail, name="batch"),
]
