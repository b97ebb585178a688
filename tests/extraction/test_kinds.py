"""Claim kinds on real sentences from the seed articles."""

from __future__ import annotations

import pytest

from factcheck.extraction import KINDS, claim_facets, claim_kinds
from factcheck.extraction.kinds import is_pure_opinion


def kinds_of(sentence: str) -> tuple[str, ...]:
    return claim_kinds(sentence, claim_facets(sentence))


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            (
                "Additionally, the US has imposed a 100% tariff on Chinese electric vehicles, temporarily "
                "increased to 145% under Trump."
            ),
            {"quantity", "rule", "event"},
        ),
        ("\u201cThis story is completely false,\u201d Ford stated unequivocally.", {"quote", "attribution"}),
        (
            (
                "American automaker Ford recently held talks with Chinese electric vehicle maker Xiaomi, "
                "according to four sources familiar with the negotiations."
            ),
            {"attribution", "event", "quantity"},
        ),
        ("Ford, however, denied the allegations.", {"event"}),
        ("Farley even imported the Xiaomi SU7 model for personal use.", {"event"}),
        (
            (
                "In 2024, the Commerce Department banned connected vehicles from Chinese manufacturers due to "
                "data security risks."
            ),
            {"event", "rule", "causation"},
        ),
        (
            (
                "Additionally, the House Select Committee on China has questioned Ford's eligibility for 45X tax "
                "credits because of its partnership with this foreign entity."
            ),
            {"rule", "causation"},
        ),
        (
            (
                "The Pentagon has designated Contemporary Amperex Technology Co., Limited (CATL) as a Chinese "
                "military company."
            ),
            {"rule", "event"},
        ),
        (
            "Analysts warn that the eventual partnership could have a \u201cdomino effect\u201d, the FT reports.",
            {"prediction", "attribution"},
        ),
        ("The company is expected to announce results next week.", {"prediction"}),
        ("This is outrageous.", {"opinion"}),
        ("I think the deal is a mistake.", {"opinion"}),
        ("The International Energy Agency reports that China controls over 80 percent.", {"quantity", "attribution"}),
        ("It is the single largest competitive threat.", {"quantity"}),
    ],
)
def test_kinds_include(sentence: str, expected: set[str]) -> None:
    kinds = kinds_of(sentence)
    assert expected <= set(kinds), kinds
    assert list(kinds) == [k for k in KINDS if k in kinds]  # canonical order, no duplicates


@pytest.mark.parametrize(
    ("sentence", "absent"),
    [
        ("This calculus will change in May, not March.", "opinion"),
        ("He met the minister in May.", "prediction"),
        ("The political cost in Washington is currently prohibitive.", "rule"),
        ("Ford denied the report.", "quantity"),
        ("They agreed to meet the regulator.", "opinion"),
    ],
)
def test_kinds_exclude(sentence: str, absent: str) -> None:
    assert absent not in kinds_of(sentence)


def test_pure_opinion_has_nothing_checkable() -> None:
    sentence = "This is outrageous."
    assert is_pure_opinion(kinds_of(sentence), claim_facets(sentence))
    sentence = "It is outrageous that Ford imported 300 cars in 2024."
    assert not is_pure_opinion(kinds_of(sentence), claim_facets(sentence))
