"""Blocking keys: what the database shortlists candidate matches by."""

from __future__ import annotations

import pytest

from factcheck.matching import MAX_KEYS, match_keys
from tests.matching import seed_claims as S


def keys(claim) -> set[str]:
    return set(match_keys(claim.text, claim.facets))


def shared(*claims) -> set[str]:
    sets = [keys(c) for c in claims]
    return set.intersection(*sets)


def test_the_four_ford_denials_share_a_key():
    assert "o:ford|v:deny" in shared(*S.FORD_DENIALS)


def test_ford_motor_co_is_ford():
    # "Ford Motor Co." and "Ford": one organisation handle.
    assert "o:ford|v:deny" in shared(S.BOTH_DENY_FT_003, S.FORD_DENIED_000)


def test_two_spellings_of_one_lawmaker_share_a_key():
    # "John Mullenaar" / "John Moolenaar": the surnames differ, the first name and what he said do not.
    assert shared(S.MULLENAAR_000, S.MOOLENAAR_001)
    assert shared(S.MULLENAAR_000, S.MOOLENAAR_003)
    assert "p:john|v:partnership" in shared(S.MULLENAAR_000, S.MOOLENAAR_001)


def test_the_tariff_claims_share_the_figure():
    assert "n:%:100|v:tariff" in shared(*S.TARIFF_CLAIMS)
    # 100% then 145%: the tariff conflict's two claims meet too.
    assert shared(S.TARIFF_000, S.TARIFF_002)


def test_unrelated_figures_share_nothing():
    assert not shared(S.IEA_LITHIUM_004, S.PICKUP_PRICE_002)
    assert not shared(S.IEA_LITHIUM_004, S.TARIFF_004)


def test_a_denial_and_a_refusal_to_comment_meet_on_the_stance():
    assert "o:xiaomi|v:stance" in shared(S.XIAOMI_NO_RESPONSE_000, S.XIAOMI_ECHOED_003)


def test_keys_are_pairs_unless_the_claim_says_nothing_else():
    for claim in S.ALL_CLAIMS:
        assert keys(claim), claim.text
    assert all("|" in k for k in keys(S.FORD_DENIED_002))
    # No predicate, no figure: the entities alone as well.
    assert match_keys("Xiaomi and the Pentagon.", {"organisations": ["Xiaomi", "Pentagon"]}) == [
        "o:pentagon", "o:pentagon|o:xiaomi", "o:xiaomi",
    ]


def test_a_claim_naming_nobody_falls_back_to_places_then_words():
    tariff = match_keys("Ohio imposed a 25% tariff on steel.",
                        {"places": ["Ohio"], "numbers": [{"text": "25%", "value": 25.0, "unit": "%"}]})
    assert {"l:ohio|v:tariff", "l:ohio|n:%:25", "n:%:25|v:tariff"} <= set(tariff)
    words = match_keys("Analysts expect a significant slowdown in production.", {})
    assert words and all(k.startswith("w:") for k in words)


def test_phrases_and_contractions():
    assert "o:ford|v:deny" in match_keys("Ford said there is no truth to it.", {"organisations": ["Ford"]})
    assert "o:byd|v:no_comment" in match_keys("BYD didn't respond.", {"organisations": ["BYD"]})
    assert "o:ford|v:partnership" in match_keys("Ford weighs a JV.", {"organisations": ["Ford"]})


def test_output_is_sorted_distinct_capped_and_stable():
    for claim in S.ALL_CLAIMS:
        first = match_keys(claim.text, claim.facets)
        assert first == sorted(set(first))
        assert len(first) <= MAX_KEYS
        assert all(len(k) <= 200 for k in first)
        assert match_keys(claim.text, dict(claim.facets)) == first
    crowded = match_keys(
        "A, B, C, D, E and F denied the talks on the 10% tariff and the $5 deal in 2024.",
        {"organisations": ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"],
         "people": ["Ann Lee", "Bo Chan"],
         "numbers": [{"value": 10.0, "unit": "%"}, {"value": 5.0, "unit": "USD"}],
         "dates": [{"year": 2024}]},
    )
    assert len(crowded) == MAX_KEYS


@pytest.mark.parametrize(
    "facets",
    [None, {}, {"people": "Jim Farley"}, {"numbers": [{"value": "n/a"}, "ten", {"value": float("nan")}]},
     {"organisations": [None, "", {"name": "Ford"}]}, {"dates": [{"year": "2024"}, {"relative": True}]}],
)
def test_odd_facets_do_not_break_it(facets):
    out = match_keys("Ford denied it in 2024.", facets)
    assert out == sorted(set(out))


def test_it_is_cheap():
    import time

    claims = S.ALL_CLAIMS * 20
    t0 = time.perf_counter()
    for claim in claims:
        match_keys(claim.text, claim.facets)
    per_second = len(claims) / (time.perf_counter() - t0)
    assert per_second > 5_000  # about 50,000 a second on a free core; loose, for shared machines
