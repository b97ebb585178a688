"""Sentence segmentation for news text, with exact character offsets.

A hand-written splitter rather than a library: the candidates we measured were either too
slow for the extraction budget (pysbd, syntok; figures in BENCHMARKS.md) or wrong on news
text (blingfire splits after "Dr." and inside quotations, and keeps "Co. ... J. Smith"
together). This one fits the budget with room and knows what newsroom copy needs:

* a line break always ends a sentence (paragraphs, headings, captions);
* abbreviations ("Rep.", "Dr.", "Jan.", "No.", "St."), initials ("J. Smith"), acronyms
  ("U.S.", "R-Mich.") and company suffixes ("Co.", "Inc.") do not end a sentence unless
  the next word is an obvious sentence opener;
* a full stop must be followed by whitespace and a word that does not start in lower
  case, so decimals ("2.5"), tickers ("NYSE:F") and URLs never split;
* a quotation followed by its attribution ("First. Second," he said.) stays one unit;
  a long quotation that ends its own sentence is split, and the sentences inside it
  remember where the quotation opened so the caller can credit the speaker;
* lines without sentence-final punctuation that look like headings, captions or page
  furniture are flagged so they are never offered as claims.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Segment", "is_furniture_line", "segment", "split_sentences"]


def _words(text: str) -> frozenset[str]:
    """A set of the whitespace-separated words of ``text``."""
    return frozenset(text.split())


# Longest unit we hand to the scorer; longer runs of text without punctuation are cut at
# whitespace so a pasted table or a minified page cannot produce one giant "claim".
MAX_SENTENCE_CHARS = 1200
# A quotation followed by its attribution is kept whole up to this size.
MAX_QUOTE_CHARS = 600
MAX_QUOTE_SENTENCES = 4

# Everything Python treats as a line break, so offsets agree with str.splitlines().
_LINE_RE = re.compile(r"[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
# Sentence-final punctuation, optional closing quotes/brackets, then whitespace.
_END_RE = re.compile(r"[.!?\u2026\u203d]+[\"'\u201d\u2019\u00bb)\]]*(?=\s)")
_FINAL_PUNCT_RE = re.compile(r"[.!?\u2026\u203d][\"'\u201d\u2019\u00bb)\]]*$")
_DQUOTE_RE = re.compile('["\u201c\u201d\u201e\u00ab\u00bb]')
_OPEN_QUOTES = "\u201c\u201e\u00ab"
_CLOSE_QUOTES = "\u201d\u00bb"
_TOKEN_STOP = " \t([{\"'\u201c\u2018\u00ab"

# Abbreviations after which a full stop (almost) never ends a sentence: titles, months,
# "No." and friends. Compared case-sensitively without the final dot.
_NEVER_END = _words("""Mr Mrs Ms Mx Dr Prof Rep Reps Sen Sens Gov Lt Col Gen Maj Capt Cmdr Sgt Adm Hon Rev Fr Sr Jr
    St Mt Ft No Nos Nr Vol Fig Art Sec Ch pp vs v cf approx est Jan Feb Mar Apr Jun Jul Aug Sep
    Sept Oct Nov Dec Mon Tue Tues Wed Thu Thur Thurs Fri Sat Sun e.g i.e E.g I.e viz al""")
# Abbreviations that may or may not end a sentence: split only before a clear opener.
_MAYBE_END = _words("""Inc Co Corp Ltd Bros LLC PLC Plc etc Ave Blvd Rd Dept Univ Assn Ala Ariz Ark Calif Colo Conn
    Del Fla Ga Ill Ind Kan Kans Ky La Md Mass Mich Minn Miss Mo Mont Neb Nev Okla Ore Pa Penn
    Tenn Tex Va Vt Wash Wis Wisc Wyo""")
_ACRONYM_RE = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]$|[A-Z]-[A-Z][a-z]+$")
_SENTENCE_OPENERS = _words("""A An The This That These Those It Its He She They We I You His Her Their Our My There Here
    But And Or So Yet However Meanwhile Still Also Although Though While When After Before Since
    Because If In On At As By For From With Without Under Over During Despite According Last
    Next Earlier Later Now Then Today Yesterday Some Many Most Several Both Each Every No Not
    One Two Three Four Five Six Seven Eight Nine Ten Other Such What Why How Who Where Which
    Analysts Officials Critics Experts Separately Additionally Moreover Instead Ultimately Even
    Only""")

# Page furniture that can end with a full stop and still is not content.
_FURNITURE_PREFIX_RE = re.compile(
    r"(?i)^(?:photo|image|picture|video|graphic|illustration|credit|source|sources|caption|"
    r"read more|read also|see also|related|advertisement|sponsored|share|follow us|subscribe|"
    r"sign up|copyright|all rights reserved|\u00a9|reporting by|editing by|written by|by)\b"
    r"[^.!?]{0,80}$"
)
_WORD_RE = re.compile(r"[^\W\d_][\w'\u2019\-]*")
_SMALL_WORDS = _words("""a an the and or but nor of on in at to for by with from as vs via amid over into than is are
    was be its his her their our""")
_HEADING_MAX_WORDS = 10


@dataclass(frozen=True, slots=True)
class Segment:
    """One sentence-like unit: ``text[start:end]``, trimmed of surrounding whitespace.

    ``furniture`` marks headings, captions and page furniture. ``quote_open`` is the
    offset of the opening quotation mark when the segment starts inside a quotation
    that an earlier segment of the same paragraph opened, else ``None``.
    """

    start: int
    end: int
    furniture: bool = False
    quote_open: int | None = None


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of ``text``, ordered, non-empty and non-overlapping."""
    return [(s.start, s.end) for s in segment(text)]


def segment(text: str) -> list[Segment]:
    """Split ``text`` into sentence segments with furniture and quotation information."""
    out: list[Segment] = []
    seen_furniture: set[str] = set()
    first_line = True
    multi_line = _has_line_break(text)
    for line in _LINE_RE.finditer(text):
        a, b = _trim(text, line.start(), line.end())
        if a >= b:
            continue
        spans, quote_opens = _split_line(text, a, b)
        if len(spans) == 1:
            line_text = text[a:b]
            furniture = is_furniture_line(line_text, first=first_line and multi_line) or (line_text in seen_furniture)
            if furniture:
                seen_furniture.add(line_text)
            out.extend(Segment(s, e, furniture, None) for s, e in _cap_length(text, a, b))
        else:
            for (s, e), q in zip(spans, quote_opens, strict=True):
                out.extend(Segment(cs, ce, False, q) for cs, ce in _cap_length(text, s, e))
        first_line = False
    return out


def is_furniture_line(line: str, *, first: bool = False) -> bool:
    """True for a one-segment line that is a heading, caption or page furniture.

    ``first`` says the line opens a multi-line document, where a line without a full stop
    is the headline.
    """
    line = line.strip()
    if not line:
        return True
    if not any(ch.isalpha() for ch in line):
        return True  # "2", "36", "* * *"
    if _FURNITURE_PREFIX_RE.match(line):
        return True
    if " | " in line:
        return True
    if _FINAL_PUNCT_RE.search(line):
        return False
    if first:
        return True
    words = _WORD_RE.findall(line)
    if len(words) <= _HEADING_MAX_WORDS:
        return True
    letters = [ch for ch in line if ch.isalpha()]
    if sum(ch.isupper() for ch in letters) >= 0.8 * len(letters):
        return True  # ALL CAPS
    significant = [w for w in words if w.lower() not in _SMALL_WORDS]
    capitalised = sum(1 for w in significant if w[0].isupper())
    return bool(significant) and capitalised >= 0.7 * len(significant)


def _has_line_break(text: str) -> bool:
    m = _LINE_RE.search(text)
    if m is None:
        return False
    rest = _LINE_RE.search(text, m.end())
    return rest is not None


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _split_line(text: str, a: int, b: int) -> tuple[list[tuple[int, int]], list[int | None]]:
    """Split the trimmed line ``text[a:b]``; return spans and each span's open quotation."""
    regions = _quote_regions(text, a, b)
    boundaries: list[int] = []
    for m in _END_RE.finditer(text, a, b):
        p = m.end()
        region = _region_at(regions, m.start())
        if region is not None and region[2] and p <= region[1]:
            continue  # inside a quotation that its attribution follows
        if _is_boundary(text, m.start(), m.group(), p, b):
            boundaries.append(p)
    spans: list[tuple[int, int]] = []
    opens: list[int | None] = []
    start = a
    for p in boundaries + [b]:
        s, e = _trim(text, start, p)
        if s < e:
            spans.append((s, e))
            region = _region_at(regions, s)
            opens.append(region[0] if region is not None and region[0] < s else None)
        start = p
    return spans, opens


def _quote_regions(text: str, a: int, b: int) -> list[tuple[int, int, bool]]:
    """Double-quotation regions ``(open, close, keep_whole)`` within ``text[a:b]``.

    ``close`` is the index of the closing mark (or ``b`` if the quotation runs to the end
    of the line). ``keep_whole`` is true when an attribution follows the quotation
    ("...," he said) and the quotation is short enough to keep as one unit.
    """
    regions: list[tuple[int, int, bool]] = []
    open_at: int | None = None
    for m in _DQUOTE_RE.finditer(text, a, b):
        i = m.start()
        ch = text[i]
        if ch == '"':
            prev = text[i - 1] if i > a else " "
            opening = open_at is None and (prev.isspace() or prev in "([{\u2014\u2013-:/")
        else:
            opening = ch in _OPEN_QUOTES
        if opening:
            if open_at is None:
                open_at = i
        elif open_at is not None:
            regions.append((open_at, i, _keep_whole(text, open_at, i, b)))
            open_at = None
    if open_at is not None:
        regions.append((open_at, b, False))
    return regions


def _keep_whole(text: str, o: int, c: int, b: int) -> bool:
    if c - o > MAX_QUOTE_CHARS:
        return False
    inner = text[o + 1 : c].rstrip()
    attributed = inner.endswith(",")
    if not attributed:
        j = c + 1
        while j < b and text[j].isspace():
            j += 1
        attributed = j < b and text[j].islower() and inner[-1:] in ("?", "!")
    if not attributed:
        return False
    return sum(1 for _ in _END_RE.finditer(text, o, c)) < MAX_QUOTE_SENTENCES


def _region_at(regions: list[tuple[int, int, bool]], i: int) -> tuple[int, int, bool] | None:
    for region in regions:
        if region[0] < i <= region[1]:
            return region
        if region[0] >= i:
            break
    return None


def _is_boundary(text: str, t: int, punct: str, p: int, b: int) -> bool:
    """Whether the terminator ``punct`` at ``t`` (ending at ``p``) ends a sentence."""
    q = p
    while q < b and text[q].isspace():
        q += 1
    if q >= b:
        return True
    nxt = text[q]
    if nxt.islower():
        return False  # "U.S. market", "e.g. this", '"...?" he asked'
    if punct[0] != "." or punct.startswith(".."):
        return True  # "?", "!", an ellipsis
    return not _abbreviation_blocks(text, t, q, b)


def _abbreviation_blocks(text: str, t: int, q: int, b: int) -> bool:
    """True when the word before the full stop at ``t`` is an abbreviation that goes on."""
    s = t
    while s > 0 and text[s - 1] not in _TOKEN_STOP and not text[s - 1].isspace():
        s -= 1
    word = text[s:t]
    if not word:
        return False
    if word in _NEVER_END:
        return True
    # Initials ("J. Smith"), company suffixes and acronyms ("U.S.") end a sentence only
    # before an obvious opener: "in the U.S. The company", "on X. Then".
    if (len(word) == 1 and word.isupper()) or word in _MAYBE_END or _ACRONYM_RE.search(word):
        nxt = text[q]
        if nxt.isdigit() or nxt in "([":
            return True
        if not nxt.isalpha():
            return False  # an opening quotation mark starts a new sentence
        e = q
        while e < b and (text[e].isalpha() or text[e] in "'\u2019"):
            e += 1
        return text[q:e] not in _SENTENCE_OPENERS
    return False


def _cap_length(text: str, s: int, e: int) -> list[tuple[int, int]]:
    if e - s <= MAX_SENTENCE_CHARS:
        return [(s, e)]
    out: list[tuple[int, int]] = []
    while e - s > MAX_SENTENCE_CHARS:
        limit = s + MAX_SENTENCE_CHARS
        cut = limit
        for j in range(limit, s + MAX_SENTENCE_CHARS // 2, -1):
            if text[j].isspace():
                cut = j
                break
        a, z = _trim(text, s, cut)
        if a < z:
            out.append((a, z))
        s, _ = _trim(text, cut, e)
    if s < e:
        out.append((s, e))
    return out
