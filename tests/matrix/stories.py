"""Stories, clusters and conflicts: reading pages for every member; cluster, verdict and conflict actions for
Fact-checkers and Editors; story edits for Editors only. A successful POST without htmx redirects back (302)."""

from tests.matrix.common import LOGIN, READ, Entry, no_args, no_data

REVIEW_WRITE = {"anonymous": LOGIN, "outsider": 404, "viewer": 403, "checker": 302, "editor": 302}
EDIT_WRITE = {"anonymous": LOGIN, "outsider": 404, "viewer": 403, "checker": 403, "editor": 302}
# A preview of a cluster action changes nothing but only offers a write: reviewers see it, viewers get 403.
REVIEW_PREVIEW = {"anonymous": LOGIN, "outsider": 404, "viewer": 403, "checker": 200, "editor": 200}


def _story() -> list:
    from factcheck.models import Story
    from tests.factories import ArticleFactory

    story = Story.objects.create(title="Ford and Xiaomi")
    ArticleFactory(story=story)
    return [story.pk]


def _cluster_pair() -> tuple:
    from factcheck.models import ClaimCluster
    from tests.factories import ArticleFactory, claims_for

    cluster = ClaimCluster.objects.create()
    a, b = claims_for(ArticleFactory(), 1)[0], claims_for(ArticleFactory(), 1)[0]
    a.cluster = b.cluster = cluster
    a.save(update_fields=["cluster"])
    b.save(update_fields=["cluster"])
    return cluster, a, b


def _clustered_claim() -> list:
    return [_cluster_pair()[1].pk]


def _cluster() -> list:
    return [_cluster_pair()[0].pk]


def _merge_data(args: list) -> dict:
    from tests.factories import ArticleFactory, claims_for
    from factcheck.models import ClaimCluster

    other = ClaimCluster.objects.create()
    claim = claims_for(ArticleFactory(), 1)[0]
    claim.cluster = other
    claim.save(update_fields=["cluster"])
    return {"other": other.pk}


def _merge() -> list:
    from factcheck.permissions import ROLE_EDITORS
    from factcheck.services.clusters import clusters_merge
    from tests.factories import UserFactory

    cluster, _, _ = _cluster_pair()
    other = _merge_data([cluster.pk])["other"]
    merge = clusters_merge(cluster_id=cluster.pk, other_cluster_id=other, actor=UserFactory(role=ROLE_EDITORS))
    return [merge.pk]


def _conflict() -> list:
    from factcheck.models import Conflict

    _, a, b = _cluster_pair()
    conflict = Conflict.objects.create(key=f"number|100%|145%|{a.pk}-{b.pk}", kind="number", values=["100%", "145%"])
    conflict.claims.set([a, b])
    return [conflict.pk]


def _article() -> list:
    from tests.factories import ArticleFactory

    return [ArticleFactory().pk]


MATRIX: dict[str, Entry] = {
    "stories": ("get", no_args, no_data, READ),
    "story": ("get", _story, no_data, READ),
    "story-rename": ("post", _story, lambda args: {"title": "Ford, Xiaomi and the tariff"}, EDIT_WRITE),
    "article-story": ("post", _article, no_data, EDIT_WRITE),
    "claim-split": ("post", _clustered_claim, no_data, REVIEW_WRITE),
    "claim-cluster-verdict-preview": ("post", _clustered_claim, lambda args: {"verdict": "verified"}, REVIEW_PREVIEW),
    "claim-cluster-verdict": (
        "post", _clustered_claim, lambda args: {"verdict": "verified", "seen": f"{args[0]}:1"}, REVIEW_WRITE
    ),
    "cluster-merge-preview": ("get", _cluster, _merge_data, REVIEW_PREVIEW),
    "cluster-merge": ("post", _cluster, _merge_data, REVIEW_WRITE),
    "cluster-merge-undo": ("post", _merge, no_data, REVIEW_WRITE),
    "conflict-resolve": ("post", _conflict, lambda args: {"note": "Checked the tariff schedule."}, REVIEW_WRITE),
    "conflict-dismiss": ("post", _conflict, lambda args: {"note": "Two different tariffs."}, REVIEW_WRITE),
}
