"""Getting articles in from the browser: upload one or many (file, pasted text, URL) and follow batch imports."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseStopPolling

from factcheck import permissions, selectors, tasks
from factcheck.ingest import IngestError, format_size, sniff_kind
from factcheck.models import ImportBatch, Source
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


# --- forms ------------------------------------------------------------------------------------------------


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def _http_url(value: str) -> str:
    value = value.strip()
    if value and not value.lower().startswith(("http://", "https://")):
        raise forms.ValidationError("Enter a web address starting with http:// or https://.")
    return value


class SourceFields(forms.Form):
    source = forms.ModelChoiceField(
        queryset=Source.objects.filter(is_active=True).order_by("name"),
        required=False,
        label="Publisher",
        empty_label="Match by the article's web address",
    )
    new_source = forms.CharField(required=False, max_length=200, label="Or add a new publisher")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source") and cleaned.get("new_source", "").strip():
            raise forms.ValidationError("Pick a publisher or name a new one, not both.")
        return cleaned

    def source_choice(self) -> uploads.SourceChoice | None:
        source, new_name = self.cleaned_data.get("source"), self.cleaned_data.get("new_source", "").strip()
        return uploads.SourceChoice(source=source, new_name=new_name) if source or new_name else None


class UploadForm(SourceFields):
    files = MultipleFileField(required=False, label="Files",
                              help_text="One or more .txt, .md, .html, .docx or .pdf files.")
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}), label="Or paste the text",
                           max_length=2_000_000)
    url = forms.CharField(required=False, max_length=2000, label="Or fetch a web page",
                          widget=forms.URLInput(attrs={"placeholder": "https://"}))
    title = forms.CharField(required=False, max_length=500, label="Title",
                            help_text="Leave empty to use the title found in the document.")
    byline = forms.CharField(required=False, max_length=500, label="Byline")
    published_at = forms.DateTimeField(required=False, label="Published",
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                       input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                                                      "%Y-%m-%d"])
    article_url = forms.CharField(required=False, max_length=2000, label="Article's web address",
                                  widget=forms.URLInput(attrs={"placeholder": "https://"}))

    field_order = ("files", "text", "url", "title", "byline", "published_at", "article_url", "source",
                   "new_source")

    def clean_url(self) -> str:
        return self.cleaned_data["url"].strip()

    def clean_article_url(self) -> str:
        return _http_url(self.cleaned_data["article_url"])

    def clean(self):
        cleaned = super().clean()
        given = [bool(cleaned.get("files")), bool((cleaned.get("text") or "").strip()), bool(cleaned.get("url"))]
        if sum(given) == 0 and not self.errors:
            raise forms.ValidationError("Choose a file, paste the text, or enter a web address.")
        if sum(given) > 1:
            raise forms.ValidationError("Upload files, paste text or enter a web address: one at a time.")
        return cleaned

    def has_metadata(self) -> bool:
        c = self.cleaned_data
        return any([c.get("title", "").strip(), c.get("byline", "").strip(), c.get("published_at"),
                    c.get("article_url", "")])

    def metadata(self) -> uploads.ArticleMetadata:
        c = self.cleaned_data
        return uploads.ArticleMetadata(title=c.get("title", "").strip(), byline=c.get("byline", "").strip(),
                                       published_at=c.get("published_at"), url=c.get("article_url", ""))


class BatchUploadForm(SourceFields):
    files = MultipleFileField(required=True, label="Files",
                              help_text="A .zip of documents, a .jsonl or .csv file (one article per row), "
                                        "or an RSS/Atom feed file.")

    field_order = ("files", "source", "new_source")


# --- views ------------------------------------------------------------------------------------------------


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
                        tasks.batch_expand.delay(batch.pk)
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
                tasks.article_extract_claims.delay(article.pk)
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
                tasks.batch_expand.delay(batch.pk)
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
    return render(request, "batches/list.html", {"page": page, "batches": page.rows, "query": "",
                                                  "can_upload": permissions.can_upload(request.user)})


urlpatterns = [
    path("upload/", upload, name="upload"),
    path("imports/", batch_list, name="batches"),
    path("imports/new/", batch_upload, name="batch-upload"),
    path("imports/<int:pk>/", batch_detail, name="batch"),
]
