"""The audit history: the context attached to every tracked change, and how an event reads as a sentence.

The rows themselves are written by database triggers (django-pghistory) into append-only tables, so no write
path can skip them. This module only says *who* acted and *why*: services and tasks open a `history_context`,
the request middleware adds the signed-in user.
"""

from __future__ import annotations

from typing import Any

import pghistory

# Dotted, unique names for what a person or a worker did. Each reads as a sentence in the timeline.
ACTIONS: dict[str, str] = {
    "factcheck.claim.verdict_changed": "set the verdict",
    "factcheck.claim.assigned": "changed the assignee",
    "factcheck.claim.extracted": "extracted the claim",
    "factcheck.claim.reanchored": "moved the claim to its new place in the text",
    "factcheck.claim.cluster_split": "split the claim off its cluster",
    "factcheck.claim.cluster_merged": "merged two clusters",
    "factcheck.claim.cluster_merge_undone": "undid a merge of two clusters",
    "factcheck.claim.verdict_applied_to_cluster": "applied the verdict to the whole cluster",
    "factcheck.claim.clustered": "matched the claim with the same claim in other articles",
    "factcheck.checkoffer.offered": "offered published fact-checks of the claim",
    "factcheck.checkoffer.confirmed": "marked a published fact-check as the same claim",
    "factcheck.checkoffer.rejected": "marked a published fact-check as not the same claim",
    "factcheck.checkoffer.restored": "showed a hidden published fact-check again",
    "factcheck.evidence.added": "added evidence",
    "factcheck.evidence.removed": "removed evidence",
    "factcheck.check.imported": "imported the published fact-check",
    "factcheck.article.uploaded": "uploaded the article",
    "factcheck.article.imported": "imported the article",
    "factcheck.article.extraction": "extracted claims",
    "factcheck.article.deleted": "deleted the article",
    "factcheck.article.details_changed": "corrected the article's details",
    "factcheck.conflict.detected": "flagged a conflict",
    "factcheck.conflict.resolved": "resolved the conflict",
    "factcheck.conflict.dismissed": "dismissed the conflict",
    "factcheck.story.changed": "changed the story",
    "factcheck.story.assigned": "grouped the article into a story",
    "factcheck.matching.pins_restored": "marked the claims and articles people placed by hand as pinned",
    # Claims a person adds or corrects, and taking a verdict back.
    "factcheck.claim.added": "added the claim by hand",
    "factcheck.claim.span_changed": "changed the claim's span",
    "factcheck.claim.split": "split the claim in two",
    "factcheck.claim.verdict_undone": "undid the verdict",
    # Fact-check reports
    "factcheck.claim.verdict_corrected": "corrected a published verdict",
    "factcheck.report.created": "created the report",
    "factcheck.report.edited": "changed the report's title, introduction or claims",
    "factcheck.report.marked_ready": "marked the report ready to publish",
    "factcheck.report.published": "published the report",
    "factcheck.report.unpublished": "unpublished the report",
    # Notes
    "factcheck.note.added": "wrote a note",
    "factcheck.note.edited": "edited a note",
    # Check-worthiness heads (factcheck/services/checkworthiness.py)
    "factcheck.model.trained": "trained a check-worthiness model version",
    "factcheck.model.rejected": "rejected a check-worthiness model version",
    "factcheck.model.switched": "switched check-worthiness scoring to a model version",
    "factcheck.model.rolled_back": "rolled check-worthiness scoring back to the previous version",
    "factcheck.source.created": "created the publisher",
}


def history_context(
    *,
    action: str,
    user: Any = None,
    actor: str | None = None,
    reason: str | None = None,
    **extra: Any,
) -> pghistory.context:
    """Attach who did what and why to every history row written inside the block.

    `user` is a person; `actor` names a machine actor ("extraction worker", "importer") when no person acted.
    """
    if action not in ACTIONS:
        raise ValueError(f"Unknown history action {action!r}; add it to factcheck.history.ACTIONS")
    metadata: dict[str, Any] = {"action": action, **extra}
    if user is not None:
        metadata["user"] = user.pk
        metadata["username"] = user.get_username()
    if actor is not None:
        metadata["actor"] = actor
    if reason:
        metadata["reason"] = reason
    return pghistory.context(**metadata)


def action_sentence(action: str | None) -> str:
    return ACTIONS.get(action or "", "changed it")
