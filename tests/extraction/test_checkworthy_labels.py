"""The hand-labelled check-worthiness news set (labels/checkworthy_news.jsonl) is well-formed.

Every text is a segment the product's segmenter makes of its document as an upload stores it, every segment of
every labelled document is labelled once, kinds are known, and the tune/test split is a fixed function of the
document.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from factcheck.extraction.kinds import KINDS
from factcheck.extraction.newsset import (
    data_dir,
    ecb_text,
    ecb_selection,
    news_documents,
    news_segments,
    seeds_dir,
    split_of,
    upload_body,
)

LABELS = Path(__file__).resolve().parents[2] / "labels" / "checkworthy_news.jsonl"
LABEL_KINDS = {*KINDS, "not_claim"}
FIELDS = {"doc", "corpus", "topic", "text", "checkworthy", "kind", "note"}
ECB_FILE = data_dir() / "ecbplus" / "ecbplus_topics_1-25.jsonl"


def _rows() -> list[dict]:
    with open(LABELS, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return _rows()


@pytest.fixture(scope="module")
def documents():
    if not any(seeds_dir().glob("*.txt")) or not ECB_FILE.exists():
        pytest.skip("the seed articles or the ECB+ file are not available")
    return {d.doc: d for d in news_documents()}


def test_rows_have_the_documented_fields_and_values(rows):
    assert 600 <= len(rows) <= 900
    for n, row in enumerate(rows, 1):
        assert set(row) <= FIELDS, f"line {n}: unknown fields {set(row) - FIELDS}"
        assert {"doc", "corpus", "text", "checkworthy", "kind"} <= set(row), f"line {n}"
        assert row["corpus"] in {"seeds", "demo", "ecbplus"}, f"line {n}"
        assert ("topic" in row) == (row["corpus"] == "ecbplus"), f"line {n}: topic is for ECB+ rows only"
        assert isinstance(row["checkworthy"], bool), f"line {n}"
        assert row["kind"] in LABEL_KINDS, f"line {n}: unknown kind {row['kind']!r}"
        assert row["text"] == row["text"].strip() and row["text"], f"line {n}"
        # a sentence that makes no claim cannot be a check-worthy claim
        assert not (row["kind"] == "not_claim" and row["checkworthy"]), f"line {n}"


def test_no_duplicates_and_both_classes_in_every_corpus(rows):
    counts = Counter((r["doc"], r["text"]) for r in rows)
    assert [key for key, n in counts.items() if n > 1] == []
    for corpus in ("seeds", "demo", "ecbplus"):
        labels = {r["checkworthy"] for r in rows if r["corpus"] == corpus}
        assert labels == {True, False}, corpus


def test_ecb_documents_come_from_every_topic(rows):
    topics = Counter(r["topic"] for r in rows if r["corpus"] == "ecbplus")
    assert sorted(topics) == [*range(1, 15), 16, *range(18, 26)]  # the file's 23 topics
    docs_per_topic = Counter(t for t, _ in {(r["topic"], r["doc"]) for r in rows if r["corpus"] == "ecbplus"})
    assert min(docs_per_topic.values()) >= 2


def test_every_text_is_a_segment_of_its_document_and_every_segment_is_labelled(rows, documents):
    by_doc: dict[str, list[dict]] = {}
    for row in rows:
        by_doc.setdefault(row["doc"], []).append(row)
    assert set(by_doc) == set(documents), "labelled documents differ from newsset's documents"
    for name, labelled in by_doc.items():
        segments = [s.text for s in news_segments(documents[name])]
        # in document order, one label a segment: a changed normaliser or segmenter shows up here
        assert [r["text"] for r in labelled] == segments, name
        doc = documents[name]
        assert {r["corpus"] for r in labelled} == {doc.corpus}
        assert {r.get("topic") for r in labelled} == {doc.topic}


def test_segments_never_scored_are_not_check_worthy_unless_noted(rows, documents):
    scored = {(name, s.text): s.scored for name, d in documents.items() for s in news_segments(d)}
    for row in rows:
        if not scored[(row["doc"], row["text"])] and row["checkworthy"]:
            assert row.get("note"), f"{row['doc']}: {row['text'][:60]!r} is check-worthy but never scored"


def test_split_is_a_fixed_function_of_the_document(rows):
    # pinned: changing the rule or its hash silently moves documents between tune and test
    assert split_of("000_1d607d15b9b927fc") == "test"
    assert split_of("001_058170031afd2562") == "tune"
    assert split_of("01-riverside-bridge") == "test"
    assert split_of("1_11ecbplus") == "tune"
    docs = {r["doc"] for r in rows}
    halves = Counter(split_of(d) for d in docs)
    assert halves == {"tune": 36, "test": 24}
    assert Counter(split_of(r["doc"]) for r in rows) == {"tune": 465, "test": 369}


def test_ecb_selection_is_deterministic_and_order_free():
    if not ECB_FILE.exists():
        pytest.skip("the ECB+ file is not available")
    with open(ECB_FILE, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    chosen = [r["doc"] for r in ecb_selection(records)]
    assert chosen == [r["doc"] for r in ecb_selection(list(reversed(records)))]
    assert len(chosen) == len(set(chosen)) == 52


def test_upload_body_matches_the_upload_service():
    """newsset rebuilds bodies without Django; they must equal what an upload of the same file stores."""
    from factcheck.services import uploads

    demo = sorted((Path(__file__).resolve().parents[2] / "factcheck" / "demo").glob("*.txt"))
    files = [(p.name, p.read_bytes()) for p in sorted(seeds_dir().glob("*.txt"))[:2] + demo[:1]]
    if ECB_FILE.exists():
        with open(ECB_FILE, encoding="utf-8") as fh:
            records = ecb_selection([json.loads(line) for line in fh])
        files += [(f"{r['doc']}.txt", ecb_text(r).encode("utf-8")) for r in records[:3]]
    assert files
    for name, data in files:
        doc = uploads.document_parse(data, filename=name, content_type=None)
        new, _ = uploads.new_article(doc, original=data, filename=name, origin="upload")
        assert upload_body(data, name) == (new.body, tuple(tuple(s) for s in new.headings)), name
