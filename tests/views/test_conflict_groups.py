"""Near-identical contradictions on one claim: one group in the panel, closed with one dismiss; the other
articles' links are links, each on one line with its claim."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from factcheck.models import Conflict
from tests.builders.clusters import clustered_claims, conflict_between

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def six_alike():
    """One claim that "denied", six others that "did not respond" (two spellings of the values), and one other
    contradiction of another kind."""
    _, claims = clustered_claims(8)
    mine, others = claims[0], claims[1:7]
    alike = [conflict_between(mine, other, kind="denial",
                              values=("denied", "did not respond") if n % 2 else ("Did not  respond", "denied"))
             for n, other in enumerate(others)]
    different = conflict_between(mine, claims[7], kind="number", values=("100%", "145%"))
    return mine, others, alike, different


def test_the_panel_shows_one_group_for_alike_contradictions(client, checker, six_alike):
    mine, others, alike, different = six_alike
    client.force_login(checker)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(f"{mine.article.get_absolute_url()}?claim={mine.pk}").content.decode()
    section = html.split('id="claim-conflicts"')[1].split("</section>")[0]
    assert section.count('class="alert conflict"') == 2
    assert "7 open" in section and "in 6 other claims" in section
    assert section.count('name="also"') == 5
    assert len(re.findall(r'<a class="other-claim" href="[^"]+">[^<]+</a>: <span', section)) == 7
    assert "Dismiss all 6: not a contradiction" in section
    n_queries = len(queries)
    # More contradictions on the claim cost no more queries.
    _, more = clustered_claims(3)
    for other in more:
        conflict_between(mine, other, kind="date", values=(f"{other.pk} Jan", "1 Feb"))
    with CaptureQueriesContext(connection) as queries:
        client.get(f"{mine.article.get_absolute_url()}?claim={mine.pk}")
    assert len(queries) == n_queries


def test_one_dismiss_closes_the_whole_group_and_nothing_else(client, checker, six_alike):
    mine, others, alike, different = six_alike
    client.force_login(checker)
    response = client.post(reverse("factcheck:conflict-dismiss", args=[alike[0].pk]),
                           {"claim": mine.pk, "note": "Both are true at different times.",
                            "also": [c.pk for c in alike[1:]]}, **HTMX)
    assert response.status_code == 200
    assert "Conflict dismissed: 6 contradictions." in response.content.decode()
    statuses = dict(Conflict.objects.values_list("pk", "status"))
    assert all(statuses[c.pk] == "dismissed" for c in alike) and statuses[different.pk] == "open"
    assert set(Conflict.objects.filter(pk__in=[c.pk for c in alike])
               .values_list("resolution_note", "resolved_by__username")) == {("Both are true at different times.",
                                                                             checker.username)}
    # Each one is in the history, as a dismissal by the checker.
    events = Conflict.pgh_event_model.objects.filter(pgh_obj_id__in=[c.pk for c in alike], pgh_label="update")
    assert {e.pgh_context.metadata["action"] for e in events} == {"factcheck.conflict.dismissed"}
    assert events.count() == 6


def test_also_ids_of_other_claims_are_left_alone(client, checker, six_alike):
    mine, others, alike, different = six_alike
    _, (x, y) = clustered_claims(2)
    unrelated = conflict_between(x, y)
    client.force_login(checker)
    client.post(reverse("factcheck:conflict-resolve", args=[alike[0].pk]),
                {"claim": mine.pk, "also": [alike[1].pk, unrelated.pk, "junk"]}, **HTMX)
    assert Conflict.objects.get(pk=unrelated.pk).status == "open"
    assert Conflict.objects.get(pk=alike[1].pk).status == "resolved"
    assert Conflict.objects.get(pk=alike[2].pk).status == "open"


def test_viewers_cannot_close_a_group(client, viewer, six_alike):
    mine, others, alike, different = six_alike
    client.force_login(viewer)
    response = client.post(reverse("factcheck:conflict-dismiss", args=[alike[0].pk]),
                           {"claim": mine.pk, "also": [c.pk for c in alike[1:]]})
    assert response.status_code == 403
    assert not Conflict.objects.exclude(status="open").exists()
