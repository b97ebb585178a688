"""Offset invariants for any input: every span points at exactly its text."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck.extraction import claim_facets, extract_claims, split_sentences
from factcheck.extraction.facets import FACET_KEYS
from factcheck.extraction.segment import segment

# Pieces of news text that exercise the splitter's special cases, mixed with noise.
_FRAGMENTS = [
    "Ford denied it.", "Rep. John Moolenaar (R-Mich.) warned", "the U.S. market", "U.S.", "Co.",
    "Inc.", "Dr.", "Jan. 31", "No. 1", "St.", "J. Smith", "(NYSE:F)", "2.5", "$30,000", "100%",
    "\u201cThis story is completely false,\u201d", "\u201c", "\u201d", "\u2018", "\u2019", '"', "'",
    "\u2014", "...", "?", "!", ".", ",", ":", " ", "  ", "\n", "\n\n", "\r\n", "\t", "\u2028",
    "\u00a0", "\u200b", "Xiaomi", "said", "he said.", "ORGANIZATIONS IN THIS STORY", "Webp  36",
    "2", "one-third", "last year", "CATL", "\U0001f697", "\u0645\u0631\u062d\u0628\u0627", "\u4e2d\u56fd",
    "e\u0301", "\ufeff", "x" * 300,
]  # fmt: skip
news_text = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(_FRAGMENTS), max_size=60).map("".join),
    st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=8)), max_size=40).map(" ".join),
    st.builds(lambda n, s: s * n, st.integers(1, 80), st.sampled_from(["\n", " ", ".", ". ", "\u201c", "a"])),
)
_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_spans(text: str, spans: list[tuple[int, int]]) -> None:
    previous_end = 0
    for start, end in spans:
        assert 0 <= start < end <= len(text)
        assert start >= previous_end, "spans overlap or are out of order"
        piece = text[start:end]
        assert piece == piece.strip(), "spans are trimmed"
        previous_end = end


@_SETTINGS
@given(news_text)
def test_split_sentences_spans_are_exact(text: str) -> None:
    _check_spans(text, split_sentences(text))


@_SETTINGS
@given(news_text)
def test_segments_cover_all_non_space_text(text: str) -> None:
    covered = [False] * len(text)
    for seg in segment(text):
        for i in range(seg.start, seg.end):
            covered[i] = True
    assert all(covered[i] or ch.isspace() for i, ch in enumerate(text))


@_SETTINGS
@given(news_text, st.sampled_from([0.0, None, 0.5]))
def test_claims_point_at_their_text(text: str, threshold: float | None) -> None:
    claims = extract_claims(text, threshold=threshold)
    _check_spans(text, [(c.start, c.end) for c in claims])
    for claim in claims:
        assert text[claim.start : claim.end] == claim.text
        assert 0.0 <= claim.score <= 1.0
        if threshold is not None:
            assert claim.score >= threshold
        assert tuple(claim.facets) == FACET_KEYS
        json.dumps(claim.facets)


@_SETTINGS
@given(news_text, st.lists(st.tuples(st.integers(0, 500), st.integers(0, 500)), max_size=5))
def test_claims_never_touch_heading_spans(text: str, spans: list[tuple[int, int]]) -> None:
    headings = [(min(a, b), max(a, b)) for a, b in spans]
    for claim in extract_claims(text, headings=headings, threshold=0.0):
        assert not any(a < claim.end and claim.start < b for a, b in headings if b > a)


@_SETTINGS
@given(st.text(max_size=300))
def test_facets_schema_for_any_sentence(sentence: str) -> None:
    facets = claim_facets(sentence)
    assert tuple(facets) == FACET_KEYS
    json.dumps(facets)
    for number in facets["numbers"]:
        assert set(number) == {"text", "value", "unit"}
        assert number["text"] in sentence
    for date in facets["dates"]:
        assert set(date) == {"text", "year", "month", "day", "relative"}
    for quote in facets["quotes"]:
        assert set(quote) == {"text", "speaker"}


def test_extremely_long_line_and_many_newlines() -> None:
    text = "word " * 100_000 + "\n" * 10_000 + "Ford denied it." + "\n" * 10_000
    spans = split_sentences(text)
    _check_spans(text, spans)
    assert text[spans[-1][0] : spans[-1][1]] == "Ford denied it."
    for claim in extract_claims(text, threshold=0.0):
        assert text[claim.start : claim.end] == claim.text
