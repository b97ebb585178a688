"""The sign-in backend: a person and their permissions in one query, the same answers as Django's own backend."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from factcheck import permissions
from factcheck.auth import RoleBackend
from factcheck.permissions import ROLE_EDITORS, ROLE_FACT_CHECKERS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_user_comes_with_the_permissions_the_stock_backend_gives(checker, editor, viewer, outsider):
    outsider.user_permissions.add(Permission.objects.get(codename="view_claim"))
    for person in (checker, editor, viewer, outsider):
        with CaptureQueriesContext(connection) as ctx:
            user = RoleBackend().get_user(person.pk)
            answers = (
                permissions.can_view(user),
                permissions.can_review(user),
                permissions.can_assign(user),
                user.get_all_permissions(),
                user.get_user_permissions(),
                user.get_group_permissions(),
            )
        assert len(ctx.captured_queries) == 1, [q["sql"] for q in ctx.captured_queries]
        stock = ModelBackend().get_user(person.pk)
        assert answers == (
            permissions.can_view(stock),
            permissions.can_review(stock),
            permissions.can_assign(stock),
            stock.get_all_permissions(),
            stock.get_user_permissions(),
            stock.get_group_permissions(),
        )
    assert RoleBackend().get_user(outsider.pk).get_user_permissions() == {"factcheck.view_claim"}


def test_inactive_and_unknown_people_are_not_signed_in(checker):
    checker.is_active = False
    checker.save()
    assert RoleBackend().get_user(checker.pk) is None
    assert RoleBackend().get_user(999_999) is None


def test_superuser_may_do_everything():
    boss = UserFactory(username="boss", is_superuser=True)
    user = RoleBackend().get_user(boss.pk)
    assert permissions.can_assign(user) and permissions.can_delete_articles(user)
    assert "factcheck.review_claim" in user.get_all_permissions()


def test_a_role_taken_away_applies_on_the_next_request(client, checker):
    queue_url = reverse("factcheck:queue")
    client.force_login(checker)
    assert client.get(queue_url).status_code == 200
    checker.groups.remove(Group.objects.get(name=ROLE_FACT_CHECKERS))
    assert client.get(queue_url).status_code == 404  # signed in with no role: an outsider
    checker.groups.add(Group.objects.get(name=ROLE_EDITORS))
    assert client.get(queue_url).status_code == 200
