import itertools

import pytest

from factcheck.matching import SAME_CLAIM_THRESHOLD, WEIGHTS, ClaimInfo, explain_similarity, similarity

from . import seed_claims as s


def test_weights_sum_to_one():
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)


def test_identical_text_scores_one():
    twin = ClaimInfo(999, 9, s.FORD_DENIED_001.text.upper(), s.FORD_DENIED_001.facets)
    assert similarity(s.FORD_DENIED_001, twin) == 1.0


def test_scores_are_symmetric_and_bounded():
    for a, b in itertools.combinations(s.ALL_CLAIMS, 2):
        x, y = similarity(a, b), similarity(b, a)
        assert x == pytest.approx(y)
        assert 0.0 <= x <= 1.0


@pytest.mark.parametrize(("a", "b"), list(itertools.combinations(s.FORD_DENIALS, 2)))
def test_ford_denials_state_the_same_claim(a, b):
    assert similarity(a, b) >= SAME_CLAIM_THRESHOLD, explain_similarity(a, b)


def test_paraphrased_denial_is_carried_by_entities_and_predicates_not_words():
    detail = explain_similarity(s.FORD_DENIED_000, s.FORD_DENIED_003)
    assert detail.signals["lexical"] < 0.3  # almost no words in common...
    assert detail.signals["entities"] == 1.0  # ...but the same organisation
    assert detail.score >= SAME_CLAIM_THRESHOLD  # ...and the same "deny" predicate


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (s.FORD_DENIED_001, s.XIAOMI_ECHOED_003),  # a denial, but by another company
        (s.FORD_DENIED_000, s.CATL_LICENSING_003),  # "a claim CATL denies"
        (s.TALKS_000, s.BOTH_DENY_TITLE_002),  # the report vs its denial
        (s.XIAOMI_NO_RESPONSE_000, s.XIAOMI_NO_PLANS_001),  # no comment vs denial
        (s.IEA_LITHIUM_004, s.PICKUP_PRICE_002),
        (s.IEA_LITHIUM_004, s.CATL_DESIGNATION_004),
        (s.PICKUP_PRICE_002, s.CATL_DESIGNATION_004),
        (s.TALKS_000, s.BYD_002),  # talks with Xiaomi vs talks with BYD
        (s.MULLENAAR_000, s.TAX_CREDITS_004),  # same committee and company, different statement
    ],
)
def test_different_statements_stay_below_threshold(a, b):
    assert similarity(a, b) < SAME_CLAIM_THRESHOLD, explain_similarity(a, b)


def test_denial_by_another_company_is_penalised():
    detail = explain_similarity(s.FORD_DENIED_001, s.XIAOMI_ECHOED_003)
    assert "agent_mismatch" in detail.penalties


def test_report_vs_denial_is_a_stance_mismatch():
    detail = explain_similarity(s.TALKS_000, s.BOTH_DENY_TITLE_002)
    assert "stance_mismatch" in detail.penalties


def test_shared_figure_in_same_context_counts_more():
    detail = explain_similarity(s.TARIFF_000, s.TARIFF_004)
    assert detail.signals["numbers"] == 1.0
    assert detail.score >= SAME_CLAIM_THRESHOLD


def test_fuzzy_names_count_as_one_entity():
    detail = explain_similarity(s.MULLENAAR_000, s.MOOLENAAR_001)
    assert detail.signals["entities"] > 0.5


def test_attribution_source_is_not_a_claim_entity():
    # "according to the Select Committee on China" says who reported it, not what it is about.
    assert s.TARIFF_004.profile.entities == ()
    assert [e.key for e in s.FORD_DENIED_003.profile.entities] == ["ford"]


def test_missing_facets_do_not_break_scoring():
    bare = ClaimInfo(1, 1, "Ford denied the report.", {})
    odd = ClaimInfo(2, 2, "Ford denied it.", {"numbers": None, "people": "Mark Truby", "dates": [1]})
    assert 0.0 <= similarity(bare, odd) <= 1.0
    assert similarity(ClaimInfo(3, 3, "", {}), bare) == 0.0
