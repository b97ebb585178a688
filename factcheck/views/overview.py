"""The desk overview (reviews, verdict mix, what is waiting) and the work-status banner every page loads."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from factcheck import charts
from factcheck.models import Verdict
from factcheck.overview import HIGH_PRIORITY_SCORE, articles_stuck_queued, desk_overview
from factcheck.views.access import require_view_permission
from factcheck.views.health import workers_check

# Verdicts in the mix chart, each with the texture its bar carries (see charts.PATTERNS and the CSS).
VERDICT_ORDER = [Verdict.VERIFIED, Verdict.DISPUTED, Verdict.FALSE, Verdict.UNREVIEWED, Verdict.NOT_A_CLAIM]


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


@require_GET
@require_view_permission
def overview(request: HttpRequest) -> HttpResponse:
    """How the desk is doing: reviews of the last 30 days, the verdict mix, what waits, what failed."""
    data = desk_overview()
    days = [
        charts.Bar(f"{day:%-d %b}", n, f"{day:%a %-d %b %Y}: {_plural(n, 'claim')} reviewed") for day, n in data.days
    ]
    people = [charts.Bar(name, n, f"{name}: {_plural(n, 'claim')} reviewed") for name, n in data.people]
    total = data.n_claims or 1
    labels = dict(Verdict.choices)
    mix = [
        charts.Bar(labels[v], data.verdicts[v], f"{labels[v]}: {_plural(data.verdicts[v], 'claim')} "
                   f"({100 * data.verdicts[v] / total:.0f}%)", css=f"chart-v-{v}")
        for v in VERDICT_ORDER
    ]
    context = {
        "data": data,
        "high_priority": HIGH_PRIORITY_SCORE,
        "mix_rows": [(bar, round(100 * bar.value / total)) for bar in mix],
        # The charts escape every text they hold.
        "days_chart": mark_safe(charts.column_chart(  # noqa: S308
            "chart-days", f"Claims reviewed per day, last {len(days)} days", days)),
        "people_chart": mark_safe(charts.bar_chart(  # noqa: S308
            "chart-people", f"Claims reviewed per person, last {len(days)} days", people)) if people else "",
        "mix_chart": mark_safe(charts.patterned_bar_chart(  # noqa: S308
            "chart-mix", "Claims by verdict", mix)),
    }
    return render(request, "overview/overview.html", context)


# --- Work status: the banner ---------------------------------------------------------------------------------

WORK_STATUS_CACHE_KEY = "factdesk:work-status"


def work_status() -> dict:
    """Whether work is being done: the workers as /healthz sees them, and articles stuck waiting for extraction.
    Kept for WORK_STATUS_CACHE_SECONDS, so pages don't ping the workers on every request."""

    def check() -> dict:
        workers = workers_check()
        stuck, oldest = articles_stuck_queued(minutes=settings.FACTDESK_STUCK_QUEUED_MINUTES)
        return {
            "workers_ok": workers["ok"],
            "workers_error": workers.get("error", ""),
            "stuck": stuck,
            "oldest_stuck": {"pk": oldest.pk, "title": oldest.title} if oldest else None,
        }

    return cache.get_or_set(WORK_STATUS_CACHE_KEY, check, timeout=settings.FACTDESK_WORK_STATUS_CACHE_SECONDS)


@never_cache
@require_GET
@require_view_permission
def work_status_banner(request: HttpRequest) -> HttpResponse:
    """The banner fragment every page loads after it is shown (and again every minute): empty when all is well."""
    status = work_status()
    context = {
        "status": status,
        "minutes": settings.FACTDESK_STUCK_QUEUED_MINUTES,
        "show": not status["workers_ok"] or status["stuck"] > 0,
    }
    return render(request, "_work_status.html", context)


urlpatterns = [
    path("overview/", overview, name="overview"),
    path("status/work", work_status_banner, name="work-status"),
]
