"""Fact-check reports: create one for an article or a story, choose its claims, mark it ready, publish and
unpublish it. Editors only; every change is in the history under its own action."""

from __future__ import annotations

from typing import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from factcheck import permissions
from factcheck.history import history_context
from factcheck.models import Article, Report, ReportClaim, Story
from factcheck.reports.content import REPORT_MAX_CLAIMS, report_candidate_claims

Status = Report.Status


@transaction.atomic
def report_create(*, actor: AbstractBaseUser, article_id: int | None = None, story_id: int | None = None) -> Report:
    """The report of an article or a story: the existing one, or a new draft holding every claim of it that has
    a verdict (verified, disputed or false; at most REPORT_MAX_CLAIMS, in reading order).

    An article and a story each have one report, so its address never changes; two editors creating it at
    once get the same report.
    """
    permissions.require_publish_reports(actor)
    if (article_id is None) == (story_id is None):
        raise ValidationError("A report is about one article or one story.")
    target = (
        Article.objects.only("pk", "title").filter(pk=article_id).first() if article_id is not None
        else Story.objects.only("pk", "title").filter(pk=story_id).first()
    )
    if target is None:
        raise ValidationError("That article or story no longer exists.")
    existing = Report.objects.filter(article_id=article_id, story_id=story_id).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic(), history_context(action="factcheck.report.created", user=actor):
            report = Report.objects.create(
                article_id=article_id, story_id=story_id, title=f"Fact-check: {target.title}"[:500], created_by=actor
            )
            chosen = report_candidate_claims(report=report).order_by("article_id", "start").values_list(
                "pk", flat=True
            )[:REPORT_MAX_CLAIMS]
            ReportClaim.objects.bulk_create(ReportClaim(report=report, claim_id=pk) for pk in chosen)
    except IntegrityError:  # another editor created it in the meantime
        return Report.objects.get(article_id=article_id, story_id=story_id)
    return report


@transaction.atomic
def report_update(
    *, report_id: int, actor: AbstractBaseUser, title: str, summary: str, claim_ids: Iterable[int]
) -> Report:
    """Set the report's title, introduction and claims.

    A claim can be chosen when it has a verdict (verified, disputed, false) and belongs to the report's article
    or story; a claim already in the report may stay whatever its verdict now. A published report keeps at
    least one claim (unpublish it to empty it). Raises ValidationError, changing nothing, otherwise.
    """
    permissions.require_publish_reports(actor)
    report = Report.objects.select_for_update().get(pk=report_id)
    title, summary = title.strip(), summary.strip()
    ids = set(claim_ids)
    if not title:
        raise ValidationError({"title": "Give the report a title."})
    if len(ids) > REPORT_MAX_CLAIMS:
        raise ValidationError({"claims": f"A report holds at most {REPORT_MAX_CLAIMS} claims; you chose {len(ids)}."})
    existing = set(report.items.values_list("claim_id", flat=True))
    allowed = set(report_candidate_claims(report=report).filter(pk__in=ids - existing).values_list("pk", flat=True))
    if ids - existing - allowed:
        raise ValidationError(
            {"claims": "Some chosen claims can't be in this report: only claims of its article or story that have "
                       "a verdict can. Reload the page and choose again."}
        )
    if report.is_published and not ids:
        raise ValidationError({"claims": "A published report needs at least one claim. Unpublish it to empty it."})
    with history_context(action="factcheck.report.edited", user=actor):
        ReportClaim.objects.filter(report=report).exclude(claim_id__in=ids).delete()
        ReportClaim.objects.bulk_create(ReportClaim(report=report, claim_id=pk) for pk in sorted(ids - existing))
        Report.objects.filter(pk=report.pk).update(title=title, summary=summary, updated_at=timezone.now())
    report.refresh_from_db()
    return report


def _transition(*, report_id: int, actor: AbstractBaseUser, action: str, allowed_from: tuple[str, ...],
                refusal: str, **values) -> Report:
    """Move the report to a new status with one conditional UPDATE, from one of `allowed_from` only."""
    with history_context(action=action, user=actor):
        updated = Report.objects.filter(pk=report_id, status__in=allowed_from).update(
            updated_at=timezone.now(), **values
        )
    report = Report.objects.get(pk=report_id)
    if not updated:
        raise ValidationError(refusal.format(status=report.get_status_display().lower()))
    return report


@transaction.atomic
def report_mark_ready(*, report_id: int, actor: AbstractBaseUser) -> Report:
    """Mark a draft ready to publish: the claims are chosen and checked."""
    permissions.require_publish_reports(actor)
    return _transition(
        report_id=report_id, actor=actor, action="factcheck.report.marked_ready", allowed_from=(Status.DRAFT,),
        refusal="Only a draft can be marked ready; this report is {status}.", status=Status.READY,
    )


@transaction.atomic
def report_publish(*, report_id: int, actor: AbstractBaseUser) -> Report:
    """Publish the report: readers see it, its verdicts change only with a correction note from now on.

    Refused for a report without claims or one already published. Waits for verdict changes in progress on its
    claims (they hold the report row FOR SHARE), so none slips in unannounced.
    """
    permissions.require_publish_reports(actor)
    # Locked first: claims chosen meanwhile (report_update holds the same lock) can't empty it under us.
    Report.objects.select_for_update().filter(pk=report_id).values_list("pk").first()
    if not ReportClaim.objects.filter(report_id=report_id).exists():
        raise ValidationError("Choose at least one claim before publishing the report.")
    now = timezone.now()
    return _transition(
        report_id=report_id, actor=actor, action="factcheck.report.published",
        allowed_from=(Status.DRAFT, Status.READY), refusal="This report is already {status}.",
        status=Status.PUBLISHED, published_at=now, published_by=actor,
        first_published_at=Coalesce(F("first_published_at"), now),
    )


@transaction.atomic
def report_unpublish(*, report_id: int, actor: AbstractBaseUser) -> Report:
    """Take a published report back to draft: readers no longer see it, its verdicts change freely again.
    Its first publication date and its corrections are kept."""
    permissions.require_publish_reports(actor)
    return _transition(
        report_id=report_id, actor=actor, action="factcheck.report.unpublished", allowed_from=(Status.PUBLISHED,),
        refusal="Only a published report can be unpublished; this report is {status}.", status=Status.DRAFT,
    )
