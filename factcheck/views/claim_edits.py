"""Claims a person adds or corrects (add from a selection, change a span, split), undo of a verdict, and the next
unreviewed claim of the queue.

A span edit changes the article's text highlights, its claim list and the panel at once, so with htmx the answer
is the whole workspace, selected into `#main` (the page is not reloaded); without JavaScript a success redirects
to the claim. A refusal (offsets that don't fit, an overlap, a stale version) is shown beside the selection tools.
"""

from __future__ import annotations

from typing import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from factcheck import jobs, selectors
from factcheck.forms import ChangeSpanForm, SpanForm, SplitForm, UndoForm
from factcheck.models import Article, Claim
from factcheck.pagination import after
from factcheck.services import ClaimConflict, claim_undo_verdict
from factcheck.services.claim_spans import claim_add, claim_change_span, claim_split
from factcheck.views.access import claim_for_user, int_or_none, require_review, require_view_permission
from factcheck.views.articles import article_page_context
from factcheck.views.claims import _panel_response, _validation_errors, queue_claims

# Claim ids are PostgreSQL bigints: a larger number in a form is no claim, not a database error.
MAX_ID = 2**63 - 1


BAD_SELECTION = "The selection could not be read; select the text again."


def _workspace_response(
    request: HttpRequest, *, article_id: int, claim: Claim | None, notice: str = "", span_errors: list[str] = ()
) -> HttpResponse:
    """The article workspace after a span edit: `claim` selected, with the notice or the refusal. An article opened
    from the queue (`?queue=` on the request) stays in the queue's flow."""
    url = claim.get_absolute_url() if claim is not None else ""
    if url and "queue" in request.GET:
        url += "&" + urlencode({"queue": request.GET["queue"]})
    if not request.htmx and claim is not None and not span_errors:
        messages.success(request, notice)
        return redirect(url)
    context = article_page_context(
        request, article_id=article_id, selected_id=claim.pk if claim else None, notice=notice
    )
    context["span_errors"] = list(span_errors)
    response = render(request, "articles/article.html", context)
    if request.htmx:
        response["HX-Retarget"] = "#main"
        response["HX-Reswap"] = "outerHTML"
        response["HX-Reselect"] = "#main"
        if url:
            response["HX-Push-Url"] = url
    return response


def _messages(exc: ValidationError) -> list[str]:
    return [message for messages_ in _validation_errors(exc).values() for message in messages_]


@require_POST
@require_view_permission
def claim_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the text a person selected in the article as a claim."""
    require_review(request)
    if not Article.objects.filter(pk=pk).exists():
        raise Http404("No such article.")
    form = SpanForm(request.POST)
    if not form.is_valid():
        return _workspace_response(request, article_id=pk, claim=None, span_errors=[BAD_SELECTION])
    try:
        claim = claim_add(article_id=pk, actor=request.user, **form.cleaned_data)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None
    except ValidationError as exc:
        return _workspace_response(request, article_id=pk, claim=None, span_errors=_messages(exc))
    jobs.matching_send(pk)
    return _workspace_response(request, article_id=pk, claim=claim, notice="Claim added.")


def _correct(
    request: HttpRequest, pk: int, form_class: type[forms.Form], correct: Callable[[Claim, dict], Claim], notice: str
) -> HttpResponse:
    """A correction of one claim's span: authorise, read the form, call the service, show the workspace."""
    require_review(request)
    claim = claim_for_user(request.user, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        return _workspace_response(request, article_id=claim.article_id, claim=claim, span_errors=[BAD_SELECTION])
    try:
        corrected = correct(claim, form.cleaned_data)
    except ValidationError as exc:
        return _workspace_response(request, article_id=claim.article_id, claim=claim, span_errors=_messages(exc))
    except ClaimConflict as exc:
        return _workspace_response(
            request, article_id=claim.article_id, claim=exc.current, span_errors=[f"Not saved: {exc}"]
        )
    jobs.matching_send(claim.article_id)
    return _workspace_response(request, article_id=claim.article_id, claim=corrected, notice=notice)


@require_POST
@require_view_permission
def claim_span_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the claim's span to the selection (inside or around it)."""
    return _correct(
        request, pk, ChangeSpanForm,
        lambda claim, data: claim_change_span(
            claim_id=claim.pk, actor=request.user, start=data["start"], end=data["end"], text=data["text"],
            expected_version=data["version"],
        ),
        "Span changed.",
    )


@require_POST
@require_view_permission
def claim_split_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Split the claim in two at the chosen point."""
    return _correct(
        request, pk, SplitForm,
        lambda claim, data: claim_split(
            claim_id=claim.pk, actor=request.user, at=data["at"], expected_version=data["version"]
        )[0],
        "Claim split in two; the second part follows it.",
    )


@require_POST
@require_view_permission
def claim_undo_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Take back the person's own last verdict on the claim, if nobody changed the claim since."""
    require_review(request)
    form = UndoForm(request.POST)
    if not form.is_valid():
        return _panel_response(
            request, claim_for_user(request.user, pk), errors={"general": ["Not undone: reload the claim."]}
        )
    try:
        claim = claim_undo_verdict(claim_id=pk, actor=request.user, expected_version=form.cleaned_data["version"])
    except Claim.DoesNotExist:
        raise Http404("No such claim.") from None
    except ValidationError as exc:
        return _panel_response(
            request, claim_for_user(request.user, pk), changed=True, errors={"general": exc.messages}
        )
    notice = f"Undone: the claim is “{claim.get_verdict_display()}” again."
    return _panel_response(request, claim, changed=True, verdict_changed=True, undoable=False, notice=notice)


@require_GET
@require_view_permission
def queue_next(request: HttpRequest) -> HttpResponse:
    """The next unreviewed claim of the queue after `from_claim`, in the queue's order and with its filters (any
    verdict filter gives way to "unreviewed"), opened in its article with the queue kept for the next `n`."""
    _, claims = queue_claims(request, verdict="open")
    current = int_or_none(request.GET.get("from_claim"))
    if current is not None and current <= MAX_ID:
        values = Claim.objects.filter(pk=current).values_list("score", "pk").first()
        if values is not None:
            claims = claims.filter(after(selectors.QUEUE_ORDER, values))
    ordering = [f"-{key}" if desc else key for key, desc in selectors.QUEUE_ORDER]
    found = claims.order_by(*ordering).values_list("pk", "article_id").first()
    query = request.GET.copy()
    query.pop("from_claim", None)
    if found is None:
        messages.info(request, "No unreviewed claims left in the queue after that one.")
        return redirect(reverse("factcheck:queue") + (f"?{query.urlencode()}" if query else ""))
    claim_id, article_id = found
    query = urlencode({"claim": claim_id, "queue": query.urlencode()})
    return redirect(reverse("factcheck:article", args=[article_id]) + "?" + query)


urlpatterns = [
    path("articles/<int:pk>/claims/add", claim_add_view, name="claim-add"),
    path("claims/<int:pk>/span", claim_span_view, name="claim-span"),
    path("claims/<int:pk>/split-in-two", claim_split_view, name="claim-split-in-two"),
    path("claims/<int:pk>/undo", claim_undo_view, name="claim-undo"),
    path("queue/next", queue_next, name="queue-next"),
]
