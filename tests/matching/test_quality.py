"""What the learned same-fact decision gets right and wrong, on sentences from outside the seed story.

Claims here are built as extraction builds them (facets from the named-entity model, vectors from the shipped
encoder), so these tests exercise the shipped artifacts end to end.
"""

from __future__ import annotations

import pytest

from factcheck.extraction.facets import facets_of_sentences
from factcheck.matching import SAME_CLAIM_THRESHOLD, ClaimInfo, cluster, similarity
from factcheck.matching.encoder import encode


def _claims(*texts: str) -> list[ClaimInfo]:
    """One claim per text, each from its own article (as different outlets)."""
    vectors = encode(list(texts))
    facets = [facets_of_sentences([t])[0] for t in texts]
    return [ClaimInfo(n + 1, n + 1, t, f, embedding=v) for n, (t, f, v) in enumerate(zip(texts, facets, vectors))]


def test_the_same_words_about_someone_else_are_another_fact():
    ford, xiaomi = _claims(
        "Ford denied the Financial Times report.", "Xiaomi denied the Financial Times report."
    )
    assert similarity(ford, xiaomi) < SAME_CLAIM_THRESHOLD


def test_unrelated_claims_about_one_person_stay_apart():
    voted, born, met = _claims(
        "Senator Mark Warner voted against the spending bill on Tuesday.",
        "Mark Warner was born in Indianapolis in 1954.",
        "Warner met the Ukrainian ambassador in Washington last week.",
    )
    assert similarity(voted, born) < SAME_CLAIM_THRESHOLD
    assert similarity(voted, met) < SAME_CLAIM_THRESHOLD
    assert cluster([voted, born, met]) == [[1], [2], [3]]


def test_one_fact_reported_in_other_words_matches():
    quake = _claims("The earthquake killed hundreds of people.", "Hundreds died in the quake.")
    recall = _claims("The carmaker recalled two million vehicles.", "The automaker is calling back 2 million cars.")
    for a, b in (quake, recall):
        assert similarity(a, b) >= SAME_CLAIM_THRESHOLD, (a.text, b.text)


@pytest.mark.xfail(
    strict=True,
    reason="a paraphrase sharing no content word scores a cosine of 0.55-0.7 with the shipped encoder, where "
    "different facts of one story also score; the decision keeps them apart rather than risk a wrong match",
)
def test_paraphrases_with_no_shared_words_match():
    a, b = _claims("The minister resigned on Friday.", "The cabinet member quit at the end of the week.")
    assert not (a.profile.tokens & b.profile.tokens)
    assert similarity(a, b) >= SAME_CLAIM_THRESHOLD


def test_a_different_figure_for_one_fact_still_matches_so_the_conflict_shows():
    a, b = _claims(
        "Norvex denied that it held talks with Kelmont about a stake of 30 percent.",
        "Norvex denied that it held talks with Kelmont about a stake of 60 percent.",
    )
    assert similarity(a, b) >= SAME_CLAIM_THRESHOLD
