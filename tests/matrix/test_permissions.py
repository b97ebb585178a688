"""One permission matrix over every URL of the workspace: a new page can't ship unprotected.

Each area lists its URLs in tests/matrix/<area>.py with the HTTP method, how to build the arguments and the
data, and the status each role gets. A URL missing from the matrix fails `test_every_url_is_in_the_matrix`.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.matrix import claim_edits, exports, factchecks, inbox, ingest, notes, reports, stories, workspace
from tests.matrix.common import LOGIN, ROLES

pytestmark = pytest.mark.django_db

MATRIX = {
    **inbox.MATRIX, **workspace.MATRIX, **ingest.MATRIX, **stories.MATRIX, **factchecks.MATRIX,
    **claim_edits.MATRIX, **reports.MATRIX, **notes.MATRIX, **exports.MATRIX,
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
    assert _factcheck_url_names() == set(MATRIX), "add new URLs to tests/matrix/<area>.py"


@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_role_gets_expected_status(client, request, name, role):
    method, make_args, make_data, expected = MATRIX[name]
    args = make_args()
    url = reverse(f"factcheck:{name}", args=args)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    response = getattr(client, method)(url, make_data(args))
    if expected[role] == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected[role], response.content[:500]


@pytest.mark.parametrize("name", sorted(n for n, spec in MATRIX.items() if spec[0] == "post") or ["none"])
def test_write_urls_refuse_get(client, editor, name):
    if name == "none":
        pytest.skip("no write URLs yet")
    _, make_args, _, _ = MATRIX[name]
    client.force_login(editor)
    assert client.get(reverse(f"factcheck:{name}", args=make_args())).status_code == 405


def test_admin_requires_staff(client, editor):
    client.force_login(editor)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_abilities_follow_the_roles(editor, checker, viewer, outsider):
    from django.contrib.auth.models import AnonymousUser

    from factcheck.permissions import Abilities, abilities

    assert abilities(AnonymousUser()) == Abilities()
    assert abilities(outsider) == Abilities()
    assert abilities(viewer) == Abilities(view=True)
    assert abilities(checker) == Abilities(view=True, review=True, read_draft_reports=True)
    assert abilities(editor) == Abilities(
        view=True, review=True, upload=True, assign=True, edit_articles=True, delete=True, edit_stories=True,
        publish_reports=True, read_draft_reports=True,
    )


def test_templates_ask_permissions_only_through_can():
    """One way to ask in a template (`can.<ability>`): no `perms.…` and no per-view `can_…` flags."""
    from pathlib import Path

    from django.conf import settings

    other_ways = re.compile(r"\{[{%][^}]*\b(perms\.|can_\w+)")
    found = []
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in Path(folder).rglob("*.html"):
            if "admin" in path.relative_to(folder).parts:
                continue  # Django's admin asks its own way
            found += [f"{path.name}: {m.group(0)}" for m in other_ways.finditer(path.read_text(encoding="utf-8"))]
    assert found == []
