"""Published checks offered on claims: the index, the bands, the offers stored, and the lookup command."""

from __future__ import annotations

import io

import numpy as np
import pytest
from django.core.management import call_command

from factcheck.matching import checks, encoder
from factcheck.models import CheckOffer, Claim, PublishedCheck
from factcheck.services import check_matching
from tests.factories import ArticleFactory, PublishedCheckFactory, UserFactory

# Our own statements, on subjects unrelated to each other.
CHECKS = [
    ("The city council spent 45% of its parks budget on consultants in 2023.",
     "Did the council spend 45% of the parks budget on consultants?"),
    ("A new study shows that drinking coffee doubles the risk of heart disease.",
     "No, coffee does not double heart disease risk"),
    ("The national railway cancelled every night train to the coast last winter.",
     "Were all coast night trains cancelled?"),
    ("Wind farms produced more electricity than coal plants in the country last year.",
     "Wind overtook coal in electricity production"),
    ("The mayor said the stadium was built without any public money.",
     "Was the stadium really built without public money?"),
]


@pytest.fixture(autouse=True)
def fresh_index():
    check_matching.forget_index()
    yield
    check_matching.forget_index()


def _store_checks(rows=CHECKS) -> list[PublishedCheck]:
    fields = checks.check_match_fields_many([checks.CheckText(c, h) for c, h in rows])
    out = []
    for n, ((claim, headline), f) in enumerate(zip(rows, fields)):
        out.append(PublishedCheckFactory(
            key=f"https://checks.example/r/{n}", identifier=f"check-{n}", claim_reviewed=claim, headline=headline,
            embedding=f.embedding, embedding_model=f.embedding_model, match_keys=f.match_keys))
    return out


def _claim(text: str, **kw) -> Claim:
    article = ArticleFactory(body=text, title="A report")
    return Claim.objects.create(article=article, start=0, end=len(text), text=text,
                                embedding=encoder.to_bytes(encoder.encode([text])[0]),
                                embedding_model=encoder.ENCODER_VERSION, **kw)


# --- pure parts --------------------------------------------------------------------------------------------------


def test_stored_fields_hold_two_vectors_a_list_key_and_the_words():
    (f,) = checks.check_match_fields_many([checks.CheckText("Coffee doubles the risk of heart disease.", "")])
    vecs = checks.vectors_from_bytes(f.embedding)
    assert vecs.shape == (2, encoder.DIM)
    # No headline: both vectors are the claim's.
    assert np.allclose(vecs[0], vecs[1])
    assert any(k.startswith(checks.LIST_KEY) for k in f.match_keys)
    assert {"w:coffe", "w:heart"} <= set(f.match_keys) or {"w:coffee", "w:heart"} <= set(f.match_keys)


def test_index_finds_the_rewording_first_and_replaces_rows_by_id():
    fields = checks.check_match_fields_many([checks.CheckText(c, h) for c, h in CHECKS])
    index = checks.CheckIndex()
    index.add((n, f.embedding, f.match_keys, CHECKS[n][0]) for n, f in enumerate(fields))
    query = "Consultants got 45% of the council's parks budget in 2023, the accounts show."
    offers = index.search(encoder.encode([query])[0], query)
    assert offers[0].check_id == 0
    assert offers[0].probability > offers[1].probability
    # Excluding the right check: what is left is far less likely.
    rest = index.search(encoder.encode([query])[0], query, exclude=[0])
    assert 0 not in {o.check_id for o in rest}
    assert rest[0].probability < offers[0].probability
    # A row added again under the same id replaces the old one.
    other = checks.check_match_fields_many([checks.CheckText("Penguins live at the north pole.", "")])[0]
    index.add([(0, other.embedding, other.match_keys, "Penguins live at the north pole.")])
    assert len(index) == len(CHECKS)
    assert index.search(encoder.encode([query])[0], query)[0].check_id != 0


def test_bands_follow_the_calibrated_thresholds():
    model = checks.load_model()
    assert 0 < model.possible <= model.strong < 1
    assert model.band(model.strong) == checks.STRONG
    assert model.band((model.possible + model.strong) / 2) in (checks.POSSIBLE, checks.STRONG)
    assert model.band(model.possible - 1e-6) is None


# --- offers ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_claim_repeating_a_check_gets_a_strong_offer_and_an_unrelated_one_none():
    _store_checks()
    same = _claim("A new study shows that drinking coffee doubles the risk of heart disease.")
    unrelated = _claim("The orchestra will tour four cities in the spring.")
    check_matching.claims_offer_checks([same.pk, unrelated.pk])
    offers = list(CheckOffer.objects.filter(claim=same))
    assert [o.published_check.identifier for o in offers if o.band == "strong"] == ["check-1"]
    assert not CheckOffer.objects.filter(claim=unrelated).exists()
    # History: the offer was written under the worker's context.
    event = offers[0].events.order_by("pgh_id").first() if hasattr(offers[0], "events") else None
    if event is not None:
        assert event.pgh_context.metadata["action"] == "factcheck.checkoffer.offered"


@pytest.mark.django_db
def test_different_figures_keep_an_offer_out_of_strong_and_say_why():
    _store_checks()
    claim = _claim("The city council spent 145% of its parks budget on consultants in 2023.")
    check_matching.claims_offer_checks([claim.pk])
    offer = CheckOffer.objects.get(claim=claim, published_check__identifier="check-0")
    assert offer.band == "possible"
    assert "45%" in offer.reason and "145%" in offer.reason


@pytest.mark.django_db
def test_decisions_survive_matching_again():
    stored = _store_checks()
    claim = _claim("A new study shows that drinking coffee doubles the risk of heart disease.")
    check_matching.claims_offer_checks([claim.pk])
    offer = CheckOffer.objects.get(claim=claim, published_check=stored[1])
    CheckOffer.objects.filter(pk=offer.pk).update(status=CheckOffer.Status.REJECTED, decided_by=UserFactory())
    check_matching.claims_offer_checks([claim.pk])
    offer.refresh_from_db()
    assert offer.status == CheckOffer.Status.REJECTED
    assert CheckOffer.objects.filter(claim=claim).count() >= 1


@pytest.mark.django_db
def test_new_checks_are_offered_on_recent_claims():
    claim = _claim("Wind farms produced more electricity than coal plants in the country last year.")
    assert not CheckOffer.objects.filter(claim=claim).exists()
    stored = _store_checks()
    check_matching.offer_checks_for_new([c.pk for c in stored])
    assert CheckOffer.objects.filter(claim=claim, published_check=stored[3], band="strong").exists()


@pytest.mark.django_db
def test_the_index_follows_updates_and_deletions():
    stored = _store_checks()
    query = "Every night train to the coast was cancelled last winter by the national railway."
    vec = encoder.encode([query])[0]
    assert check_matching.search(vec, query)[0].check_id == stored[2].pk
    stored[2].delete()
    assert stored[2].pk not in {f.check_id for f in check_matching.search(vec, query)}


# --- the command -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_match_factchecks_prints_ranked_tsv(tmp_path):
    _store_checks()
    queries = tmp_path / "q.tsv"
    queries.write_text(
        "q1\tDrinking coffee doubles your risk of heart disease, a new study says.\n"
        "broken line without a tab\n"
        "q2\tThe orchestra will tour four cities in the spring.\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("match_factchecks", str(queries), "--top", "2", stdout=out, stderr=err)
    rows = [line.split("\t") for line in out.getvalue().splitlines()]
    assert all(len(r) == 5 for r in rows)
    q1 = [r for r in rows if r[0] == "q1"]
    assert [r[1] for r in q1] == ["1", "2"]
    assert q1[0][2] == "check-1" and q1[0][4] == "strong"
    assert float(q1[0][3]) > float(q1[1][3])
    assert all(r[4] in ("none", "possible") for r in rows if r[0] == "q2")
    assert "line 2" in err.getvalue()


@pytest.mark.django_db
def test_a_claim_stating_the_checked_figure_among_others_stays_strong():
    _store_checks()
    claim = _claim("The city council spent 45% of its parks budget on consultants in 2023, up from 30% in 2022.")
    check_matching.claims_offer_checks([claim.pk])
    offer = CheckOffer.objects.get(claim=claim, published_check__identifier="check-0")
    assert offer.reason == ""
