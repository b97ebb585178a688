"""Reviewers' actions on clusters: split a claim off, merge two clusters (and undo a merge), apply one verdict to
a cluster (after a preview).

Applying a verdict to a cluster never overwrites a colleague's work. A sibling is left as it is ("skipped") when
a person has started on it: any verdict other than Unreviewed (Verified, Disputed, False and also "Not a claim"),
a rationale, or live evidence attached. Only untouched siblings get the verdict, and only if they are still as
the reviewer saw them in the preview (same version): a sibling changed since then is a conflict, not overwritten.
The clicked claim itself follows the single-verdict rule: it changes if its version is the one the preview saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from factcheck import permissions
from factcheck.history import history_context
from factcheck.models import Claim, ClaimCluster, ClusterMerge, Evidence, Verdict
from factcheck.services import notifications
from factcheck.services.claims import _update_verdict, _validate_verdict, claim_in_published_report
from factcheck.services.matching import lock_matching

# Why a sibling is left as it is (Claim.skip_reason), and why a planned change did not happen
# (Claim.conflict_reason). The templates turn them into sentences.
SKIP_REVIEWED = "reviewed"  # any verdict other than Unreviewed, "not a claim" included
SKIP_RATIONALE = "rationale"  # unreviewed, but someone wrote a rationale
SKIP_EVIDENCE = "evidence"  # unreviewed, but someone attached evidence
SKIP_JOINED = "joined"  # joined the cluster after the preview: the reviewer never saw it
CONFLICT_CHANGED = "changed"  # changed by someone since the preview
CONFLICT_LEFT = "left"  # left the cluster (or was deleted) since the preview


# --- Split --------------------------------------------------------------------------------------------------------


@transaction.atomic
def claim_split_from_cluster(*, claim_id: int, actor: AbstractBaseUser) -> Claim:
    """Take a claim out of its cluster: a reviewer says it does not state the same thing as the others.

    The claim is pinned from then on (matching never puts it back); the change is in its history with the
    reviewer's name. Raises ValidationError when the claim is not in a cluster.
    """
    permissions.require_review(actor)
    with connection.cursor() as cursor:
        lock_matching(cursor)
    claim = Claim.objects.select_for_update().get(pk=claim_id)
    if claim.cluster_id is None:
        raise ValidationError("This claim is not in a cluster.")
    with history_context(action="factcheck.claim.cluster_split", user=actor):
        Claim.objects.filter(pk=claim_id).update(cluster=None, cluster_pinned=True, updated_at=timezone.now())
    claim.refresh_from_db()
    return claim


# --- Merge and undo -----------------------------------------------------------------------------------------------


@transaction.atomic
def clusters_merge(
    *,
    cluster_id: int,
    other_cluster_id: int,
    actor: AbstractBaseUser,
    expected_claim_ids: Iterable[int] | None = None,
) -> ClusterMerge:
    """Move every claim of `other_cluster_id` into `cluster_id`, delete the emptied cluster, and keep a
    `ClusterMerge` row saying which claims moved, so the merge can be undone exactly.

    `expected_claim_ids` are the claims of both clusters the reviewer confirmed (the preview): if either
    cluster has gained or lost a claim since, nothing changes and ValidationError says so. Each moved claim
    gets a history row naming the reviewer, and is pinned (matching never moves it again).
    """
    permissions.require_review(actor)
    if cluster_id == other_cluster_id:
        raise ValidationError("Choose two different clusters to merge.")
    with connection.cursor() as cursor:
        lock_matching(cursor)
    clusters = {c.pk: c for c in ClaimCluster.objects.select_for_update().filter(pk__in=[cluster_id, other_cluster_id])}
    if len(clusters) != 2:
        raise ValidationError("One of these clusters no longer exists.")
    members = list(
        Claim.objects.filter(cluster_id__in=[cluster_id, other_cluster_id]).order_by("pk").values_list("pk", "cluster_id")
    )
    if expected_claim_ids is not None and {pk for pk, _ in members} != set(expected_claim_ids):
        raise ValidationError(
            "These clusters changed since you looked at them (a claim joined or left). Nothing was merged: "
            "check the claims again."
        )
    moved = [pk for pk, cid in members if cid == other_cluster_id]
    now = timezone.now()
    merge = ClusterMerge.objects.create(
        into_cluster=clusters[cluster_id],
        from_cluster_id=other_cluster_id,
        from_cluster_created_at=clusters[other_cluster_id].created_at,
        claim_ids=moved,
        merged_by=actor,
        merged_at=now,
    )
    with history_context(action="factcheck.claim.cluster_merged", user=actor, merge=merge.pk):
        Claim.objects.filter(pk__in=moved).update(cluster_id=cluster_id, cluster_pinned=True, updated_at=now)
        clusters[other_cluster_id].delete()
    return merge


@transaction.atomic
def cluster_merge_undo(*, merge_id: int, actor: AbstractBaseUser) -> ClusterMerge:
    """Undo a merge: recreate the emptied cluster (same id, same creation time) and move back exactly the
    claims the merge moved. The claims stay pinned; each move is in its claim's history with the reviewer.

    Refused (ValidationError, nothing changed) when the merge was already undone, or when any of those claims
    has moved since (split off, merged again, deleted): the previous membership could not be restored exactly.
    Raises ClusterMerge.DoesNotExist for an unknown merge.
    """
    permissions.require_review(actor)
    with connection.cursor() as cursor:
        lock_matching(cursor)
    merge = ClusterMerge.objects.select_for_update().get(pk=merge_id)
    if merge.undone_at is not None:
        who = merge.undone_by.get_username() if merge.undone_by else "someone"
        raise ValidationError(f"This merge was already undone by {who} on {timezone.localtime(merge.undone_at):%d %b, %H:%M}.")
    where = dict(Claim.objects.filter(pk__in=merge.claim_ids).values_list("pk", "cluster_id"))
    moved_since = [pk for pk in merge.claim_ids if merge.into_cluster_id is None or where.get(pk) != merge.into_cluster_id]
    if moved_since:
        n = len(moved_since)
        raise ValidationError(
            f"Can't undo this merge: {n} of the {len(merge.claim_ids)} claims it moved "
            f"{'has' if n == 1 else 'have'} moved since (split off, merged again or deleted). Nothing was changed; "
            "split claims off by hand instead."
        )
    if ClaimCluster.objects.filter(pk=merge.from_cluster_id).exists():
        raise ValidationError("Can't undo this merge: the cluster it emptied exists again. Nothing was changed.")
    ClaimCluster.objects.create(pk=merge.from_cluster_id)
    ClaimCluster.objects.filter(pk=merge.from_cluster_id).update(created_at=merge.from_cluster_created_at)
    now = timezone.now()
    with history_context(action="factcheck.claim.cluster_merge_undone", user=actor, merge=merge.pk):
        Claim.objects.filter(pk__in=merge.claim_ids, cluster_id=merge.into_cluster_id).update(
            cluster_id=merge.from_cluster_id, cluster_pinned=True, updated_at=now
        )
    ClusterMerge.objects.filter(pk=merge.pk).update(undone_by=actor, undone_at=now)
    merge.refresh_from_db()
    return merge


# --- Apply one verdict to a cluster -------------------------------------------------------------------------------


@dataclass
class ClusterVerdictPlan:
    """What applying `verdict` from `claim` to its cluster would do now.

    `claim_changes`: the clicked claim gets the verdict (False when it already carries this verdict and
    rationale). `to_change`: untouched siblings that would get it. `skipped`: siblings left as they are, each
    with `.skip_reason` (SKIP_*). Claims carry their article, outlet and last reviewer for display.
    """

    claim: Claim
    verdict: str
    rationale: str
    claim_changes: bool
    to_change: list[Claim] = field(default_factory=list)
    skipped: list[Claim] = field(default_factory=list)

    @property
    def label(self) -> str:
        return Verdict(self.verdict).label

    def seen_versions(self) -> dict[int, int]:
        """The versions the confirm form carries: the clicked claim's and each sibling's that would change."""
        return {self.claim.pk: self.claim.version, **{m.pk: m.version for m in self.to_change}}


@dataclass
class ClusterVerdictResult:
    """What `cluster_apply_verdict` did: `changed` (claims as saved), `conflicts` (claims as they are now, each
    with `.conflict_reason`: changed or left the cluster since the preview) and `skipped` (with `.skip_reason`)."""

    claim: Claim
    verdict: str
    changed: list[Claim] = field(default_factory=list)
    conflicts: list[Claim] = field(default_factory=list)
    skipped: list[Claim] = field(default_factory=list)

    @property
    def label(self) -> str:
        return Verdict(self.verdict).label

    @property
    def changed_ids(self) -> list[int]:
        return [c.pk for c in self.changed]


def _skip_reason(member: Claim) -> str | None:
    if member.verdict != Verdict.UNREVIEWED:
        return SKIP_REVIEWED
    if member.rationale.strip():
        return SKIP_RATIONALE
    if member.has_evidence:
        return SKIP_EVIDENCE
    return None


def _members(claim: Claim, *, lock: bool) -> list[Claim]:
    """The claim's cluster siblings (itself excluded) with what the plan needs, in article order (one query)."""
    if claim.cluster_id is None:
        return []
    qs = (
        Claim.objects.filter(cluster_id=claim.cluster_id)
        .exclude(pk=claim.pk)
        .annotate(has_evidence=Exists(Evidence.objects.filter(claim=OuterRef("pk"), removed_at__isnull=True)))
        .select_related("article", "article__source", "verdict_by")
        .defer("article__body", "article__headings", "embedding", "match_keys")
        .order_by("article__published_at", "article_id", "start")
    )
    if lock:
        qs = qs.select_for_update(of=("self",))
    return list(qs)


def _plan(claim: Claim, verdict: str, rationale: str, *, lock: bool) -> ClusterVerdictPlan:
    plan = ClusterVerdictPlan(
        claim=claim,
        verdict=verdict,
        rationale=rationale,
        claim_changes=not (claim.verdict == verdict and claim.rationale == rationale),
    )
    for member in _members(claim, lock=lock):
        member.skip_reason = _skip_reason(member)
        (plan.skipped if member.skip_reason else plan.to_change).append(member)
    return plan


def _claim_for_plan(claim_id: int, *, lock: bool) -> Claim:
    qs = Claim.objects.select_related("article", "article__source", "verdict_by").defer(
        "article__body", "article__headings", "embedding", "match_keys"
    )
    if lock:
        qs = qs.select_for_update(of=("self",))
    return qs.get(pk=claim_id)


def cluster_verdict_plan(*, claim_id: int, verdict: str, rationale: str = "") -> ClusterVerdictPlan:
    """The preview of `cluster_apply_verdict`: which siblings would get the verdict and which are left as they
    are, and why (three queries; changes nothing). Raises ValidationError for an unknown verdict or a missing
    rationale, Claim.DoesNotExist for an unknown claim."""
    rationale = rationale.strip()
    _validate_verdict(verdict, rationale)
    return _plan(_claim_for_plan(claim_id, lock=False), verdict, rationale, lock=False)


@transaction.atomic
def cluster_apply_verdict(
    *,
    claim_id: int,
    actor: AbstractBaseUser,
    verdict: str,
    rationale: str = "",
    seen_versions: Mapping[int, int],
) -> ClusterVerdictResult:
    """Apply `verdict` and `rationale` to the claim and to the untouched siblings the reviewer saw in the preview.

    `seen_versions` maps claim id -> version as the preview showed them (`ClusterVerdictPlan.seen_versions`);
    the clicked claim must be in it. Guarantees: a sibling a person has started on is never changed (skipped);
    each change is one conditional UPDATE ... WHERE version = seen (and, for siblings, still unreviewed), so a
    claim changed since the preview is reported in `conflicts` and left alone; siblings that joined the cluster
    after the preview are skipped; each changed claim gets its own history row
    (`factcheck.claim.verdict_applied_to_cluster`, the rationale as reason) and its version raised.
    """
    permissions.require_review(actor)
    rationale = rationale.strip()
    _validate_verdict(verdict, rationale)
    if claim_id not in seen_versions:
        raise ValidationError("Look at what will change first: open the preview and confirm from there.")
    with connection.cursor() as cursor:
        # Membership can't change under us: merges, splits and matching take the same lock.
        lock_matching(cursor)
    claim = _claim_for_plan(claim_id, lock=True)
    plan = _plan(claim, verdict, rationale, lock=True)
    if plan.claim_changes and claim_in_published_report(claim_id=claim_id):
        raise ValidationError(
            "This claim is in a published report: change its verdict in its own panel, with a correction note."
        )
    result = ClusterVerdictResult(claim=claim, verdict=verdict)
    now = timezone.now()
    changed_ids: list[int] = []
    with history_context(action="factcheck.claim.verdict_applied_to_cluster", user=actor, reason=rationale,
                         source_claim=claim_id):
        if claim.version != seen_versions[claim_id]:
            claim.conflict_reason = CONFLICT_CHANGED
            result.conflicts.append(claim)
        elif plan.claim_changes:
            if _update_verdict(claim.pk, claim.version, actor, verdict, rationale, now):
                changed_ids.append(claim.pk)
        for member in plan.to_change:
            if member.pk not in seen_versions:
                member.skip_reason = SKIP_JOINED
                result.skipped.append(member)
            elif member.version != seen_versions[member.pk] or not _update_verdict(
                member.pk, member.version, actor, verdict, rationale, now, only_unreviewed=True
            ):
                member.conflict_reason = CONFLICT_CHANGED
                result.conflicts.append(member)
            else:
                changed_ids.append(member.pk)
    for member in plan.skipped:
        if member.pk in seen_versions:  # it was to change when the reviewer looked; someone started on it since
            member.conflict_reason = CONFLICT_CHANGED
            result.conflicts.append(member)
        else:
            result.skipped.append(member)
    present = {claim.pk, *(m.pk for m in plan.to_change), *(m.pk for m in plan.skipped)}
    gone = [pk for pk in seen_versions if pk not in present]
    if gone:
        for left in Claim.objects.filter(pk__in=gone).select_related("article", "article__source", "verdict_by").defer(
            "article__body", "article__headings", "embedding", "match_keys"
        ):
            left.conflict_reason = CONFLICT_LEFT
            result.conflicts.append(left)
    if changed_ids:
        result.changed = list(
            Claim.objects.filter(pk__in=changed_ids)
            .select_related("article", "article__source", "verdict_by")
            .defer("article__body", "article__headings", "embedding", "match_keys")
            .order_by("article__published_at", "article_id", "start")
        )
    # Whoever reviewed the clicked claim before hears that its verdict changed (the siblings were unreviewed).
    clicked = next((c for c in result.changed if c.pk == claim.pk), None)
    if clicked is not None:
        notifications.notify_verdict_changed(claim=clicked, actor=actor)
    return result
