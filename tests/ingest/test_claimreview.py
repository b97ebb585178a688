"""The ClaimReview reader (pure Python): every feed shape, broken records, cleaning, ratings, identity keys."""

from __future__ import annotations

import datetime as dt
import html
import json
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck.ingest import IngestError
from factcheck.ingest.claimreview import (
    check_key,
    iter_records,
    normalise_rating,
    normalise_url,
    parse_claim_review,
)
from tests.builders.claimreview import claim_review, data_feed, graph, html_page, jsonl


def checks(data: bytes, **kwargs):
    return [r.check for r in iter_records(data, **kwargs) if r.check is not None]


def errors(data: bytes, **kwargs):
    return [r.error for r in iter_records(data, **kwargs) if r.error is not None]


# --- shapes ---------------------------------------------------------------------------------------------------


def test_one_object():
    [check] = checks(json.dumps(claim_review(1)).encode())
    assert check.claim_reviewed == "The river bridge number 1 cost twice its budget."
    assert check.headline == "Did bridge 1 cost twice its budget?"
    assert check.description.startswith("We compared")
    assert (check.publisher_name, check.publisher_url) == ("Checks Desk", "https://checks.example/")
    assert check.writer == "Rae Writer" and check.claimant == "A. Councillor"
    assert check.claim_date == dt.date(2025, 2, 27) and check.review_date == dt.date(2025, 3, 4)
    assert (check.rating_label, check.rating_value, check.rating_best, check.rating_worst) == ("Mostly False", "2",
                                                                                                  "5", "1")
    assert check.rating == "mostly_false" and check.language == "en"
    assert check.url == "https://checks.example/reviews/1" and check.identifier == "review-1"
    assert check.missing == () and check.raw["identifier"] == "review-1"


def test_a_list():
    data = json.dumps([claim_review(1), claim_review(2), {"@type": "WebPage", "name": "x"}]).encode()
    assert [c.identifier for c in checks(data)] == ["review-1", "review-2"]
    assert errors(data) == ["Record 3: not a ClaimReview object."]


def test_a_graph_with_other_nodes():
    data = graph([{"@type": "Organization", "name": "Checks Desk"}, claim_review(1),
                  {"@type": "WebPage", "url": "https://checks.example/"}, claim_review(2)])
    assert [c.identifier for c in checks(data)] == ["review-1", "review-2"]
    assert errors(data) == []


def test_a_data_feed_of_items_and_of_claim_reviews():
    data = data_feed([
        {"@type": "DataFeedItem", "dateCreated": "2025-03-05", "item": [claim_review(1), claim_review(2)]},
        {"@type": "DataFeedItem", "item": claim_review(3)},
        claim_review(4),
    ])
    assert [c.identifier for c in checks(data)] == ["review-1", "review-2", "review-3", "review-4"]


def test_json_lines_with_a_broken_line_reported_by_its_number():
    data = jsonl([claim_review(1), "{\"@type\": \"ClaimReview\", \"claimReviewed\": ", claim_review(3), "",
                  claim_review(5)])
    records = list(iter_records(data))
    assert [(r.line, r.check.identifier if r.check else None) for r in records] == [
        (1, "review-1"), (2, None), (3, "review-3"), (5, "review-5")]
    assert records[1].error.startswith("Line 2: not valid JSON")
    assert records[2].where == "Line 3"


def test_json_lines_recognised_without_the_extension_and_with_it():
    data = jsonl([claim_review(1), claim_review(2)])
    assert len(checks(data)) == len(checks(data, filename="feed.ndjson")) == 2


def test_a_pretty_printed_single_object_is_not_taken_for_json_lines():
    data = json.dumps(claim_review(1), indent=2).encode()
    assert [c.identifier for c in checks(data, filename="check.json")] == ["review-1"]


def test_html_page_with_claim_review_json_ld_and_a_broken_block():
    page = html_page(json.dumps({"@context": "https://schema.org", "@graph": [claim_review(1)]}), "{not json",
                     json.dumps({"@type": "BreadcrumbList"}))
    records = list(iter_records(page, filename="review.html"))
    assert [r.check.identifier for r in records if r.check] == ["review-1"]
    assert [r.error for r in records if r.error] == ["JSON-LD block 2 of the page is not valid JSON."]


def test_html_page_without_json_ld_is_refused_as_a_whole():
    with pytest.raises(IngestError, match="no ClaimReview JSON-LD"):
        list(iter_records(b"<html><body><p>Just an article.</p></body></html>"))


def test_a_document_that_breaks_part_way_keeps_what_came_before():
    data = json.dumps({"@graph": [claim_review(1), claim_review(2), claim_review(3)]}).encode()[:-400]
    records = list(iter_records(data))
    assert [r.check.identifier for r in records if r.check] == ["review-1", "review-2"]
    assert records[-1].error.startswith("Record 3: the JSON breaks here")


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"   \n ", "empty"),
    (b"\x89PNG\r\n\x1a\n....", "binary data"),
    (b"title,body\nA,B\n", "not ClaimReview JSON"),
    (b'{"@type": "WebPage", "name": "x"}', "no schema.org ClaimReview"),
])
def test_unreadable_files_are_refused_with_a_message(data, message):
    with pytest.raises(IngestError, match=message):
        list(iter_records(data))


def test_an_oversized_feed_is_refused_before_reading_it():
    data = jsonl([claim_review(n) for n in range(50)])
    with pytest.raises(IngestError) as caught:
        iter_records(data, max_bytes=1024)
    assert "over the 1 KB limit for an import of fact-checks; split it" in caught.value.message


def test_a_graph_of_100000_items_is_streamed():
    data = graph([claim_review(n, description=None, itemReviewed=None) for n in range(100_000)])
    records = iter_records(data)
    tracemalloc.start()
    try:
        first = [next(records) for _ in range(1_000)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Loaded whole, the document would take several times its size before the first record came out;
    # streamed, the reader holds a buffer and the item at hand.
    assert peak < len(data) / 4, (peak, len(data))
    assert len(first) + sum(1 for record in records if record.check is not None) == 100_000


# --- cleaning and refusing ------------------------------------------------------------------------------------


def test_nul_bytes_and_control_characters_are_removed_and_noted():
    line = json.dumps(claim_review(1, claimReviewed="Bridge\u0000 cost \u0007twice")).encode()
    raw_nul = line.replace(b"Bridge", b"Bri\x00dge")
    for data in (line, raw_nul + b"\n" + json.dumps(claim_review(2)).encode()):
        first = checks(data)[0]
        assert first.claim_reviewed in ("Bridge cost twice", "Bridge cost twice")
        assert "\x00" not in json.dumps(first.raw) and "\\u0000" not in json.dumps(first.raw)
        assert "NUL or control characters were removed" in first.notes


def test_a_check_without_claim_or_headline_is_refused():
    data = jsonl([claim_review(1, claimReviewed=None, headline=None), claim_review(2, claimReviewed="  ",
                                                                                      headline="")])
    assert checks(data) == []
    assert errors(data) == [
        "Line 1: neither the claim reviewed (claimReviewed) nor a headline, so it was skipped.",
        "Line 2: neither the claim reviewed (claimReviewed) nor a headline, so it was skipped.",
    ]


def test_a_headline_alone_is_enough_and_what_is_missing_is_said():
    check = parse_claim_review({"@type": "ClaimReview", "headline": "A headline only"})
    assert check.headline == "A headline only"
    assert check.missing == ("claim_reviewed", "publisher", "review_date", "url", "rating")


def test_a_url_that_is_not_http_is_left_out_and_noted():
    check = parse_claim_review(claim_review(1, url="javascript:alert(1)"))
    assert check.url == "" and "url" in check.missing
    assert any("not an http(s) address" in note for note in check.notes)


def test_lists_and_odd_values_where_objects_are_expected():
    check = parse_claim_review(claim_review(
        1, author=[{"@type": "Person", "name": "Rae Writer"}, {"@type": "Organization", "name": "Checks Desk"}],
        creator=None, reviewRating=[{"alternateName": ["Pants on Fire!"]}], inLanguage={"@type": "Language",
                                                                                       "alternateName": "en-GB"},
        datePublished="March 4, 2025", headline=7))
    assert check.publisher_name == "Checks Desk" and check.writer == "Rae Writer"
    assert check.rating == "false" and check.language == "en-GB" and check.review_date == dt.date(2025, 3, 4)
    assert check.headline == "7"


# --- ratings --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("label, expected", [
    ("False", "false"), ("Pants on Fire!", "false"), ("PANTS ON FIRE", "false"), ("Fake", "false"),
    ("Not true", "false"), ("Incorrect", "false"), ("Mostly False", "mostly_false"), ("Misleading", "mostly_false"),
    ("Miscaptioned", "mostly_false"), ("Half True", "mixed"), ("Half-true", "mixed"), ("Mixture", "mixed"),
    ("Missing context", "mixed"), ("Mostly True", "mostly_true"), ("True", "true"), ("Correct", "true"),
    ("Unproven", "unproven"), ("No evidence", "unproven"), ("Satire", "other"), ("Labeled Satire", "other"),
    ("", "other"),
])
def test_rating_words(label, expected):
    assert normalise_rating(label) == expected


def test_ratings_as_free_text_fall_back_to_other_or_to_the_numbers():
    assert normalise_rating("This claim is wrong about the date of the vote") == "false"
    assert normalise_rating("We rate this one a bit of a stretch") == "other"
    assert normalise_rating("We rate this one a bit of a stretch", value="4", best="5", worst="1") == "mostly_true"


@pytest.mark.parametrize("value, best, worst, expected", [
    ("1", "5", "1", "false"), ("2", "5", "1", "mostly_false"), ("3", "5", "1", "mixed"), ("4", "", "", "mostly_true"),
    ("5", "", "", "true"), ("0", "10", "0", "false"), ("10", "10", "0", "true"), ("7", "5", "1", "other"),
    ("n/a", "5", "1", "other"), ("3", "3", "3", "other"),
])
def test_numeric_ratings_are_scaled(value, best, worst, expected):
    assert normalise_rating("", value=value, best=best, worst=worst) == expected


def test_words_win_over_numbers():
    assert normalise_rating("False", value="5", best="5", worst="1") == "false"


# --- identity -------------------------------------------------------------------------------------------------


def test_url_normalisation():
    assert normalise_url("HTTPS://Checks.Example:443/Reviews/1/?utm_source=x&page=2&fbclid=abc#top") == (
        "https://checks.example/Reviews/1?page=2")
    assert normalise_url("http://checks.example:8080/a/") == "http://checks.example:8080/a"


def test_keys_url_then_identifier_then_text():
    by_url = check_key(url="https://checks.example/r/1/#x", publisher="Checks Desk", identifier="r1", text="t")
    assert by_url == check_key(url="https://CHECKS.example/r/1?utm_medium=feed", publisher="Other", identifier="",
                               text="other text")
    by_id = check_key(url="", publisher="Checks Desk", identifier="r1", text="t")
    assert by_id == check_key(url="", publisher="checks  desk", identifier="r1", text="different")
    assert by_id != check_key(url="", publisher="Another Desk", identifier="r1", text="t")
    by_text = check_key(url="", publisher="Checks Desk", identifier="", text="The bridge  cost twice.")
    assert by_text == check_key(url="", publisher="Checks Desk", identifier="", text="the bridge cost twice.")
    assert len({by_url, by_id, by_text}) == 3


def test_a_very_long_key_fits_the_column():
    key = check_key(url="", publisher="Desk", identifier="x" * 5000, text="t")
    assert len(key) <= 2100 and key != check_key(url="", publisher="Desk", identifier="x" * 4999 + "y", text="t")


@given(st.text(max_size=300))
def test_any_text_in_any_field_gives_clean_text_or_a_refusal(text):
    record = claim_review(1, claimReviewed=text, headline=text, author={"name": text}, creator=text,
                          reviewRating={"alternateName": text, "ratingValue": text}, datePublished=text)
    try:
        check = parse_claim_review(record)
    except ValueError:
        # Refused only when nothing readable is left of the claim and the headline.
        assert not any(ch.isprintable() and not ch.isspace() for ch in html.unescape(text))
        return
    for value in (check.claim_reviewed, check.headline, check.publisher_name, check.writer, check.rating_label):
        assert "\x00" not in value and value == value.strip()
    assert check.rating in {"false", "mostly_false", "mixed", "mostly_true", "true", "unproven", "other"}


@pytest.mark.parametrize("data", [
    jsonl([claim_review(1), "{broken", claim_review(3, claimReviewed=None, headline=None)]),
    graph([{"@type": "WebPage"}, claim_review(1), claim_review(2)]),
    json.dumps([claim_review(1), {"x": 1}]).encode(),
    html_page(json.dumps(claim_review(1)), "{broken"),
])
def test_counting_agrees_with_reading(data):
    from factcheck.ingest.claimreview import count_records

    assert count_records(data) == len(list(iter_records(data))) > 1
