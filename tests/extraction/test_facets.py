"""Facets on real sentences from the seed articles."""

from __future__ import annotations

import json

import pytest

from factcheck.extraction import EntityContext, claim_facets
from factcheck.extraction.facets import FACET_KEYS


def test_schema_keys_are_always_present() -> None:
    for sentence in ("", "   ", "Nothing to see here.", "Ford denied it."):
        facets = claim_facets(sentence)
        assert tuple(facets) == FACET_KEYS
        json.dumps(facets)


def test_tariff_percentages() -> None:
    facets = claim_facets(
        "Additionally, the US has imposed a 100% tariff on Chinese electric vehicles, "
        "temporarily increased to 145% under Trump."
    )
    assert facets["numbers"] == [
        {"text": "100%", "value": 100.0, "unit": "%"},
        {"text": "145%", "value": 145.0, "unit": "%"},
    ]
    assert facets["people"] == ["Donald Trump"]


def test_percent_word_normalises_to_the_same_number_as_the_sign() -> None:
    words = claim_facets("current US tariffs of 100 percent on Chinese-built vehicles.")["numbers"]
    sign = claim_facets("a 100% tariff on Chinese electric vehicles.")["numbers"]
    assert [(n["value"], n["unit"]) for n in words] == [(n["value"], n["unit"]) for n in sign] == [(100.0, "%")]
    assert words[0]["text"] == "100 percent"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "a mid-size pickup truck with a target price of around $30,000.",
            [{"text": "$30,000", "value": 30000.0, "unit": "USD"}],
        ),
        (
            (
                "China controls over 80 percent of global lithium-ion battery production capacity, "
                "with CATL accounting for one-third of the market share."
            ),
            [
                {"text": "80 percent", "value": 80.0, "unit": "%"},
                {"text": "one-third", "value": 0.3333, "unit": "fraction"},
            ],
        ),
        (
            "The article, citing four sources, also said that Ford allegedly held similar talks.",
            [{"text": "four sources", "value": 4.0, "unit": ""}],
        ),
        (
            "The Financial Times article, citing four anonymous sources, claimed Ford had talks.",
            [{"text": "four anonymous sources", "value": 4.0, "unit": ""}],
        ),
        ("The deal is worth $1.5 billion.", [{"text": "$1.5 billion", "value": 1.5e9, "unit": "USD"}]),
        ("Output rose 2.5 percentage points.", [{"text": "2.5 percentage points", "value": 2.5, "unit": "pp"}]),
        ("It sold 12,000 cars.", [{"text": "12,000", "value": 12000.0, "unit": ""}]),
    ],
)
def test_numbers(sentence: str, expected: list[dict]) -> None:
    assert claim_facets(sentence)["numbers"] == expected


def test_model_names_years_and_one_of_are_not_numbers() -> None:
    facets = claim_facets("In 2024, he imported an SU7 and not the F-150, one of the cars eligible for 45X credits.")
    assert facets["numbers"] == []
    assert facets["dates"] == [{"text": "2024", "year": 2024, "month": None, "day": None, "relative": False}]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Ford and Xiaomi denied the publication by the Financial Times from January 31, which claimed it.",
            [{"text": "January 31", "year": None, "month": 1, "day": 31, "relative": False}],
        ),
        (
            "after Donald Trump's return to the White House in January 2025.",
            [{"text": "January 2025", "year": 2025, "month": 1, "day": None, "relative": False}],
        ),
        (
            "It happened on 3 March 2021.",
            [{"text": "3 March 2021", "year": 2021, "month": 3, "day": 3, "relative": False}],
        ),
        (
            "and last year he warned that Chinese manufacturers pose a threat.",
            [{"text": "last year", "year": None, "month": None, "day": None, "relative": True}],
        ),
        (
            "This calculus may change, but not before the November election.",
            [{"text": "November", "year": None, "month": 11, "day": None, "relative": False}],
        ),
        ("This calculus may change.", []),
        ("May said it would not happen.", []),
    ],
)
def test_dates(sentence: str, expected: list[dict]) -> None:
    assert claim_facets(sentence)["dates"] == expected


@pytest.mark.parametrize(
    ("sentence", "people"),
    [
        (
            (
                "John Mullenaar, the Republican chairman of the House China Committee, said that Ford would "
                "thereby \u201cturn his back on American and allied partners\u201d."
            ),
            ["John Mullenaar"],
        ),
        (
            (
                "Rep. John Moolenaar (R-Mich.), chair of the House Select Committee on the Chinese Communist "
                'Party, preemptively criticized the notion, warning it would "deepen U.S. dependence" on China.'
            ),
            ["John Moolenaar"],
        ),
        (
            "with some lawmakers, like Republican Representative John Moolenaar, warning against it.",
            ["John Moolenaar"],
        ),
        ("Despite the denial, Ford Motor CEO Jim Farley has openly spoken about it.", ["Jim Farley"]),
        (
            "Ford's Director of Public Relations, Mark Truby stated on social media X that this story is false.",
            ["Mark Truby"],
        ),
        (
            "Demetri Sevastopulo, US-China correspondent for the Financial Times, said Ford has held talks.",
            ["Demetri Sevastopulo"],
        ),
        (
            (
                "Former President Joe Biden\u2019s administration effectively closed the US market in 2024, "
                "and Donald Trump has maintained those measures."
            ),
            ["Joe Biden", "Donald Trump"],
        ),
        ("Even former President Donald Trump has offered a surprising perspective.", ["Donald Trump"]),
        ('Dr. Li Wei, Professor of International Business at Pacific Rim University: "It is clear."', ["Li Wei"]),
        ("This followed public praise from Ford CEO Jim Farley for Chinese EV technology.", ["Jim Farley"]),
        ("German Chancellor Olaf Scholz met Chinese Premier Li Qiang in Berlin.", ["Olaf Scholz", "Li Qiang"]),
        ('"We are confident," said Tesla spokeswoman Jane O\'Connor.', ["Jane O'Connor"]),
    ],
)
def test_people_with_titles_stripped(sentence: str, people: list[str]) -> None:
    assert claim_facets(sentence)["people"] == people


@pytest.mark.parametrize(
    ("sentence", "organisations"),
    [
        (
            "American automaker Ford recently held talks with Chinese electric vehicle maker Xiaomi.",
            ["Ford", "Xiaomi"],
        ),
        ("Ford has also reportedly talked to BYD and other Chinese manufacturers.", ["Ford", "BYD"]),
        (
            (
                "The Pentagon has previously raised concerns over Ford's existing licensing agreement with "
                "Chinese battery giant CATL."
            ),
            ["Pentagon", "Ford", "CATL"],
        ),
        (
            "The speculation, first reported by the Financial Times, suggested that Ford was in discussions.",
            ["Financial Times", "Ford"],
        ),
        (
            "John Mullenaar, the Republican chairman of the House China Committee, said so.",
            ["House China Committee"],
        ),
        (
            "The International Energy Agency reports that China controls over 80 percent of capacity.",
            ["International Energy Agency"],
        ),
        ("FT claimed that the talks were preliminary.", ["FT"]),
        (
            (
                "The Pentagon has designated Contemporary Amperex Technology Co., Limited (CATL) as a Chinese "
                "military company."
            ),
            ["Pentagon", "Contemporary Amperex Technology Co., Limited", "CATL"],
        ),
        (
            "Ford Motor Co. (NYSE:F) and China's consumer electronics powerhouse Xiaomi have issued denials.",
            ["Ford Motor Co.", "Xiaomi"],
        ),
        (
            (
                "The automaker is in discussions with General Motors (NYSE:GM) about the bankrupt supplier "
                "First Brands Group."
            ),
            ["General Motors", "First Brands Group"],
        ),
        ("In 2024, the Commerce Department banned connected vehicles.", ["Commerce Department"]),
        ("Mary Barra, CEO of General Motors, disagreed.", ["General Motors"]),
        ("Tesla Inc. said deliveries fell 13% in the first quarter.", ["Tesla Inc."]),
    ],
)
def test_organisations(sentence: str, organisations: list[str]) -> None:
    assert claim_facets(sentence)["organisations"] == organisations


def test_demonyms_parties_and_places_are_not_people_or_organisations() -> None:
    facets = claim_facets(
        "A possible deal would be extremely controversial in Washington, where Republican and "
        "American lawmakers distrust Chinese firms and Western rivals."
    )
    assert facets["people"] == []
    assert facets["organisations"] == []
    assert facets["places"] == ["Washington"]


def test_places() -> None:
    facets = claim_facets(
        "His previous reporting assignments included Tokyo, Hong Kong, Beijing, and Dublin, "
        "focusing on Asia-Pacific geopolitics."
    )
    assert facets["places"] == ["Tokyo", "Hong Kong", "Beijing", "Dublin", "Asia-Pacific"]
    assert facets["organisations"] == []


def test_all_caps_furniture_has_no_acronym_organisations() -> None:
    assert claim_facets("ORGANIZATIONS IN THIS STORY")["organisations"] == []


def test_quote_with_trailing_attribution_to_an_organisation() -> None:
    facets = claim_facets("\u201cThis story is completely false,\u201d Ford stated unequivocally.")
    assert facets["quotes"] == [{"text": "This story is completely false.", "speaker": "Ford"}]


def test_quote_credited_to_a_spokesperson_names_the_company() -> None:
    facets = claim_facets('"This story is completely false. There is no truth to it," a Ford spokesperson told the FT.')
    assert facets["quotes"] == [{"text": "This story is completely false. There is no truth to it.", "speaker": "Ford"}]


def test_quote_with_said_after_it() -> None:
    facets = claim_facets(
        '"Ford has held talks with China\'s Xiaomi about forming a JV to build electric cars in the US," '
        "said Sevastopulo."
    )
    assert facets["quotes"][0]["speaker"] == "Sevastopulo"
    assert facets["people"] == ["Sevastopulo"]


def test_partial_quote_credited_to_the_subject_of_the_speech_verb() -> None:
    facets = claim_facets(
        "John Mullenaar, the Republican chairman of the House China Committee, said that Ford would "
        "thereby \u201cturn his back on American and allied partners\u201d and increase dependence."
    )
    assert facets["quotes"] == [{"text": "turn his back on American and allied partners", "speaker": "John Mullenaar"}]


def test_quote_introduced_by_name_and_colon() -> None:
    facets = claim_facets(
        'Michael Chen, Auto Analyst at Stratton Research: "The denial was expected given the political climate.'
    )
    assert facets["people"] == ["Michael Chen"]
    assert facets["organisations"] == ["Stratton Research"]
    assert facets["quotes"] == [
        {"text": "The denial was expected given the political climate.", "speaker": "Michael Chen"}
    ]


def test_quote_speaker_is_null_when_unclear() -> None:
    facets = claim_facets("The so-called \u201cdomino effect\u201d was discussed.")
    assert facets["quotes"] == [{"text": "domino effect", "speaker": None}]


def test_single_scare_quoted_word_is_not_a_quote() -> None:
    assert claim_facets("He called it a \u201cbetrayal\u201d.")["quotes"] == []


def test_sentence_inside_an_earlier_quotation_inherits_its_speaker() -> None:
    facets = claim_facets(
        'The market hates uncertainty, and this story is full of it."',
        starts_in_quote=True,
        quote_speaker="Sarah Jenkins",
    )
    assert facets["quotes"] == [
        {"text": "The market hates uncertainty, and this story is full of it.", "speaker": "Sarah Jenkins"}
    ]


def test_context_resolves_a_bare_surname_to_the_full_name() -> None:
    context = EntityContext()
    context.learn(claim_facets("The story gains weight due to the attitude of Ford CEO Jim Farley."))
    facets = claim_facets("Farley even imported the Xiaomi SU7 model for personal use.", context=context)
    assert facets["people"] == ["Jim Farley"]
    assert facets["organisations"] == ["Xiaomi"]


def test_without_context_a_sentence_initial_surname_is_not_guessed() -> None:
    facets = claim_facets("Farley even imported the Xiaomi SU7 model for personal use.")
    assert facets["people"] == []
