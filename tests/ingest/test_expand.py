"""A batch's files -> entries (factcheck.ingest.expand): stable keys, one error per unreadable part, no Django."""

from __future__ import annotations

import json

import pytest

from factcheck.ingest import IngestError
from factcheck.ingest.expand import (
    KEY_LIMIT, NUL_MESSAGE, ExpandLimits, batch_kind, entry, expand_file, unique_names,
)
from tests.builders.documents import make_zip

LIMITS = ExpandLimits(max_total_bytes=10_000_000, max_entries=100, max_ratio=100, max_file_bytes=1_000_000)
TEXT = b"The council approved the budget on Tuesday after a long debate about the bridge."


def keys(name: str, data: bytes) -> list[tuple[str, str]]:
    return [(e.key, e.error) for e in expand_file(name, data, limits=LIMITS)]


def test_an_archive_gives_one_entry_per_document_and_refuses_archives_inside():
    archive = make_zip([("news/one.txt", TEXT), ("inner.zip", make_zip([("x.txt", TEXT)]))])
    entries = list(expand_file("a.zip", archive, limits=LIMITS))
    assert [e.key for e in entries] == ["a.zip/news/one.txt", "a.zip/inner.zip"]
    assert entries[0].payload == {"type": "document", "filename": "a.zip/news/one.txt"} and entries[0].data == TEXT
    assert entries[1].error.startswith("Archives inside archives are not imported")


def test_jsonl_lines_keep_their_line_numbers_and_blank_lines_are_skipped():
    data = b'{"body": "one"}\n\n{"body": "three"}\n'
    assert keys("r.jsonl", data) == [("r.jsonl:1", ""), ("r.jsonl:3", "")]
    with pytest.raises(IngestError, match="no rows"):
        keys("empty.jsonl", b"\n \n")


def test_csv_rows_carry_their_parsed_document_and_their_own_lines():
    data = b'title,body\nOne,"' + TEXT + b'"\nTwo,"' + TEXT + b' Again."\n'
    entries = list(expand_file("r.csv", data, limits=LIMITS))
    assert [e.key for e in entries] == ["r.csv:2", "r.csv:3"]
    assert entries[1].payload["document"]["title"] == "Two"
    assert entries[1].data.decode().splitlines() == ["title,body", f'Two,"{TEXT.decode()} Again."']
    json.dumps(entries[0].payload)  # stored as JSON


def test_nul_in_a_payload_fails_the_entry_and_long_keys_stay_unique():
    assert entry("k", payload={"title": "x\x00"}).error == NUL_MESSAGE
    assert entry("k\x00", error="bad\x00").key == "k\ufffd"
    first, second = entry("a" * (KEY_LIMIT + 5)).key, entry("a" * (KEY_LIMIT + 6)).key
    assert len(first) <= KEY_LIMIT and first != second


def test_batch_kind_and_unique_names():
    assert batch_kind([("r.jsonl", b'{"body": "x"}\n')]) == "jsonl"
    assert batch_kind([("a.txt", TEXT), ("b.txt", TEXT)]) == "files"
    assert [n for n, _ in unique_names([("a\\b.txt", b""), ("a/b.txt", b""), ("", b"")])] == [
        "a/b.txt", "a/b.txt (2)", "upload"]
