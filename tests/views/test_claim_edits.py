"""Adding, trimming and splitting claims from the article page; undo of a verdict; the queue's next claim."""

import json
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from factcheck.models import Claim
from factcheck.services import claim_set_verdict
from tests.factories import ArticleFactory, ClaimFactory, SourceFactory
from tests.views.conftest import HTMX

pytestmark = pytest.mark.django_db

MISSED = "Xiaomi did not respond to a request for comment."


def _add(client, article, start, end, text="", **headers):
    url = reverse("factcheck:claim-add", args=[article.pk])
    return client.post(url, {"start": start, "end": end, "text": text}, **headers)


@pytest.fixture
def missed(article):
    """The article without its claim on the third sentence, which a person then adds."""
    Claim.objects.filter(article=article, text=MISSED).delete()
    start = article.body.index(MISSED)
    return start, start + len(MISSED)


def test_add_with_htmx_answers_the_whole_workspace_with_the_new_claim_selected(client, checker, article, missed):
    client.force_login(checker)
    response = _add(client, article, missed[0] - 1, missed[1] + 1, " " + MISSED + " ", **HTMX)
    assert response.status_code == 200
    claim = Claim.objects.get(article=article, text=MISSED)
    assert (claim.start, claim.end, claim.origin) == (*missed, "added")
    assert article.body[claim.start : claim.end] == claim.text
    assert (response["HX-Retarget"], response["HX-Reswap"], response["HX-Reselect"]) == ("#main", "outerHTML", "#main")
    assert response["HX-Push-Url"] == f"/articles/{article.pk}/?claim={claim.pk}"
    html = response.content.decode()
    assert f'<section id="claim-panel" class="panel" data-claim="{claim.pk}"' in html
    assert re.search(rf'<a id="hl-{claim.pk}" class="hl v-unreviewed is-selected" data-claim="{claim.pk}" '
                     rf'data-s="{claim.start}" data-cs="{claim.start}" data-ce="{claim.end}"', html)
    assert "Claim added." in html and "Added by a person" in html
    assert re.search(rf'id="claim-row-{claim.pk}".*?by hand', html, re.S)
    assert "<strong>ana</strong> added the claim by hand" in html


def test_add_from_the_queue_keeps_the_queue(client, checker, article, missed):
    client.force_login(checker)
    url = reverse("factcheck:claim-add", args=[article.pk]) + "?queue=kind%3Devent"
    response = client.post(url, {"start": missed[0], "end": missed[1]}, **HTMX)
    claim = Claim.objects.get(article=article, text=MISSED)
    assert response["HX-Push-Url"] == f"/articles/{article.pk}/?claim={claim.pk}&queue=kind%3Devent"
    assert 'data-queue-next="/queue/next?kind=event"' in response.content.decode()


def test_add_without_javascript_redirects_to_the_claim(client, checker, article, missed):
    client.force_login(checker)
    response = _add(client, article, *missed, MISSED)
    claim = Claim.objects.get(article=article, text=MISSED)
    assert response.status_code == 302 and response["Location"] == claim.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Claim added."]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"start": "1", "end": "99999"}, "outside the article&#x27;s text"),
        ({"start": "x", "end": "5"}, "The selection could not be read"),
        ({"start": "1", "end": "99999999999"}, "The selection could not be read"),
        ({"start": "20", "end": "24", "text": "nowhere to be found"}, "not in the article as stored"),
    ],
)
def test_bad_offsets_are_refused_beside_the_selection_tools(client, checker, article, data, message):
    client.force_login(checker)
    before = Claim.objects.count()
    response = client.post(reverse("factcheck:claim-add", args=[article.pk]), data, **HTMX)
    assert response.status_code == 200
    errors = re.search(r'<div class="alert" role="alert" id="span-errors">(.*?)</div>', response.content.decode(), re.S)
    assert errors and message in errors.group(1)
    assert Claim.objects.count() == before


def test_add_over_an_existing_claim_names_it(client, checker, article, claim):
    client.force_login(checker)
    response = _add(client, article, claim.start + 3, claim.end + 5, **HTMX)
    assert "This overlaps the claim “The US imposed a 100% tariff" in response.content.decode()


def test_add_to_a_missing_article_is_404(client, checker):
    client.force_login(checker)
    assert client.post(reverse("factcheck:claim-add", args=[987654]), {"start": 0, "end": 5}).status_code == 404


def test_span_and_split_views_keep_offsets_exact_and_refuse_a_stale_version(client, checker, editor, article, claim):
    client.force_login(checker)
    url = reverse("factcheck:claim-span", args=[claim.pk])
    end = claim.start + claim.text.index(" on Chinese")
    response = client.post(url, {"start": claim.start, "end": end, "version": 1}, **HTMX)
    claim.refresh_from_db()
    assert (claim.text, claim.version, claim.origin) == ("The US imposed a 100% tariff", 2, "edited")
    html = response.content.decode()
    assert "Span changed." in html
    entry = re.search(r'<li class="tl-item[^"]*"><span class="tl-text">(.*?)</span>', html, re.S).group(1)
    assert entry == "<strong>ana</strong> changed the claim&#x27;s span — “The US imposed a 100% tariff”"

    claim_set_verdict(claim_id=claim.pk, actor=editor, verdict="verified", expected_version=2)
    split = reverse("factcheck:claim-split-in-two", args=[claim.pk])
    response = client.post(split, {"at": claim.start + claim.text.index("a 100%"), "version": 2}, **HTMX)
    assert "Not saved: This claim was changed by ed while you were looking at it" in response.content.decode()
    assert Claim.objects.filter(article=article).count() == 5

    response = client.post(split, {"at": claim.start + claim.text.index("a 100%"), "version": 3}, **HTMX)
    first = Claim.objects.get(pk=claim.pk)
    second = Claim.objects.get(article=article, start__gt=first.start, end__lte=end)
    assert (first.text, second.text) == ("The US imposed", "a 100% tariff")
    assert first.verdict == "verified" and second.verdict == "unreviewed"
    for part in (first, second):
        assert article.body[part.start : part.end] == part.text
    assert "Claim split in two; the second part follows it." in response.content.decode()


def test_split_without_a_point_is_a_message(client, checker, claim):
    client.force_login(checker)
    response = client.post(reverse("factcheck:claim-split-in-two", args=[claim.pk]), {"version": 1}, **HTMX)
    assert "The selection could not be read" in response.content.decode()


# --- Undo -----------------------------------------------------------------------------------------------


def _verdict(client, claim, verdict, version, rationale=""):
    url = reverse("factcheck:claim-verdict", args=[claim.pk])
    return client.post(url, {"verdict": verdict, "version": version, "rationale": rationale}, **HTMX)


def _undo(client, claim, version):
    return client.post(reverse("factcheck:claim-undo", args=[claim.pk]), {"version": version}, **HTMX)


def test_undo_takes_back_the_own_verdict_and_restores_the_one_before(client, checker, editor, claim):
    claim_set_verdict(claim_id=claim.pk, actor=editor, verdict="verified", rationale="Register.", expected_version=1)
    before = Claim.objects.get(pk=claim.pk)
    client.force_login(checker)
    response = _verdict(client, claim, "false", 2, "It was 145%.")
    trigger = json.loads(response["HX-Trigger"])["verdictChanged"]
    assert (trigger["undo"], trigger["version"]) == (f"/claims/{claim.pk}/undo", 3)

    response = _undo(client, claim, 3)
    claim.refresh_from_db()
    assert (claim.verdict, claim.rationale, claim.verdict_by, claim.verdict_at) == (
        "verified", "Register.", editor, before.verdict_at)
    assert claim.version == 4
    html = response.content.decode()
    assert "Undone: the claim is “Verified” again." in html
    assert re.search(rf'<li id="claim-row-{claim.pk}" class="claim-row v-verified', html)
    # The undo is itself in the history, and can't be undone again from its notice.
    assert "undo" not in json.loads(response["HX-Trigger"])["verdictChanged"]
    event = Claim.pgh_event_model.objects.filter(pgh_obj_id=claim.pk).order_by("-pgh_id").first()
    assert (event.pgh_context.metadata["action"], event.pgh_context.metadata["username"]) == (
        "factcheck.claim.verdict_undone", "ana")


def test_undo_after_the_earlier_reviewer_left_keeps_their_verdict_unnamed(client, checker, editor, claim):
    claim_set_verdict(claim_id=claim.pk, actor=editor, verdict="verified", expected_version=1)
    client.force_login(checker)
    _verdict(client, claim, "false", 2, "It was 145%.")
    editor.delete()
    _undo(client, claim, 3)
    claim.refresh_from_db()
    assert (claim.verdict, claim.verdict_by, claim.version) == ("verified", None, 4)


def test_undo_of_a_dismissal_returns_the_claim_to_unreviewed(client, checker, claim):
    client.force_login(checker)
    _verdict(client, claim, "not_claim", 1)
    _undo(client, claim, 2)
    claim.refresh_from_db()
    assert (claim.verdict, claim.verdict_by, claim.verdict_at, claim.version) == ("unreviewed", None, None, 3)


def test_a_stale_undo_is_refused_and_changes_nothing(client, checker, editor, claim):
    client.force_login(checker)
    _verdict(client, claim, "false", 1, "It was 145%.")
    claim_set_verdict(claim_id=claim.pk, actor=editor, verdict="verified", expected_version=2)
    response = _undo(client, claim, 2)
    assert ("Not undone: the claim changed after your verdict (it is now “Verified”, set by ed). Nothing was changed."
            in response.content.decode())
    claim.refresh_from_db()
    assert (claim.verdict, claim.verdict_by, claim.version) == ("verified", editor, 3)


@pytest.mark.parametrize("version", ["", "two", "99999999999"])
def test_an_undo_without_a_usable_version_is_a_message(client, checker, claim, version):
    client.force_login(checker)
    _verdict(client, claim, "verified", 1)
    response = client.post(reverse("factcheck:claim-undo", args=[claim.pk]), {"version": version}, **HTMX)
    assert "Not undone: reload the claim." in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).verdict == "verified"


def test_someone_elses_verdict_is_not_undone(client, checker, editor, claim):
    claim_set_verdict(claim_id=claim.pk, actor=editor, verdict="verified", expected_version=1)
    client.force_login(checker)
    response = _undo(client, claim, 2)
    assert "Not undone: the last change to this claim is not a verdict of yours." in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).version == 2


def test_viewer_sees_no_undo_no_selection_tools_and_no_auto_advance(client, viewer, checker, article, claim):
    client.force_login(viewer)
    html = client.get(claim.get_absolute_url()).content.decode()
    for control in ('id="undo-toast"', 'id="span-tools"', "data-auto-advance"):
        assert control not in html
    client.force_login(checker)
    html = client.get(claim.get_absolute_url()).content.decode()
    for control in ('id="undo-toast"', 'id="span-tools"', "data-auto-advance"):
        assert control in html


def test_evidence_added_hands_the_focus_back_to_the_claim_list(client, checker, claim):
    client.force_login(checker)
    url = reverse("factcheck:evidence-add", args=[claim.pk])
    response = client.post(url, {"url": "https://example.org/a", "stance": "supports"}, **HTMX)
    assert response["HX-Trigger-After-Settle"] == "evidenceAdded"


# --- Next unreviewed claim of the queue -------------------------------------------------------------------


@pytest.fixture
def queue_claims():
    """Claims across three articles of two publishers, scores descending in this order."""
    wire, blog = SourceFactory(name="Wire"), SourceFactory(name="Blog")
    articles = [ArticleFactory(source=wire), ArticleFactory(source=blog), ArticleFactory(source=wire)]
    spec = [(articles[0], 0.95), (articles[1], 0.9), (articles[0], 0.85), (articles[2], 0.8), (articles[1], 0.75)]
    return [ClaimFactory(article=article, score=score) for article, score in spec]


def _next(client, **query):
    return client.get(reverse("factcheck:queue-next"), query)


def test_next_follows_the_queue_order_across_articles_skipping_reviewed_claims(
    client, checker, queue_claims, django_assert_max_num_queries
):
    a, b, c, d, e = queue_claims
    claim_set_verdict(claim_id=c.pk, actor=checker, verdict="verified", expected_version=1)
    client.force_login(checker)
    with django_assert_max_num_queries(8):
        response = _next(client, from_claim=b.pk)
    assert response.status_code == 302
    assert response["Location"] == f"/articles/{d.article_id}/?claim={d.pk}&queue="
    assert _next(client)["Location"] == f"/articles/{a.article_id}/?claim={a.pk}&queue="
    assert _next(client, from_claim="9" * 30)["Location"] == f"/articles/{a.article_id}/?claim={a.pk}&queue="
    last = _next(client, from_claim=e.pk)
    assert last["Location"] == "/queue/"
    left = [str(m) for m in get_messages(last.wsgi_request)]
    assert left == ["No unreviewed claims left in the queue after that one."]


def test_next_keeps_the_queue_filters_and_replaces_a_verdict_filter(client, checker, queue_claims):
    a, b, c, d, e = queue_claims
    wire = a.article.source_id
    client.force_login(checker)
    response = _next(client, from_claim=a.pk, source=wire, verdict="verified")
    assert response["Location"] == f"/articles/{c.article_id}/?claim={c.pk}&queue=source%3D{wire}%26verdict%3Dverified"
    # The article page opened from the queue knows where n goes next.
    html = client.get(response["Location"]).content.decode()
    assert f'data-queue-next="/queue/next?source={wire}&amp;verdict=verified"' in html


def test_queue_links_carry_the_queue_for_the_next_claim(client, checker, queue_claims):
    client.force_login(checker)
    html = client.get(reverse("factcheck:queue"), {"kind": "event"}).content.decode()
    a = queue_claims[0]
    assert f'href="/articles/{a.article_id}/?claim={a.pk}&amp;queue=kind%3Devent"' in html
