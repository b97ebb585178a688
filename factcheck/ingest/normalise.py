"""Clean extracted text into the article body that claim offsets point into.

The cleaner is conservative: it drops only lines that are page furniture by
their shape (image-format labels, lone page numbers, photo credits, share
buttons, cookie notices, repeated headlines) and never rewrites the words of a
real paragraph beyond whitespace and Unicode normalisation.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import unicodedata
from dataclasses import dataclass, field

__all__ = ["Normalised", "content_hash", "normalise"]


@dataclass(frozen=True, slots=True)
class Normalised:
    """The cleaned body of an article.

    ``body`` holds paragraphs separated by one blank line, each paragraph on one
    line. ``headings`` are ``(start, end)`` spans in ``body`` of paragraphs that
    look like section headings; they stay in the body. ``removed`` lists the
    furniture lines that were dropped (whitespace-normalised), in the order they
    were found. ``title`` is the title passed in, or else the first paragraph when
    it looks like a headline (it then stays in the body).
    """

    body: str
    headings: list[tuple[int, int]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    title: str | None = None


# --- character level -------------------------------------------------------

_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# Control characters (except tab and newline), C1 controls, zero-width space,
# byte-order marks in mid-text and soft hyphens: invisible, and they break search.
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f\x80-\x9f\u200b\ufeff\u00ad]")
_INLINE_SPACE = re.compile(r"[^\S\n]+")

# --- furniture ---------------------------------------------------------------

_IMAGE_FORMAT_LINE = re.compile(r"(?i)^(?:webp|jpe?g|png|gif|avif|svg|tiff?|bmp|heic)(?: \d{1,5})?$")
_IMAGE_COUNTER_LINE = re.compile(r"(?i)^(?:image|photo|picture|slide) \d{1,3} (?:of|/) \d{1,3}$")
_LONE_NUMBER = re.compile(r"^\d{1,4}$")
_CREDIT_LINE = re.compile(
    r"(?i)^\(?(?:photo(?:graph)?s?|images?|pictures?|illustrations?|graphics?|video|credits?|"
    r"(?:photo|image|picture)s? (?:courtesy|credit|by|source))"
    r"(?: courtesy(?: of)?| credit| by)?\s*[:|/]\s*\S"
)
_COURTESY_LINE = re.compile(r"(?i)^\(?(?:photo|image|picture)s? (?:courtesy(?: of)?|by) \S")
_PHOTO_BY_LINE = re.compile(r"(?i)^\((?:photo|image|picture) by [^)]{1,100}\)$")
_SOURCE_LINE = re.compile(r"(?i)^sources? ?: ?\S")
_SOCIAL_NAMES = (
    "instagram|twitter|x|facebook|linkedin|tiktok|youtube|threads|reddit|bluesky|telegram|whatsapp|"
    "getty images|getty|reuters|ap|ap photo|associated press|afp|afp via getty images|epa|epa-efe|"
    "shutterstock|alamy|bloomberg|unsplash|pexels|pixabay|wikimedia commons|wikimedia|wikipedia|flickr|"
    "istock|istockphoto|dpa|anadolu|xinhua|sipa|file photo|handout|supplied|press release|company handout"
)
_CAPTION_SOURCE = re.compile(rf"(?i)^(?:via |photo: |image: |source: )?(?:{_SOCIAL_NAMES})(?: / [^|]+)?\.?$")
_SHARE_LINE = re.compile(
    r"(?i)^(?:share|follow us|tweet|e-?mail this|print this|send this)\b"
    r".{0,60}\b(?:facebook|twitter|x|linkedin|whatsapp|e-?mail|instagram|telegram|reddit|article|story|page|link)$"
)
_FURNITURE_PHRASES = frozenset(
    {
        "organizations in this story",
        "organisations in this story",
        "people in this story",
        "companies in this story",
        "topics in this story",
        "share this article",
        "share this story",
        "share this page",
        "share article",
        "share",
        "share on facebook",
        "share on twitter",
        "share on x",
        "share on linkedin",
        "share via email",
        "tweet",
        "copy link",
        "link copied",
        "print",
        "email",
        "advertisement",
        "sponsored content",
        "related articles",
        "related stories",
        "related content",
        "recommended stories",
        "read more",
        "read next",
        "most read",
        "more stories",
        "skip to content",
        "skip to main content",
        "back to top",
        "listen to this article",
        "sign up for our newsletter",
        "subscribe to our newsletter",
        "accept cookies",
        "accept all cookies",
        "accept all",
        "reject all",
        "manage cookies",
        "cookie settings",
        "cookie preferences",
    }
)
_COOKIE_HINTS = re.compile(
    r"(?i)\b(?:we use|this (?:web)?site uses|uses cookies|accept|consent|by continuing|cookie policy|"
    r"privacy policy|manage (?:your )?(?:preferences|settings))\b"
)

# --- paragraph shapes ----------------------------------------------------------

_TRAILING_CLOSERS = "\"'\u201d\u2019\u00bb)]}*"
_SENTENCE_END = ".!?;:,\u2026"
_HARD_WRAP_MAX = 100  # a block whose longest line exceeds this is not hard-wrapped prose
_HARD_WRAP_MIN = 40  # a line shorter than this is never the wrapped part of a paragraph
_HEADING_MAX_CHARS = 120
_HEADING_MAX_WORDS = 15
_TITLE_MAX_CHARS = 200
_TITLE_MAX_WORDS = 30
_MAX_PASSES = 1000


def normalise(text: str, *, title: str | None = None) -> Normalised:
    """Normalise extracted text into an article body.

    Line endings become ``\\n``, text becomes Unicode NFC, whitespace inside a
    line collapses to single spaces, invisible control characters go, paragraphs
    are separated by exactly one blank line (lines of hard-wrapped prose are
    joined; other single-line breaks become paragraph breaks), and page furniture
    is dropped (see :data:`Normalised.removed`). Quotes and dashes are kept as
    they are. With ``title``, paragraphs repeating the title are dropped; without
    it, later exact repeats of a headline-like first paragraph are.

    Deterministic and idempotent: ``normalise(normalise(x).body).body`` equals
    ``normalise(x).body``, with or without the same ``title``.
    """
    clean_title = _clean_line(title) if title else None
    clean_title = clean_title or None
    removed: list[str] = []
    paragraphs = _paragraphs(text)
    # Each pass may expose new furniture (a "Source:" line that becomes the last
    # line once a lone page number after it is gone); repeat until nothing changes
    # so that the result is a fixed point, which is what makes normalise idempotent.
    for _ in range(_MAX_PASSES):
        kept, dropped = _drop_furniture(paragraphs, clean_title)
        if not dropped:
            break
        removed.extend(dropped)
        paragraphs = _paragraphs("\n\n".join(kept))
    body = "\n\n".join(paragraphs)
    headings = _heading_spans(paragraphs)
    if clean_title is None and paragraphs and is_title_like(paragraphs[0]):
        clean_title = paragraphs[0]
    return Normalised(body=body, headings=headings, removed=removed, title=clean_title)


def content_hash(body: str) -> str:
    """SHA-256 (hex) of a body with whitespace collapsed and case folded.

    Two copies of an article that differ only in line wrapping, spacing or
    capitalisation get the same hash, so re-uploads are recognised as duplicates.
    """
    folded = unicodedata.normalize("NFC", " ".join(body.split()).casefold())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


# --- building paragraphs ---------------------------------------------------------


def _clean_line(line: str) -> str:
    line = _LINE_BREAKS.sub(" ", line)
    line = unicodedata.normalize("NFC", _INVISIBLE.sub("", line))
    return _INLINE_SPACE.sub(" ", line).strip()


def _paragraphs(text: str) -> list[str]:
    text = _LINE_BREAKS.sub("\n", text)
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text))
    lines = [_INLINE_SPACE.sub(" ", line).strip() for line in text.split("\n")]
    paragraphs: list[str] = []
    block: list[str] = []
    for line in lines + [""]:
        if line:
            block.append(line)
        elif block:
            paragraphs.extend(_unwrap(block))
            block = []
    # Joining lines can in principle create a composable sequence; normalising
    # the finished paragraphs keeps the output in NFC whatever the input was.
    return [p for p in (unicodedata.normalize("NFC", p).strip() for p in paragraphs) if p]


def _unwrap(block: list[str]) -> list[str]:
    """Split a block of consecutive lines into paragraphs.

    Hard-wrapped prose (all lines short, as in e-mail or PDF text) is joined
    where a line stops mid-sentence; otherwise every line is its own paragraph,
    which is how web copy pasted into a text file usually arrives.
    """
    if len(block) == 1:
        return block
    longest = max(len(line) for line in block)
    if longest > _HARD_WRAP_MAX:
        return block
    paragraphs: list[str] = []
    current = block[0]
    for previous, line in itertools.pairwise(block):
        # Wrapped lines run close to the block's width; short lines (headings,
        # list items, names) end where the writer ended them.
        wrapped = (
            len(previous) >= max(_HARD_WRAP_MIN, 0.6 * longest)
            and previous[-1] not in _SENTENCE_END + _TRAILING_CLOSERS
        )
        if wrapped:
            current = f"{current} {line}"
        else:
            paragraphs.append(current)
            current = line
    paragraphs.append(current)
    return paragraphs


# --- furniture -----------------------------------------------------------------------


def _drop_furniture(paragraphs: list[str], title: str | None) -> tuple[list[str], list[str]]:
    kept: list[str] = []
    dropped: list[str] = []
    for paragraph in paragraphs:
        (dropped if _is_furniture(paragraph) else kept).append(paragraph)

    # A headline repeated in the body: the known title wherever it appears, or a
    # later copy of a headline-like first paragraph.
    if title is not None:
        key = _compare_key(title)
        survivors = [p for p in kept if _compare_key(p) != key]
        dropped.extend(p for p in kept if _compare_key(p) == key)
        kept = survivors
    if kept and is_title_like(kept[0]):
        key = _compare_key(kept[0])
        survivors = [kept[0]] + [p for p in kept[1:] if _compare_key(p) != key]
        dropped.extend(p for p in kept[1:] if _compare_key(p) == key)
        kept = survivors

    # "Source: Automotive World" closing an article is a credit, not content.
    if len(kept) > 1 and len(kept[-1]) <= 80 and _SOURCE_LINE.match(kept[-1]):
        dropped.append(kept.pop())
    return kept, dropped


def _is_furniture(line: str) -> bool:
    if _LONE_NUMBER.match(line) or _IMAGE_FORMAT_LINE.match(line) or _IMAGE_COUNTER_LINE.match(line):
        return True
    folded = line.casefold().rstrip(":.!")
    if folded in _FURNITURE_PHRASES:
        return True
    if len(line) > 300:
        return False
    if "cookie" in folded and _COOKIE_HINTS.search(line):
        return True
    if len(line) > 160:
        return False
    if _COURTESY_LINE.match(line) or _CREDIT_LINE.match(line) or _PHOTO_BY_LINE.match(line):
        return True
    if len(line) <= 100 and _SHARE_LINE.match(line):
        return True
    return _is_caption(line)


def _is_caption(line: str) -> bool:
    """ "Jon Lindqvist, CEO, Acme | Instagram": a short label credited to a network or agency."""
    if " | " not in line:
        return False
    segments = [s.strip() for s in line.split(" | ")]
    return any(_CAPTION_SOURCE.match(s) for s in segments[1:]) or bool(_CAPTION_SOURCE.match(segments[0]))


def _compare_key(text: str) -> str:
    return " ".join(text.split()).casefold()


# --- headings --------------------------------------------------------------------------


def _ends_sentence(line: str) -> bool:
    stripped = line.rstrip(_TRAILING_CLOSERS)
    return not stripped or stripped[-1] in _SENTENCE_END


def _starts_like_heading(line: str) -> bool:
    first = line.lstrip("\"'\u201c\u2018\u00ab([")[:1]
    return bool(first) and (first.isupper() or first.isdigit())


def _is_heading_like(line: str) -> bool:
    return (
        len(line) <= _HEADING_MAX_CHARS
        and len(line.split()) <= _HEADING_MAX_WORDS
        and _starts_like_heading(line)
        and any(ch.isalpha() for ch in line)
        and not _ends_sentence(line)
    )


def is_title_like(line: str) -> bool:
    stripped = line.rstrip(_TRAILING_CLOSERS)
    return (
        len(line) <= _TITLE_MAX_CHARS
        and len(line.split()) <= _TITLE_MAX_WORDS
        and _starts_like_heading(line)
        and any(ch.isalpha() for ch in line)
        and bool(stripped)
        and stripped[-1] not in ".!;:,\u2026"
    )


def _heading_spans(paragraphs: list[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    offset = 0
    for index, paragraph in enumerate(paragraphs):
        following = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
        if _is_heading_like(paragraph) and following is not None and not _is_heading_like(following):
            spans.append((offset, offset + len(paragraph)))
        offset += len(paragraph) + 2
    return spans
