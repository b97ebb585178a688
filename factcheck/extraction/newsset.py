"""The documents of the check-worthiness news set (``labels/checkworthy_news.jsonl``), as the product stores them.

Each document becomes the body an upload of it would store (``.txt`` upload: ``ingest.parse_document`` ->
``ingest.normalise(text, title=…)``), and the body is cut with the product's segmenter. Every segment is kept,
including the ones the pipeline never scores (segmenter furniture, heading spans, segments without a letter), so
the label file can say that they are not check-worthy and a benchmark can count them as the product's "not a
claim".

Sources (paths outside the repository, as for training): the seed articles in ``FACTDESK_SEEDS_DIR`` (default
``../shared/seeds``), the demo articles in ``factcheck/demo``, and ECB+ topics 1-25 in ``FACTCHECK_DATA_DIR``
(default ``../shared/data``). ECB+ documents come as numbered sentences without paragraphs: the first sentence
(the headline) is the first line and every later sentence its own paragraph, and the URL is left out. Only a
fixed selection of ECB+ documents is used: see :func:`ecb_selection`.

No Django needed.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from factcheck import ingest

from .pipeline import _LETTER_RE, _HeadingIndex
from .segment import segment

__all__ = [
    "NewsDoc",
    "NewsSegment",
    "ecb_selection",
    "ecb_text",
    "news_documents",
    "news_segments",
    "split_of",
    "upload_body",
]

ROOT = Path(__file__).resolve().parents[2]
DEMO_DIR = ROOT / "factcheck" / "demo"
# How many sentences of one ECB+ topic to aim for, and the document sizes that count (a one-line stub or an
# 80-sentence feature would dominate a topic).
ECB_SENTENCES_PER_TOPIC = 22  # a third document only below this
ECB_MIN_SENTENCES = 6
ECB_MAX_SENTENCES = 30
ECB_MAX_DOCS_PER_TOPIC = 3
_MAX_BYTES = 10 * 1024 * 1024


def seeds_dir() -> Path:
    return Path(os.environ.get("FACTDESK_SEEDS_DIR", ROOT.parent / "shared" / "seeds"))


def data_dir() -> Path:
    return Path(os.environ.get("FACTCHECK_DATA_DIR", ROOT.parent / "shared" / "data"))


@dataclass(frozen=True, slots=True)
class NewsDoc:
    doc: str  # file name without .txt, or the ECB+ document id
    corpus: str  # "seeds", "demo" or "ecbplus"
    topic: int | None  # ECB+ topic
    body: str
    headings: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class NewsSegment:
    text: str
    start: int
    end: int
    scored: bool  # False when the pipeline skips it (furniture, heading, no letter): never a claim


def upload_body(data: bytes, filename: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The body and heading spans an upload of ``data`` stores (no metadata given, like a plain upload):
    ``parse_document``, then ``normalise`` with the parsed title, as ``services.uploads`` does. The sources are
    UTF-8, so the service's Windows-1252 fallback never applies."""
    doc = ingest.parse_document(data, filename=filename, max_bytes=_MAX_BYTES)
    normalised = ingest.normalise(doc.text, title=doc.title)
    return normalised.body, tuple(tuple(span) for span in normalised.headings)


def ecb_text(record: dict) -> str:
    """An ECB+ document as the plain text a user would paste: headline, then one paragraph a sentence."""
    return "\n\n".join(s["text"].strip() for s in record["sentences"] if s["text"].strip()) + "\n"


def _doc_hash(doc: str) -> str:
    return hashlib.sha256(doc.encode("utf-8")).hexdigest()


def ecb_selection(records: list[dict]) -> list[dict]:
    """A few documents of every topic: those of 6-30 sentences, in the order of the SHA-256 of their id: two, and a
    third when the two have fewer than 22 sentences."""
    by_topic: dict[int, list[dict]] = {}
    for record in records:
        if ECB_MIN_SENTENCES <= len(record["sentences"]) <= ECB_MAX_SENTENCES:
            by_topic.setdefault(int(record["topic"]), []).append(record)
    chosen = []
    for topic in sorted(by_topic):
        total = 0
        for n, record in enumerate(sorted(by_topic[topic], key=lambda r: _doc_hash(r["doc"]))):
            if n == ECB_MAX_DOCS_PER_TOPIC or (n >= 2 and total >= ECB_SENTENCES_PER_TOPIC):
                break
            chosen.append(record)
            total += len(record["sentences"])
    return chosen


def news_documents() -> list[NewsDoc]:
    """Seeds, demo articles and the ECB+ selection, in that order."""
    out = []
    for corpus, paths in (
        ("seeds", sorted(seeds_dir().glob("*.txt"))),
        ("demo", sorted(DEMO_DIR.glob("*.txt"))),
    ):
        for path in paths:
            body, headings = upload_body(path.read_bytes(), path.name)
            out.append(NewsDoc(path.stem, corpus, None, body, headings))
    with open(data_dir() / "ecbplus" / "ecbplus_topics_1-25.jsonl", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    for record in ecb_selection(records):
        body, headings = upload_body(ecb_text(record).encode("utf-8"), f"{record['doc']}.txt")
        out.append(NewsDoc(record["doc"], "ecbplus", int(record["topic"]), body, headings))
    return out


def news_segments(doc: NewsDoc) -> list[NewsSegment]:
    """Every segment of the body, flagged with whether ``extract_claims`` would score it."""
    blocked = _HeadingIndex(doc.headings)
    out = []
    for seg in segment(doc.body):
        scored = (
            not seg.furniture
            and not blocked.overlaps(seg.start, seg.end)
            and _LETTER_RE.search(doc.body, seg.start, seg.end) is not None
        )
        out.append(NewsSegment(doc.body[seg.start : seg.end], seg.start, seg.end, scored))
    return out


def split_of(doc: str) -> str:
    """``"tune"`` or ``"test"``: the first hex digit of the SHA-256 of the document id, even -> tune."""
    return "tune" if int(_doc_hash(doc)[0], 16) % 2 == 0 else "test"
