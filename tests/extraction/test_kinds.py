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


@pytest.mark.parametrize(
    ("sentence", "is_quantity"),
    [
        # A verb of change with an infinitive or an object speaks of something else than an amount.
        ("Xiaomi did not respond to a request for comment, while BYD declined to comment.", False),
        ("The ministry dropped the plan after the vote.", False),
        ("The carmaker expanded its partnership with the supplier.", False),
        # Used of an amount, with or without a figure.
        ("Sales declined sharply in the second half.", True),
        ("Orders jumped after the launch.", True),
        ("Exports fell to 3 million tonnes.", True),
        ("The increase in prices hurt buyers.", True),
    ],
)
def test_a_verb_of_change_is_a_quantity_only_when_used_of_an_amount(sentence: str, is_quantity: bool) -> None:
    assert ("quantity" in kinds_of(sentence)) is is_quantity


def test_the_stored_extraction_version_names_the_rules() -> None:
    from factcheck import extraction

    assert extraction.EXTRACTION_VERSION == f"{extraction.MODEL_VERSION}+{extraction.RULES_VERSION}"
    assert len(extraction.EXTRACTION_VERSION) <= 64  # Claim.model_version, Article.extraction_model_version
