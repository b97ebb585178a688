"""Signing in: Django's model backend answers what a person may do, read afresh on every request."""

import pytest
from django.conf import settings
from django.contrib.auth import load_backend
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from factcheck import permissions
from factcheck.permissions import ROLE_EDITORS, ROLE_FACT_CHECKERS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _backend():
    """The backend that signs people in (the last one; django-axes before it only counts failures)."""
    return load_backend(settings.AUTHENTICATION_BACKENDS[-1])


def test_each_person_may_do_what_their_roles_and_own_permissions_give(checker, editor, viewer, outsider):
    outsider.user_permissions.add(Permission.objects.get(codename="view_claim"))
    expected = {  # view, review, assign, delete articles
        checker: (True, True, False, False),
        editor: (True, True, True, True),
        viewer: (True, False, False, False),
        outsider: (True, False, False, False),
    }
    for person, answers in expected.items():
        user = _backend().get_user(person.pk)
        assert (permissions.can_view(user), permissions.can_review(user), permissions.can_assign(user),
                permissions.can_delete_articles(user)) == answers, person.username
    assert _backend().get_user(outsider.pk).get_user_permissions() == {"factcheck.view_claim"}
    assert "factcheck.review_claim" in _backend().get_user(checker.pk).get_group_permissions()


def test_inactive_and_unknown_people_are_not_signed_in(checker):
    checker.is_active = False
    checker.save()
    assert _backend().get_user(checker.pk) is None
    assert _backend().get_user(999_999) is None


def test_superuser_may_do_everything():
    boss = UserFactory(username="boss", is_superuser=True)
    user = _backend().get_user(boss.pk)
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
