"""The claims queue and bulk assignment."""

import re
from datetime import datetime, timezone

import pytest
from django.urls import reverse

from factcheck.models import Claim
from factcheck.permissions import ROLE_FACT_CHECKERS
from tests.factories import ArticleFactory, ClaimFactory, UserFactory, claims_for
from tests.views.conftest import HTMX

pytestmark = pytest.mark.django_db


def row_ids(html):
    return [int(i) for i in re.findall(r'id="queue-claim-(\d+)"', html)]


def test_most_check_worthy_first_across_articles(client, viewer):
    low = ClaimFactory(score=0.2)
    high = ClaimFactory(score=0.95)
    mid = ClaimFactory(score=0.5)
    client.force_login(viewer)
    html = client.get(reverse("factcheck:queue")).content.decode()
    assert row_ids(html) == [high.pk, mid.pk, low.pk]
    assert 'name="claims"' not in html  # no bulk controls for viewers


def test_filters(client, checker):
    a1 = ArticleFactory(published_at=datetime(2026, 1, 5, tzinfo=timezone.utc))
    a2 = ArticleFactory(published_at=datetime(2025, 6, 1, tzinfo=timezone.utc))
    c1, c2 = claims_for(a1, 2)
    (c3,) = claims_for(a2, 1)
    Claim.objects.filter(pk=c1.pk).update(verdict="false", kinds=["quantity"], assignee=checker)
    Claim.objects.filter(pk=c2.pk).update(kinds=["event"])
    client.force_login(checker)
    get = lambda **q: row_ids(client.get(reverse("factcheck:queue"), q).content.decode())  # noqa: E731
    assert get(verdict="false") == [c1.pk]
    assert sorted(get(verdict="open")) == sorted([c2.pk, c3.pk])
    assert get(kind="quantity") == [c1.pk]
    assert get(assignee="me") == [c1.pk]
    assert sorted(get(assignee="none")) == sorted([c2.pk, c3.pk])
    assert get(article=a2.pk) == [c3.pk]
    assert sorted(get(source=a1.source_id)) == sorted([c1.pk, c2.pk])
    assert sorted(get(date_from="2026-01-01")) == sorted([c1.pk, c2.pk])
    assert get(date_to="2025-12-31") == [c3.pk]
    assert "My claims" in client.get(reverse("factcheck:queue"), {"assignee": "me"}).content.decode()


def test_htmx_filter_returns_only_the_results(client, viewer):
    ClaimFactory()
    client.force_login(viewer)
    html = client.get(reverse("factcheck:queue"), {"verdict": "open"}, HTTP_HX_TARGET="queue-results", **HTMX).content.decode()
    assert html.startswith('<div id="queue-results">') and "<html" not in html


def test_paginates(client, viewer):
    article = ArticleFactory()
    Claim.objects.bulk_create(
        [Claim(article=article, start=i, end=i + 1, text=article.body[i], score=0.5) for i in range(60)]
    )
    client.force_login(viewer)
    first = client.get(reverse("factcheck:queue")).content.decode()
    cursor = re.search(r'after=([\w-]+)"[^>]*rel="next"', first).group(1)
    second = client.get(reverse("factcheck:queue"), {"after": cursor}).content.decode()
    assert len(row_ids(first)) == 50 and len(row_ids(second)) == 10
    assert "Claims 1–50 of many" in first and "Claims 51–60 of 60" in second
    # Sixty claims with the same score: ties are broken by id, none lost or repeated at the page boundary.
    assert sorted(row_ids(first) + row_ids(second)) == sorted(Claim.objects.values_list("pk", flat=True))


def test_has_a_published_check_filter(client, viewer):
    from tests.factories import CheckOfferFactory

    strong, rejected, possible, plain = claims_for(ArticleFactory(), 4)
    CheckOfferFactory(claim=strong, band="strong")
    CheckOfferFactory(claim=rejected, band="strong", status="rejected")
    CheckOfferFactory(claim=possible, band="possible")
    client.force_login(viewer)
    html = client.get(reverse("factcheck:queue"), {"checked": "1"}).content.decode()
    assert row_ids(html) == [strong.pk]
    assert "Has a published check" in html


def test_editor_bulk_assigns_in_one_go(client, editor):
    person = UserFactory(username="bo", role=ROLE_FACT_CHECKERS)
    claims = claims_for(ArticleFactory(), 3)
    client.force_login(editor)
    response = client.post(
        reverse("factcheck:queue-assign"),
        {"claims": [claims[0].pk, claims[2].pk], "assignee": person.pk, "next": "/queue/?verdict=open"},
    )
    assert response.status_code == 302 and response["Location"] == "/queue/?verdict=open"
    assert set(Claim.objects.filter(assignee=person).values_list("pk", flat=True)) == {claims[0].pk, claims[2].pk}
    events = Claim.pgh_event_model.objects.filter(pgh_context__metadata__action="factcheck.claim.assigned")
    assert events.count() == 2
    html = client.get("/queue/?verdict=open").content.decode()
    assert "Assigned 2 claims to bo." in html


def test_bulk_assign_ignores_foreign_redirects(client, editor):
    claim = ClaimFactory()
    client.force_login(editor)
    response = client.post(reverse("factcheck:queue-assign"), {"claims": [claim.pk], "assignee": "", "next": "https://evil.example/"})
    assert response["Location"] == reverse("factcheck:queue")


def test_bulk_assign_refused_to_checker_viewer_and_outsider(client, checker, viewer, outsider):
    claim = ClaimFactory()
    for user, status in ((checker, 403), (viewer, 403), (outsider, 404)):
        client.force_login(user)
        assert client.post(reverse("factcheck:queue-assign"), {"claims": [claim.pk], "assignee": user.pk}).status_code == status
    claim.refresh_from_db()
    assert claim.assignee is None


def test_bulk_assign_refuses_get(client, editor):
    client.force_login(editor)
    assert client.get(reverse("factcheck:queue-assign")).status_code == 405


def test_queue_outsider_404(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("factcheck:queue")).status_code == 404
