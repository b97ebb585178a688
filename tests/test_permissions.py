"""One permission matrix over every URL of the workspace: a new page can't ship unprotected.

Each entry names the HTTP method, how to build the URL's arguments, and the status each role gets.
"""

from __future__ import annotations

from typing import Callable

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "viewer", "checker", "editor"]
LOGIN = "login-redirect"


def _no_args() -> list:
    return []


def _article() -> list:
    return [ArticleFactory().pk]


def _claim() -> list:
    return [ClaimFactory().pk]


# name -> (method, args, data, {role: expected status})
MATRIX: dict[str, tuple[str, Callable[[], list], dict, dict[str, int | str]]] = {
    "inbox": ("get", _no_args, {}, {"anonymous": LOGIN, "outsider": 404, "viewer": 200, "checker": 200, "editor": 200}),
}


def _factcheck_url_names() -> set[str]:
    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and namespace == "factcheck":
                yield p.name

    return set(walk(get_resolver().url_patterns))


def test_every_url_is_in_the_matrix():
    assert _factcheck_url_names() == set(MATRIX), "add new URLs to MATRIX with the status each role gets"


@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_role_gets_expected_status(client, request, name, role):
    method, make_args, data, expected = MATRIX[name]
    url = reverse(f"factcheck:{name}", args=make_args())
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    response = getattr(client, method)(url, data)
    if expected[role] == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected[role]


@pytest.mark.parametrize("name", sorted(n for n, spec in MATRIX.items() if spec[0] == "post"))
def test_write_urls_refuse_get(client, editor, name):
    _, make_args, _, _ = MATRIX[name]
    client.force_login(editor)
    assert client.get(reverse(f"factcheck:{name}", args=make_args())).status_code == 405


def test_admin_requires_staff(client, editor):
    client.force_login(editor)
    assert client.get("/admin/").status_code == 302
