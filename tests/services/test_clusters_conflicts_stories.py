"""Reviewers' actions on clusters, conflicts and stories: what changes, what the history says."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from factcheck import selectors
from factcheck.models import Article, Claim, ClaimCluster, Conflict, Story
from factcheck.services import clusters, conflicts, matching, stories
from factcheck.services import claims as claims_service
from tests.factories import ArticleFactory, EvidenceFactory
from tests.builders.clusters import clustered_claims, conflict_between

pytestmark = pytest.mark.django_db


def claim_events(claim_id: int, action: str):
    return Claim.pgh_event_model.objects.filter(pgh_obj_id=claim_id, pgh_context__metadata__action=action)


def test_split_takes_the_claim_out_and_records_who(checker):
    cluster, (a, b, c) = clustered_claims(3)
    clusters.claim_split_from_cluster(claim_id=b.pk, actor=checker)
    assert Claim.objects.get(pk=b.pk).cluster_id is None
    assert set(Claim.objects.filter(cluster=cluster).values_list("pk", flat=True)) == {a.pk, c.pk}
    event = claim_events(b.pk, "factcheck.claim.cluster_split").select_related("pgh_context").get()
    assert event.cluster_id is None and event.pgh_context.metadata["user"] == checker.pk
    assert selectors.claims_pinned([a.pk, b.pk, c.pk]) == {b.pk}


def test_split_of_an_unclustered_claim_is_refused(checker):
    _, (a,) = clustered_claims(1)
    clusters.claim_split_from_cluster(claim_id=a.pk, actor=checker)
    with pytest.raises(ValidationError):
        clusters.claim_split_from_cluster(claim_id=a.pk, actor=checker)


def test_viewer_cannot_split(viewer):
    _, (a, b) = clustered_claims(2)
    with pytest.raises(PermissionDenied):
        clusters.claim_split_from_cluster(claim_id=a.pk, actor=viewer)
    assert Claim.objects.get(pk=a.pk).cluster_id is not None


def test_merge_moves_every_claim_with_a_history_row_each(checker):
    keep, first = clustered_claims(2)
    gone, second = clustered_claims(3)
    clusters.clusters_merge(cluster_id=keep.pk, other_cluster_id=gone.pk, actor=checker)
    assert not ClaimCluster.objects.filter(pk=gone.pk).exists()
    assert set(Claim.objects.filter(cluster=keep).values_list("pk", flat=True)) == {c.pk for c in first + second}
    for claim in second:
        assert claim_events(claim.pk, "factcheck.claim.cluster_merged").count() == 1
    for claim in first:
        assert not claim_events(claim.pk, "factcheck.claim.cluster_merged").exists()


def test_merge_with_itself_is_refused(checker):
    cluster, _ = clustered_claims(2)
    with pytest.raises(ValidationError):
        clusters.clusters_merge(cluster_id=cluster.pk, other_cluster_id=cluster.pk, actor=checker)


def apply_as_previewed(claim, actor, verdict, rationale=""):
    """Preview, then confirm with the versions the preview saw: what the two-step form does."""
    plan = clusters.cluster_verdict_plan(claim_id=claim.pk, verdict=verdict, rationale=rationale)
    return clusters.cluster_apply_verdict(claim_id=claim.pk, actor=actor, verdict=verdict, rationale=rationale,
                                          seen_versions=plan.seen_versions())


def test_apply_to_all_sets_every_sibling_with_one_history_entry_each(checker):
    _, claims = clustered_claims(4)
    versions = {c.pk: c.version for c in claims}
    result = apply_as_previewed(claims[0], checker, "false", "The tariff is 100%, not 145%.")
    assert sorted(result.changed_ids) == sorted(versions)
    assert result.conflicts == [] and result.skipped == []
    for claim in Claim.objects.filter(pk__in=versions):
        assert claim.verdict == "false" and claim.rationale == "The tariff is 100%, not 145%."
        assert claim.verdict_by == checker and claim.version == versions[claim.pk] + 1
        events = claim_events(claim.pk, "factcheck.claim.verdict_applied_to_cluster").select_related("pgh_context")
        assert events.count() == 1
        assert events.get().pgh_context.metadata["reason"] == "The tariff is 100%, not 145%."
    # Again: every sibling is reviewed now, nothing left to change, no new history.
    again = apply_as_previewed(claims[1], checker, "false", "The tariff is 100%, not 145%.")
    assert again.changed == [] and len(again.skipped) == 3


def test_apply_to_all_needs_a_rationale_for_false(checker):
    _, claims = clustered_claims(2)
    with pytest.raises(ValidationError):
        clusters.cluster_verdict_plan(claim_id=claims[0].pk, verdict="false", rationale="")
    with pytest.raises(ValidationError):
        clusters.cluster_apply_verdict(claim_id=claims[0].pk, actor=checker, verdict="false", rationale="",
                                       seen_versions={c.pk: c.version for c in claims})
    assert set(Claim.objects.filter(pk__in=[c.pk for c in claims]).values_list("verdict", flat=True)) == {"unreviewed"}


def test_apply_to_all_leaves_claims_dismissed_as_not_a_claim(checker):
    _, (a, b) = clustered_claims(2)
    Claim.objects.filter(pk=b.pk).update(verdict="not_claim")
    assert apply_as_previewed(a, checker, "verified").changed_ids == [a.pk]
    assert Claim.objects.get(pk=b.pk).verdict == "not_claim"


def test_apply_to_all_never_overwrites_a_sibling_a_colleague_reviewed(checker, editor):
    _, (a, b, c, d) = clustered_claims(4)
    claims_service.claim_set_verdict(claim_id=b.pk, actor=editor, verdict="disputed",
                                     rationale="Only one outlet says 145%.", expected_version=b.version)
    plan = clusters.cluster_verdict_plan(claim_id=a.pk, verdict="verified")
    assert [m.pk for m in plan.to_change] == [c.pk, d.pk]
    [skipped] = plan.skipped
    assert skipped.pk == b.pk and skipped.skip_reason == clusters.SKIP_REVIEWED
    assert skipped.verdict == "disputed" and skipped.verdict_by == editor and skipped.verdict_at is not None
    result = clusters.cluster_apply_verdict(claim_id=a.pk, actor=checker, verdict="verified",
                                            seen_versions=plan.seen_versions())
    assert sorted(result.changed_ids) == sorted([a.pk, c.pk, d.pk])
    assert [m.pk for m in result.skipped] == [b.pk]
    b_now = Claim.objects.get(pk=b.pk)
    assert (b_now.verdict, b_now.rationale, b_now.verdict_by) == ("disputed", "Only one outlet says 145%.", editor)
    assert not claim_events(b.pk, "factcheck.claim.verdict_applied_to_cluster").exists()


def test_apply_to_all_skips_siblings_someone_started_on(checker, editor):
    _, (a, b, c) = clustered_claims(3)
    Claim.objects.filter(pk=b.pk).update(rationale="Asked Ford's press office.", verdict_by=editor)
    EvidenceFactory(claim=c)
    plan = clusters.cluster_verdict_plan(claim_id=a.pk, verdict="verified")
    assert plan.to_change == []
    assert {m.pk: m.skip_reason for m in plan.skipped} == {b.pk: clusters.SKIP_RATIONALE,
                                                             c.pk: clusters.SKIP_EVIDENCE}


def test_a_sibling_changed_after_the_preview_is_a_conflict_not_overwritten(checker, editor):
    _, (a, b, c) = clustered_claims(3)
    plan = clusters.cluster_verdict_plan(claim_id=a.pk, verdict="verified")
    assert {m.pk for m in plan.to_change} == {b.pk, c.pk}
    # A colleague reviews b while the preview is open.
    claims_service.claim_set_verdict(claim_id=b.pk, actor=editor, verdict="false",
                                     rationale="Ford never said this.", expected_version=b.version)
    result = clusters.cluster_apply_verdict(claim_id=a.pk, actor=checker, verdict="verified",
                                            seen_versions=plan.seen_versions())
    assert sorted(result.changed_ids) == sorted([a.pk, c.pk])
    [conflict] = result.conflicts
    assert conflict.pk == b.pk and conflict.conflict_reason == clusters.CONFLICT_CHANGED
    assert conflict.verdict == "false" and conflict.verdict_by == editor
    assert Claim.objects.get(pk=b.pk).verdict == "false"


def test_the_clicked_claim_follows_the_single_verdict_rule(checker, editor):
    _, (a, b) = clustered_claims(2)
    plan = clusters.cluster_verdict_plan(claim_id=a.pk, verdict="verified")
    claims_service.claim_set_verdict(claim_id=a.pk, actor=editor, verdict="disputed",
                                     rationale="Two outlets disagree.", expected_version=a.version)
    result = clusters.cluster_apply_verdict(claim_id=a.pk, actor=checker, verdict="verified",
                                            seen_versions=plan.seen_versions())
    assert [c.pk for c in result.conflicts] == [a.pk] and result.changed_ids == [b.pk]
    assert Claim.objects.get(pk=a.pk).verdict == "disputed"


def test_apply_without_a_preview_is_refused(checker):
    _, (a, b) = clustered_claims(2)
    with pytest.raises(ValidationError):
        clusters.cluster_apply_verdict(claim_id=a.pk, actor=checker, verdict="verified", seen_versions={})
    assert Claim.objects.get(pk=b.pk).verdict == "unreviewed"


def test_a_claim_that_joined_after_the_preview_is_left_alone(checker):
    cluster, (a, b) = clustered_claims(2)
    plan = clusters.cluster_verdict_plan(claim_id=a.pk, verdict="verified")
    _, (late,) = clustered_claims(1, cluster=cluster)
    result = clusters.cluster_apply_verdict(claim_id=a.pk, actor=checker, verdict="verified",
                                            seen_versions=plan.seen_versions())
    assert sorted(result.changed_ids) == sorted([a.pk, b.pk])
    assert [(m.pk, m.skip_reason) for m in result.skipped] == [(late.pk, clusters.SKIP_JOINED)]
    assert Claim.objects.get(pk=late.pk).verdict == "unreviewed"


def test_preview_query_count_does_not_grow_with_the_cluster(checker, django_assert_max_num_queries):
    _, small = clustered_claims(3)
    with django_assert_max_num_queries(2):
        clusters.cluster_verdict_plan(claim_id=small[0].pk, verdict="verified")
    _, large = clustered_claims(12)
    with django_assert_max_num_queries(2):
        clusters.cluster_verdict_plan(claim_id=large[0].pk, verdict="verified")


# --- Merge and undo ------------------------------------------------------------------------------------------------


def membership():
    return sorted(Claim.objects.values_list("pk", "cluster_id"))


def test_merge_then_undo_restores_the_exact_membership(checker, editor):
    keep, first = clustered_claims(2)
    gone, second = clustered_claims(3)
    gone_created = gone.created_at
    before = membership()
    merge = clusters.clusters_merge(cluster_id=keep.pk, other_cluster_id=gone.pk, actor=checker)
    assert sorted(merge.claim_ids) == sorted(c.pk for c in second) and merge.merged_by == checker
    assert set(Claim.objects.filter(cluster=keep).values_list("pk", flat=True)) == {c.pk for c in first + second}

    undone = clusters.cluster_merge_undo(merge_id=merge.pk, actor=editor)
    assert membership() == before
    assert ClaimCluster.objects.get(pk=gone.pk).created_at == gone_created
    assert undone.undone_by == editor and undone.undone_at is not None
    for claim in second:
        event = claim_events(claim.pk, "factcheck.claim.cluster_merge_undone").select_related("pgh_context").get()
        assert event.pgh_context.metadata["user"] == editor.pk and event.cluster_id == gone.pk
        assert claim_events(claim.pk, "factcheck.claim.cluster_merged").get().pgh_context.metadata["user"] == checker.pk
    assert selectors.claims_pinned([c.pk for c in second]) == {c.pk for c in second}
    with pytest.raises(ValidationError, match="already undone by"):
        clusters.cluster_merge_undo(merge_id=merge.pk, actor=checker)


def test_undo_after_a_claim_moved_since_is_refused(checker):
    keep, first = clustered_claims(2)
    gone, second = clustered_claims(2)
    merge = clusters.clusters_merge(cluster_id=keep.pk, other_cluster_id=gone.pk, actor=checker)
    clusters.claim_split_from_cluster(claim_id=second[0].pk, actor=checker)
    after_split = membership()
    with pytest.raises(ValidationError, match="moved since"):
        clusters.cluster_merge_undo(merge_id=merge.pk, actor=checker)
    assert membership() == after_split and not ClaimCluster.objects.filter(pk=gone.pk).exists()


def test_undo_after_the_cluster_was_merged_again_is_refused(checker):
    keep, _ = clustered_claims(2)
    gone, _ = clustered_claims(2)
    third, _ = clustered_claims(2)
    first_merge = clusters.clusters_merge(cluster_id=keep.pk, other_cluster_id=gone.pk, actor=checker)
    clusters.clusters_merge(cluster_id=third.pk, other_cluster_id=keep.pk, actor=checker)
    before = membership()
    with pytest.raises(ValidationError, match="moved since"):
        clusters.cluster_merge_undo(merge_id=first_merge.pk, actor=checker)
    assert membership() == before


def test_merge_refuses_when_a_cluster_changed_since_the_preview(checker):
    keep, first = clustered_claims(2)
    gone, second = clustered_claims(2)
    seen = [c.pk for c in first + second]
    _, (late,) = clustered_claims(1, cluster=gone)
    with pytest.raises(ValidationError, match="changed since"):
        clusters.clusters_merge(cluster_id=keep.pk, other_cluster_id=gone.pk, actor=checker, expected_claim_ids=seen)
    assert Claim.objects.get(pk=late.pk).cluster_id == gone.pk


def test_viewer_cannot_undo_a_merge(checker, viewer):
    keep, _ = clustered_claims(2)
    gone, _ = clustered_claims(2)
    merge = clusters.clusters_merge(cluster_id=keep.pk, other_cluster_id=gone.pk, actor=checker)
    with pytest.raises(PermissionDenied):
        clusters.cluster_merge_undo(merge_id=merge.pk, actor=viewer)


@pytest.mark.parametrize(
    "service, status, action",
    [
        (conflicts.conflict_resolve, "resolved", "factcheck.conflict.resolved"),
        (conflicts.conflict_dismiss, "dismissed", "factcheck.conflict.dismissed"),
    ],
)
def test_closing_a_conflict_is_recorded(checker, editor, service, status, action):
    _, (a, b) = clustered_claims(2)
    conflict = conflict_between(a, b)
    service(conflict_id=conflict.pk, actor=checker, note="Checked the tariff schedule.")
    conflict.refresh_from_db()
    assert conflict.status == status and conflict.resolved_by == checker
    assert conflict.resolution_note == "Checked the tariff schedule." and conflict.resolved_at is not None
    event = Conflict.pgh_event_model.objects.filter(pgh_obj_id=conflict.pk, pgh_context__metadata__action=action)
    assert event.count() == 1
    with pytest.raises(ValidationError, match="already"):
        conflicts.conflict_resolve(conflict_id=conflict.pk, actor=editor, note="")
    conflict.refresh_from_db()
    assert conflict.resolved_by == checker


def test_article_set_story_moves_it_and_pins_it(editor):
    old, new = Story.objects.create(title="Old"), Story.objects.create(title="New")
    article = ArticleFactory(story=old)
    stories.article_set_story(article_id=article.pk, story_id=new.pk, actor=editor)
    assert Article.objects.get(pk=article.pk).story_id == new.pk
    assert Article.objects.get(pk=article.pk).story_pinned
    assert selectors.article_story_pinned(article.pk)
    stories.article_set_story(article_id=article.pk, story_id=None, actor=editor)
    matching.article_match_claims(article_id=article.pk)
    assert Article.objects.get(pk=article.pk).story_id is None  # a person took it out: matching leaves it


def test_only_editors_change_stories(checker):
    story = Story.objects.create(title="Ford and Xiaomi")
    with pytest.raises(PermissionDenied):
        stories.story_rename(story_id=story.pk, actor=checker, title="Something else")
    with pytest.raises(PermissionDenied):
        stories.article_set_story(article_id=ArticleFactory().pk, story_id=story.pk, actor=checker)


def test_story_rename(editor):
    story = Story.objects.create(title="Ford and Xiaomi")
    stories.story_rename(story_id=story.pk, actor=editor, title="  Ford,   Xiaomi and the tariff ")
    assert Story.objects.get(pk=story.pk).title == "Ford, Xiaomi and the tariff"
    assert Story.pgh_event_model.objects.filter(
        pgh_obj_id=story.pk, pgh_context__metadata__action="factcheck.story.changed"
    ).exists()
    with pytest.raises(ValidationError):
        stories.story_rename(story_id=story.pk, actor=editor, title="   ")


def test_split_and_merge_pin_the_claims_they_move(checker):
    keep, first = clustered_claims(2)
    gone, second = clustered_claims(2)
    clusters.clusters_merge(cluster_id=keep.pk, other_cluster_id=gone.pk, actor=checker)
    pinned = dict(Claim.objects.filter(pk__in=[c.pk for c in first + second]).values_list("pk", "cluster_pinned"))
    assert {pk for pk, flag in pinned.items() if flag} == {c.pk for c in second}
    clusters.claim_split_from_cluster(claim_id=first[0].pk, actor=checker)
    assert Claim.objects.get(pk=first[0].pk).cluster_pinned


def test_matching_reads_the_pinned_flags_not_the_history():
    # Flags set directly (as a data migration from the history would): matching honours them all the same.
    _, (a, b) = clustered_claims(2)
    Claim.objects.filter(pk=b.pk).update(cluster=None, cluster_pinned=True)
    assert selectors.claims_pinned([a.pk, b.pk]) == {b.pk}
    matching.article_match_claims(article_id=b.article_id)
    matching.article_match_claims(article_id=a.article_id)
    assert Claim.objects.get(pk=b.pk).cluster_id is None
    article = ArticleFactory()
    Article.objects.filter(pk=article.pk).update(story_pinned=True)
    assert selectors.article_story_pinned(article.pk)
    matching.article_match_claims(article_id=article.pk)
    assert Article.objects.get(pk=article.pk).story_id is None


def test_refresh_match_keys_and_pins_from_history(checker, editor):
    import io

    from django.core.management import call_command

    from factcheck.matching import encoder
    from factcheck.services.matching import stored_match_keys

    _, (_, b) = clustered_claims(2)
    story = Story.objects.create(title="Ford")
    article = ArticleFactory()
    clusters.claim_split_from_cluster(claim_id=b.pk, actor=checker)
    stories.article_set_story(article_id=article.pk, story_id=story.pk, actor=editor)
    # As stored before the vectors, keys and flags existed.
    Claim.objects.update(match_keys=[], embedding=None, embedding_model="", cluster_pinned=False)
    Article.objects.update(story_pinned=False)
    out = io.StringIO()
    call_command("refresh_match_keys", "--pins", "--batch-size", "1", stdout=out)
    assert "2 claim(s) got a new vector or new match keys." in out.getvalue()
    for claim in Claim.objects.select_related("article"):
        assert claim.embedding_model == encoder.ENCODER_VERSION
        assert claim.match_keys == stored_match_keys(claim) and claim.match_keys
    assert set(Claim.objects.filter(cluster_pinned=True).values_list("pk", flat=True)) == {b.pk}
    assert set(Article.objects.filter(story_pinned=True).values_list("pk", flat=True)) == {article.pk}
    assert matching.claims_refresh_match_keys() == 0
