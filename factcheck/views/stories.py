"""Stories and the cross-article actions: the story list, a story's overview (every distinct claim once, with its
sources, verdicts and contradictions), and the reviewers' actions on clusters, conflicts and stories.

Each action: authorise → validate → call one service → answer. With htmx the answer is the fragment the action
came from (the story overview, or the claim panel's "also in" / conflicts sections); without JavaScript a
successful POST redirects back to where the form was.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.text import Truncator
from django.views.decorators.http import require_GET, require_POST

from factcheck import permissions, selectors
from factcheck.forms import ArticleStoryForm, ClusterVerdictForm, MergeForm, NoteForm, RenameForm
from factcheck.models import Article, Claim, ClaimCluster, ClusterMerge, Conflict, Story, Verdict
from factcheck.pagination import keyset_page
from factcheck.presenters import VERDICT_MARKERS, Segment, claim_rows, counters, panel_context
from factcheck.services import clusters as cluster_services
from factcheck.services import conflicts as conflict_services
from factcheck.services import stories as story_services
from factcheck.views.access import claim_for_user, require_review, require_view_permission

STORIES_PER_PAGE = 50
MAX_CONFLICTS_AT_ONCE = 200  # a group's "also" ids: the claim panel lists all of a claim's open contradictions
REVIEWED_VERDICTS = [(v, label) for v, label in Verdict.choices if v in ("verified", "disputed", "false")]


def _require_story_edit(request: HttpRequest) -> None:
    if not permissions.can_edit_stories(request.user):
        raise PermissionDenied("Only editors can change stories.")


def _errors(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Redirect to the page the form was on (a same-site `next`), or to `fallback`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


def _story_id_from(request: HttpRequest) -> int | None:
    raw = request.POST.get("story_page", "")
    return int(raw) if raw.isdigit() else None


def _story_or_404(pk: int) -> Story:
    story = Story.objects.select_related("report").filter(pk=pk).first()
    if story is None:
        raise Http404("No such story.")
    return story


def story_page_context(request: HttpRequest, story: Story, **extra: Any) -> dict[str, Any]:
    """The story overview: `?show=` narrows it (selectors.STORY_FILTERS), `?group=article` lists it by article
    instead of by distinct claim, `?page=` pages the claims, `?expand=1` opens every row; an action's answer keeps
    open the row it came from (`open_row`) and the filter it was under."""
    params = request.POST if request.method == "POST" else request.GET
    raw_page = params.get("page", "")
    show = params.get("show", "all")
    overview = selectors.story_overview(story=story, page=int(raw_page) if raw_page.isdigit() else 1, show=show)
    merges = selectors.cluster_merges_open(cluster_ids=[row.cluster_id for row in overview.rows])
    for row in overview.rows:
        row.open_merges = merges.get(row.cluster_id, [])
        row.label = Truncator(row.representative.text).chars(70)
        row.conflict_groups = selectors.conflict_groups(row.conflicts, claim_id=None)
    # The same list of stories follows every article of the page: rendered once.
    story_options = format_html_join(
        "", '<option value="{}">{}</option>', ((o.pk, Truncator(o.title).chars(70)) for o in overview.other_stories)
    )
    group = "article" if params.get("group") == "article" else "claim"
    query = {k: v for k, v in (("show", overview.show), ("group", group)) if v not in ("all", "claim")}
    return {
        "group": group,
        "article_claims_shown": selectors.STORY_ARTICLE_CLAIMS_SHOWN,
        "by_article": selectors.story_by_article(story=story, show=overview.show) if group == "article" else [],
        "story": story,
        "overview": overview,
        "filters": selectors.STORY_FILTERS,
        "show_label": selectors.STORY_FILTERS[overview.show],
        "expand": params.get("expand") == "1",
        "open_row": params.get("open_row", ""),
        "story_query": urlencode(query),
        "group_query": urlencode({"show": overview.show} if overview.show != "all" else {}),
        "story_options": story_options,
        "reviewed_verdicts": REVIEWED_VERDICTS,
        "errors": [],
        "notice": "",
        **extra,
    }


def claim_sections_context(request: HttpRequest, claim: Claim, **extra: Any) -> dict[str, Any]:
    """The context of the two claim-panel sections (matching/_siblings.html and matching/_conflicts.html)."""
    conflicts = selectors.claim_conflicts(claim=claim)
    return {
        "claim": claim,
        "siblings": selectors.claim_siblings(claim=claim),
        "conflicts": conflicts,
        "conflict_groups": selectors.conflict_groups(conflicts, claim_id=claim.pk),
        "matching_errors": [],
        "matching_notice": "",
        **extra,
    }


def _answer(
    request: HttpRequest,
    *,
    claim: Claim | None,
    fallback: str,
    section: str,
    errors: list[str] | None = None,
    notice: str = "",
    trigger: dict | None = None,
) -> HttpResponse:
    """htmx: the fragment the form lives in; otherwise: back to the page (the error as a message)."""
    if not request.htmx:
        for error in errors or ():
            messages.error(request, error)
        if notice and not errors:
            messages.success(request, notice)
        return _back(request, fallback)
    story_id = _story_id_from(request)
    if story_id is None and claim is None:
        # A form outside both fragments: let htmx load the page again, with the outcome as a message.
        for error in errors or ():
            messages.error(request, error)
        if notice and not errors:
            messages.success(request, notice)
        response = HttpResponse(status=204)
        response["HX-Redirect"] = fallback
        return response
    if story_id is not None:
        story = _story_or_404(story_id)
        context = story_page_context(request, story, errors=errors or [], notice=notice)
        response = render(request, "stories/story.html#overview", context)
    else:
        context = claim_sections_context(request, claim, matching_errors=errors or [], matching_notice=notice)
        template = "matching/_conflicts.html" if section == "conflicts" else "matching/_siblings.html"
        response = render(request, template, context)
    if trigger:
        response["HX-Trigger"] = json.dumps(trigger)
    return response


# --- Pages ------------------------------------------------------------------------------------------------------


@require_GET
@require_view_permission
def story_list(request: HttpRequest) -> HttpResponse:
    """Every story with its article and claim counts and open contradictions, most recently changed first."""
    page = keyset_page(selectors.story_list(), order=selectors.STORY_ORDER, cursor=request.GET.get("after"),
                       size=STORIES_PER_PAGE)
    return render(request, "stories/stories.html", {"stories": page.rows, "page": page, "query": ""})


@require_GET
@require_view_permission
def story_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The fact-checker's overview of a story: each distinct claim once, its sources, verdicts and conflicts."""
    story = _story_or_404(pk)
    context = story_page_context(request, story)
    if request.htmx and request.htmx.target == "story-overview":
        return render(request, "stories/story.html#overview", context)
    return render(request, "stories/story.html", context)


# --- Clusters ---------------------------------------------------------------------------------------------------


def _next_url(request: HttpRequest, fallback: str) -> str:
    """The same-site page the form came from (`next` in the query or the form), or `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


def _story_page(request: HttpRequest) -> int | None:
    raw = request.POST.get("story_page") or request.GET.get("story_page") or ""
    return int(raw) if raw.isdigit() else None


def _changed_trigger(claim_ids: list[int], **extra: Any) -> dict:
    """The event every cluster action sends: which claims changed (the page updates their rows and marks)."""
    return {"claimsChanged": {"claims": sorted(claim_ids), **extra}}


def _preview(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """A preview: with htmx the fragment (swapped into the form's preview slot), otherwise a page of its own.
    Errors are shown in the same place, with status 200 (htmx drops the bodies of 4xx answers)."""
    context.setdefault("errors", [])
    context["story_page"] = _story_page(request)
    if request.htmx:
        return render(request, f"{template}#preview", context)
    return render(request, template, context)


@require_POST
@require_view_permission
def claim_split(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the claim out of its cluster (it does not state the same thing); matching never puts it back."""
    require_review(request)
    claim = claim_for_user(request.user, pk)
    try:
        cluster_services.claim_split_from_cluster(claim_id=claim.pk, actor=request.user)
    except ValidationError as exc:
        return _answer(request, claim=claim, fallback=claim.get_absolute_url(), section="siblings",
                       errors=_errors(exc))
    return _answer(request, claim=claim_for_user(request.user, pk), fallback=claim.get_absolute_url(),
                   section="siblings", notice="Claim split off its cluster.", trigger=_changed_trigger([claim.pk]))


@require_GET
@require_view_permission
def cluster_merge_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Before merging: both clusters' claims side by side, and the button that confirms."""
    require_review(request)
    if not ClaimCluster.objects.filter(pk=pk).exists():
        raise Http404("No such cluster.")
    form = MergeForm(request.GET)
    context: dict[str, Any] = {"cluster_id": pk, "next": _next_url(request, reverse("factcheck:stories"))}
    if not form.is_valid():
        return _preview(request, "matching/cluster_merge.html", {**context, "errors": ["Choose the cluster to merge."]})
    other = form.cleaned_data["other"]
    if other == pk or not ClaimCluster.objects.filter(pk=other).exists():
        return _preview(request, "matching/cluster_merge.html",
                        {**context, "errors": ["Choose another cluster that still exists."]})
    members = selectors.clusters_for_merge(cluster_id=pk, other_cluster_id=other)
    seen = ",".join(str(c.pk) for c in sorted(members[pk] + members[other], key=lambda c: c.pk))
    return _preview(request, "matching/cluster_merge.html",
                    {**context, "other_id": other, "keep": members[pk], "other": members[other], "seen": seen})


def _ids(raw: str) -> list[int] | None:
    parts = [p for p in raw.replace(" ", "").split(",") if p]
    return [int(p) for p in parts] if parts and all(p.isdigit() for p in parts) else None


@require_POST
@require_view_permission
def cluster_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge another cluster into this one (they state the same thing), as confirmed in the preview."""
    require_review(request)
    if not ClaimCluster.objects.filter(pk=pk).exists():
        raise Http404("No such cluster.")
    form = MergeForm(request.POST)
    any_claim = Claim.objects.filter(cluster_id=pk).select_related("article").defer("article__body").first()
    fallback = any_claim.get_absolute_url() if any_claim else reverse("factcheck:stories")
    if not form.is_valid():
        return _answer(request, claim=any_claim, fallback=fallback, section="siblings",
                       errors=["Choose the cluster to merge."])
    try:
        merge = cluster_services.clusters_merge(
            cluster_id=pk, other_cluster_id=form.cleaned_data["other"], actor=request.user,
            expected_claim_ids=_ids(request.POST.get("seen", "")),
        )
    except ValidationError as exc:
        return _answer(request, claim=any_claim, fallback=fallback, section="siblings", errors=_errors(exc))
    n = len(merge.claim_ids)
    return _answer(request, claim=any_claim, fallback=fallback, section="siblings",
                   notice=f"Clusters merged: {n} claim{pluralize(n)} moved in. You can undo this merge below.",
                   trigger=_changed_trigger(merge.claim_ids, cluster=pk))


@require_POST
@require_view_permission
def cluster_merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a merge: the claims it moved go back to their own cluster, if none has moved since."""
    require_review(request)
    merge = ClusterMerge.objects.filter(pk=pk).first()
    if merge is None:
        raise Http404("No such merge.")
    any_claim = (
        Claim.objects.filter(pk__in=merge.claim_ids).select_related("article").defer("article__body")
        .order_by("pk").first()
    )
    fallback = any_claim.get_absolute_url() if any_claim else reverse("factcheck:stories")
    try:
        merge = cluster_services.cluster_merge_undo(merge_id=pk, actor=request.user)
    except ValidationError as exc:
        return _answer(request, claim=any_claim, fallback=fallback, section="siblings", errors=_errors(exc))
    n = len(merge.claim_ids)
    return _answer(request, claim=any_claim, fallback=fallback, section="siblings",
                   notice=f"Merge undone: {n} claim{pluralize(n)} back in {'its' if n == 1 else 'their'} own cluster.",
                   trigger=_changed_trigger(merge.claim_ids, cluster=merge.from_cluster_id))


@require_POST
@require_view_permission
def claim_cluster_verdict_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Before applying a verdict to a cluster: the siblings that will get it and those left as they are (who set
    what, when). Changes nothing; the confirm form carries the versions seen here."""
    require_review(request)
    claim = claim_for_user(request.user, pk)
    form = ClusterVerdictForm(request.POST)
    context: dict[str, Any] = {"claim": claim, "next": _next_url(request, claim.get_absolute_url())}
    if not form.is_valid():
        return _preview(request, "matching/cluster_verdict.html", {**context, "errors": ["Choose a verdict."]})
    try:
        plan = cluster_services.cluster_verdict_plan(
            claim_id=claim.pk, verdict=form.cleaned_data["verdict"], rationale=form.cleaned_data["rationale"]
        )
    except ValidationError as exc:
        return _preview(request, "matching/cluster_verdict.html", {**context, "errors": _errors(exc)})
    seen = " ".join(f"{claim_id}:{version}" for claim_id, version in plan.seen_versions().items())
    return _preview(request, "matching/cluster_verdict.html", {**context, "plan": plan, "seen": seen})


def _seen_versions(raw: str) -> dict[int, int]:
    seen: dict[int, int] = {}
    for part in raw.split():
        claim_id, _, version = part.partition(":")
        if claim_id.isdigit() and version.isdigit():
            seen[int(claim_id)] = int(version)
    return seen


def _result_messages(result: cluster_services.ClusterVerdictResult) -> tuple[str, list[str]]:
    """The outcome in words: what changed (the notice) and each conflict (an error naming who changed what)."""
    n = len(result.changed)
    notice = f"“{result.label}” applied to {n} claim{pluralize(n)}."
    if result.skipped:
        notice += f" {len(result.skipped)} left as {'it was' if len(result.skipped) == 1 else 'they were'}."
    errors = []
    for claim in result.conflicts:
        where = claim.article.source.name if claim.article.source else claim.article.title
        if claim.conflict_reason == cluster_services.CONFLICT_LEFT:
            errors.append(f"Not changed: the claim in {where} left this cluster since your preview.")
        else:
            who = claim.verdict_by.get_username() if claim.verdict_by else "someone"
            errors.append(f"Not changed: the claim in {where} was changed by {who} since your preview "
                          f"(now “{claim.get_verdict_display()}”).")
    return notice, errors


@require_POST
@require_view_permission
def claim_cluster_verdict(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply the verdict as previewed: only to the claim and the untouched siblings the preview listed, each if it
    is still at the version seen. htmx: the claim panel, plus out-of-band rows and highlights of the changed
    claims of this article and the counters; the `claimsChanged` event names every changed claim."""
    require_review(request)
    claim = claim_for_user(request.user, pk)
    fallback = _next_url(request, claim.get_absolute_url())
    form = ClusterVerdictForm(request.POST)
    if not form.is_valid():
        return _applied(request, claim, fallback=fallback, errors=["Choose a verdict."])
    try:
        result = cluster_services.cluster_apply_verdict(
            claim_id=claim.pk,
            actor=request.user,
            verdict=form.cleaned_data["verdict"],
            rationale=form.cleaned_data["rationale"],
            seen_versions=_seen_versions(request.POST.get("seen", "")),
        )
    except ValidationError as exc:
        return _applied(request, claim, fallback=fallback, errors=_errors(exc))
    notice, errors = _result_messages(result)
    return _applied(request, claim, fallback=fallback, notice=notice, errors=errors, result=result)


def _applied(
    request: HttpRequest,
    claim: Claim,
    *,
    fallback: str,
    notice: str = "",
    errors: list[str] | None = None,
    result: cluster_services.ClusterVerdictResult | None = None,
) -> HttpResponse:
    errors = errors or []
    trigger = None
    if result is not None:
        trigger = _changed_trigger(
            result.changed_ids,
            verdicts={
                c.pk: {"verdict": c.verdict, "label": c.get_verdict_display(),
                       "marker": VERDICT_MARKERS.get(c.verdict, "?")}
                for c in result.changed
            },
        )
    if not request.htmx or _story_page(request) is not None:
        # No JavaScript: back to the page (outcome as messages). Story page: its overview, redrawn.
        return _answer(request, claim=claim, fallback=fallback, section="siblings", errors=errors,
                       notice=notice if result and result.changed else "", trigger=trigger)
    panel_claim = claim_for_user(request.user, claim.pk)
    context = panel_context(request, panel_claim)
    context.update(siblings_notice=notice if result and result.changed else "", siblings_errors=errors, oob=True)
    if result is not None and result.changed:
        rows = claim_rows(
            selectors.claims_with_review_state(claim_ids=result.changed_ids, article_id=claim.article_id),
            selected_id=claim.pk,
        )
        context.update(
            rows=rows,
            segments=[Segment(row.text, row, start=row.start) for row in rows if "\n" not in row.text],
            counters=counters(selectors.article_verdict_counts(article_id=claim.article_id)),
        )
    response = render(request, "matching/cluster_verdict.html#applied", context)
    if trigger:
        response["HX-Trigger"] = json.dumps(trigger)
    return response


# --- Conflicts --------------------------------------------------------------------------------------------------


def _close_conflict(request: HttpRequest, pk: int, service, done: str) -> HttpResponse:
    require_review(request)
    conflict = Conflict.objects.filter(pk=pk).first()
    if conflict is None:
        raise Http404("No such conflict.")
    claim_raw = request.POST.get("claim", "")
    claim_ids = [c.pk for c in conflict.claims.all().order_by("pk")]
    claim_id = int(claim_raw) if claim_raw.isdigit() and int(claim_raw) in claim_ids else (claim_ids[0] if claim_ids else None)
    claim = claim_for_user(request.user, claim_id) if claim_id else None
    fallback = claim.get_absolute_url() if claim else reverse("factcheck:stories")
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    # A group of contradictions saying the same thing is closed together: the others of the group come as `also`.
    also = sorted({int(v) for v in request.POST.getlist("also") if v.isdigit()} - {pk})[:MAX_CONFLICTS_AT_ONCE]
    try:
        closed = service(conflict_ids=[pk, *also], actor=request.user, note=note)
    except ValidationError as exc:
        return _answer(request, claim=claim, fallback=fallback, section="conflicts", errors=_errors(exc))
    if len(closed) > 1:
        done = f"{done.removesuffix('.')}: {len(closed)} contradictions."
    return _answer(request, claim=claim, fallback=fallback, section="conflicts", notice=done,
                   trigger={"conflictClosed": {"conflict": pk, "conflicts": closed}})


@require_POST
@require_view_permission
def conflict_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a contradiction resolved (checked), with a note."""
    return _close_conflict(request, pk, conflict_services.conflicts_resolve, "Conflict resolved.")


@require_POST
@require_view_permission
def conflict_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """Dismiss a contradiction as a false alarm, with a note."""
    return _close_conflict(request, pk, conflict_services.conflicts_dismiss, "Conflict dismissed.")


# --- Stories ----------------------------------------------------------------------------------------------------


@require_POST
@require_view_permission
def article_move_story(request: HttpRequest, pk: int) -> HttpResponse:
    """Move an article to another story, or out of any (Editors)."""
    _require_story_edit(request)
    article = Article.objects.filter(pk=pk).only("pk", "story_id").first()
    if article is None:
        raise Http404("No such article.")
    form = ArticleStoryForm(request.POST)
    fallback = reverse("factcheck:story", args=[article.story_id]) if article.story_id else reverse("factcheck:stories")
    if not form.is_valid():
        return _answer(request, claim=None, fallback=fallback, section="story", errors=["Choose a story."])
    try:
        story_services.article_set_story(article_id=pk, story_id=form.cleaned_data["story"], actor=request.user)
    except ValidationError as exc:
        return _answer(request, claim=None, fallback=fallback, section="story", errors=_errors(exc))
    return _answer(request, claim=None, fallback=fallback, section="story", notice="Article moved.",
                   trigger={"storyChanged": {"article": pk}})


@require_POST
@require_view_permission
def story_rename(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the story a new title (Editors)."""
    _require_story_edit(request)
    story = _story_or_404(pk)
    fallback = reverse("factcheck:story", args=[story.pk])
    form = RenameForm(request.POST)
    if not form.is_valid():
        return _answer(request, claim=None, fallback=fallback, section="story",
                       errors=["Give the story a title (up to 500 characters)."])
    try:
        story_services.story_rename(story_id=story.pk, actor=request.user, title=form.cleaned_data["title"])
    except ValidationError as exc:
        return _answer(request, claim=None, fallback=fallback, section="story", errors=_errors(exc))
    return _answer(request, claim=None, fallback=fallback, section="story", notice="Story renamed.",
                   trigger={"storyChanged": {"story": story.pk}})


urlpatterns = [
    path("stories/", story_list, name="stories"),
    path("stories/<int:pk>/", story_detail, name="story"),
    path("stories/<int:pk>/rename", story_rename, name="story-rename"),
    path("articles/<int:pk>/story", article_move_story, name="article-story"),
    path("claims/<int:pk>/split", claim_split, name="claim-split"),
    path("claims/<int:pk>/cluster-verdict", claim_cluster_verdict, name="claim-cluster-verdict"),
    path("claims/<int:pk>/cluster-verdict/preview", claim_cluster_verdict_preview, name="claim-cluster-verdict-preview"),
    path("clusters/<int:pk>/merge", cluster_merge, name="cluster-merge"),
    path("clusters/<int:pk>/merge/preview", cluster_merge_preview, name="cluster-merge-preview"),
    path("merges/<int:pk>/undo", cluster_merge_undo, name="cluster-merge-undo"),
    path("conflicts/<int:pk>/resolve", conflict_resolve, name="conflict-resolve"),
    path("conflicts/<int:pk>/dismiss", conflict_dismiss, name="conflict-dismiss"),
]
