"""The fact-check domain: sources, articles, the claims in them, evidence, imports, clusters, conflicts, stories.

Rules that must hold whatever writes the row (a service, the admin, a shell, raw SQL) are database constraints.
History is kept by database triggers (django-pghistory) into append-only event tables.
"""

from __future__ import annotations

import uuid

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Length, Lower
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse


def _choices_check(field: str, choices: type[models.TextChoices], name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


# --- Sources -------------------------------------------------------------------------------------


class SourceKind(models.TextChoices):
    NEWS = "news", "News outlet"
    WIRE = "wire", "Wire service"
    GOVERNMENT = "government", "Government"
    COMPANY = "company", "Company"
    ACADEMIC = "academic", "NGO / academic"
    SOCIAL = "social", "Social media"
    OTHER = "other", "Other"


class Reliability(models.TextChoices):
    HIGH = "high", "High"
    MIXED = "mixed", "Mixed"
    LOW = "low", "Low"
    UNKNOWN = "unknown", "Unknown"


class BatchKind(models.TextChoices):
    FILES = "files", "Files"
    ARCHIVE = "archive", "Archive (.zip)"
    JSONL = "jsonl", "JSON Lines"
    CSV = "csv", "CSV"
    FEED = "feed", "Feed"


class BatchStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ArticleStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    EXTRACTING = "extracting", "Extracting claims"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class ItemStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    IMPORTED = "imported", "Imported"
    DUPLICATE = "duplicate", "Duplicate"
    FAILED = "failed", "Failed"


class Stance(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    REFUTES = "refutes", "Refutes"
    CONTEXT = "context", "Context"


class ConflictKind(models.TextChoices):
    NUMBER = "number", "Different numbers"
    NAME = "name", "Different spellings of a name"
    DATE = "date", "Different dates"
    DENIAL = "denial", "Denied vs. did not respond"


class ConflictStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    DISMISSED = "dismissed", "Dismissed"


# Counts of an article's claims, kept on the article by database triggers (migration 0010) whatever writes the
# claims, conflicts or check offers: a list of articles reads them instead of aggregating millions of claims.
ARTICLE_COUNTERS = (
    "n_claims", "n_unreviewed", "n_verified", "n_disputed", "n_false", "n_not_claim",
    "n_open_conflicts", "n_published_checks",
)


def _counter(help_text: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(default=0, editable=False, help_text=help_text)


# Feed polling bookkeeping is operational, not editorial: it is left out of the history.
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["feed_last_polled_at", "feed_last_error", "feed_failures", "updated_at"],
)
class Source(models.Model):
    """An outlet or evidence provider, managed by administrators in the Django admin."""

    Kind = SourceKind

    Reliability = Reliability

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NEWS)
    reliability = models.CharField(max_length=10, choices=Reliability.choices, default=Reliability.UNKNOWN)
    reliability_note = models.TextField(blank=True)
    feed_url = models.URLField(max_length=2000, blank=True, help_text="RSS or Atom feed polled on a schedule.")
    feed_last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    feed_last_error = models.TextField(blank=True, editable=False)
    feed_failures = models.PositiveIntegerField(default=0, editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            _choices_check("kind", SourceKind, "source_kind_valid"),
            _choices_check("reliability", Reliability, "source_reliability_valid"),
            models.CheckConstraint(
                condition=Q(feed_url="") | Q(feed_url__regex=r"^https?://"), name="source_feed_url_http"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SourceDomain(models.Model):
    """A web domain that belongs to a source; evidence and articles are matched to sources by domain."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True, help_text="e.g. ft.com (without www.)")

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(condition=Q(domain=Lower("domain")), name="sourcedomain_lowercase"),
        ]

    def __str__(self) -> str:
        return self.domain


# --- Articles --------------------------------------------------------------------------------------


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Story(models.Model):
    """Articles about the same event, grouped automatically and editable by reviewers."""

    title = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name_plural = "stories"
        indexes = [models.Index(F("updated_at").desc(), F("id").desc(), name="story_updated_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("factcheck:story", args=[self.pk])


class ImportBatch(models.Model):
    """A batch of articles imported in the background: archive, JSONL, CSV, feed or a set of files."""

    Kind = BatchKind

    Status = BatchStatus

    kind = models.CharField(max_length=10, choices=Kind.choices)
    label = models.CharField(max_length=500, help_text="What was imported: file names or the feed URL.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    message = models.TextField(blank=True, help_text="Why the batch as a whole failed, if it did.")
    default_source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    total = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last progress made by a worker.")

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "import batches"
        constraints = [
            _choices_check("kind", BatchKind, "importbatch_kind_valid"),
            _choices_check("status", BatchStatus, "importbatch_status_valid"),
        ]
        indexes = [models.Index(F("created_at").desc(), F("id").desc(), name="importbatch_created_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label}"

    def get_absolute_url(self) -> str:
        return reverse("factcheck:batch", args=[self.pk])

    @property
    def processed(self) -> int:
        return self.imported + self.duplicates + self.failed


class ImportUpload(models.Model):
    """The uploaded file of a batch, kept until the workers have expanded it into items."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="uploads")
    filename = models.CharField(max_length=500)
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    # The history of an article is its editorial record (title, publisher, URL, story…); the body never changes in
    # place and extraction progress is operational, shown live on the article instead.
    # The claim counters and the search vector are derived from other rows and columns, kept by the database.
    exclude=["body", "headings", "status", "status_message", "status_changed_at", "extraction_model_version",
             "updated_at", *ARTICLE_COUNTERS, "search"],
)
class Article(models.Model):
    """An uploaded article. `body` is the normalised text that claim offsets point into."""

    Status = ArticleStatus

    title = models.CharField(max_length=500)
    body = models.TextField()
    headings = models.JSONField(default=list, blank=True, help_text="[start, end] spans of section headings.")
    content_hash = models.CharField(max_length=64, unique=True, editable=False)
    origin = models.CharField(max_length=2000, blank=True, help_text="Uploaded file name, or the URL fetched.")
    url = models.URLField(max_length=2000, blank=True)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles")
    byline = models.CharField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    status_message = models.TextField(blank=True)
    extraction_model_version = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="uploads"
    )
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles")
    story = models.ForeignKey(Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles")
    story_pinned = models.BooleanField(default=False, help_text="A person chose the story: matching never moves it.")
    feed_guid = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    n_claims = _counter("Claims in the article.")
    n_unreviewed = _counter("Claims with no verdict yet.")
    n_verified = _counter("Claims marked verified.")
    n_disputed = _counter("Claims marked disputed.")
    n_false = _counter("Claims marked false.")
    n_not_claim = _counter("Extraction errors dismissed as not a claim.")
    n_open_conflicts = _counter("Links between the article's claims and open conflicts.")
    n_published_checks = _counter("Strong published-check offers on the article's claims that nobody rejected.")
    search = models.GeneratedField(
        expression=SearchVector("title", "body", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            _choices_check("status", ArticleStatus, "article_status_valid"),
            models.CheckConstraint(condition=Q(url="") | Q(url__regex=r"^https?://"), name="article_url_http"),
            models.CheckConstraint(condition=~Q(body=""), name="article_body_not_empty"),
            models.UniqueConstraint(
                fields=["source", "feed_guid"], condition=~Q(feed_guid=""), name="article_unique_feed_guid"
            ),
        ]
        # One index per inbox sort and selective filter: a page reads page-size rows whatever the table holds.
        indexes = [
            models.Index(F("created_at").desc(), F("id").desc(), name="article_created_idx"),
            models.Index(
                Coalesce("published_at", "created_at").desc(), F("id").desc(), name="article_published_idx"
            ),
            models.Index(fields=["title", "id"], name="article_title_idx"),
            models.Index(
                F("n_unreviewed").desc(), F("created_at").desc(), F("id").desc(), name="article_unreviewed_idx"
            ),
            models.Index(fields=["status", "-created_at"], name="article_status_idx"),
            # The desk overview sums the verdict counters by status from this index alone (migration 0023).
            models.Index(
                fields=["status"], include=["n_unreviewed", "n_verified", "n_disputed", "n_false", "n_not_claim"],
                name="article_desk_idx",
            ),
            models.Index(fields=["source", "-created_at"], name="article_source_idx"),
            models.Index(fields=["uploaded_by", "-created_at"], name="article_uploader_idx"),
            models.Index(
                F("created_at").desc(), F("id").desc(), name="article_has_unreviewed_idx",
                condition=Q(n_unreviewed__gt=0),
            ),
            models.Index(
                F("created_at").desc(), F("id").desc(), name="article_has_conflicts_idx",
                condition=Q(n_open_conflicts__gt=0),
            ),
            models.Index(
                F("created_at").desc(), F("id").desc(), name="article_has_checks_idx",
                condition=Q(n_published_checks__gt=0),
            ),
            GinIndex(fields=["search"], name="article_search_idx"),
        ]
        permissions = [("upload_article", "Can upload and import articles")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("factcheck:article", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.READY, self.Status.FAILED}

    @property
    def n_reviewed(self) -> int:
        return self.n_claims - self.n_unreviewed

    @property
    def has_conflicts(self) -> bool:
        return self.n_open_conflicts > 0

    @property
    def has_published_check(self) -> bool:
        return self.n_published_checks > 0


class ArticleOriginal(models.Model):
    """The upload exactly as received, byte for byte; the body can always be derived again from it."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="original")
    filename = models.CharField(max_length=500, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    data = models.BinaryField()
    size = models.PositiveIntegerField()


class ImportItem(models.Model):
    """One item of a batch. Its state makes the batch resumable: a done item is never imported twice."""

    Status = ItemStatus

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="items")
    key = models.CharField(max_length=2000, help_text="Where the item came from: file name, line number, feed GUID.")
    position = models.PositiveIntegerField()
    payload = models.JSONField(default=dict, blank=True)
    data = models.BinaryField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    message = models.TextField(blank=True)
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["batch", "position"]
        constraints = [
            _choices_check("status", ItemStatus, "importitem_status_valid"),
            models.UniqueConstraint(fields=["batch", "key"], name="importitem_unique_key"),
        ]
        indexes = [models.Index(fields=["batch", "status", "position"], name="importitem_status_idx")]


# --- Claims ------------------------------------------------------------------------------------------


class ClaimCluster(models.Model):
    """Claims in different articles that state the same thing; checked once, verdict offered to all."""

    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Cluster {self.pk}"


class ClusterMerge(models.Model):
    """A reviewer merged one cluster into another: which claims moved, so the merge can be undone exactly.

    The emptied cluster is deleted by the merge; an undo recreates it under the same id (with its creation time)
    and moves exactly `claim_ids` back, provided every one of them is still in `into_cluster`. The row is kept
    after an undo, with who undid it and when; each claim's move is also in the claim's own history.
    """

    into_cluster = models.ForeignKey(
        ClaimCluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="merges_in",
        help_text="The cluster the claims moved into; empty once that cluster itself is gone.",
    )
    from_cluster_id = models.BigIntegerField(help_text="Id of the cluster the merge emptied and deleted.")
    from_cluster_created_at = models.DateTimeField()
    claim_ids = ArrayField(models.BigIntegerField(), help_text="The claims the merge moved.")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    merged_at = models.DateTimeField()
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-pk"]

    def __str__(self) -> str:
        return f"Cluster {self.from_cluster_id} merged into {self.into_cluster_id}"


class ClaimOrigin(models.TextChoices):
    MACHINE = "machine", "Extracted"
    ADDED = "added", "Added by a person"
    EDITED = "edited", "Span set by a person"


class Verdict(models.TextChoices):
    UNREVIEWED = "unreviewed", "Unreviewed"
    VERIFIED = "verified", "Verified"
    DISPUTED = "disputed", "Disputed"
    FALSE = "false", "False"
    NOT_A_CLAIM = "not_claim", "Not a claim"


# Machine fields whose changes alone write no history: re-scoring every stored claim after a switch of the
# check-worthiness head (recorded once, on the head) would otherwise add an event per claim. The score is still in
# every event a tracked change writes.
# `origin` is left out of the events too: a column added to the event table would rewrite old events (and break
# the hash chain); the action that set it (added, span changed, split) is in each event's context.
_CLAIM_UNTRACKED = [
    "match_keys", "embedding", "embedding_model", "search", "has_published_check", "base_score", "origin",
]


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(condition=pghistory.AnyChange(exclude=[*_CLAIM_UNTRACKED, "score"])),
    pghistory.DeleteEvent(),
    exclude=_CLAIM_UNTRACKED,
)
class Claim(models.Model):
    """A check-worthy statement in an article, located by character offsets: body[start:end] == text."""

    Verdict = Verdict
    Origin = ClaimOrigin

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="claims")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    score = models.FloatField(default=0.0, help_text="Check-worthiness, 0 to 1.")
    base_score = models.FloatField(
        null=True, blank=True,
        help_text="The shipped scorer's score; `score` is the active head's over it (or this, with no head).",
    )
    kinds = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    facets = models.JSONField(default=dict, blank=True)
    model_version = models.CharField(max_length=64, blank=True, help_text="Empty for claims added by a person.")
    origin = models.CharField(
        max_length=10, choices=ClaimOrigin.choices, default=ClaimOrigin.MACHINE, db_default=ClaimOrigin.MACHINE,
        help_text="Extracted, added by a person, or with its span trimmed or split by a person.",
    )
    verdict = models.CharField(max_length=12, choices=Verdict.choices, default=Verdict.UNREVIEWED)
    rationale = models.TextField(blank=True)
    verdict_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verdict_at = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_claims"
    )
    cluster = models.ForeignKey(
        ClaimCluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="claims"
    )
    cluster_pinned = models.BooleanField(
        default=False, help_text="A reviewer split or merged this claim's cluster: matching never moves it."
    )
    match_keys = ArrayField(
        models.CharField(max_length=200),
        default=list,
        blank=True,
        help_text="Blocking keys (embedding LSH bands, entities) that shortlist candidate matches.",
    )
    embedding = models.BinaryField(
        null=True,
        blank=True,
        editable=False,
        help_text="Sentence embedding of the text: L2-normalised float16 values, little-endian.",
    )
    embedding_model = models.CharField(max_length=64, blank=True, help_text="Encoder that made `embedding`.")
    version = models.PositiveIntegerField(default=1, help_text="Raised on every reviewer change.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    has_published_check = models.BooleanField(
        default=False, editable=False,
        help_text="A strong published-check offer nobody rejected; kept by a trigger on the offers.",
    )
    search = models.GeneratedField(
        expression=SearchVector("text", "rationale", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["article", "start"]
        constraints = [
            _choices_check("verdict", Verdict, "claim_verdict_valid"),
            _choices_check("origin", ClaimOrigin, "claim_origin_valid"),
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="claim_start_before_end"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1), name="claim_score_range"),
            models.UniqueConstraint(fields=["article", "start", "end"], name="claim_unique_span"),
        ]
        indexes = [
            models.Index(fields=["article", "start"], name="claim_article_idx"),
            # The claims queue: most check-worthy first, by verdict, by assignee ("my claims"), or all.
            models.Index(F("verdict"), F("score").desc(), F("id").desc(), name="claim_verdict_idx"),
            models.Index(F("assignee"), F("score").desc(), F("id").desc(), name="claim_assignee_idx"),
            models.Index(F("score").desc(), F("id").desc(), name="claim_score_idx"),
            models.Index(
                F("score").desc(), F("id").desc(), name="claim_checked_idx", condition=Q(has_published_check=True)
            ),
            models.Index(fields=["cluster"], name="claim_cluster_idx"),
            # The desk overview: the oldest open claims of high check-worthiness (the score is
            # factcheck.overview.HIGH_PRIORITY_SCORE).
            models.Index(
                fields=["created_at", "id"], name="claim_open_priority_idx",
                condition=Q(verdict="unreviewed", score__gte=0.8),
            ),
            # fastupdate off: every lookup would otherwise also read the list of recent inserts.
            GinIndex(fields=["match_keys"], name="claim_match_keys_gin", fastupdate=False),
            GinIndex(fields=["search"], name="claim_search_idx"),
        ]
        permissions = [
            ("review_claim", "Can set verdicts, rationale and evidence"),
            ("assign_claim", "Can assign claims to anyone"),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        return reverse("factcheck:article", args=[self.article_id]) + f"?claim={self.pk}"

    @property
    def is_reviewed(self) -> bool:
        return self.verdict != Verdict.UNREVIEWED


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Evidence(models.Model):
    """A link that supports, refutes or gives context to a claim. Removal is a state, never a delete."""

    Stance = Stance

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    url = models.URLField(max_length=2000)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence")
    passage = models.TextField(blank=True, help_text="The quoted passage that matters.")
    stance = models.CharField(max_length=10, choices=Stance.choices)
    note = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "evidence"
        constraints = [
            _choices_check("stance", Stance, "evidence_stance_valid"),
            models.CheckConstraint(condition=Q(url__iregex=r"^https?://[^\s]+$"), name="evidence_url_http"),
        ]
        indexes = [models.Index(fields=["claim", "created_at"], name="evidence_claim_idx")]

    def __str__(self) -> str:
        return self.url

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Conflict(models.Model):
    """Claims that disagree: different numbers, names, dates, or a denial beside a "did not respond"."""

    Kind = ConflictKind

    Status = ConflictStatus

    key = models.CharField(max_length=500, unique=True, help_text="Stable identity, so re-detection never duplicates.")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    values = ArrayField(models.TextField(), default=list)
    explanation = models.TextField(blank=True)
    claims = models.ManyToManyField(Claim, related_name="conflicts")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            _choices_check("kind", ConflictKind, "conflict_kind_valid"),
            _choices_check("status", ConflictStatus, "conflict_status_valid"),
        ]
        indexes = [models.Index(fields=["status"], name="conflict_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {' / '.join(self.values)}"


# --- Published fact-checks -------------------------------------------------------------------------


class Rating(models.TextChoices):
    """A published rating on one scale, whatever words its publisher used."""

    FALSE = "false", "False"
    MOSTLY_FALSE = "mostly_false", "Mostly false"
    MIXED = "mixed", "Mixed"
    MOSTLY_TRUE = "mostly_true", "Mostly true"
    TRUE = "true", "True"
    UNPROVEN = "unproven", "Unproven"
    OTHER = "other", "Other"


class RatingMapping(models.Model):
    """How one publisher's rating words map to the normalised scale; editable in the admin.

    A row without a publisher applies to every publisher; a publisher's own row wins over it.
    """

    publisher = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.CASCADE, related_name="rating_mappings"
    )
    label = models.CharField(max_length=200, help_text="The rating as published, e.g. “Pants on Fire!” (any case).")
    rating = models.CharField(max_length=16, choices=Rating.choices)

    class Meta:
        ordering = ["publisher__name", "label"]
        constraints = [
            _choices_check("rating", Rating, "ratingmapping_rating_valid"),
            models.UniqueConstraint(
                "publisher", Lower("label"), name="ratingmapping_unique_label", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} → {self.get_rating_display()}"


class FactCheckFeed(models.Model):
    """A URL of published fact-checks (ClaimReview JSON, JSON lines, a DataFeed or an HTML page), fetched on a
    schedule by Celery beat."""

    name = models.CharField(max_length=200)
    url = models.URLField(max_length=2000, unique=True)
    every_minutes = models.PositiveIntegerField(default=360, help_text="How often to fetch it.")
    is_active = models.BooleanField(default=True)
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    failures = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(url__regex=r"^https?://"), name="factcheckfeed_url_http"),
            models.CheckConstraint(condition=Q(every_minutes__gte=5), name="factcheckfeed_every_minutes_min"),
        ]

    def __str__(self) -> str:
        return self.name


class FactCheckImport(models.Model):
    """One import of published fact-checks: a file, a URL or a feed fetch, processed by a worker."""

    Status = BatchStatus

    label = models.CharField(max_length=2000, help_text="The file name or URL imported.")
    feed = models.ForeignKey(FactCheckFeed, null=True, blank=True, on_delete=models.SET_NULL, related_name="imports")
    data = models.BinaryField(null=True, blank=True, help_text="The uploaded file, kept until it is processed.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    message = models.TextField(blank=True, help_text="Why the import as a whole failed, if it did.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    total = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    resumes = models.PositiveIntegerField(
        default=0, help_text="Times the sweep restarted it since its last finished chunk (a worker died on it)."
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [_choices_check("status", BatchStatus, "factcheckimport_status_valid")]

    def __str__(self) -> str:
        return self.label

    @property
    def processed(self) -> int:
        return self.created + self.updated + self.failed


class FactCheckImportProblem(models.Model):
    """A record of an import that was skipped (broken) or imported with fields missing."""

    run = models.ForeignKey(FactCheckImport, on_delete=models.CASCADE, related_name="problems")
    line = models.PositiveIntegerField(help_text="Line (JSON lines) or position (JSON) of the record, from 1.")
    skipped = models.BooleanField(default=True, help_text="False: imported, with what is missing noted.")
    message = models.TextField()

    class Meta:
        ordering = ["run", "line"]
        indexes = [models.Index(fields=["run", "line"], name="fcproblem_run_idx")]


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["raw", "embedding", "embedding_model", "match_keys", "last_import", "updated_at"],
)
class PublishedCheck(models.Model):
    """A fact-check another organisation published (schema.org ClaimReview), offered on claims that repeat it."""

    Rating = Rating

    key = models.CharField(
        max_length=2100, unique=True, editable=False,
        help_text="Identity across imports: the normalised URL, else publisher + identifier, else publisher + text.",
    )
    identifier = models.CharField(max_length=2000, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    claim_reviewed = models.TextField(blank=True)
    headline = models.TextField(blank=True)
    description = models.TextField(blank=True)
    publisher = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="checks")
    publisher_name = models.CharField(max_length=500, blank=True)
    writer = models.CharField(max_length=500, blank=True)
    claimant = models.CharField(max_length=500, blank=True)
    claim_date = models.DateField(null=True, blank=True)
    review_date = models.DateField(null=True, blank=True)
    rating_label = models.CharField(max_length=500, blank=True, help_text="reviewRating.alternateName as published.")
    rating_value = models.CharField(max_length=50, blank=True)
    rating_best = models.CharField(max_length=50, blank=True)
    rating_worst = models.CharField(max_length=50, blank=True)
    rating = models.CharField(max_length=16, choices=Rating.choices, default=Rating.OTHER)
    language = models.CharField(max_length=16, blank=True)
    missing = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    raw = models.JSONField(default=dict, help_text="The ClaimReview object as received.")
    feed = models.ForeignKey(FactCheckFeed, null=True, blank=True, on_delete=models.SET_NULL, related_name="checks")
    last_import = models.ForeignKey(
        FactCheckImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="checks"
    )
    embedding = models.BinaryField(null=True, blank=True, editable=False)
    embedding_model = models.CharField(max_length=64, blank=True)
    match_keys = ArrayField(
        models.CharField(max_length=200), default=list, blank=True,
        help_text="Inverted-file lists of the vectors (v:) and content words (w:): what the workers' search index "
                  "is built from.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-review_date", "-id"]
        constraints = [
            _choices_check("rating", Rating, "publishedcheck_rating_valid"),
            models.CheckConstraint(condition=Q(url="") | Q(url__regex=r"^https?://"), name="publishedcheck_url_http"),
            models.CheckConstraint(
                condition=~Q(claim_reviewed="") | ~Q(headline=""), name="publishedcheck_has_text"
            ),
        ]
        indexes = [
            models.Index(fields=["-created_at"], name="publishedcheck_created_idx"),
            # Workers bring their in-memory index up to date from the latest change.
            models.Index(fields=["updated_at"], name="publishedcheck_updated_idx"),
        ]

    def __str__(self) -> str:
        return (self.claim_reviewed or self.headline)[:80]

    @property
    def link(self) -> str:
        return self.url or (self.identifier if self.identifier.startswith(("http://", "https://")) else "")


class OfferBand(models.TextChoices):
    STRONG = "strong", "Already checked"
    POSSIBLE = "possible", "Possibly checked"


class OfferStatus(models.TextChoices):
    OFFERED = "offered", "Offered"
    CONFIRMED = "confirmed", "Same claim"
    REJECTED = "rejected", "Not the same"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class CheckOffer(models.Model):
    """A published check offered on a claim, and what a reviewer decided about it (kept for training)."""

    Band = OfferBand

    Status = OfferStatus

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="check_offers")
    published_check = models.ForeignKey(PublishedCheck, on_delete=models.CASCADE, related_name="offers")
    score = models.FloatField(help_text="Probability that the check reviews this claim.")
    band = models.CharField(max_length=10, choices=Band.choices)
    reason = models.TextField(blank=True, help_text="Why it is not strong, e.g. numbers that disagree.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OFFERED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    evidence = models.ForeignKey(Evidence, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    model_version = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["claim", "-score"]
        constraints = [
            _choices_check("band", OfferBand, "checkoffer_band_valid"),
            _choices_check("status", OfferStatus, "checkoffer_status_valid"),
            models.UniqueConstraint(fields=["claim", "published_check"], name="checkoffer_unique"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1), name="checkoffer_score_range"),
        ]
        indexes = [
            models.Index(fields=["claim", "-score"], name="checkoffer_claim_idx"),
            models.Index(fields=["published_check"], name="checkoffer_check_idx"),
            # "Has a published check": strong offers nobody has rejected.
            models.Index(
                fields=["claim"], name="checkoffer_strong_idx",
                condition=Q(band="strong") & ~Q(status="rejected"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.published_check} on claim {self.claim_id}"


# --- History chain -----------------------------------------------------------------------------------


class HistoryLink(models.Model):
    """One event in the hash chain over every history event table (migration 0018).

    Written only by a database trigger when the event's transaction commits, in commit order: `row_hash` is
    SHA-256 over the event row as JSON (nulls left out), `chain_hash` over the previous link's chain hash, the
    event's table and id and `row_hash`. The app's database role can read links but never write, change or remove
    them; `manage.py verify_history` recomputes the chain from the event rows.
    """

    seq = models.BigIntegerField(primary_key=True)
    event_table = models.CharField(max_length=63)
    pgh_id = models.BigIntegerField()
    row_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64)
    linked_at = models.DateTimeField()

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["event_table", "pgh_id"], name="historylink_unique_event")]

    def __str__(self) -> str:
        return f"{self.seq}: {self.event_table} #{self.pgh_id}"


class HistoryVerification(models.Model):
    """The result of one `verify_history` run: the chain head it saw, and the first broken link if any."""

    checked_at = models.DateTimeField()
    ok = models.BooleanField()
    events = models.BigIntegerField(help_text="Links checked.")
    head_seq = models.BigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, blank=True)
    problem = models.TextField(blank=True, help_text="The first broken link, in words.")

    class Meta:
        ordering = ["-checked_at", "-id"]
        get_latest_by = "checked_at"

    def __str__(self) -> str:
        return f"History {'verified' if self.ok else 'BROKEN'} at {self.checked_at:%Y-%m-%d %H:%M:%S} UTC"


# --- Fact-check reports ------------------------------------------------------------------------------


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    READY = "ready", "Ready to publish"
    PUBLISHED = "published", "Published"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), exclude=["updated_at"])
class Report(models.Model):
    """The published result of the checks on one article or one story: the claims an editor chose, with their
    verdicts, evidence, contradictions and corrections. Its address (`key`) never changes and can't be guessed."""

    Status = ReportStatus

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    article = models.OneToOneField(
        Article, null=True, blank=True, on_delete=models.CASCADE, related_name="report"
    )
    story = models.OneToOneField(Story, null=True, blank=True, on_delete=models.CASCADE, related_name="report")
    title = models.CharField(max_length=500)
    summary = models.TextField(blank=True, help_text="An introduction for readers (optional).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, help_text="When it was last published.")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_published_at = models.DateTimeField(null=True, blank=True)
    claims = models.ManyToManyField(Claim, through="ReportClaim", related_name="reports")

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            _choices_check("status", ReportStatus, "report_status_valid"),
            models.CheckConstraint(
                condition=Q(article__isnull=False, story__isnull=True) | Q(article__isnull=True, story__isnull=False),
                name="report_article_or_story",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False), name="report_published_has_date"
            ),
        ]
        # The reports list, newest change first: everyone's, and the published ones only (what Viewers see).
        indexes = [
            models.Index(F("updated_at").desc(), F("id").desc(), name="report_updated_idx"),
            models.Index(
                F("updated_at").desc(), F("id").desc(), name="report_published_idx", condition=Q(status="published")
            ),
        ]
        permissions = [("publish_report", "Can create, choose the claims of, publish and unpublish reports")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("factcheck:report", args=[self.key])

    @property
    def is_published(self) -> bool:
        return self.status == ReportStatus.PUBLISHED


@pghistory.track(pghistory.InsertEvent(), pghistory.DeleteEvent())
class ReportClaim(models.Model):
    """A claim an editor chose for a report."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="items")
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="report_items")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "claim"], name="reportclaim_unique")]
        # "Is this claim in a published report?" is asked on every verdict change.
        indexes = [models.Index(fields=["claim"], name="reportclaim_claim_idx")]


@pghistory.track(pghistory.InsertEvent(), pghistory.DeleteEvent())
class VerdictCorrection(models.Model):
    """A change to a verdict readers had already seen in a published report: what it was, what it became, why."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="corrections")
    old_verdict = models.CharField(max_length=12, choices=Verdict.choices)
    new_verdict = models.CharField(max_length=12, choices=Verdict.choices)
    old_rationale = models.TextField(blank=True)
    new_rationale = models.TextField(blank=True)
    note = models.TextField()
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    made_at = models.DateTimeField()

    class Meta:
        ordering = ["claim", "made_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(note=""), name="verdictcorrection_has_note")]
        indexes = [models.Index(fields=["claim", "made_at"], name="verdictcorrection_claim_idx")]

    def __str__(self) -> str:
        return f"{self.get_old_verdict_display()} → {self.get_new_verdict_display()}"
# --- Notes and notifications ---------------------------------------------------------------------------

NOTE_MAX_CHARS = 5000


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), exclude=["updated_at"])
class Note(models.Model):
    """A colleague's note on a claim, or a reply to one (replies are one level deep: a reply's parent is a note
    without a parent). Only its author edits it; every version is in the history."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="notes")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    edited_at = models.DateTimeField(null=True, blank=True, help_text="Set when the author changes the text.")

    class Meta:
        ordering = ["claim", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="note_body_not_empty"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), NOTE_MAX_CHARS), name="note_body_max_length"
            ),
        ]
        indexes = [models.Index(fields=["claim", "created_at", "id"], name="note_claim_idx")]

    def __str__(self) -> str:
        return self.body[:80]


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", "Claim assigned to you"
    MENTIONED = "mentioned", "Mentioned in a note"
    VERDICT = "verdict", "Verdict changed on a claim you reviewed"
    CONFLICT = "conflict", "New contradiction on your claim"
    IMPORT_DONE = "import_done", "Import finished"
    IMPORT_FAILED = "import_failed", "Import failed"


class Notification(models.Model):
    """Something a person should know about, linking to its object (a claim, a batch or an import of checks).

    Written by the services where the event happens, in the same transaction; never for the recipient's own
    action. `emailed_at` marks what the optional e-mail digest has sent.
    """

    Kind = NotificationKind

    # Indexed by notification_list_idx, which starts with it.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(max_length=300, help_text="What happened, in a sentence.")
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    note = models.ForeignKey(Note, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    check_import = models.ForeignKey(
        FactCheckImport, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [_choices_check("kind", NotificationKind, "notification_kind_valid")]
        indexes = [
            # The list, newest first, a page at a time.
            models.Index(F("recipient"), F("created_at").desc(), F("id").desc(), name="notification_list_idx"),
            # The bell: a count of unread ones, read from this small index alone.
            models.Index(fields=["recipient"], name="notification_unread_idx", condition=Q(read_at__isnull=True)),
            # The e-mail digest: unread ones not sent yet.
            models.Index(
                fields=["recipient", "id"], name="notification_digest_idx",
                condition=Q(read_at__isnull=True, emailed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def get_absolute_url(self) -> str:
        if self.claim_id is not None:
            anchor = f"#note-{self.note_id}" if self.note_id else ""
            return f"{reverse('factcheck:article', args=[self.claim.article_id])}?claim={self.claim_id}{anchor}"
        if self.batch_id is not None:
            return reverse("factcheck:batch", args=[self.batch_id])
        if self.check_import_id is not None:
            return reverse("factcheck:factcheck-import", args=[self.check_import_id])
        return reverse("factcheck:notifications")
# --- Check-worthiness heads ------------------------------------------------------------------------


class HeadStatus(models.TextChoices):
    CANDIDATE = "candidate", "Candidate"
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"
    REJECTED = "rejected", "Rejected"


class HeadTrigger(models.TextChoices):
    COMMAND = "command", "manage.py retrain_checkworthiness"
    SCHEDULE = "schedule", "Scheduled retraining"
    ADMIN = "admin", "Admin"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), exclude=["coefficients"])
class CheckworthinessHead(models.Model):
    """One version of the head over the shipped check-worthiness scorer, fitted on reviewers' decisions and the
    shipped data (`factcheck/extraction/head.py`), with its figures on the reviewer labels held back from it.

    At most one version is active (a partial unique constraint); with none, claims keep the shipped scorer's score.
    """

    Status = HeadStatus
    Trigger = HeadTrigger

    name = models.CharField(max_length=40, unique=True)
    status = models.CharField(max_length=10, choices=HeadStatus.choices, default=HeadStatus.CANDIDATE)
    base_model_version = models.CharField(max_length=64, help_text="The shipped scorer the head sits on.")
    encoder_version = models.CharField(max_length=64, help_text="The encoder that made the embeddings.")
    coefficients = models.JSONField(help_text="Weights (base logit, then the embedding), intercept, threshold.")
    threshold = models.FloatField(help_text="Decision threshold of the head's score (best F1 on its training rows).")
    n_shipped = models.PositiveIntegerField("shipped rows", default=0, help_text="ClaimBuster sentences trained on.")
    n_train = models.PositiveIntegerField("reviewer labels trained on", default=0)
    n_train_positive = models.PositiveIntegerField("of them claims", default=0,
                                                   help_text="Verified, disputed or false.")
    n_heldout = models.PositiveIntegerField("reviewer labels held back", default=0,
                                            help_text="Decisions on articles it never trains on, to judge it.")
    n_heldout_positive = models.PositiveIntegerField("of them claims", default=0)
    metrics = models.JSONField(
        default=dict, blank=True,
        help_text="On the held-back labels: {'candidate': {...}, 'current': {...}} (F1 at threshold, average "
                  "precision, log-loss).",
    )
    compared_with = models.CharField(
        max_length=64, blank=True, help_text="The scorer active when this version was trained (its figures: 'current')."
    )
    reason = models.TextField(blank=True, help_text="Why it was rejected, or what it was switched from.")
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The version active before this one was switched on (empty: the shipped scorer alone).",
    )
    trigger = models.CharField(max_length=10, choices=HeadTrigger.choices)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "check-worthiness model version"
        constraints = [
            _choices_check("status", HeadStatus, "cwhead_status_valid"),
            _choices_check("trigger", HeadTrigger, "cwhead_trigger_valid"),
            models.UniqueConstraint(fields=["status"], condition=Q(status="active"), name="cwhead_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display().lower()})"
# --- Exports made in the background (issue #12) ------------------------------------------------------------


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Being written"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ExportJob(models.Model):
    """A large export prepared by a worker. The file is kept in the database as `ExportChunk` rows, so the web
    process serves it wherever the worker ran; it is deleted `EXPORT_RETENTION_HOURS` after it was asked for.
    Only the person who asked can see it (the id is also unguessable)."""

    Status = ExportStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    format = models.CharField(max_length=20)
    scope = models.JSONField(help_text="What the export covers (factcheck.exports.Scope).")
    label = models.CharField(max_length=500, help_text="What the export covers, in words.")
    filename = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    message = models.TextField(blank=True, help_text="Why it failed, if it did.")
    claims_total = models.PositiveIntegerField(null=True, blank=True)
    claims_done = models.PositiveIntegerField(default=0)
    records = models.PositiveIntegerField(default=0, help_text="Articles (JSON, CSV) or reviews (ClaimReview).")
    size = models.PositiveBigIntegerField(default=0, help_text="Bytes written.")
    n_chunks = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [_choices_check("status", ExportStatus, "exportjob_status_valid")]
        indexes = [
            models.Index(F("created_by"), F("created_at").desc(), name="exportjob_owner_idx"),
            models.Index(fields=["created_at"], name="exportjob_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.format}, {self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("factcheck:export-job", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)


class ReviewHour(models.Model):
    """Claims whose current verdict (other than Unreviewed) was set in one hour (UTC) by one person: kept by row
    triggers on claims (migration 0023) whatever writes the verdict, so the desk overview reads a few hundred rows
    for 30 days instead of every review. `reviewer_id` is a user id without a foreign key (None when nobody is
    recorded); a deleted user's reviews move to None with their claims' `verdict_by`."""

    hour = models.DateTimeField()
    reviewer_id = models.BigIntegerField(null=True, blank=True)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hour", "reviewer_id"], name="reviewhour_unique", nulls_distinct=False)
        ]


class ExportChunk(models.Model):
    """One piece of an export's file, in order (`seq` from 0)."""

    job = models.ForeignKey(ExportJob, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "seq"], name="exportchunk_unique_seq")]

