"""Fact-check reports: the list, a report's page (the published result, readable by someone who was not in the
room), and the editors' actions on it (create, edit, mark ready, publish, unpublish).

Viewers read published reports; Fact-checkers also see drafts; Editors prepare and publish. With
`PUBLIC_REPORTS` on, a published report can also be read signed out, at the same address.
"""

from __future__ import annotations

from typing import Callable
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from factcheck import permissions
from factcheck.forms import ReportCreateForm, ReportEditForm
from factcheck.models import Report
from factcheck.pagination import keyset_page, query_without_cursor
from factcheck.presenters import VERDICT_MARKERS, ReportCandidate, ReportItem
from factcheck.reports.claimreview import RATINGS, claim_review_jsonld, jsonld_script_body
from factcheck.reports.content import (
    REPORT_MAX_CLAIMS,
    ReportSection,
    report_choices,
    report_content,
    report_history,
)
from factcheck.services import reports as report_services
from factcheck.views.access import require_view_permission

REPORTS_PER_PAGE = 50
REPORT_ORDER = (("updated_at", True), ("id", True))


def _require_publisher(request: HttpRequest) -> None:
    if not permissions.can_publish_reports(request.user):
        raise PermissionDenied("Only editors can prepare and publish reports.")


def _report_or_404(key: UUID, user) -> Report:
    """The report, if this member may read it: drafts are for reviewers; others get 404, which leaks nothing."""
    report = Report.objects.select_related("article", "story", "published_by").defer(
        "article__body", "article__headings", "article__search"
    ).filter(key=key).first()
    if report is None or not (report.is_published or permissions.can_read_draft_reports(user)):
        raise Http404("No such report.")
    return report


@require_GET
@require_view_permission
def report_list(request: HttpRequest) -> HttpResponse:
    """Reports, most recently changed first; Viewers see the published ones only."""
    qs = Report.objects.select_related("article", "story").only(
        "key", "title", "status", "updated_at", "published_at", "article__title", "story__title"
    )
    if not permissions.can_read_draft_reports(request.user):
        qs = qs.filter(status=Report.Status.PUBLISHED)
    page = keyset_page(qs, order=REPORT_ORDER, cursor=request.GET.get("after"), size=REPORTS_PER_PAGE)
    return render(request, "reports/list.html", {"reports": page.rows, "page": page,
                                                  "query": query_without_cursor(request.GET)})


def _report_items(
    sections: list[ReportSection], report: Report, request: HttpRequest
) -> list[tuple[ReportSection, list[ReportItem]]]:
    """Each section with its claims as the page shows them; a published report's carry their ClaimReview markup."""

    def jsonld(claim) -> str | None:
        data = claim_review_jsonld(report, claim, request) if report.is_published else None
        return jsonld_script_body(data) if data is not None else None

    return [
        (section, [ReportItem(entry, VERDICT_MARKERS.get(entry.claim.verdict, "?"), jsonld(entry.claim))
                   for entry in section.entries])
        for section in sections
    ]


@login_not_required
@require_GET
def report_detail(request: HttpRequest, key: UUID) -> HttpResponse:
    """The report page. Signed out: the published report when `PUBLIC_REPORTS` is on, else the sign-in page."""
    user = request.user
    if not user.is_authenticated:
        report = None
        if settings.PUBLIC_REPORTS:
            report = Report.objects.filter(key=key, status=Report.Status.PUBLISHED).select_related(
                "article", "story"
            ).defer("article__body", "article__headings", "article__search").first()
        if report is None:
            return redirect_to_login(request.get_full_path())
    else:
        if not permissions.can_view(user):
            raise Http404("No such page.")
        report = _report_or_404(key, user)
    sections = report_content(report=report)
    context = {
        "report": report,
        "sections": _report_items(sections, report, request),
        "n_claims": sum(len(s.entries) for s in sections),
        "public": not user.is_authenticated,
        "history": report_history(report=report) if user.is_authenticated else [],
    }
    return render(request, "reports/report.html", context)


@require_POST
@require_view_permission
def report_create(request: HttpRequest) -> HttpResponse:
    """Open the report of an article or a story, creating it (with every claim that has a verdict) if needed."""
    _require_publisher(request)
    form = ReportCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an article or a story to report on.")
        return redirect("factcheck:reports")
    try:
        report = report_services.report_create(
            actor=request.user, article_id=form.cleaned_data["article"], story_id=form.cleaned_data["story"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("factcheck:reports")
    return redirect("factcheck:report-edit", key=report.key)


@require_http_methods(["GET", "POST"])
@require_view_permission
def report_edit(request: HttpRequest, key: UUID) -> HttpResponse:
    """Editors choose the report's claims (reviewed claims of its article or story) and its title and introduction."""
    _require_publisher(request)
    report = _report_or_404(key, request.user)
    candidates, chosen = report_choices(report=report)
    form = ReportEditForm(request.POST or None, initial={"title": report.title, "summary": report.summary})
    errors: list[str] = []
    if request.method == "POST":
        chosen = {int(raw) for raw in request.POST.getlist("claims") if raw.isdigit()}
        if form.is_valid():
            try:
                report_services.report_update(
                    report_id=report.pk, actor=request.user, title=form.cleaned_data["title"],
                    summary=form.cleaned_data["summary"], claim_ids=chosen,
                )
            except ValidationError as exc:
                for field, field_errors in exc.message_dict.items():
                    if field in form.fields:
                        form.add_error(field, field_errors)
                    else:
                        errors.extend(field_errors)
            else:
                messages.success(request, "Report saved.")
                return redirect(report)
    rows = [
        ReportCandidate(claim, VERDICT_MARKERS.get(claim.verdict, "?"), claim.pk in chosen, claim.verdict in RATINGS)
        for claim in candidates
    ]
    context = {
        "report": report, "form": form, "candidates": rows, "errors": errors,
        "max_claims": REPORT_MAX_CLAIMS, "n_chosen": len(chosen),
    }
    return render(request, "reports/edit.html", context)


def _status_action(service: Callable[..., Report], done: str) -> Callable[..., HttpResponse]:
    @require_POST
    @require_view_permission
    def view(request: HttpRequest, key: UUID) -> HttpResponse:
        _require_publisher(request)
        report = _report_or_404(key, request.user)
        try:
            service(report_id=report.pk, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, done)
        return redirect(report)

    view.__name__ = view.__qualname__ = service.__name__ + "_view"
    view.__doc__ = service.__doc__
    return view


report_ready = _status_action(report_services.report_mark_ready, "Marked ready to publish.")
report_publish = _status_action(report_services.report_publish, "Published. Readers can see the report now.")
report_unpublish = _status_action(
    report_services.report_unpublish, "Unpublished: the report is a draft again and readers no longer see it."
)


urlpatterns = [
    path("reports/", report_list, name="reports"),
    path("reports/new", report_create, name="report-create"),
    path("reports/<uuid:key>/", report_detail, name="report"),
    path("reports/<uuid:key>/edit", report_edit, name="report-edit"),
    path("reports/<uuid:key>/ready", report_ready, name="report-ready"),
    path("reports/<uuid:key>/publish", report_publish, name="report-publish"),
    path("reports/<uuid:key>/unpublish", report_unpublish, name="report-unpublish"),
]
