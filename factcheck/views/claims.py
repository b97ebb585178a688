"""The claim panel and its actions (verdict, assignment, evidence, published checks), and the claims queue.

Each action: authorise → validate → call one service → render. With htmx the answer is the panel plus
out-of-band updates of the claim's highlight, its row in the claim list and the article's counters; without
JavaScript a successful POST redirects back to the article with the claim selected.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from factcheck import permissions, selectors
from factcheck.forms import EvidenceForm, VerdictForm
from factcheck.levels import LEVELS, level_key
from factcheck.models import CheckOffer, Claim, Evidence, Verdict
from factcheck.pagination import keyset_page, query_without_cursor
from factcheck.presenters import VERDICT_MARKERS, Segment, claim_rows, counters, panel_context
from factcheck.services import ClaimConflict, claim_assign, claim_set_verdict, evidence_add, evidence_remove
from factcheck.services.check_offers import (
    check_label,
    check_offer_confirm,
    check_offer_reject,
    check_offer_restore,
)
from factcheck.views.access import claim_for_user, int_or_none, require_review, require_view_permission
from factcheck.views.articles import article_page_context

QUEUE_PAGE_SIZE = 50


def _form_errors(form: forms.Form) -> dict[str, list[str]]:
    return {("general" if name == "__all__" else name): list(errors) for name, errors in form.errors.items()}


def _validation_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            ("general" if name == "__all__" else name): list(messages_) for name, messages_ in exc.message_dict.items()
        }
    return {"general": list(exc.messages)}


def _panel_response(
    request: HttpRequest,
    claim: Claim,
    *,
    changed: bool = False,
    verdict_changed: bool = False,
    undoable: bool = True,
    **panel: Any,
) -> HttpResponse:
    """The panel after an action. htmx: the panel fragment (plus out-of-band updates when the claim changed);
    without JavaScript: back to the article page (redirect on success, the page with the message otherwise)."""
    if not request.htmx:
        if changed and not panel.get("errors") and not panel.get("conflict"):
            return redirect(claim.get_absolute_url())
        context = article_page_context(request, article_id=claim.article_id, selected_id=claim.pk, **panel)
        return render(request, "articles/article.html", context)
    context = panel_context(request, claim, **panel)
    context["oob"] = changed
    if changed:
        context["selected"] = claim
        context["counters"] = counters(selectors.article_verdict_counts(article_id=claim.article_id))
        # A claim across a paragraph break is highlighted in pieces; the verdictChanged event updates those.
        context["oob_highlight"] = "\n" not in claim.text
        context["seg"] = Segment(claim.text, context["row"], start=claim.start)
    response = render(request, "articles/article.html#panel-update", context)
    if verdict_changed:
        response["HX-Trigger"] = json.dumps(
            {
                "verdictChanged": {
                    "claim": claim.pk,
                    "verdict": claim.verdict,
                    "label": claim.get_verdict_display(),
                    "marker": VERDICT_MARKERS.get(claim.verdict, "?"),
                    # What the undo toast posts: the version this verdict made (a later change refuses it).
                    **({"undo": reverse("factcheck:claim-undo", args=[claim.pk]), "version": claim.version}
                       if undoable else {}),
                }
            }
        )
    return response


@require_GET
@require_view_permission
def claim_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """A claim's panel: the fragment for htmx, otherwise the article page with the claim selected."""
    claim = claim_for_user(request.user, pk)
    if request.htmx:
        return render(request, "articles/article.html#panel", panel_context(request, claim))
    context = article_page_context(request, article_id=claim.article_id, selected_id=claim.pk)
    return render(request, "articles/article.html", context)


@require_POST
@require_view_permission
def claim_verdict(request: HttpRequest, pk: int) -> HttpResponse:
    """Set the verdict and rationale, if nobody changed the claim since the form was loaded.

    The common case reads the claim once: the service's read after its update is the claim the panel shows.
    """
    require_review(request)
    form = VerdictForm(request.POST)
    rationale = request.POST.get("rationale", "")
    kept = {"rationale": rationale, "correction_note": request.POST.get("correction_note", "")}
    if not form.is_valid():
        return _panel_response(request, claim_for_user(request.user, pk), errors=_form_errors(form), **kept)
    try:
        claim = claim_set_verdict(
            claim_id=pk,
            actor=request.user,
            verdict=form.cleaned_data["verdict"],
            rationale=form.cleaned_data["rationale"],
            expected_version=form.cleaned_data["version"],
            correction_note=form.cleaned_data["correction_note"],
        )
    except Claim.DoesNotExist:
        raise Http404("No such claim.") from None
    except ValidationError as exc:
        return _panel_response(request, claim_for_user(request.user, pk), errors=_validation_errors(exc), **kept)
    except ClaimConflict as exc:
        # Show the claim as it is now (its new version in the form) and keep what the user typed.
        return _panel_response(request, exc.current, changed=True, conflict=exc.current, **kept)
    return _panel_response(request, claim, changed=True, verdict_changed=True)


@require_POST
@require_view_permission
def claim_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Assign the claim: Editors to anyone; reviewers take an unassigned claim or give back their own."""
    require_review(request)
    claim = claim_for_user(request.user, pk)
    raw = request.POST.get("assignee", "").strip()
    assignee = None
    if raw:
        if not raw.isdigit():
            return _panel_response(request, claim, errors={"assignee": ["Choose someone from the list."]})
        assignee = get_user_model().objects.filter(pk=int(raw), is_active=True).first()
        if assignee is None:
            return _panel_response(request, claim, errors={"assignee": ["That person is not in the workspace."]})
    if not permissions.can_assign(request.user):
        if assignee is not None and assignee.pk != request.user.pk:
            raise PermissionDenied("Only editors can assign claims to other people.")
    try:
        claim = claim_assign(claim_id=claim.pk, actor=request.user, assignee=assignee)
    except PermissionDenied as exc:
        # Someone took the claim first: say who has it now.
        return _panel_response(
            request, claim_for_user(request.user, pk), changed=True, errors={"assignee": [str(exc)]}
        )
    return _panel_response(request, claim, changed=True)


@require_POST
@require_view_permission
def evidence_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach evidence to the claim; the source is matched by the link's domain."""
    require_review(request)
    claim = claim_for_user(request.user, pk)
    form = EvidenceForm(request.POST)
    values = {k: request.POST.get(k, "") for k in ("url", "stance", "passage", "note")}
    if not form.is_valid():
        return _panel_response(request, claim, errors=_form_errors(form), evidence_values=values)
    try:
        evidence_add(claim_id=claim.pk, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        return _panel_response(request, claim, errors=_validation_errors(exc), evidence_values=values)
    # The claim itself is unchanged; the panel reloads its evidence. Focus then returns to the claim list.
    response = _panel_response(request, claim, changed=True, notice="Evidence added.")
    response["HX-Trigger-After-Settle"] = "evidenceAdded"
    return response


@require_POST
@require_view_permission
def evidence_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove evidence (it stays listed, struck through, with who removed it and why)."""
    require_review(request)
    evidence = get_object_or_404(Evidence.objects.only("pk", "claim_id"), pk=pk)
    try:
        evidence_remove(evidence_id=evidence.pk, actor=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        claim = claim_for_user(request.user, evidence.claim_id)
        return _panel_response(request, claim, errors={"evidence": exc.messages})
    return _panel_response(
        request, claim_for_user(request.user, evidence.claim_id), changed=True, notice="Evidence removed."
    )


# --- Published fact-checks offered on the claim ---------------------------------------------------------------


def _confirmed_notice(offer: CheckOffer) -> str:
    label = check_label(offer.published_check)
    if offer.evidence_id is None:
        return f"Marked “{label}” as the same claim. The check has no link, so no evidence was added."
    return f"Marked “{label}” as the same claim and added it as evidence."


# decision (from the URL) -> the service that makes it, and what the panel says afterwards.
OFFER_DECISIONS: dict[str, tuple[Callable[..., CheckOffer], Callable[[CheckOffer], str]]] = {
    # Same claim: the check becomes evidence on the claim; the verdict is left to the reviewer.
    "same": (check_offer_confirm, _confirmed_notice),
    # Not the same: the check is hidden on this claim (it can be shown again).
    "not-same": (
        check_offer_reject,
        lambda offer: f"Marked “{check_label(offer.published_check)}” as not the same claim: it is hidden here"
        + (", and the evidence it added is removed." if offer.evidence_id else "."),
    ),
    # Show a hidden check again, undecided.
    "show": (check_offer_restore, lambda offer: f"“{check_label(offer.published_check)}” is shown again."),
}


@require_POST
@require_view_permission
def check_offer_decide(request: HttpRequest, pk: int, offer_pk: int, decision: str) -> HttpResponse:
    """Decide on a published check offered on the claim, and show the panel with what changed, or why the
    decision was refused (an offer no longer there, another claim's, one already decided the other way)."""
    require_review(request)
    decide, notice = OFFER_DECISIONS[decision]
    claim = claim_for_user(request.user, pk)
    try:
        offer = decide(offer_id=offer_pk, claim_id=claim.pk, actor=request.user)
    except ValidationError as exc:
        return _panel_response(request, claim, errors={"offers": exc.messages})
    return _panel_response(request, claim, changed=True, notice=notice(offer))


# --- The claims queue --------------------------------------------------------------------------------------


def _date_or_none(raw: str | None):
    try:
        return forms.DateField().clean(raw) if raw else None
    except ValidationError:
        return None


def queue_claims(request: HttpRequest, *, verdict: str | None = None) -> tuple[dict[str, Any], Any]:
    """The queue's filters from the query string, and its claims filtered by them (`verdict` overrides the
    filter's). Shared by the queue page and "next unreviewed claim in the queue"."""
    params = request.GET
    filters = {
        "verdict": params.get("verdict", ""),
        "kind": params.get("kind", ""),
        "assignee": params.get("assignee", ""),
        "source": params.get("source", ""),
        "article": params.get("article", ""),
        "date_from": params.get("date_from", ""),
        "date_to": params.get("date_to", ""),
        "checked": params.get("checked") == "1",
        "level": level_key(params.get("level")),
    }
    claims = selectors.claim_queue(
        verdict=filters["verdict"] if verdict is None else verdict,
        kind=filters["kind"],
        assignee=filters["assignee"],
        user=request.user,
        source_id=int_or_none(filters["source"]),
        article_id=int_or_none(filters["article"]),
        date_from=_date_or_none(filters["date_from"]),
        date_to=_date_or_none(filters["date_to"]),
        checked_only=filters["checked"],
        level=filters["level"],
    )
    return filters, claims


@require_GET
@require_view_permission
def queue(request: HttpRequest) -> HttpResponse:
    """Every claim across articles, most check-worthy first (so by level, then score), with filters; Editors can
    assign in bulk."""
    params = request.GET
    filters, claims = queue_claims(request)
    page = keyset_page(claims, order=selectors.QUEUE_ORDER, cursor=params.get("after"), size=QUEUE_PAGE_SIZE)
    context = {
        "page": page,
        "claims": claim_rows(page.rows, with_article=True),
        "filters": filters,
        "query": query_without_cursor(params),
        "verdicts": [("open", "Unreviewed"), *[(v, label) for v, label in Verdict.choices if v != "unreviewed"]],
        "people": selectors.reviewers(),
        "choices": selectors.queue_filter_choices(),
        "levels": LEVELS.values(),
        "mine": filters["assignee"] == "me",
    }
    if request.htmx and request.htmx.target == "queue-results":
        return render(request, "claims/queue.html#results", context)
    return render(request, "claims/queue.html", context)


@require_POST
@require_view_permission
def queue_assign(request: HttpRequest) -> HttpResponse:
    """Assign the ticked claims to one person (or nobody) in one transaction (Editors only)."""
    if not permissions.can_assign(request.user):
        raise PermissionDenied("Only editors can assign claims to other people.")
    ids = [int(raw) for raw in request.POST.getlist("claims") if raw.isdigit()]
    raw = request.POST.get("assignee", "").strip()
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("factcheck:queue")
    back = back or reverse("factcheck:queue")
    assignee = None
    if raw:
        assignee = get_user_model().objects.filter(pk=int(raw) if raw.isdigit() else 0, is_active=True).first()
        if assignee is None:
            messages.error(request, "Choose someone from the list.")
            return redirect(back)
    if not ids:
        messages.error(request, "Tick the claims to assign first.")
        return redirect(back)
    existing = list(Claim.objects.filter(pk__in=ids).values_list("pk", flat=True))
    with transaction.atomic():
        for claim_id in existing:
            claim_assign(claim_id=claim_id, actor=request.user, assignee=assignee)
    who = assignee.get_username() if assignee else "nobody"
    messages.success(request, f"Assigned {len(existing)} claim{'s' if len(existing) != 1 else ''} to {who}.")
    return redirect(back)


urlpatterns = [
    path("claims/<int:pk>/", claim_panel, name="claim"),
    path("claims/<int:pk>/verdict", claim_verdict, name="claim-verdict"),
    path("claims/<int:pk>/assign", claim_assign_view, name="claim-assign"),
    path("claims/<int:pk>/evidence", evidence_add_view, name="evidence-add"),
    path("evidence/<int:pk>/remove", evidence_remove_view, name="evidence-remove"),
    *[
        path(f"claims/<int:pk>/offers/<int:offer_pk>/{decision}", check_offer_decide, {"decision": decision}, name=name)
        for decision, name in [
            ("same", "check-offer-confirm"), ("not-same", "check-offer-reject"), ("show", "check-offer-restore")
        ]
    ],
    path("queue/", queue, name="queue"),
    path("queue/assign", queue_assign, name="queue-assign"),
]
