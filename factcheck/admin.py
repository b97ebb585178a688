"""Django admin: administrators manage sources here; articles, batches and history are read-mostly views."""

from __future__ import annotations

import pghistory.admin
import pghistory.models
from django.apps import apps
from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from factcheck import jobs
from factcheck.levels import LEVELS
from factcheck.models import (
    Article,
    CheckworthinessHead,
    Claim,
    Conflict,
    Evidence,
    FactCheckFeed,
    FactCheckImport,
    HistoryVerification,
    ImportBatch,
    ImportItem,
    PublishedCheck,
    RatingMapping,
    Report,
    ReportClaim,
    Source,
    SourceDomain,
    Story,
)
from factcheck.services import checkworthiness, factcheck_imports


class SourceDomainInline(admin.TabularInline):
    model = SourceDomain
    extra = 1


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "reliability", "is_active", "domain_list", "feed_last_polled_at"]
    list_filter = ["kind", "reliability", "is_active"]
    search_fields = ["name", "domains__domain"]
    inlines = [SourceDomainInline]
    readonly_fields = ["feed_last_polled_at", "feed_last_error", "feed_failures", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "is_active"]}),
        ("Reliability", {"fields": ["reliability", "reliability_note"]}),
        ("Feed", {"fields": ["feed_url", "feed_last_polled_at", "feed_last_error", "feed_failures"]}),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("domains")

    @admin.display(description="Domains")
    def domain_list(self, obj: Source) -> str:
        return ", ".join(d.domain for d in obj.domains.all())

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            if inline_form.cleaned_data.get("domain"):
                inline_form.instance.domain = inline_form.cleaned_data["domain"].strip().lower().removeprefix("www.")
        super().save_formset(request, form, formset, change)


class ReadMostlyAdmin(admin.ModelAdmin):
    """Rows are written by the workspace and the workers; the admin shows them and allows deletion only."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(ReadMostlyAdmin):
    list_display = ["title", "source", "status", "published_at", "uploaded_by", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["title", "url", "byline"]
    list_select_related = ["source", "uploaded_by"]
    fields = ["title", "source", "url", "byline", "published_at", "language", "story", "status", "status_message",
              "origin", "content_hash", "extraction_model_version", "uploaded_by", "batch", "created_at", "body"]
    readonly_fields = ["status", "status_message", "origin", "content_hash", "extraction_model_version",
                       "uploaded_by", "batch", "created_at", "body"]
    raw_id_fields = ["story"]


class ImportItemInline(admin.TabularInline):
    model = ImportItem
    fields = ["position", "key", "status", "message", "article"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("payload", "data").exclude(status=ImportItem.Status.IMPORTED)


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadMostlyAdmin):
    list_display = ["label", "kind", "status", "total", "imported", "duplicates", "failed", "created_by", "created_at"]
    list_filter = ["status", "kind"]
    readonly_fields = ["kind", "label", "status", "message", "default_source", "created_by", "total", "imported",
                       "duplicates", "failed", "created_at", "started_at", "finished_at", "heartbeat_at"]
    inlines = [ImportItemInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Claim)
class ClaimAdmin(ReadMostlyAdmin):
    list_display = ["text", "article", "verdict", "score", "assignee"]
    list_filter = ["verdict"]
    search_fields = ["text"]
    list_select_related = ["article", "assignee"]
    raw_id_fields = ["article", "cluster", "assignee", "verdict_by"]
    readonly_fields = ["article", "start", "end", "text", "score", "base_score", "kinds", "facets", "model_version",
                       "version", "verdict_by", "verdict_at", "cluster"]
    readonly_fields += ["origin"]  # set by the services that add or correct a claim

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        # Readers have seen this verdict: it changes in the workspace, with a correction note.
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and ReportClaim.objects.filter(claim=obj, report__status=Report.Status.PUBLISHED).exists():
            fields += ["verdict", "rationale"]
        return fields


@admin.register(Evidence)
class EvidenceAdmin(ReadMostlyAdmin):
    list_display = ["url", "claim", "stance", "source", "added_by", "created_at", "removed_at"]
    list_filter = ["stance", "source"]
    raw_id_fields = ["claim", "source", "added_by", "removed_by"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # removal is a recorded state, set in the workspace


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["title", "updated_at"]
    search_fields = ["title"]


@admin.register(Conflict)
class ConflictAdmin(ReadMostlyAdmin):
    list_display = ["kind", "values", "status", "created_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["claims", "resolved_by"]


# --- published fact-checks ---------------------------------------------------------------------------------


@admin.register(PublishedCheck)
class PublishedCheckAdmin(ReadMostlyAdmin):
    """Imported checks: corrected by importing them again; only the publisher and the rating may be set here."""

    list_display = ["__str__", "publisher_name", "rating_label", "rating", "review_date", "last_import"]
    list_filter = ["rating", "language"]
    search_fields = ["claim_reviewed", "headline", "publisher_name", "url", "identifier", "key"]
    list_select_related = ["publisher", "last_import"]
    raw_id_fields = ["publisher"]
    fields = ["claim_reviewed", "headline", "description", "url", "identifier", "key", "publisher",
              "publisher_name", "writer", "claimant", "claim_date", "review_date", "rating_label", "rating_value",
              "rating_best", "rating_worst", "rating", "language", "missing", "feed", "last_import",
              "embedding_model", "created_at", "updated_at", "raw"]
    readonly_fields = [f for f in fields if f not in ("publisher", "rating")]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).defer("embedding")


@admin.register(RatingMapping)
class RatingMappingAdmin(admin.ModelAdmin):
    """How publishers' rating words map to the normalised scale; a publisher's own row wins over a global one.
    Applied to checks when they are imported (again)."""

    list_display = ["label", "rating", "publisher"]
    list_filter = ["rating"]
    search_fields = ["label", "publisher__name"]
    raw_id_fields = ["publisher"]


@admin.register(FactCheckFeed)
class FactCheckFeedAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "every_minutes", "is_active", "last_polled_at", "failures"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    readonly_fields = ["last_polled_at", "last_error", "failures", "created_at"]
    actions = ["fetch_now"]

    @admin.action(description="Fetch the selected feeds now")
    def fetch_now(self, request: HttpRequest, queryset) -> None:
        started = 0
        for pk in queryset.values_list("pk", flat=True):
            run = factcheck_imports.factcheck_feed_fetch(feed_id=pk)
            if run is not None:
                jobs.factcheck_import_send(run.pk)
                started += 1
        self.message_user(request, f"Started {started} import(s).", messages.SUCCESS)


@admin.register(FactCheckImport)
class FactCheckImportAdmin(ReadMostlyAdmin):
    list_display = ["label", "status", "total", "created", "updated", "failed", "feed", "created_by", "created_at"]
    list_filter = ["status"]
    # The records it skipped or imported with fields missing are listed on the import's page in the workspace.
    readonly_fields = ["label", "workspace_page", "feed", "status", "message", "created_by", "total", "created",
                       "updated", "failed", "created_at", "started_at", "finished_at", "heartbeat_at", "resumes"]
    exclude = ["data"]

    @admin.display(description="Records with problems")
    def workspace_page(self, obj: FactCheckImport) -> str:
        url = reverse("factcheck:factcheck-import", args=[obj.pk])
        return format_html('<a href="{}">{} on the import\'s page</a>', url, obj.problems.count())

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).defer("data")


@admin.register(HistoryVerification)
class HistoryVerificationAdmin(admin.ModelAdmin):
    """Each `verify_history` run, newest first; the latest is also on the admin's front page."""

    list_display = ["checked_at", "ok", "events", "head_seq", "problem"]
    list_filter = ["ok"]
    readonly_fields = ["checked_at", "ok", "events", "head_seq", "head_hash", "problem"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _level_figures(figures: dict | None) -> str:
    """"Check first 0.91 (34) · Worth a look 0.62 (20) · Low 0.30 (10)"; versions recorded before levels: "—"."""
    if not figures:
        return "—"
    return " · ".join(
        f"{level.label} {'–' if figures[key]['precision'] is None else format(figures[key]['precision'], '.2f')} "
        f"({figures[key]['n']})" for key, level in LEVELS.items() if key in figures)


@admin.register(CheckworthinessHead)
class CheckworthinessHeadAdmin(admin.ModelAdmin):
    """Versions of the check-worthiness head, newest first, with their figures on the held-back reviewer labels
    beside those of the scorer each was compared with. Switching and rolling back go through the service."""

    # Few columns and no filter panel: the figures must fit beside the admin's navigation at 1280 pixels.
    list_display = ["name", "status", "activated_at", "held_back", "figures_short"]
    actions = ["activate", "rollback"]
    fields = ["name", "status", "reason", "figures", "n_shipped", "n_train", "n_train_positive", "n_heldout",
              "n_heldout_positive", "threshold", "compared_with", "previous", "base_model_version",
              "encoder_version", "trigger", "triggered_by", "created_at", "activated_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # read-only: versions change only by switching or rolling back (the actions)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_switch_permission(self, request) -> bool:
        return request.user.has_perm("factcheck.change_checkworthinesshead")

    @admin.display(description="held back (claims)")
    def held_back(self, obj: CheckworthinessHead) -> str:
        return f"{obj.n_heldout} ({obj.n_heldout_positive})"

    @admin.display(description="held-back figures (vs the scorer it replaced)")
    def figures_short(self, obj: CheckworthinessHead) -> str:
        if not obj.metrics:
            return "—"
        new, old = obj.metrics["candidate"], obj.metrics["current"]
        return format_html_join(
            mark_safe("<br>"), "{} {} vs {}",
            ((label, f"{new[key]:.3f}", f"{old[key]:.3f}")
             for key, label in (("average_precision", "avg precision"), ("f1", "F1"), ("log_loss", "log-loss"))),
        )

    @admin.display(description="figures on held-back labels")
    def figures(self, obj: CheckworthinessHead) -> str:
        if not obj.metrics:
            return "—"
        rows = [(obj.name, obj.metrics["candidate"]), (obj.compared_with, obj.metrics["current"])]
        return format_html(
            "<table><tr><th>scorer</th><th>F1 at threshold</th><th>average precision</th><th>log-loss</th>"
            "<th>claims by level: share check-worthy (how many)</th></tr>{}</table>",
            format_html_join("", "<tr><td>{}</td><td>{} at {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                             ((name, f"{m['f1']:.3f}", f"{m['threshold']:.2f}", f"{m['average_precision']:.3f}",
                               f"{m['log_loss']:.3f}", _level_figures(m.get("levels"))) for name, m in rows)),
        )

    @admin.action(description="Switch claims' scoring to the selected version", permissions=["switch"])
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one version to switch to.", messages.ERROR)
            return
        head = queryset.get()
        try:
            checkworthiness.head_activate(head=head, trigger=CheckworthinessHead.Trigger.ADMIN, user=request.user,
                                          rescore=False)
        except checkworthiness.HeadError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        jobs.rescore_send()
        self.message_user(request, f"Switched to {head.name}; unreviewed claims are being re-scored.",
                          messages.SUCCESS)

    @admin.action(description="Roll back to the version active before the current one", permissions=["switch"])
    def rollback(self, request, queryset):
        try:
            target, _ = checkworthiness.head_rollback(trigger=CheckworthinessHead.Trigger.ADMIN, user=request.user,
                                                      rescore=False)
        except checkworthiness.HeadError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        jobs.rescore_send()
        now = target.name if target else "the shipped scorer alone"
        self.message_user(request, f"Rolled back to {now}; unreviewed claims are being re-scored.", messages.SUCCESS)


# The append-only event tables, each with its own read-only admin (and a link from the tracked object's page).
for model in apps.get_app_config("factcheck").get_models():
    if issubclass(model, pghistory.models.Event):
        admin.site.register(model, pghistory.admin.EventModelAdmin)
