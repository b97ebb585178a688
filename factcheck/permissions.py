"""Who may do what. Views ask the `can_*` questions to answer a request; every write service calls a `require_*`
before it writes, so a caller that skipped the view's check (a command, a task, a new view) is refused as well.
Templates only use them to hide what the server would refuse anyway."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied

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
    "view_report",
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
    "publish_report",
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


def can_edit_articles(user: User) -> bool:
    return user.has_perm("factcheck.change_article")


def can_delete_articles(user: User) -> bool:
    return user.has_perm("factcheck.delete_article")


def can_publish_reports(user: User) -> bool:
    return user.has_perm("factcheck.publish_report")


def can_read_draft_reports(user: User) -> bool:
    """Reviewers see a report while it is prepared; Viewers read it once it is published."""
    return can_review(user)


@dataclass(frozen=True, slots=True)
class Abilities:
    """What a person may do, by name: the one way templates ask (`{% if can.review %}`), as `can`."""

    view: bool = False
    review: bool = False
    upload: bool = False
    assign: bool = False
    edit_articles: bool = False
    delete: bool = False  # articles
    edit_stories: bool = False
    publish_reports: bool = False
    read_draft_reports: bool = False


def abilities(user: User) -> Abilities:
    """The user's abilities (no query beyond the permissions Django caches on the user); none when signed out."""
    if not user.is_authenticated:
        return Abilities()
    return Abilities(
        view=can_view(user),
        review=can_review(user),
        upload=can_upload(user),
        assign=can_assign(user),
        edit_articles=can_edit_articles(user),
        delete=can_delete_articles(user),
        edit_stories=can_edit_stories(user),
        publish_reports=can_publish_reports(user),
        read_draft_reports=can_read_draft_reports(user),
    )
# --- Checks for services: each raises PermissionDenied (a 403 for the views) with a sentence for the person. ---

READ_ONLY = "You can read claims but not change them."


def require_view(user: User) -> None:
    if not can_view(user):
        raise PermissionDenied("You don't have access to this workspace.")


def require_review(user: User, message: str = READ_ONLY) -> None:
    if not can_review(user):
        raise PermissionDenied(message)


def require_upload(user: User | None) -> None:
    """None is the system's own work (a command, a feed, the demo), which needs no person's permission."""
    if user is not None and not can_upload(user):
        raise PermissionDenied("Only editors can upload and import articles.")


def require_edit_articles(user: User) -> None:
    if not can_edit_articles(user):
        raise PermissionDenied("Only editors can change an article's details.")


def require_delete_articles(user: User) -> None:
    if not can_delete_articles(user):
        raise PermissionDenied("Only editors can delete articles.")


def require_edit_stories(user: User) -> None:
    if not can_edit_stories(user):
        raise PermissionDenied("Only editors can change stories.")


def require_publish_reports(user: User) -> None:
    if not can_publish_reports(user):
        raise PermissionDenied("Only editors can prepare and publish reports.")


def roles_sync(group_model, permission_model, *, using: str = "default", strict: bool = True) -> None:
    """Create the role groups and give each exactly its permissions (idempotent; used by the roles migrations).

    `strict=False` is for a migration that runs before some models of the permissions exist: it gives the
    permissions that exist so far, and a later migration syncs again, strictly.
    """
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.using(using).get_or_create(name=role)
        perms = list(permission_model.objects.using(using).filter(content_type__app_label="factcheck", codename__in=codenames))
        missing = set(codenames) - {p.codename for p in perms}
        if missing and strict:
            raise RuntimeError(f"Permissions missing for role {role}: {sorted(missing)}")
        group.permissions.set(perms)


def roles_migrate(apps, schema_editor, *, strict: bool = True) -> None:
    """The roles migrations' step: create the permissions of the models migrated so far (normally made only
    after all migrations ran), then sync the roles, on the migrating connection (the owner's role: the app's
    role has no grants yet on a new database)."""
    from django.contrib.auth.management import create_permissions

    using = schema_editor.connection.alias
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
        app_config.models_module = None
    roles_sync(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), using=using, strict=strict)
