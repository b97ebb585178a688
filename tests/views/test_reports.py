"""The report page, its ClaimReview markup, the reports list, and the correction asked for in the claim panel."""

from __future__ import annotations

import datetime as dt

import extruct
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from factcheck.models import Claim, Conflict, Report, Source, Story
from factcheck.reports.claimreview import claim_review_jsonld
from factcheck.services import claim_set_verdict, evidence_add
from factcheck.services.conflicts import conflict_resolve
from factcheck.services.reports import report_create, report_publish, report_unpublish
from tests.factories import ArticleFactory, SourceDomainFactory, SourceFactory, claims_for
from tests.views.conftest import HTMX

pytestmark = pytest.mark.django_db

# What Google's fact-check documentation and schema.org ask of a ClaimReview, as (path, required?).
CLAIMREVIEW_FIELDS = [
    ("@context", True),
    ("@type", True),
    ("url", True),  # Google: required; the page of the fact check, with an anchor per claim
    ("claimReviewed", True),  # Google: required
    ("reviewRating", True),  # Google: required
    ("reviewRating.@type", True),
    ("reviewRating.alternateName", True),  # Google: required inside reviewRating
    ("reviewRating.ratingValue", False),  # Google: recommended
    ("reviewRating.bestRating", False),  # Google: recommended
    ("reviewRating.worstRating", False),  # Google: recommended
    ("author", False),  # Google: recommended (the publisher of the fact check)
    ("author.@type", False),
    ("author.name", False),
    ("author.url", False),
    ("datePublished", False),  # schema.org CreativeWork; in Google's examples
    ("itemReviewed", False),  # Google: recommended
    ("itemReviewed.@type", False),  # Claim
    ("itemReviewed.author", False),  # Google: recommended on the Claim
    ("itemReviewed.author.name", False),
    ("itemReviewed.datePublished", False),  # Google: recommended on the Claim
    ("itemReviewed.appearance", False),  # Google: recommended (or firstAppearance)
    ("itemReviewed.appearance.@type", False),
    ("itemReviewed.appearance.url", False),
]


def _get(data: dict, path: str):
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def claim_reviews(html: str) -> list[dict]:
    """The ClaimReview objects in the page's `application/ld+json` blocks (parsed the way crawlers do)."""
    found = extruct.extract(html, syntaxes=["json-ld"], uniform=False)["json-ld"]
    return [item for item in found if item.get("@type") == "ClaimReview"]


@pytest.fixture
def published(checker, editor):
    """A published report on an article with three reviewed claims, evidence with sources, and a resolved
    contradiction with another outlet."""
    reliable = SourceFactory(name="Statistics Office", kind=Source.Kind.GOVERNMENT, reliability=Source.Reliability.HIGH)
    SourceDomainFactory(source=reliable, domain="stats.example")
    article = ArticleFactory(
        title="Tariffs & cars <analysis>", url="https://news.example/tariffs", byline="Jane Writer",
        published_at=dt.datetime(2026, 1, 20, 9, 0, tzinfo=dt.UTC), source=SourceFactory(name="Morning Ledger"),
    )
    claims = claims_for(article, 3)
    claim_set_verdict(claim_id=claims[0].pk, actor=checker, verdict="verified", rationale="", expected_version=1)
    claim_set_verdict(claim_id=claims[1].pk, actor=checker, verdict="false",
                      rationale="The tariff was 100% then raised to 145%.", expected_version=1)
    claim_set_verdict(claim_id=claims[2].pk, actor=editor, verdict="disputed",
                      rationale="One outlet says it declined, another that it did not respond.", expected_version=1)
    evidence_add(claim_id=claims[1].pk, actor=checker, url="https://stats.example/tariffs-2025",
                 stance="refutes", passage="Duties rose to 145% in April.", note="Official schedule")
    other = claims_for(ArticleFactory(title="Other outlet", source=SourceFactory(name="Evening Post")), 2)[1]
    conflict = Conflict.objects.create(key="number|100%|145%|t", kind="number", values=["100%", "145%"])
    conflict.claims.set([claims[1], other])
    conflict_resolve(conflict_id=conflict.pk, actor=checker, note="The 145% figure is the later one.")
    report = report_create(actor=editor, article_id=article.pk)
    report = report_publish(report_id=report.pk, actor=editor)
    report.claim_list = claims
    return report


def test_report_page_shows_verdicts_evidence_contradictions_and_who_checked(client, viewer, checker, published):
    client.force_login(viewer)
    html = client.get(published.get_absolute_url()).content.decode()
    false_claim = published.claim_list[1]
    assert f'id="claim-{false_claim.pk}"' in html
    assert "The tariff was 100% then raised to 145%." in html
    assert "Duties rose to 145% in April." in html and "https://stats.example/tariffs-2025" in html
    assert "Statistics Office" in html and "reliability: high" in html
    assert "“100%” vs. “145%”" in html and "Evening Post" in html
    assert f"Resolved by {checker.username}" in html and "The 145% figure is the later one." in html
    assert f"Checked by {checker.username}" in html and "Checked by ed" in html  # the editor set the third
    assert "Tariffs &amp; cars &lt;analysis&gt;" in html  # escaped
    assert 'class="report-actions' not in html  # viewers get no actions
    assert "<strong>ed</strong> published the report" in html and "<strong>ed</strong> created the report" in html


def test_report_embeds_valid_claimreview_per_published_claim(client, viewer, published, settings):
    settings.NEWSROOM_NAME = "Test Desk"
    settings.NEWSROOM_URL = "https://desk.example/"
    client.force_login(viewer)
    response = client.get(published.get_absolute_url())
    reviews = claim_reviews(response.content.decode())
    assert len(reviews) == 3
    page_url = f"http://testserver{published.get_absolute_url()}"
    for review in reviews:
        missing = [path for path, required in CLAIMREVIEW_FIELDS if _get(review, path) in (None, "")]
        assert not missing, (missing, review)
        assert review["@context"] == "https://schema.org" and review["itemReviewed"]["@type"] == "Claim"
        assert review["url"].startswith(page_url + "#claim-")
        rating = review["reviewRating"]
        assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
        assert review["author"] == {"@type": "Organization", "name": "Test Desk", "url": "https://desk.example/"}
        appearance = review["itemReviewed"]["appearance"]
        assert appearance["url"] == "https://news.example/tariffs"
        assert appearance["author"]["name"] == "Jane Writer" and appearance["publisher"]["name"] == "Morning Ledger"
        assert review["itemReviewed"]["datePublished"] == "2026-01-20"
        assert review["datePublished"] == published.first_published_at.date().isoformat()
    by_claim = {review["claimReviewed"]: review["reviewRating"] for review in reviews}
    claims = published.claim_list
    assert (by_claim[claims[0].text]["ratingValue"], by_claim[claims[0].text]["alternateName"]) == (3, "Verified")
    assert (by_claim[claims[1].text]["ratingValue"], by_claim[claims[1].text]["alternateName"]) == (1, "False")
    assert (by_claim[claims[2].text]["ratingValue"], by_claim[claims[2].text]["alternateName"]) == (2, "Disputed")


def test_claimreview_text_cannot_close_its_script_element(published, editor):
    claim = published.claim_list[0]
    Claim.objects.filter(pk=claim.pk).update(rationale="</script><script>alert(1)</script> & more")
    claim = Claim.objects.select_related("article", "article__source").get(pk=claim.pk)
    from factcheck.reports.claimreview import jsonld_script_body

    body = jsonld_script_body(claim_review_jsonld(published, claim, "https://desk.example/"))
    assert "</script" not in body and "<" not in body and "\\u003c/script\\u003e" in body


def test_claimreview_builder_takes_a_base_url_and_skips_claims_without_a_rating(published):
    claim = Claim.objects.select_related("article", "article__source").get(pk=published.claim_list[0].pk)
    review = claim_review_jsonld(published, claim, "https://desk.example/")
    assert review["url"] == f"https://desk.example{published.get_absolute_url()}#claim-{claim.pk}"
    claim.verdict = "unreviewed"
    assert claim_review_jsonld(published, claim, "https://desk.example") is None


def test_a_draft_has_no_claimreview_and_viewers_cannot_see_it(client, viewer, checker, editor, published):

    report_unpublish(report_id=published.pk, actor=editor)
    client.force_login(viewer)
    assert client.get(published.get_absolute_url()).status_code == 404
    client.force_login(checker)
    response = client.get(published.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200 and "Not published" in html
    assert claim_reviews(html) == [] and "application/ld+json" not in html


def test_signed_out_readers_need_the_public_setting(client, published, editor, settings):
    url = published.get_absolute_url()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    settings.PUBLIC_REPORTS = True
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200 and len(claim_reviews(html)) == 3
    assert 'class="mainnav"' not in html and "In the workspace" not in html and "report-actions" not in html

    report_unpublish(report_id=published.pk, actor=editor)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_report_page_reads_a_fixed_number_of_queries(client, viewer, published, editor, checker):
    client.force_login(viewer)
    client.get(published.get_absolute_url())
    with CaptureQueriesContext(connection) as small:
        client.get(published.get_absolute_url())
    more = claims_for(ArticleFactory(), 5)
    story = Story.objects.create(title="Tariffs")
    articles = [published.article_id, more[0].article_id]
    from factcheck.models import Article

    Article.objects.filter(pk__in=articles).update(story=story)
    for claim in more:
        claim_set_verdict(claim_id=claim.pk, actor=checker, verdict="verified", rationale="", expected_version=1)
        evidence_add(claim_id=claim.pk, actor=checker, url="https://stats.example/x", stance="supports")
    story_report = report_publish(report_id=report_create(actor=editor, story_id=story.pk).pk, actor=editor)
    assert story_report.items.count() == 8
    with CaptureQueriesContext(connection) as large:
        html = client.get(story_report.get_absolute_url()).content.decode()
    assert len(large) == len(small)
    assert len(claim_reviews(html)) == 8


def test_editors_choose_the_claims_from_the_edit_page(client, editor, published):
    keep = published.claim_list[1]
    client.force_login(editor)
    page = client.get(reverse("factcheck:report-edit", args=[published.key])).content.decode()
    assert all(f'value="{c.pk}" id="choose-{c.pk}" checked' in page for c in published.claim_list)
    response = client.post(reverse("factcheck:report-edit", args=[published.key]),
                           {"title": "What the tariff was", "summary": "", "claims": [str(keep.pk)]})
    assert response.status_code == 302
    assert list(published.items.values_list("claim_id", flat=True)) == [keep.pk]
    # A published report can't be emptied: the form says why and nothing changes.
    response = client.post(reverse("factcheck:report-edit", args=[published.key]), {"title": "x", "summary": ""})
    assert response.status_code == 200 and "needs at least one claim" in response.content.decode()
    assert published.items.count() == 1 and Report.objects.get(pk=published.pk).title == "What the tariff was"


def test_reports_list_shows_viewers_the_published_ones_in_pages(client, viewer, editor):
    from factcheck.views.reports import REPORTS_PER_PAGE

    for i in range(REPORTS_PER_PAGE + 3):
        Report.objects.create(article=ArticleFactory(), title=f"Report {i}",
                              status="published" if i % 2 else "draft", published_at=timezone.now())
    client.force_login(viewer)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("factcheck:reports"))
    page = first.context["page"]
    assert {r.status for r in page.rows} == {"published"} and len(page.rows) == (REPORTS_PER_PAGE + 3) // 2
    assert not page.has_next
    n_viewer = len(queries)
    client.force_login(editor)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("factcheck:reports"))
    assert len(first.context["page"].rows) == REPORTS_PER_PAGE and first.context["page"].has_next
    assert len(queries) <= n_viewer + 1  # the editor's permission check reads the groups once more at most
    rest = client.get(reverse("factcheck:reports"), {"after": first.context["page"].next_cursor})
    shown = {r.pk for r in first.context["page"].rows} | {r.pk for r in rest.context["page"].rows}
    assert len(shown) == REPORTS_PER_PAGE + 3


def test_article_and_story_pages_link_to_the_report(client, viewer, editor, published):
    client.force_login(viewer)
    html = client.get(reverse("factcheck:article", args=[published.article_id])).content.decode()
    assert published.get_absolute_url() in html
    story = Story.objects.create(title="Tariffs")
    html = client.get(reverse("factcheck:story", args=[story.pk])).content.decode()
    assert "Prepare a fact-check report" not in html  # viewers can't
    client.force_login(editor)
    html = client.get(reverse("factcheck:story", args=[story.pk])).content.decode()
    assert "Prepare a fact-check report" in html
    response = client.post(reverse("factcheck:report-create"), {"story": story.pk})
    report = Report.objects.get(story=story)
    assert response.status_code == 302 and response["Location"] == reverse("factcheck:report-edit", args=[report.key])


def test_the_panel_asks_for_a_correction_note_on_a_published_claim(client, checker, published):
    claim = Claim.objects.get(pk=published.claim_list[0].pk)
    client.force_login(checker)
    panel = client.get(reverse("factcheck:claim", args=[claim.pk]), **HTMX).content.decode()
    assert 'name="correction_note"' in panel
    url = reverse("factcheck:claim-verdict", args=[claim.pk])
    refused = client.post(url, {"verdict": "false", "rationale": "Wrong year.", "version": claim.version}, **HTMX)
    html = refused.content.decode()
    assert refused.status_code == 200 and "correction note" in html and "Wrong year." in html
    assert Claim.objects.get(pk=claim.pk).verdict == "verified"
    saved = client.post(url, {"verdict": "false", "rationale": "Wrong year.", "version": claim.version,
                              "correction_note": "The report was from 2024, not 2026."}, **HTMX)
    assert saved.status_code == 200 and Claim.objects.get(pk=claim.pk).verdict == "false"
    assert "corrected the published verdict to False" in saved.content.decode()
    client.force_login(checker)
    report = client.get(published.get_absolute_url()).content.decode()
    assert "The report was from 2024, not 2026." in report and f"by {checker.username} on" in report
    # Claims in no published report: no correction field.
    other = claims_for(ArticleFactory(), 1)[0]
    panel = client.get(reverse("factcheck:claim", args=[other.pk]), **HTMX).content.decode()
    assert 'name="correction_note"' not in panel


def test_who_checked_comes_from_the_last_verdict_change_whatever_made_it(client, viewer, editor, published,
                                                                         django_user_model):
    claim = published.claim_list[0]
    client.force_login(viewer)
    before = client.get(published.get_absolute_url()).content.decode()
    assert before.count("Checked by ana") == 2
    admin = django_user_model.objects.create_superuser("boss", "boss@example.org", "pw")
    change = reverse("admin:factcheck_claim_change", args=[claim.pk])
    data = {"verdict": "disputed", "rationale": "Two outlets disagree.", "assignee": ""}
    client.force_login(admin)
    # While the report is published, the admin shows the verdict but can't change it.
    assert client.post(change, data).status_code == 302
    assert Claim.objects.get(pk=claim.pk).verdict == "verified"
    # Unpublished, a change in the admin (no verdict action, only the person) is the last check.
    report_unpublish(report_id=published.pk, actor=editor)
    assert client.post(change, data).status_code == 302
    assert Claim.objects.get(pk=claim.pk).verdict == "disputed"
    report_publish(report_id=published.pk, actor=editor)
    client.force_login(viewer)
    after = client.get(published.get_absolute_url()).content.decode()
    assert after.count("Checked by ana") == 1 and after.count("Checked by boss") == 1


@pytest.mark.parametrize(("role", "index"), [("editor", "report_updated_idx"), ("viewer", "report_published_idx")])
def test_reports_list_reads_through_its_index(client, request, role, index):
    """Everyone's reports newest change first, and a Viewer's published ones, each a range of its own index
    (3,000 reports, two in three published)."""
    from tests.db.test_list_plans import analyze, plans

    from factcheck.models import Article
    from factcheck.ingest import content_hash

    bodies = [f"Report body {i}." for i in range(3000)]
    articles = Article.objects.bulk_create(
        Article(title=f"Article {i}", body=body, content_hash=content_hash(body)) for i, body in enumerate(bodies)
    )
    Report.objects.bulk_create(
        Report(article=article, title=f"Report {i}", status="published" if i % 3 else "draft",
               published_at=timezone.now())
        for i, article in enumerate(articles)
    )
    analyze()
    try:
        client.force_login(request.getfixturevalue(role))
        found = plans(client, reverse("factcheck:reports"), seqscan=False)
        assert any(index in plan for plan in found), "\n\n".join(found)
    finally:
        # As in test_list_plans: leave the statistics saying "empty" for later tests' plans.
        Report.objects.all().delete()
        Article.objects.all().delete()
        analyze()
