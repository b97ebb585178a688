"""The desk overview's numbers: four queries whatever the tables hold, each on kept counts or an index.

- reviews of the last 30 days, per day and per person: the kept hourly counts (`ReviewHour`, migration 0023; at
  most 720 rows per reviewer), both groupings in one statement (GROUPING SETS);
- the verdict mix, articles waiting and open contradictions: the articles' kept counters (migrations 0010, 0014,
  0016) summed from `article_desk_idx` alone, and the open conflicts counted in the same statement;
- the oldest open claims of high check-worthiness: the first rows of `claim_open_priority_idx`;
- the latest imports with failures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from factcheck.models import Article, Claim, ImportBatch, Verdict
from factcheck.plans import fetch_with_settings

DAYS = 30
HIGH_PRIORITY_SCORE = 0.8  # the condition of claim_open_priority_idx (migration 0023): change both together
OLDEST_SHOWN = 10
BATCHES_SHOWN = 10
PEOPLE_SHOWN = 15

_REVIEWS_SQL = """
SELECT (r.hour AT TIME ZONE %(tz)s)::date AS day, r.reviewer_id, u.username, sum(r.n),
       GROUPING((r.hour AT TIME ZONE %(tz)s)::date) AS by_person
FROM factcheck_reviewhour r LEFT JOIN auth_user u ON u.id = r.reviewer_id
WHERE r.hour >= %(since)s
GROUP BY GROUPING SETS (((r.hour AT TIME ZONE %(tz)s)::date), (r.reviewer_id, u.username))
HAVING sum(r.n) > 0
"""

# Read from article_desk_idx alone (status, then the counters): the planner is told not to read the table instead.
_DESK_SQL = """
SELECT coalesce(sum(n_unreviewed), 0), coalesce(sum(n_verified), 0), coalesce(sum(n_disputed), 0),
       coalesce(sum(n_false), 0), coalesce(sum(n_not_claim), 0),
       count(*) FILTER (WHERE status IN ('queued', 'extracting')),
       count(*) FILTER (WHERE status = 'ready' AND n_unreviewed > 0),
       count(*) FILTER (WHERE status = 'failed'),
       (SELECT count(*) FROM factcheck_conflict WHERE status = 'open')
FROM factcheck_article
"""


@dataclass
class DeskOverview:
    since: dt.date
    days: list[tuple[dt.date, int]]  # every day of the window, oldest first, zeros included
    people: list[tuple[str, int]]  # most reviews first
    verdicts: dict[str, int]  # verdict value -> claims
    waiting_extraction: int
    waiting_review: int
    failed_extraction: int
    open_conflicts: int
    oldest_priority: list[Claim] = field(default_factory=list)
    failed_batches: list[ImportBatch] = field(default_factory=list)

    @property
    def reviewed_in_window(self) -> int:
        return sum(n for _, n in self.days)

    @property
    def n_claims(self) -> int:
        return sum(self.verdicts.values())


def desk_overview(*, today: dt.date | None = None) -> DeskOverview:
    """The numbers of the desk overview (four queries, and two that set and reset planner settings)."""
    tz = timezone.get_current_timezone()
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=DAYS - 1)
    since_at = timezone.make_aware(dt.datetime.combine(since, dt.time.min), tz)
    per_day: dict[dt.date, int] = {}
    people: list[tuple[str, int]] = []
    with connection.cursor() as cursor:
        cursor.execute(_REVIEWS_SQL, {"tz": str(tz), "since": since_at})
        for day, user_id, username, n, by_person in cursor.fetchall():
            if by_person:
                people.append((username or ("someone removed" if user_id else "nobody recorded"), n))
            else:
                per_day[day] = n
    with transaction.atomic(), connection.cursor() as cursor:
        desk = fetch_with_settings(cursor, _DESK_SQL, [], enable_seqscan="off")[0]
    unreviewed, verified, disputed, false, not_claim, extracting, reviewing, failed, conflicts = desk
    people.sort(key=lambda p: (-p[1], p[0]))
    oldest = list(
        Claim.objects.filter(verdict=Verdict.UNREVIEWED, score__gte=HIGH_PRIORITY_SCORE)
        .select_related("article", "article__source")
        .only("pk", "text", "score", "created_at", "article_id", "article__title", "article__source__name")
        .order_by("created_at", "id")[:OLDEST_SHOWN]
    )
    batches = list(
        ImportBatch.objects.filter(failed__gt=0).select_related("created_by")
        .order_by("-created_at", "-id")[:BATCHES_SHOWN]
    )
    return DeskOverview(
        since=since,
        days=[(since + dt.timedelta(days=i), per_day.get(since + dt.timedelta(days=i), 0)) for i in range(DAYS)],
        people=people[:PEOPLE_SHOWN],
        verdicts={Verdict.UNREVIEWED: unreviewed, Verdict.VERIFIED: verified, Verdict.DISPUTED: disputed,
                  Verdict.FALSE: false, Verdict.NOT_A_CLAIM: not_claim},
        waiting_extraction=extracting, waiting_review=reviewing, failed_extraction=failed, open_conflicts=conflicts,
        oldest_priority=oldest, failed_batches=batches,
    )


def articles_stuck_queued(*, minutes: int) -> tuple[int, Article | None]:
    """Articles waiting for extraction longer than `minutes` (how many, and the oldest): a sign no worker is
    taking work. Reads the status index's queued rows only."""
    cutoff = timezone.now() - dt.timedelta(minutes=minutes)
    waiting_since = Q(status_changed_at__lt=cutoff) | Q(status_changed_at__isnull=True, created_at__lt=cutoff)
    stuck = Article.objects.filter(waiting_since, status=Article.Status.QUEUED)
    oldest = stuck.only("pk", "title", "created_at").order_by("created_at").first()
    return (stuck.count() if oldest else 0), oldest
