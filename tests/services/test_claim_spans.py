"""Claims a person adds, trims or splits: exact offsets, features as on extraction, refusals, history, and
re-extraction keeping them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from factcheck import extraction
from factcheck.models import Article, Claim, ClaimOrigin, Evidence
from factcheck.services import ClaimConflict, claim_set_verdict, evidence_add
from factcheck.services.claim_spans import MAX_CLAIM_CHARS, claim_add, claim_change_span, claim_split
from factcheck.services.extraction import article_extract_claims
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

BODY = (
    "Ford denied the report on Tuesday, calling it completely false.\n\n"
    "The US imposed a 100% tariff on Chinese electric vehicles in 2024, according to the Commerce Department. "
    "Jim Farley imported a Xiaomi SU7 for personal use.\n\n"
    "Later, Farley said the car was impressive.\n\n"
    "I think it's a lovely day."
)
TARIFF = "The US imposed a 100% tariff on Chinese electric vehicles in 2024, according to the Commerce Department."
FARLEY = "Jim Farley imported a Xiaomi SU7 for personal use."


def _anchored(article: Article) -> None:
    for claim in Claim.objects.filter(article=article):
        assert article.body[claim.start : claim.end] == claim.text


def _events(claim_id: int) -> list[tuple[str, str]]:
    events = Claim.pgh_event_model.objects.filter(pgh_obj_id=claim_id).select_related("pgh_context").order_by("pgh_id")
    metadata = [e.pgh_context.metadata if e.pgh_context else {} for e in events]
    return [(m.get("action"), m.get("username")) for m in metadata]


@pytest.fixture
def article():
    return ArticleFactory(body=BODY)


def _machine_claim(article: Article, text: str, **fields) -> Claim:
    start = article.body.index(text)
    return Claim.objects.create(
        article=article, start=start, end=start + len(text), text=text, score=0.7, model_version="test", **fields
    )


def test_add_maps_the_selection_to_exact_offsets_with_features_as_on_extraction(article, checker):
    start = BODY.index(TARIFF)
    # A browser selection often takes in the paragraph break before and a space after.
    claim = claim_add(article_id=article.pk, actor=checker, start=start - 2, end=start + len(TARIFF) + 1,
                      text="\n" + TARIFF + " ")
    assert (claim.start, claim.end, claim.text) == (start, start + len(TARIFF), TARIFF)
    assert BODY[claim.start : claim.end] == claim.text
    assert (claim.origin, claim.model_version, claim.verdict) == (ClaimOrigin.ADDED, "", "unreviewed")
    score, kinds, facets = extraction.span_features(TARIFF)
    assert claim.score == pytest.approx(score, abs=1e-4) and 0 < claim.score <= 1
    assert claim.kinds == list(kinds) and "quantity" in claim.kinds
    assert [n["text"] for n in claim.facets["numbers"]] == [n["text"] for n in facets["numbers"]]
    assert claim.embedding and claim.embedding_model and any(k.startswith("h") for k in claim.match_keys)
    assert _events(claim.pk) == [("factcheck.claim.added", "ana")]


def test_add_finds_the_selected_text_when_the_offsets_drifted(article, checker):
    start = BODY.index(FARLEY)
    claim = claim_add(article_id=article.pk, actor=checker, start=start + 7, end=start + len(FARLEY) + 7, text=FARLEY)
    assert (claim.start, claim.text) == (start, FARLEY)


def test_surname_resolves_to_the_full_name_an_earlier_claim_gave(article, checker):
    _machine_claim(article, FARLEY, facets={"people": ["Jim Farley"]})
    claim = claim_add(article_id=article.pk, actor=checker, start=BODY.index("Later"),
                      end=BODY.index("impressive.") + len("impressive."))
    assert claim.facets["people"] == ["Jim Farley"]


@pytest.mark.parametrize(
    "start, end, text, message",
    [
        (0, len(BODY) + 5, "", "outside the article's text"),
        (10, 10, "", "outside the article's text"),
        ("ten", 20, "", "no place in the article"),
        (BODY.index("\n\n"), BODY.index("\n\n") + 2, "", "holds no words"),
        (0, 30, "Words that are nowhere in this article", "not in the article as stored"),
    ],
)
def test_bad_selections_are_refused_with_a_message_and_write_nothing(article, checker, start, end, text, message):
    with pytest.raises(ValidationError) as refused:
        claim_add(article_id=article.pk, actor=checker, start=start, end=end, text=text)
    assert message in " ".join(refused.value.messages)
    assert not Claim.objects.filter(article=article).exists()


def test_a_selection_longer_than_a_claim_is_refused(checker):
    long_article = ArticleFactory(body="Word " * (MAX_CLAIM_CHARS // 2))
    with pytest.raises(ValidationError, match="at most 2,000 characters"):
        claim_add(article_id=long_article.pk, actor=checker, start=0, end=len(long_article.body))
    assert not Claim.objects.filter(article=long_article).exists()


def test_a_selection_overlapping_a_claim_is_refused(article, checker):
    existing = _machine_claim(article, TARIFF)
    with pytest.raises(ValidationError, match="overlaps the claim “The US imposed"):
        claim_add(article_id=article.pk, actor=checker, start=existing.start + 4, end=existing.end + 20)
    assert list(Claim.objects.filter(article=article)) == [existing]


def test_a_viewer_can_add_nothing(article, viewer):
    with pytest.raises(PermissionDenied):
        claim_add(article_id=article.pk, actor=viewer, start=0, end=20)
    assert not Claim.objects.filter(article=article).exists()


def test_trim_a_sentence_merged_with_its_neighbour(article, checker):
    merged = TARIFF + " " + FARLEY
    claim = _machine_claim(article, merged)
    claim_set_verdict(claim_id=claim.pk, actor=checker, verdict="verified", expected_version=1)
    start = BODY.index(TARIFF)
    trimmed = claim_change_span(claim_id=claim.pk, actor=checker, start=start, end=start + len(TARIFF) + 1,
                                text=TARIFF + " ", expected_version=2)
    assert (trimmed.pk, trimmed.start, trimmed.end, trimmed.text) == (claim.pk, start, start + len(TARIFF), TARIFF)
    assert (trimmed.origin, trimmed.verdict, trimmed.version) == (ClaimOrigin.EDITED, "verified", 3)
    assert "Jim Farley" not in trimmed.facets["people"]
    assert _events(claim.pk)[-1] == ("factcheck.claim.span_changed", "ana")
    _anchored(article)


def test_trim_refuses_a_stale_version_a_span_elsewhere_and_an_overlap(article, checker, editor):
    claim = _machine_claim(article, TARIFF)
    other = _machine_claim(article, FARLEY)
    start = claim.start
    with pytest.raises(ClaimConflict):
        claim_change_span(claim_id=claim.pk, actor=checker, start=start, end=start + 20, expected_version=7)
    far = BODY.index("Later")
    with pytest.raises(ValidationError, match="inside or around the claim"):
        claim_change_span(claim_id=claim.pk, actor=checker, start=far, end=far + 20, expected_version=1)
    with pytest.raises(ValidationError, match="overlaps the claim “Jim Farley"):
        claim_change_span(claim_id=claim.pk, actor=checker, start=start, end=other.start + 10, expected_version=1)
    with pytest.raises(ValidationError, match="span already"):
        claim_change_span(claim_id=claim.pk, actor=checker, start=start, end=claim.end, expected_version=1)
    claim.refresh_from_db()
    assert (claim.start, claim.end, claim.version, claim.origin) == (start, start + len(TARIFF), 1, "machine")


def test_split_at_a_point_inside_a_word_moves_to_the_word_and_keeps_the_review_on_the_first_part(article, checker):
    merged = TARIFF + " " + FARLEY
    claim = _machine_claim(article, merged)
    claim_set_verdict(claim_id=claim.pk, actor=checker, verdict="false", rationale="Not 100%.", expected_version=1)
    evidence_add(claim_id=claim.pk, actor=checker, url="https://example.org/tariff", stance="refutes")
    inside_jim = BODY.index(FARLEY) + 2  # "Ji|m": the split moves back to the start of "Jim"
    first, second = claim_split(claim_id=claim.pk, actor=checker, at=inside_jim, expected_version=2)
    assert (first.pk, first.text, first.verdict, first.rationale) == (claim.pk, TARIFF, "false", "Not 100%.")
    assert (second.text, second.verdict, second.origin, second.model_version) == (FARLEY, "unreviewed", "edited", "")
    assert first.origin == ClaimOrigin.EDITED and first.version == 3
    assert Evidence.objects.get().claim_id == first.pk
    assert "Jim Farley" in second.facets["people"] and "quantity" in first.kinds
    assert _events(first.pk)[-1] == ("factcheck.claim.split", "ana")
    assert _events(second.pk) == [("factcheck.claim.split", "ana")]
    _anchored(article)


def test_split_refuses_a_point_that_leaves_a_part_without_words_and_a_stale_version(article, checker):
    claim = _machine_claim(article, TARIFF)
    for at in (claim.start, claim.start + 2, claim.end - 1, claim.end + 5):
        with pytest.raises(ValidationError, match="both parts hold words"):
            claim_split(claim_id=claim.pk, actor=checker, at=at, expected_version=1)
    with pytest.raises(ClaimConflict):
        claim_split(claim_id=claim.pk, actor=checker, at=claim.start + 20, expected_version=5)
    assert Claim.objects.filter(article=article).count() == 1


def test_reextraction_keeps_claims_people_added_trimmed_or_split(checker):
    article = ArticleFactory(body=BODY, status=Article.Status.QUEUED)
    article_extract_claims(article_id=article.pk)
    machine = {c.text: c for c in Claim.objects.filter(article=article)}
    assert TARIFF in machine, sorted(machine)
    assert not any("lovely day" in text for text in machine)
    # Added: a sentence extraction leaves out. Trimmed: the tariff claim without its attribution.
    lovely = BODY.index("I think")
    added = claim_add(article_id=article.pk, actor=checker, start=lovely, end=len(BODY))
    tariff = machine[TARIFF]
    short_end = tariff.start + TARIFF.index(", according")
    trimmed = claim_change_span(claim_id=tariff.pk, actor=checker, start=tariff.start, end=short_end,
                                expected_version=tariff.version)
    denial = next(c for text, c in machine.items() if text.startswith("Ford denied"))
    first, second = claim_split(claim_id=denial.pk, actor=checker, at=BODY.index("calling"),
                                expected_version=denial.version)
    human = {c.pk: (c.start, c.end, c.text) for c in (added, trimmed, first, second)}

    Claim.objects.filter(article=article).update(model_version="old-model")  # a model upgrade
    result = article_extract_claims(article_id=article.pk)

    kept = {c.pk: (c.start, c.end, c.text) for c in Claim.objects.filter(pk__in=human)}
    assert kept == human
    assert result.kept >= 4
    spans = sorted(Claim.objects.filter(article=article).values_list("start", "end"))
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), "a machine claim overlaps a person's"
    article.refresh_from_db()
    _anchored(article)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_claims_people_add_are_matched_across_articles_by_the_workers(celery_worker_thread, checker, client):
    from django.urls import reverse

    from tests.workers import wait_for, wait_until_idle

    sentence = "The US imposed a 100% tariff on Chinese electric vehicles in 2024."
    first = ArticleFactory(body="Trade news.\n\n" + sentence + " More later.")
    second = ArticleFactory(body="Markets fell. " + sentence)
    client.force_login(checker)
    added = []
    for article in (first, second):
        # Through the page, which sends the article's matching once the claim is saved.
        start = article.body.index(sentence)
        response = client.post(reverse("factcheck:claim-add", args=[article.pk]),
                               {"start": start, "end": start + len(sentence), "text": sentence})
        assert response.status_code == 302  # back to the article, the new claim selected
        added.append(Claim.objects.get(article=article, start=start))
        assert wait_until_idle(timeout=120)
    assert wait_for(lambda: Claim.objects.get(pk=added[1].pk).cluster_id is not None, timeout=60)
    clusters = set(Claim.objects.filter(pk__in=[c.pk for c in added]).values_list("cluster_id", flat=True))
    assert len(clusters) == 1 and None not in clusters
