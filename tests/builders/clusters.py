"""Small builders for the cross-article tests: claims in clusters, conflicts between them."""

from __future__ import annotations

from factcheck.models import ClaimCluster, Conflict
from tests.factories import ArticleFactory, claims_for


def clustered_claims(n: int = 3, cluster: ClaimCluster | None = None):
    """The same first sentence in `n` articles, all in one cluster."""
    cluster = cluster or ClaimCluster.objects.create()
    claims = [claims_for(ArticleFactory(), 1)[0] for _ in range(n)]
    for claim in claims:
        claim.cluster = cluster
        claim.save(update_fields=["cluster"])
    return cluster, claims


def conflict_between(a, b, *, kind: str = "number", values=("100%", "145%")) -> Conflict:
    conflict = Conflict.objects.create(key=f"{kind}|{'|'.join(values)}|{a.pk}-{b.pk}", kind=kind, values=list(values))
    conflict.claims.set([a, b])
    return conflict
