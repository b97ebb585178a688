import pytest

from factcheck.matching import content_tokens, normalise_for_match
from factcheck.matching.text import predicates, stem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The U.S. imposed a 100 percent tariff.", "the us imposed a 100% tariff"),
        ("the United States imposed a 100% tariff", "the us imposed a 100% tariff"),
        ("tariffs of 100 per cent on imports", "tariffs of 100% on imports"),
        ("“This story is completely false,” Ford stated.", "this story is completely false ford stated"),
        ("a target price of around $30,000", "a target price of around 30000 usd"),
        ("Ford’s CEO didn't comment", "ford ceo did not comment"),
        ("U.S.-China relations", "us china relations"),
        ("2.5% growth", "2.5% growth"),
    ],
)
def test_normalise_for_match_unifies_spelling_variants(text, expected):
    assert normalise_for_match(text) == expected


def test_normalise_strips_accents_and_case():
    assert normalise_for_match("MÜLLER Said") == "muller said"


@pytest.mark.parametrize(
    "group",
    [
        ["negotiations", "negotiating", "negotiated", "negotiate"],
        ["denied", "denial", "denies", "deny"],
        ["tariffs", "tariff"],
        ["discussions", "discussed", "discuss"],
        ["partnership", "partners", "partner"],
        ["completely", "complete"],
        ["imported", "imports", "importing"],
    ],
)
def test_stem_brings_inflections_together(group):
    assert len({stem(w) for w in group}) == 1, {w: stem(w) for w in group}


def test_content_tokens_drop_stopwords_and_stem():
    assert content_tokens("Ford denied the negotiations.") == frozenset({"ford", "deny", "negotiat"})
    assert content_tokens("the of and a") == frozenset()


def test_content_tokens_keep_numbers():
    assert "100%" in content_tokens("a 100 percent tariff")


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("There is no truth to it.", "deny"),
        ("BYD declined to comment.", "no_comment"),
        ("BYD said: no comment.", "no_comment"),
        ("BYD could not be reached.", "no_comment"),
    ],
)
def test_predicate_phrases_are_found_without_their_words(text, group):
    # No stems given: the group comes from the phrase scan alone (which a text without a phrase's first word skips).
    assert group in predicates(normalise_for_match(text), frozenset())
