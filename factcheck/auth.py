"""Signing in: Django's model backend, with a person's permissions read in the same query as the person.

Every workspace view asks what the signed-in person may do (`factcheck.permissions`). The stock backend answers the
first question of a request with two more queries (direct permissions, then the groups'); here they ride along with
the user row as two arrays and fill the same per-request caches the stock backend fills. Roles are still read on
every request: a person removed from a group loses the access on their next click.

The arrays are plain SQL over Django's auth tables: built with the ORM, the two correlated subqueries cost more to
compile than the two queries they replace.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models.expressions import RawSQL

# "app_label.codename", as the stock backend spells a permission, for the user row of the outer query.
_OWN_PERMISSIONS = """ARRAY(
    SELECT ct.app_label || '.' || p.codename FROM auth_permission p
    JOIN django_content_type ct ON ct.id = p.content_type_id
    JOIN auth_user_user_permissions up ON up.permission_id = p.id
    WHERE up.user_id = auth_user.id)"""
_GROUP_PERMISSIONS = """ARRAY(
    SELECT ct.app_label || '.' || p.codename FROM auth_permission p
    JOIN django_content_type ct ON ct.id = p.content_type_id
    JOIN auth_group_permissions gp ON gp.permission_id = p.id
    JOIN auth_user_groups ug ON ug.group_id = gp.group_id
    WHERE ug.user_id = auth_user.id)"""


class RoleBackend(ModelBackend):
    """ModelBackend whose `get_user` also loads the user's own and their groups' permissions (one query)."""

    def get_user(self, user_id):
        user = (
            get_user_model()
            ._default_manager.annotate(
                own_permissions=RawSQL(_OWN_PERMISSIONS, ()), group_permissions=RawSQL(_GROUP_PERMISSIONS, ())
            )
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        if not user.is_superuser:  # a superuser holds every permission: the stock backend lists them if asked
            user._user_perm_cache = set(user.own_permissions)
            user._group_perm_cache = set(user.group_permissions)
            user._perm_cache = user._user_perm_cache | user._group_perm_cache
        return user
