"""Reviewers' actions on clusters: split a claim off, merge two clusters, apply one verdict to a cluster."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from factcheck import permissions
from factcheck.history import history_context
from factcheck.models import Claim, ClaimCluster, Verdict
from factcheck.services.claims import _validate_verdict
from factcheck.services.matching import lock_matching


def require_review(actor: AbstractBaseUser) -> None:
    if not permissions.can_review(actor):
        raise PermissionDenied("You can read claims but not change them.")


@transaction.atomic
def claim_split_from_cluster(*, claim_id: int, actor: AbstractBaseUser) -> Claim:
    """Take a claim out of its cluster: a reviewer says it does not state the same thing as the others.

    The claim is pinned from then on (matching never puts it back); the change is in its history with the
    reviewer's name. Raises ValidationError when the claim is not in a cluster.
    """
    require_review(actor)
    with connection.cursor() as cursor:
        lock_matching(cursor)
    claim = Claim.objects.select_for_update().get(pk=claim_id)
    if claim.cluster_id is None:
        raise ValidationError("This claim is not in a cluster.")
    with history_context(action="factcheck.claim.cluster_split", user=actor):
        Claim.objects.filter(pk=claim_id).update(cluster=None, cluster_pinned=True, updated_at=timezone.now())
    claim.refresh_from_db()
    return claim


@transaction.atomic
def clusters_merge(*, cluster_id: int, other_cluster_id: int, actor: AbstractBaseUser) -> ClaimCluster:
    """Move every claim of `other_cluster_id` into `cluster_id` and delete the emptied cluster.

    Each moved claim gets a history row naming the reviewer, and is pinned (matching never moves it again).
    """
    require_review(actor)
    if cluster_id == other_cluster_id:
        raise ValidationError("Choose two different clusters to merge.")
    with connection.cursor() as cursor:
        lock_matching(cursor)
    clusters = {c.pk: c for c in ClaimCluster.objects.select_for_update().filter(pk__in=[cluster_id, other_cluster_id])}
    if len(clusters) != 2:
        raise ValidationError("One of these clusters no longer exists.")
    with history_context(action="factcheck.claim.cluster_merged", user=actor):
        Claim.objects.filter(cluster_id=other_cluster_id).update(
            cluster_id=cluster_id, cluster_pinned=True, updated_at=timezone.now()
        )
        clusters[other_cluster_id].delete()
    return clusters[cluster_id]


@transaction.atomic
def cluster_apply_verdict(*, claim_id: int, actor: AbstractBaseUser, verdict: str, rationale: str = "") -> list[int]:
    """Set `verdict` and `rationale` on every claim of the claim's cluster (the claim included), in one transaction.

    Each claim that changes gets its own history row (one conditional UPDATE per claim, its version raised);
    claims that already carry this verdict and rationale, and claims dismissed as "not a claim", are left
    alone. Returns the ids of the claims changed.
    """
    require_review(actor)
    rationale = rationale.strip()
    _validate_verdict(verdict, rationale)
    claim = Claim.objects.only("pk", "cluster_id").get(pk=claim_id)
    if claim.cluster_id is None:
        members = list(Claim.objects.select_for_update().filter(pk=claim_id))
    else:
        members = list(Claim.objects.select_for_update().filter(cluster_id=claim.cluster_id).order_by("pk"))
    changed: list[int] = []
    now = timezone.now()
    with history_context(action="factcheck.claim.verdict_applied_to_cluster", user=actor, reason=rationale,
                         source_claim=claim_id):
        for member in members:
            if member.verdict == Verdict.NOT_A_CLAIM and member.pk != claim_id:
                continue
            if member.verdict == verdict and member.rationale == rationale:
                continue
            updated = Claim.objects.filter(pk=member.pk, version=member.version).update(
                verdict=verdict,
                rationale=rationale,
                verdict_by=actor,
                verdict_at=now,
                updated_at=now,
                version=F("version") + 1,
            )
            if updated:
                changed.append(member.pk)
    return changed


