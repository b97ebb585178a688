"""extract_claims on the seed articles and on small texts."""

from __future__ import annotations

import dataclasses
import json

import pytest

from factcheck.extraction import DEFAULT_THRESHOLD, ExtractedClaim, extract_claims, pipeline

from .conftest import read_seed, seed_names

# Lines that are headings or page furniture in each seed; none may become a claim.
FURNITURE = {
    "000_1d607d15b9b927fc.txt": ["Political pressures and security dilemmas"],
    "001_058170031afd2562.txt": [
        "Xiaomi and Ford Deny Joint EV Venture Amid U.S. Political Scrutiny",
        "2",
        "The Initial Report and Rapid Rebuttals",
        "Why This Matters: Geopolitics and EV Dominance",
        "Trump\u2019s Unexpected Position",
        "The Bigger Picture",
    ],
    "002_61b8991cae34652a.txt": [
        "Ford and Xiaomi denied rumors of talks about electric car production in the US",
        "What is known",
        "Source: Automotive World",
    ],
    "003_c7bb298adfafa8a6.txt": [
        "Ford and Xiaomi Deny Joint Venture Talks Amid CEO's Mixed Signals on Chinese EV Rivals",
        "Market Voices",
        "Photo courtesy: Shutterstock",
    ],
    "004_6ca7fd36ef1083aa.txt": [
        "FT correspondent: Ford \u2018held talks with China\u2019s Xiaomi' on US electric vehicle joint venture",
        "Webp  36",
        "Jim Farley, CEO, Ford | Instagram",
        "ORGANIZATIONS IN THIS STORY",
    ],
}

# The factual core of the story, by article: (topic, a phrase from the sentence).
KEY_SENTENCES = [
    ("000_1d607d15b9b927fc.txt", "talks report", "recently held talks with Chinese electric vehicle maker Xiaomi"),
    ("000_1d607d15b9b927fc.txt", "denial", "Ford, however, denied the allegations"),
    ("000_1d607d15b9b927fc.txt", "Moolenaar warning", "John Mullenaar, the Republican chairman"),
    ("000_1d607d15b9b927fc.txt", "SU7 import", "Farley even imported the Xiaomi SU7"),
    ("000_1d607d15b9b927fc.txt", "tariffs", "by imposing 100 percent tariffs"),
    ("001_058170031afd2562.txt", "talks report", "first reported by the Financial Times"),
    ("001_058170031afd2562.txt", "denial", "This story is completely false,\u201d Ford stated"),
    ("001_058170031afd2562.txt", "Xiaomi denial", "Xiaomi added that it has \u201cno plans\u201d"),
    ("001_058170031afd2562.txt", "Moolenaar warning", "like Republican Representative John Moolenaar"),
    ("002_61b8991cae34652a.txt", "denial", "Ford and Xiaomi denied the publication by the Financial Times"),
    ("002_61b8991cae34652a.txt", "talks report", "Ford allegedly held similar talks with BYD"),
    ("002_61b8991cae34652a.txt", "Truby denial", "Mark Truby stated on social media X"),
    ("002_61b8991cae34652a.txt", "tariffs", "the US has imposed a 100% tariff"),
    ("002_61b8991cae34652a.txt", "SU7 import", "he imported an SU7 to the US"),
    ("002_61b8991cae34652a.txt", "pickup price", "target price of around $30,000"),
    ("003_c7bb298adfafa8a6.txt", "denials", "have issued formal denials following a report"),
    ("003_c7bb298adfafa8a6.txt", "denial quote", "a Ford spokesperson told the FT"),
    ("003_c7bb298adfafa8a6.txt", "Moolenaar warning", "Rep. John Moolenaar (R-Mich.)"),
    ("003_c7bb298adfafa8a6.txt", "SU7 import", "Farley has personally imported a Xiaomi SU7"),
    ("003_c7bb298adfafa8a6.txt", "CATL concern", "The Pentagon has previously raised concerns"),
    ("004_6ca7fd36ef1083aa.txt", "talks report", "Demetri Sevastopulo, US-China correspondent"),
    ("004_6ca7fd36ef1083aa.txt", "tariffs", "current US tariffs of 100 percent"),
    ("004_6ca7fd36ef1083aa.txt", "CATL designation", "The Pentagon has designated Contemporary Amperex"),
    ("004_6ca7fd36ef1083aa.txt", "IEA figure", "The International Energy Agency reports"),
    ("004_6ca7fd36ef1083aa.txt", "Commerce ban", "the Commerce Department banned connected vehicles"),
]
# Key sentences the shipped check-worthiness scorer is known to miss. Each one is a trade made on purpose and
# named in BENCHMARKS.md; the fact must still reach reviewers through another outlet's sentence (tested below).
SCORER_MISSES: set[tuple[str, str]] = {
    # "Any collaboration would likely face fierce opposition ... like Republican Representative John Moolenaar,
    # warning against ...": a prediction wrapped around the warning; the 3-layer model scores it 0.18 (the 4-layer
    # teacher 0.27). The same warning is a claim in 000 ("John Mullenaar, the Republican chairman") and 003.
    ("001_058170031afd2562.txt", "Moolenaar warning"),
}


def test_every_missed_key_fact_is_found_in_another_outlet(seed_claims) -> None:
    if not seed_names():
        pytest.skip("the seed articles are not beside the repository")
    for name, topic in SCORER_MISSES:
        others = [(n, phrase) for n, t, phrase in KEY_SENTENCES if t == topic and n != name]
        assert others, topic
        for other, phrase in others:
            _text, claims = seed_claims[other]
            assert any(phrase in c.text for c in claims), (topic, other)


def _key_params():
    for name, topic, phrase in KEY_SENTENCES:
        marks = []
        if (name, topic) in SCORER_MISSES:
            marks.append(pytest.mark.xfail(reason="scored below threshold by the current model", strict=False))
        yield pytest.param(name, phrase, id=f"{name[:3]}-{topic}", marks=marks)


@pytest.fixture(scope="module")
def seed_claims() -> dict[str, tuple[str, list[ExtractedClaim]]]:
    out = {}
    for name in seed_names() or FURNITURE:
        text = read_seed(name)
        out[name] = (text, extract_claims(text))
    return out


@pytest.mark.parametrize("name", sorted(FURNITURE))
def test_seed_furniture_is_never_a_claim(seed_claims, name: str) -> None:
    text, _claims = seed_claims[name]
    everything = extract_claims(text, threshold=0.0)  # even with no threshold at all
    for line in FURNITURE[name]:
        assert line in text
        assert not [c for c in everything if line in c.text or c.text in line], line


@pytest.mark.parametrize(("name", "phrase"), list(_key_params()))
def test_seed_key_sentence_is_a_claim(seed_claims, name: str, phrase: str) -> None:
    text, claims = seed_claims[name]
    assert phrase in text
    assert any(phrase in c.text for c in claims), phrase


@pytest.mark.parametrize("name", sorted(FURNITURE))
def test_seed_claims_are_exact_ordered_and_serialisable(seed_claims, name: str) -> None:
    text, claims = seed_claims[name]
    assert claims
    end = 0
    for claim in claims:
        assert text[claim.start : claim.end] == claim.text == claim.text.strip()
        assert claim.start >= end
        end = claim.end
        assert claim.score >= DEFAULT_THRESHOLD
        json.dumps(claim.facets)


def test_quote_with_attribution_is_one_claim_with_its_speaker(seed_claims) -> None:
    _, claims = seed_claims["003_c7bb298adfafa8a6.txt"]
    claim = next(c for c in claims if "a Ford spokesperson told the FT" in c.text)
    assert claim.text.startswith('"This story is completely false. There is no truth to it,"')
    assert {"quote", "attribution"} <= set(claim.kinds)
    assert claim.facets["quotes"] == [
        {"text": "This story is completely false. There is no truth to it.", "speaker": "Ford"}
    ]


def test_seed_tariff_claim_facets(seed_claims) -> None:
    _, claims = seed_claims["002_61b8991cae34652a.txt"]
    claim = next(c for c in claims if "100% tariff" in c.text)
    assert claim.text == (
        "Additionally, the US has imposed a 100% tariff on Chinese electric vehicles, "
        "temporarily increased to 145% under Trump."
    )
    assert [(n["value"], n["unit"]) for n in claim.facets["numbers"]] == [(100.0, "%"), (145.0, "%")]
    assert {"quantity", "rule"} <= set(claim.kinds)


def test_surname_resolves_to_the_full_name_from_earlier_in_the_article(seed_claims) -> None:
    _, claims = seed_claims["000_1d607d15b9b927fc.txt"]
    claim = next(c for c in claims if c.text.startswith("Farley even imported"))
    assert claim.facets["people"][0] == "Jim Farley"
    assert "Farley" not in claim.facets["people"]


def test_sentences_inside_a_long_quotation_credit_its_speaker() -> None:
    text = (
        'Sarah Jenkins, Portfolio Manager at Horizon Capital: "This episode highlights the tension for '
        'legacy automakers. Ford imported 300 cars from China in 2024. The market hates uncertainty."'
    )
    claims = extract_claims(text, threshold=0.0)
    inner = next(c for c in claims if c.text.startswith("Ford imported"))
    assert inner.facets["quotes"] == [
        {"text": "Ford imported 300 cars from China in 2024.", "speaker": "Sarah Jenkins"}
    ]
    assert "quote" in inner.kinds


def test_headings_are_never_claims() -> None:
    text = "Ford denied the report on Friday, the company said.\nXiaomi declined to comment on the talks."
    second = text.index("Xiaomi")
    assert len(extract_claims(text, threshold=0.0)) == 2
    claims = extract_claims(text, headings=[(second, second + 6)], threshold=0.0)
    assert [c.text for c in claims] == ["Ford denied the report on Friday, the company said."]


def test_threshold_filters_by_score() -> None:
    text = read_seed("004_6ca7fd36ef1083aa.txt")
    everything = extract_claims(text, threshold=0.0)
    strict = extract_claims(text, threshold=0.9)
    assert len(strict) < len(everything)
    assert all(c.score >= 0.9 for c in strict)
    assert {c.start for c in strict} <= {c.start for c in everything}


def test_pure_opinion_scores_are_lowered(monkeypatch) -> None:
    monkeypatch.setattr(pipeline, "score_sentences", lambda sentences: [0.8] * len(sentences))
    text = "This is outrageous. Ford imported 300 cars in 2024."
    claims = extract_claims(text, threshold=0.0)
    assert [(c.text, c.score) for c in claims] == [
        ("This is outrageous.", pytest.approx(0.8 * pipeline.OPINION_FACTOR)),
        ("Ford imported 300 cars in 2024.", pytest.approx(0.8)),
    ]
    assert "opinion" in claims[0].kinds
    # An opinion pushed under the threshold is dropped.
    assert [c.text for c in extract_claims(text, threshold=0.5)] == ["Ford imported 300 cars in 2024."]


def test_claim_is_frozen() -> None:
    claim = extract_claims("Ford imported 300 cars from China in 2024.", threshold=0.0)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        claim.score = 1.0  # type: ignore[misc]


def test_empty_and_furniture_only_texts_have_no_claims() -> None:
    assert extract_claims("") == []
    assert extract_claims("   \n\n\t") == []
    assert extract_claims("Market Voices\n\n2\n\nPhoto courtesy: Shutterstock", threshold=0.0) == []


def test_rejects_non_text() -> None:
    with pytest.raises(TypeError):
        extract_claims(b"Ford denied it.")  # type: ignore[arg-type]


def _people_by_sentence(text: str) -> dict[str, list[str]]:
    return {c.text: c.facets["people"] for c in extract_claims(text, threshold=0.0)}


@pytest.mark.xfail(
    strict=True,
    reason="en_core_web_sm labels Xiaomi a person in the sentence before, so two people were named and 'he' stays open",
)
def test_he_in_the_seed_after_one_named_person_is_that_person(seed_claims) -> None:
    _text, claims = seed_claims["002_61b8991cae34652a.txt"]
    (su7,) = [c for c in claims if c.text.startswith("In 2024, he mentioned that he imported an SU7")]
    assert su7.facets["people"] == ["Jim Farley"]


def test_he_or_she_after_one_named_person_is_that_person() -> None:
    people = _people_by_sentence(
        "Judge Maria Lopez sentenced the defendant to 12 years in prison on Tuesday. "
        "She said the crime had shattered a family. The defence will appeal."
    )
    assert people["She said the crime had shattered a family."] == ["Maria Lopez"]
    people = _people_by_sentence(
        "Ford CEO Jim Farley praised the Xiaomi SU7. Later, he imported one for personal use. "
        "Farley also met Lei Jun in Beijing."
    )
    assert people["Later, he imported one for personal use."] == ["Jim Farley"]


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        # Two people named just before: "he" could be either.
        ("Jim Farley met Lei Jun in Beijing in 2024. He said the talks went well.", "He said the talks went well."),
        # Too far back: two sentences name nobody in between.
        ("Jim Farley visited Shanghai in 2024. The trip lasted a week. Sales fell 5% that year. He flew home.",
         "He flew home."),
        # Inside a quotation "he" is the speaker's to resolve, not ours.
        ('Jim Farley spoke in Detroit in 2024. "He will never sell cars here," the analyst said.',
         '"He will never sell cars here," the analyst said.'),
        # Nobody named before at all.
        ("He imported 300 cars in 2024.", "He imported 300 cars in 2024."),
        # Two people named in a courtroom sentence: "she" could be either.
        ("Prosecutor Ann Smith and defence lawyer Tom Baker clashed in court on Monday. She asked for 10 years.",
         "She asked for 10 years."),
    ],
)
def test_he_is_left_unresolved_when_unsure(text: str, sentence: str) -> None:
    people = _people_by_sentence(text)
    assert sentence in people
    assert people[sentence] == []
