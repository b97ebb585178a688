"""Text -> check-worthy claims, with exact offsets, kinds and facets."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .facets import ArticleFacets, EntityContext, claim_facets
from .kinds import claim_kinds, is_pure_opinion
from .model import DEFAULT_THRESHOLD, score_sentences
from .segment import Segment, segment

__all__ = ["OPINION_FACTOR", "ExtractedClaim", "extract_claims", "span_features"]

# A sentence that only states a view (kind "opinion" and nothing checkable: no figure,
# date, event, rule or cause) has its check-worthiness score multiplied by this, so
# opinions only surface as claims when the scorer is very sure about them.
OPINION_FACTOR = 0.5

_LETTER_RE = re.compile(r"[^\W\d_]")
_SUBJECT_PRONOUN_RE = re.compile(r"\b(?:he|she)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ExtractedClaim:
    """One claim: ``text == source[start:end]``; ``score`` in [0, 1]."""

    start: int
    end: int
    text: str
    score: float
    kinds: tuple[str, ...]
    facets: dict[str, Any] = field(hash=False)


def extract_claims(
    text: str,
    *,
    headings: Sequence[tuple[int, int]] = (),
    threshold: float | None = None,
) -> list[ExtractedClaim]:
    """Check-worthy claims of ``text`` in text order.

    Guarantees: ``text[c.start:c.end] == c.text`` for every claim; claims are trimmed,
    non-empty, ordered and never overlap; nothing inside a span of ``headings`` and no
    line that looks like a heading or page furniture is returned; every score is at
    least ``threshold`` (default ``DEFAULT_THRESHOLD``) after the opinion adjustment.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    if threshold is None:
        threshold = DEFAULT_THRESHOLD
    segments = segment(text)
    blocked = _HeadingIndex(headings)
    candidates = [
        seg
        for seg in segments
        if not seg.furniture
        and not blocked.overlaps(seg.start, seg.end)
        and _LETTER_RE.search(text, seg.start, seg.end)
    ]
    if not candidates:
        return []
    sentences = [text[seg.start : seg.end] for seg in candidates]
    scores = score_sentences(sentences)

    # One run of the named-entity recogniser over every candidate sentence of the article.
    article = ArticleFacets(sentences)
    context = article.context
    speakers = _QuoteSpeakers(text, segments, context)
    last_person = _LastPerson()
    claims: list[ExtractedClaim] = []
    for i, (seg, sentence, raw) in enumerate(zip(candidates, sentences, scores, strict=True)):
        in_quote = seg.quote_open is not None
        facets = article.facets(
            i,
            starts_in_quote=in_quote,
            quote_speaker=speakers.speaker(seg.quote_open) if in_quote else None,
        )
        last_person.resolve(sentence, facets, in_quote)
        # Facets of every sentence feed the context, so a surname resolves even when the
        # full name was in a sentence that is not itself a claim.
        context.learn(facets)
        last_person.remember(facets)
        speakers.remember(seg, facets)
        score = min(max(float(raw), 0.0), 1.0)
        if score < threshold:
            continue
        kinds = claim_kinds(sentence, facets)
        if is_pure_opinion(kinds, facets):
            score *= OPINION_FACTOR
            if score < threshold:
                continue
        claims.append(ExtractedClaim(seg.start, seg.end, sentence, score, kinds, facets))
    return claims


def span_features(
    sentence: str, *, context: EntityContext | None = None
) -> tuple[float, tuple[str, ...], dict[str, Any]]:
    """Score, kinds and facets of one span a person chose, computed as ``extract_claims`` computes them for a
    sentence it finds (the same scorer, opinion adjustment, kinds and facets). ``context`` carries the names the
    article established before the span, so a surname resolves to the full name."""
    facets = claim_facets(sentence, context=context)
    score = min(max(float(score_sentences([sentence])[0]), 0.0), 1.0)
    kinds = claim_kinds(sentence, facets)
    if is_pure_opinion(kinds, facets):
        score *= OPINION_FACTOR
    return score, kinds, facets


class _HeadingIndex:
    """Fast overlap test against the heading spans the ingest layer marked."""

    def __init__(self, spans: Sequence[tuple[int, int]]):
        merged: list[list[int]] = []
        for start, end in sorted((int(s), int(e)) for s, e in spans if int(e) > int(s)):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [s for s, _ in merged]
        self.ends = [e for _, e in merged]

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, end)  # spans starting before `end`
        return i > 0 and self.ends[i - 1] > start


class _LastPerson:
    """The one person the sentence just before named, for a "he" or "she" in a sentence that names nobody.

    "… Acme CEO Jon Lindqvist has openly spoken about … In 2024, he mentioned that he imported an X5 …": the
    second sentence is about Jon Lindqvist, and its facets say so, so that it can be matched with other outlets'
    "Lindqvist imported a Borealis X5". Deliberately narrow, because a wrong name is worse than none: only when
    the sentence before (or the one before that, if nobody is named in between) named exactly one person;
    never inside or around a quotation, where "he" may be the speaker's.
    """

    def __init__(self) -> None:
        self.name: str | None = None
        self.quiet = 0  # sentences since `name` was named

    def resolve(self, sentence: str, facets: dict[str, Any], in_quote: bool) -> None:
        if self.name is None or facets["people"] or in_quote or facets["quotes"]:
            return
        if _SUBJECT_PRONOUN_RE.search(sentence):
            facets["people"].append(self.name)

    def remember(self, facets: dict[str, Any]) -> None:
        people = facets["people"]
        if len(people) == 1:
            self.name, self.quiet = people[0], 0
        elif people:
            self.name = None
        else:
            self.quiet += 1
            if self.quiet > 1:
                self.name = None


class _QuoteSpeakers:
    """Speaker of each multi-sentence quotation, found at the sentence that opened it."""

    def __init__(self, text: str, segments: list[Segment], context: EntityContext):
        self.text = text
        self.segments = segments
        self.starts = [seg.start for seg in segments]
        self.context = context
        self.by_open: dict[int, str | None] = {}

    def remember(self, seg: Segment, facets: dict[str, Any]) -> None:
        quotes = facets["quotes"]
        if quotes and seg.quote_open is None:
            self.by_open[seg.start] = quotes[-1]["speaker"]

    def speaker(self, quote_open: int | None) -> str | None:
        if quote_open is None:
            return None
        i = bisect.bisect_right(self.starts, quote_open) - 1
        if i < 0:
            return None
        opener = self.segments[i]
        if opener.start not in self.by_open:
            facets = claim_facets(self.text[opener.start : opener.end], context=self.context)
            quotes = facets["quotes"]
            self.by_open[opener.start] = quotes[-1]["speaker"] if quotes else None
        return self.by_open[opener.start]
