"""Who may do what. Views call these; templates only use them to hide what the server would refuse anyway."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

User = AbstractBaseUser | AnonymousUser

ROLE_EDITORS = "Editors"
ROLE_FACT_CHECKERS = "Fact-checkers"
ROLE_VIEWERS = "Viewers"

_VIEW = [
    "view_source",
    "view_article",
    "view_claim",
    "view_evidence",
    "view_importbatch",
    "view_story",
    "view_conflict",
    "view_claimcluster",
]
_REVIEW = ["review_claim", "add_evidence", "change_conflict", "change_claimcluster"]
_EDIT = [
    "upload_article",
    "add_article",
    "change_article",
    "delete_article",
    "assign_claim",
    "add_importbatch",
    "add_story",
    "change_story",
]

# Group name -> codenames of factcheck permissions. The roles migration creates exactly these.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    ROLE_VIEWERS: _VIEW,
    ROLE_FACT_CHECKERS: _VIEW + _REVIEW,
    ROLE_EDITORS: _VIEW + _REVIEW + _EDIT,
}


def can_view(user: User) -> bool:
    return user.has_perm("factcheck.view_claim")


def can_review(user: User) -> bool:
    return user.has_perm("factcheck.review_claim")


def can_upload(user: User) -> bool:
    return user.has_perm("factcheck.upload_article")


def can_assign(user: User) -> bool:
    return user.has_perm("factcheck.assign_claim")


def can_edit_stories(user: User) -> bool:
    return user.has_perm("factcheck.change_story")


def can_delete_articles(user: User) -> bool:
    return user.has_perm("factcheck.delete_article")


def roles_sync(group_model, permission_model, *, using: str = "default") -> None:
    """Create the role groups and give each exactly its permissions (idempotent; used by the roles migration)."""
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.using(using).get_or_create(name=role)
        perms = list(permission_model.objects.using(using).filter(content_type__app_label="factcheck", codename__in=codenames))
        missing = set(codenames) - {p.codename for p in perms}
        if missing:
            raise RuntimeError(f"Permissions missing for role {role}: {sorted(missing)}")
        group.permissions.set(perms)
