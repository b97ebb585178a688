from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck.ingest import content_hash, normalise


def headings_of(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [result.body[start:end] for start, end in result.headings]


def paragraphs_of(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


# --- the five seed articles ---------------------------------------------------------


def test_seed_000_keeps_every_paragraph_and_marks_its_heading(seeds: dict[str, str]) -> None:
    result = normalise(seeds["000"])
    assert result.removed == []
    assert result.body.split("\n\n") == paragraphs_of(seeds["000"])
    assert headings_of(result) == ["Political pressures and security dilemmas"]


def test_seed_001_drops_the_lone_page_number(seeds: dict[str, str]) -> None:
    result = normalise(seeds["001"], title="Xiaomi and Ford Deny Joint EV Venture Amid U.S. Political Scrutiny")
    assert result.removed == ["2", "Xiaomi and Ford Deny Joint EV Venture Amid U.S. Political Scrutiny"]
    assert result.body.startswith("Rumors of a potential collaboration between Ford and Chinese EV giant Xiaomi")
    assert "\n\n2\n\n" not in result.body
    assert headings_of(result) == [
        "The Initial Report and Rapid Rebuttals",
        "Why This Matters: Geopolitics and EV Dominance",
        "Trump\u2019s Unexpected Position",
        "The Bigger Picture",
    ]
    # Curly quotes and dashes are kept as they are.
    assert "\u201cThis story is completely false,\u201d Ford stated unequivocally." in result.body
    assert "Xiaomi and other Chinese automakers \u2013 including BYD \u2013 to establish" in result.body


def test_seed_002_drops_the_closing_source_credit(seeds: dict[str, str]) -> None:
    result = normalise(seeds["002"])
    assert result.removed == ["Source: Automotive World"]
    assert "Automotive World" not in result.body
    assert result.body.endswith("However, the company abandoned the larger electric pickup F-150 Lightning.")
    assert "What is known" in headings_of(result)
    assert len(result.body.split("\n\n")) == len(paragraphs_of(seeds["002"])) - 1


def test_seed_003_drops_the_photo_credit_and_keeps_the_analyst_quotes(seeds: dict[str, str]) -> None:
    result = normalise(seeds["003"])
    assert result.removed == ["Photo courtesy: Shutterstock"]
    assert "Shutterstock" not in result.body
    assert "Market Voices" in headings_of(result)
    for name in ("Michael Chen", "Sarah Jenkins", "David Miller", "Dr. Li Wei"):
        assert f"\n\n{name}, " in result.body
    assert result.body.endswith('but not before the November election."')


def test_seed_004_drops_image_label_caption_repeated_headline_and_story_boxes(seeds: dict[str, str]) -> None:
    headline = "FT correspondent: Ford \u2018held talks with China\u2019s Xiaomi' on US electric vehicle joint venture"
    result = normalise(seeds["004"])
    assert result.removed == [
        "Webp 36",
        "Jim Farley, CEO, Ford | Instagram",
        "ORGANIZATIONS IN THIS STORY",
        "ORGANIZATIONS IN THIS STORY",
        headline,
    ]
    assert result.title == headline
    assert result.body.count(headline) == 1 and result.body.startswith(headline + "\n\n")
    for furniture in ("Webp", "Instagram", "ORGANIZATIONS IN THIS STORY"):
        assert furniture not in result.body
    paragraphs = result.body.split("\n\n")
    assert paragraphs[1].startswith("Demetri Sevastopulo, US-China correspondent")
    assert paragraphs[-1].startswith("Sevastopulo joined the Financial Times in 2010")
    assert len(paragraphs) == 7


def test_seed_004_with_known_title_drops_both_copies(seeds: dict[str, str]) -> None:
    headline = "FT correspondent: Ford \u2018held talks with China\u2019s Xiaomi' on US electric vehicle joint venture"
    result = normalise(seeds["004"], title=headline)
    assert headline not in result.body
    assert result.title == headline
    assert result.body.startswith("Demetri Sevastopulo")


@pytest.mark.parametrize("key", ["000", "001", "002", "003", "004"])
def test_every_real_paragraph_survives(seeds: dict[str, str], key: str) -> None:
    result = normalise(seeds[key])
    kept = set(result.body.split("\n\n"))
    for paragraph in paragraphs_of(seeds[key]):
        if len(paragraph) > 80:  # every sentence-length paragraph is content
            assert paragraph in kept


@pytest.mark.parametrize("key", ["000", "001", "002", "003", "004"])
def test_seeds_are_idempotent(seeds: dict[str, str], key: str) -> None:
    once = normalise(seeds[key])
    twice = normalise(once.body)
    assert twice.body == once.body
    assert twice.headings == once.headings
    assert twice.removed == []


# --- furniture rules in isolation -----------------------------------------------------

BODY = "Ford denied the report on Monday, calling it false and baseless."


@pytest.mark.parametrize(
    "line",
    [
        "Webp  36",
        "JPG 2",
        "png",
        "17",
        "Image: Reuters",
        "Photo: Jane Smith/AP",
        "Photo courtesy: Shutterstock",
        "Photo by John Doe",
        "(Photo by John Doe/Getty Images)",
        "Image credit: Getty Images",
        "Mary Barra, CEO, GM | Getty Images",
        "Xiaomi SU7 at a launch event | Reuters",
        "Share this article",
        "Share on Facebook",
        "SHARE",
        "Advertisement",
        "We use cookies to improve your experience. By continuing you accept our cookie policy.",
        "Accept all cookies",
        "ORGANISATIONS IN THIS STORY",
    ],
)
def test_furniture_lines_are_removed(line: str) -> None:
    result = normalise(f"{BODY}\n\n{line}\n\nXiaomi did not respond to a request for comment.")
    assert result.body == f"{BODY}\n\nXiaomi did not respond to a request for comment."
    assert result.removed == [" ".join(line.split())]


@pytest.mark.parametrize(
    "line",
    [
        "Source: the company said the figures were preliminary.",  # "Source:" only counts at the very end
        "The vote was 52 | 48 in favour of the motion, officials said.",
        "In 2024, sales rose 12 percent.",
        "Photographers gathered outside the plant on Monday.",
        "Cookies were served at the meeting.",
        "2024 was a record year for Chinese EV exports.",
    ],
)
def test_content_that_resembles_furniture_is_kept(line: str) -> None:
    result = normalise(f"{BODY}\n\n{line}\n\nXiaomi did not respond.")
    assert line in result.body.split("\n\n")
    assert result.removed == []


def test_source_credit_under_other_trailing_furniture() -> None:
    result = normalise(f"{BODY}\n\nSource: Reuters\n\n3\n\nShare this article")
    assert result.body == BODY
    assert result.removed == ["3", "Share this article", "Source: Reuters"]


# --- whitespace, paragraphs, Unicode ----------------------------------------------------


def test_whitespace_and_line_endings() -> None:
    text = "  First   paragraph\twith  tabs.  \r\n\r\n\r\n\rSecond\u00a0paragraph.\u2028Third paragraph.\r\n"
    assert normalise(text).body == "First paragraph with tabs.\n\nSecond paragraph.\n\nThird paragraph."


def test_unicode_is_composed_and_quotes_and_dashes_kept() -> None:
    text = "Cafe\u0301 owner said \u201cno\u201d \u2014 twice\u2026 \u2018really\u2019."
    assert normalise(text).body == "Caf\u00e9 owner said \u201cno\u201d \u2014 twice\u2026 \u2018really\u2019."


def test_invisible_characters_are_removed() -> None:
    assert normalise("Zero\u200bwidth and soft\u00adhyphen and \x07bell.").body == "Zerowidth and softhyphen and bell."


def test_hard_wrapped_prose_is_joined_into_paragraphs() -> None:
    text = (
        "Ford denied a report that it had held talks with\n"
        "Xiaomi about building electric cars in the United\n"
        "States, calling the story completely false.\n"
        "\n"
        "Xiaomi said it has no plans to enter the market.\n"
    )
    assert normalise(text).body == (
        "Ford denied a report that it had held talks with Xiaomi about building electric cars in the United "
        "States, calling the story completely false.\n\nXiaomi said it has no plans to enter the market."
    )


def test_single_line_breaks_between_long_paragraphs_become_paragraph_breaks(seeds: dict[str, str]) -> None:
    assert "\n\n" not in seeds["000"]
    assert len(normalise(seeds["000"]).body.split("\n\n")) == 8


def test_heading_needs_a_following_paragraph() -> None:
    result = normalise(f"Market Voices\n\n{BODY}\n\nThe End")
    assert headings_of(result) == ["Market Voices"]


def test_short_sentences_are_not_headings() -> None:
    result = normalise(f"Ford denied it.\n\n{BODY}\n\nWas it true?\n\n{BODY}")
    assert result.headings == []


def test_content_hash_ignores_layout_and_case() -> None:
    a = normalise("Ford denied the report.\n\nXiaomi did not respond.").body
    b = normalise("  FORD denied the   report.\r\nXiaomi did NOT respond.  ").body
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash(a + " Extra.")
    assert len(content_hash(a)) == 64


# --- properties -------------------------------------------------------------------------

_furniture = st.sampled_from(
    [
        "Webp  36",
        "2",
        "Source: Reuters",
        "Photo courtesy: AP",
        "Jim Farley, CEO, Ford | Instagram",
        "ORGANIZATIONS IN THIS STORY",
        "Market Voices",
        "What is known",
        "Ford denied the report.",
        "A much longer sentence that reads like real prose, with a comma, and ends properly.",
        "",
        " ",
        "\t",
        "x" * 130,
    ]
)
_lines = st.one_of(st.text(max_size=60), _furniture)
_documents = st.lists(_lines, max_size=15).map("\n".join) | st.text(max_size=300)
_titles = st.none() | st.sampled_from(["Market Voices", "2", "Ford denied the report."]) | st.text(max_size=20)


@given(_documents, _titles)
def test_normalise_is_idempotent(text: str, title: str | None) -> None:
    once = normalise(text, title=title)
    assert normalise(once.body).body == once.body
    assert normalise(once.body, title=title).body == once.body


@given(_documents, _titles)
def test_heading_spans_are_whole_paragraphs_of_the_body(text: str, title: str | None) -> None:
    result = normalise(text, title=title)
    body = result.body
    previous_end = -1
    for start, end in result.headings:
        assert 0 <= start < end <= len(body)
        assert start > previous_end
        previous_end = end
        heading = body[start:end]
        assert heading == heading.strip() and "\n" not in heading
        assert start == 0 or body[start - 2 : start] == "\n\n"
        assert body[end : end + 2] == "\n\n"  # a heading is always followed by a paragraph


@given(_documents)
def test_body_shape(text: str) -> None:
    body = normalise(text).body
    assert "\r" not in body and "\n\n\n" not in body and "\t" not in body
    assert body == body.strip()
    for paragraph in body.split("\n\n") if body else []:
        assert paragraph and paragraph == paragraph.strip() and "  " not in paragraph
