from __future__ import annotations

import codecs
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck.ingest import IngestError, decode_text

CURLY = "He said \u201cthe caf\u00e9 is closed\u201d \u2014 and left."


def test_plain_utf8() -> None:
    assert decode_text(CURLY.encode("utf-8")) == CURLY


@pytest.mark.parametrize(
    "bom, encoding",
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
    ],
)
def test_byte_order_marks_decide_and_are_removed(bom: bytes, encoding: str) -> None:
    assert decode_text(bom + CURLY.encode(encoding)) == CURLY


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(encoding: str) -> None:
    text = "Ford denied the report.\nXiaomi did not respond to a request for comment."
    assert decode_text(text.encode(encoding)) == text


def test_cp1252_curly_quotes_and_accents() -> None:
    # 0x93/0x94 are cp1252's curly double quotes; 0xE9 is "é".
    data = b"The \x93caf\xe9\x94 owner said the report was \x96 in her words \x96 \x93untrue\x94."
    assert decode_text(data) == (
        "The \u201ccaf\u00e9\u201d owner said the report was \u2013 in her words \u2013 \u201cuntrue\u201d."
    )


def test_short_cp1252_snippet() -> None:
    assert decode_text(b"\x93Hi\x94 caf\xe9") == "\u201cHi\u201d caf\u00e9"


def test_longer_latin_text_prefers_cp1252_over_lookalikes() -> None:
    text = (
        "Cr\u00e8me br\u00fbl\u00e9e for everyone at the caf\u00e9 in Z\u00fcrich, "
        "said the ma\u00eetre d\u2019h\u00f4tel."
    )
    assert decode_text(text.encode("cp1252")) == text


@pytest.mark.parametrize(
    "text",
    [
        "Cr\u00eape",  # short enough to fool a detector into Central-European ("Cr\u0119pe")
        "M\u00fcller sagte, die Stra\u00dfe sei gesperrt.",
        "El ni\u00f1o pregunt\u00f3 \u2013 \u00bfpor qu\u00e9?",
        "S\u00e3o Paulo, a\u00e7\u00e3o, cora\u00e7\u00e3o",
        "Sm\u00f8rrebr\u00f8d og \u00e6bleskiver, \u20ac5\u2122",
    ],
)
def test_western_text_in_cp1252(text: str) -> None:
    assert decode_text(text.encode("cp1252")) == text


def test_central_european_text_is_not_forced_into_cp1252() -> None:
    text = "Za\u017c\u00f3\u0142\u0107 g\u0119\u015bl\u0105 ja\u017a\u0144, powiedzia\u0142 \u0141ukasz."
    assert decode_text(text.encode("cp1250")) == text


def test_cyrillic_legacy_encoding_is_detected() -> None:
    text = "\u041f\u0440\u0438\u0432\u0435\u0442, \u043a\u0430\u043a \u0434\u0435\u043b\u0430? " * 5
    assert decode_text(text.encode("cp1251")) == text


def test_empty() -> None:
    with pytest.raises(IngestError, match="^The file is empty.$"):
        decode_text(b"")


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 4,  # NULs and control bytes
        b"\x89PNG\r\n\x1a\n" + b"IHDR" + bytes(200),
        b"%PDF-1.7\n" + os.urandom(64),
        b"\x01\x02\x03\x04\x05\x06\x07\x08 some words \x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17",
        bytes(range(128, 256)) * 3,  # high bytes no single-byte encoding accepts
    ],
)
def test_binary_data_is_refused(data: bytes) -> None:
    with pytest.raises(IngestError, match="binary data, not text"):
        decode_text(data)


def test_random_bytes_are_refused() -> None:
    junk = bytes.fromhex("".join(f"{(i * 7919 + 13) % 256:02x}" for i in range(4096)))
    with pytest.raises(IngestError, match="binary data"):
        decode_text(junk)


# Text as people write it: no control characters (those are what mark binary data)
# and no lone surrogates (which no encoder accepts).
_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff") | st.sampled_from("\n\t"),
    min_size=1,
)


@given(_text)
def test_any_text_round_trips_through_utf8(text: str) -> None:
    assert decode_text(text.encode("utf-8")) == text


@given(_text, st.sampled_from(["utf-16", "utf-8-sig", "utf-32"]))
def test_any_text_round_trips_through_encodings_with_a_bom(text: str, encoding: str) -> None:
    assert decode_text(text.encode(encoding)) == text
