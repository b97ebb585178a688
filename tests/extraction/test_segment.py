"""Sentence segmentation on news text."""

from __future__ import annotations

import pytest

from factcheck.extraction import split_sentences
from factcheck.extraction.segment import MAX_SENTENCE_CHARS, is_furniture_line, segment


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Rep. John Moolenaar (R-Mich.), chair of the committee, warned. He left.",
            ["Rep. John Moolenaar (R-Mich.), chair of the committee, warned.", "He left."],
            id="title-and-state-abbreviation",
        ),
        pytest.param(
            "Xiaomi has no plans in the U.S. market. Ford denied it.",
            ["Xiaomi has no plans in the U.S. market.", "Ford denied it."],
            id="acronym-mid-sentence",
        ),
        pytest.param(
            "Xiaomi has no operations in the U.S. The company said so.",
            ["Xiaomi has no operations in the U.S.", "The company said so."],
            id="acronym-ends-sentence",
        ),
        pytest.param(
            "Ford Motor Co. (NYSE:F) and Apple Inc. denied it. Both shares fell.",
            ["Ford Motor Co. (NYSE:F) and Apple Inc. denied it.", "Both shares fell."],
            id="company-suffix-and-ticker",
        ),
        pytest.param(
            "He works for Acme Inc. The firm denied it.",
            ["He works for Acme Inc.", "The firm denied it."],
            id="company-suffix-ends-sentence",
        ),
        pytest.param(
            "Dr. Li Wei spoke on Jan. 31 at No. 10 St. James Street. She left.",
            ["Dr. Li Wei spoke on Jan. 31 at No. 10 St. James Street.", "She left."],
            id="dr-jan-no-st",
        ),
        pytest.param(
            "The memo was signed by J. Smith and T. R. Jones. It leaked.",
            ["The memo was signed by J. Smith and T. R. Jones.", "It leaked."],
            id="initials",
        ),
        pytest.param(
            "He posted the video on X. Then he deleted it.",
            ["He posted the video on X.", "Then he deleted it."],
            id="single-letter-ends-sentence",
        ),
        pytest.param(
            "Prices rose 2.5 percent to $30,000.50 in 2024. Sales fell.",
            ["Prices rose 2.5 percent to $30,000.50 in 2024.", "Sales fell."],
            id="decimals",
        ),
        pytest.param(
            "The pickup is based on it\u2014a mid-size truck. It costs $30,000.",
            ["The pickup is based on it\u2014a mid-size truck.", "It costs $30,000."],
            id="em-dash",
        ),
        pytest.param(
            "Is it true? Nobody knows! Wait... What happened?",
            ["Is it true?", "Nobody knows!", "Wait...", "What happened?"],
            id="question-exclamation-ellipsis",
        ),
        pytest.param(
            "Sales grew (by 5%.) Then they fell.",
            ["Sales grew (by 5%.)", "Then they fell."],
            id="closing-bracket",
        ),
    ],
)
def test_news_abbreviations_and_punctuation(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_quotation_with_trailing_attribution_stays_one_unit() -> None:
    text = (
        '"This story is completely false. There is no truth to it," a Ford spokesperson '
        "told the FT. Xiaomi echoed the denial."
    )
    assert sentences(text) == [
        '"This story is completely false. There is no truth to it," a Ford spokesperson told the FT.',
        "Xiaomi echoed the denial.",
    ]


def test_curly_quotation_with_trailing_attribution_stays_one_unit() -> None:
    text = "\u201cFirst point. Second point,\u201d he said. Then he left."
    assert sentences(text) == [
        "\u201cFirst point. Second point,\u201d he said.",
        "Then he left.",
    ]


def test_question_inside_quotation_followed_by_attribution() -> None:
    assert sentences('"Is it true? Nobody knows," he asked. Then he left.') == [
        '"Is it true? Nobody knows," he asked.',
        "Then he left.",
    ]


def test_long_quotation_is_split_and_remembers_where_it_opened() -> None:
    text = 'Chen said: "The denial was expected. Ford is in a bind." Later he left.'
    segs = segment(text)
    assert [text[s.start : s.end] for s in segs] == [
        'Chen said: "The denial was expected.',
        'Ford is in a bind."',
        "Later he left.",
    ]
    assert segs[0].quote_open is None
    assert segs[1].quote_open == text.index('"')
    assert segs[2].quote_open is None


def test_curly_single_quotes_and_apostrophes_do_not_split() -> None:
    text = "Ford \u2018held talks with China\u2019s Xiaomi\u2019 on a venture. It denied it."
    assert sentences(text) == [
        "Ford \u2018held talks with China\u2019s Xiaomi\u2019 on a venture.",
        "It denied it.",
    ]


def test_newlines_always_end_a_sentence() -> None:
    text = "Ford and Xiaomi denied rumors\nThe report said\r\nthat talks were held.\n\n\nIt ended"
    assert sentences(text) == [
        "Ford and Xiaomi denied rumors",
        "The report said",
        "that talks were held.",
        "It ended",
    ]


def test_spans_are_trimmed() -> None:
    text = "   \t Ford denied it.   Xiaomi agreed.  \n\n  "
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["Ford denied it.", "Xiaomi agreed."]


def test_empty_and_blank_text() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\t\u2028 \u00a0") == []


def test_very_long_unpunctuated_line_is_cut_at_whitespace() -> None:
    text = " ".join(["word"] * 2000)
    spans = split_sentences(text)
    assert len(spans) > 1
    assert all(e - s <= MAX_SENTENCE_CHARS for s, e in spans)
    assert all(not text[s:e].startswith(" ") and text[s:e].endswith("word") for s, e in spans)


@pytest.mark.parametrize(
    "line",
    [
        "ORGANIZATIONS IN THIS STORY",
        "Photo courtesy: Shutterstock",
        "Webp  36",
        "2",
        "Source: Automotive World",
        "Market Voices",
        "What is known",
        "Political pressures and security dilemmas",
        "The Initial Report and Rapid Rebuttals",
        "Why This Matters: Geopolitics and EV Dominance",
        "Jim Farley, CEO, Ford | Instagram",
        "Ford and Xiaomi Deny Joint Venture Talks Amid CEO's Mixed Signals on Chinese EV Rivals",
    ],
)
def test_headings_and_furniture_are_flagged(line: str) -> None:
    text = f"Ford denied the report on Monday.\n{line}\nXiaomi declined to comment."
    segs = segment(text)
    flagged = {text[s.start : s.end]: s.furniture for s in segs}
    assert flagged == {
        "Ford denied the report on Monday.": False,
        line: True,
        "Xiaomi declined to comment.": False,
    }


def test_headline_without_full_stop_on_first_line_is_furniture() -> None:
    text = (
        "Ford and Xiaomi denied rumors of talks about electric car production in the US\n"
        "Ford and Xiaomi denied the report."
    )
    assert [s.furniture for s in segment(text)] == [True, False]


def test_repeated_furniture_line_is_furniture_again() -> None:
    title = "FT correspondent: Ford \u2018held talks with China\u2019s Xiaomi' on US electric vehicle joint venture"
    text = f"{title}\n\nWebp  36\n\n{title}\n\nFord held talks with Xiaomi, the FT said."
    assert [s.furniture for s in segment(text)] == [True, True, True, False]


def test_long_sentence_without_full_stop_is_not_furniture() -> None:
    line = "the company said that talks with several Chinese manufacturers had been held over many months"
    assert not is_furniture_line(line)


def test_sentence_with_full_stop_is_not_furniture() -> None:
    assert not is_furniture_line("Ford denied it.")
    assert not is_furniture_line("It ended.\u201d")
