"""Published fact-checks: schema.org ClaimReview records out of whatever shape a publisher's feed has.

Accepted: one ClaimReview object, a list of them, an ``@graph``, a schema.org ``DataFeed``
(``dataFeedElement[].item[]``, or elements that are themselves ClaimReviews), JSON lines, and ClaimReview
JSON-LD embedded in an HTML page. Records are yielded one at a time with their position (and line, for JSON
lines): a large ``@graph`` or feed is streamed with ijson, never loaded as one structure, and a broken record
is reported with its line and skipped. Pure Python, no Django: the service decides what to store.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import ijson
from extruct.jsonld import JsonLdExtractor
from extruct.utils import parse_html

from .dates import parse_datetime
from .errors import IngestError, format_size, json_error_reason
from .text import decode_text

__all__ = [
    "MISSING_LABELS",
    "RATINGS",
    "CheckRecord",
    "ParsedCheck",
    "check_key",
    "count_records",
    "iter_records",
    "normalise_rating",
    "normalise_url",
    "parse_claim_review",
]

# The normalised scale (the values of factcheck.models.Rating).
FALSE, MOSTLY_FALSE, MIXED, MOSTLY_TRUE, TRUE, UNPROVEN, OTHER = (
    "false", "mostly_false", "mixed", "mostly_true", "true", "unproven", "other",
)
RATINGS = (FALSE, MOSTLY_FALSE, MIXED, MOSTLY_TRUE, TRUE, UNPROVEN, OTHER)

# Field lengths of the stored check; longer values are cut (a URL that long is dropped instead).
_LIMITS = {"identifier": 2000, "url": 2000, "name": 500, "rating_label": 500, "rating_number": 50, "language": 16}
_KEY_LIMIT = 2100
_NESTING = 6  # how deep a DataFeed / @graph / list may wrap its ClaimReviews

# What a stored check may lack, as the import reports it.
MISSING_LABELS = {
    "claim_reviewed": "the claim reviewed",
    "publisher": "a publisher",
    "review_date": "a review date",
    "url": "a URL",
    "rating": "a rating",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedCheck:
    """One ClaimReview, its fields cleaned (no NUL or control characters) and its identity key."""

    key: str
    identifier: str = ""
    url: str = ""
    claim_reviewed: str = ""
    headline: str = ""
    description: str = ""
    publisher_name: str = ""
    publisher_url: str = ""
    writer: str = ""
    claimant: str = ""
    claim_date: date | None = None
    review_date: date | None = None
    rating_label: str = ""
    rating_value: str = ""
    rating_best: str = ""
    rating_worst: str = ""
    rating: str = OTHER
    language: str = ""
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CheckRecord:
    """One record of the input: a check, or a message saying why it was skipped (never both).

    ``position`` counts records from 1 in input order; ``line`` is the line of a JSON lines file, else the
    position.
    """

    position: int
    line: int
    check: ParsedCheck | None = None
    error: str | None = None
    from_lines: bool = False

    @property
    def where(self) -> str:
        """"Line 12" (JSON lines) or "Record 12" (JSON, HTML), as messages name the record."""
        return f"{'Line' if self.from_lines else 'Record'} {self.line}"


class RecordError(ValueError):
    """A record that cannot be imported; the message is for the person who imported it."""


# --- reading the input ------------------------------------------------------------------------------------

# NUL is dropped and other C0 control bytes (never valid unescaped in JSON) become spaces, before parsing.
# Safe on UTF-8 only: no byte below 0x20 is part of a multi-byte character there.
_CONTROL_BYTES = bytes(range(1, 9)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20))
_CONTROL_TABLE = bytes.maketrans(_CONTROL_BYTES, b" " * len(_CONTROL_BYTES))


class _CleanStream:
    """The input bytes as a stream, control bytes removed as they are read (no second copy of the input)."""

    def __init__(self, data: bytes):
        self._data = memoryview(data)
        self._at = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size is None or size < 0 else min(len(self._data), self._at + size)
        chunk = bytes(self._data[self._at : end])
        self._at = end
        return chunk.translate(_CONTROL_TABLE, b"\x00")


def _utf8(data: bytes) -> bytes:
    """UTF-8 bytes without a BOM; other encodings (UTF-16 with its NUL bytes, cp1252…) are decoded first."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return decode_text(data).encode("utf-8")
    try:
        data[:65536].decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < 65530:  # not merely a character cut at the sample's end
            return decode_text(data).encode("utf-8")
    return data


def _shape(data: bytes, filename: str) -> str:
    name = filename.lower().rsplit("?", 1)[0]
    head = data[:4096].lstrip()
    if name.endswith((".jsonl", ".ndjson", ".jsonlines")):
        return "jsonl"
    if head[:1] == b"<" or name.endswith((".html", ".htm")):
        return "html"
    if head[:1] == b"[":
        return "json"
    if head[:1] == b"{":
        first, _, rest = data.lstrip().partition(b"\n")
        first = first.strip()
        # A compact object on the first line followed by more lines: JSON lines. A pretty-printed document
        # opens with a lone "{".
        if first.endswith(b"}") and rest.strip():
            return "jsonl"
        return "json"
    raise IngestError("This is not ClaimReview JSON, JSON lines or an HTML page with ClaimReview JSON-LD.")


def iter_records(data: bytes, *, filename: str = "", max_bytes: int | None = None) -> Iterator[CheckRecord]:
    """Yield every ClaimReview record of ``data`` in order, each parsed or with the reason it was skipped.

    Raises :class:`IngestError` at once (before any record) for input that is empty, larger than
    ``max_bytes`` or in no format we read. A JSON document that breaks part-way yields the records before the
    break and then one error saying where it broke. Work and memory are bounded by the input: records are
    streamed, one at a time.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise IngestError(
            f"The file is {format_size(len(data))}, over the {format_size(max_bytes)} limit for an import of "
            "fact-checks; split it into smaller files."
        )
    return _numbered(_found(data, filename))


def _found(data: bytes, filename: str) -> Iterator[_Found]:
    """Each value found in the input, or an error, in order (checks done before the first is yielded)."""
    if not data.strip():
        raise IngestError("The file is empty.")
    data = _utf8(data)
    shape = _shape(data, filename)
    if shape == "jsonl":
        return _jsonl_values(data)
    if shape == "html":
        return _html_values(data)
    return _json_values(data)


def count_records(data: bytes, *, filename: str = "", max_bytes: int | None = None) -> int:
    """How many records :func:`iter_records` yields for ``data`` (read the same way, without taking their
    fields apart). Raises :class:`IngestError` as it does."""
    if max_bytes is not None and len(data) > max_bytes:
        iter_records(data, filename=filename, max_bytes=max_bytes)  # raises with the message
    return sum(1 for _ in _found(data, filename))


# Marks a record whose line had NUL or control bytes removed before it was parsed.
_CLEANED = "\x00cleaned"

# Each reader yields (line or None, value found there, or an error message).
_Found = tuple[int | None, Any, str | None]


def _jsonl_values(data: bytes) -> Iterator[_Found]:
    for number, raw in enumerate(io.BytesIO(data), start=1):
        if not raw.strip():
            continue
        cleaned = raw.translate(_CONTROL_TABLE, b"\x00").strip()
        touched = cleaned != raw.strip()
        try:
            value = json.loads(cleaned)
        except (ValueError, RecursionError) as exc:
            reason = json_error_reason(exc) if isinstance(exc, json.JSONDecodeError) else "unreadable"
            yield number, None, f"Line {number}: not valid JSON ({reason})."
            continue
        found = list(_claim_reviews(value))
        if not found:
            yield number, None, f"Line {number}: no ClaimReview in this line."
        for item in found:
            yield number, {**item, _CLEANED: True} if touched else item, None


def _json_values(data: bytes) -> Iterator[_Found]:
    top_is_list = data.lstrip()[:1] == b"["
    # A document is streamed (ijson) from each place ClaimReviews are listed in, in turn, so an @graph or
    # a feed of any length is read one item at a time.
    prefixes = ["item"] if top_is_list else ["@graph.item", "dataFeedElement.item"]
    yielded = 0
    try:
        for prefix in prefixes:
            for value in ijson.items(_CleanStream(data), prefix, use_float=True):
                found = list(_claim_reviews(value))
                if not found and top_is_list:
                    yield None, None, "not a ClaimReview object"
                for item in found:
                    yielded += 1
                    yield None, item, None
        if not top_is_list and not yielded:
            value = next(ijson.items(_CleanStream(data), "", use_float=True))
            found = list(_claim_reviews(value))
            if not found:
                raise IngestError("The file has no schema.org ClaimReview in it.")
            for item in found:
                yield None, item, None
    except (ijson.JSONError, ValueError, RecursionError) as exc:
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        yield None, None, f"the JSON breaks here ({reason}); nothing after this point could be read"


def _html_values(data: bytes) -> Iterator[_Found]:
    text = decode_text(data).replace("\x00", "")
    try:
        tree = parse_html(text.encode("utf-8"), encoding="UTF-8")
    except Exception as exc:  # lxml gives up on some hostile markup
        raise IngestError("This HTML page could not be read.") from exc
    extractor = JsonLdExtractor()
    scripts = tree.xpath('//script[@type="application/ld+json"]') if tree is not None else []
    found_any = False
    for number, script in enumerate(scripts, start=1):
        try:
            values = extractor.extract_items(script)
        except (ValueError, RecursionError):
            yield None, None, f"JSON-LD block {number} of the page is not valid JSON."
            continue
        for item in _claim_reviews(values):
            found_any = True
            yield None, item, None
    if not found_any and not scripts:
        raise IngestError("The page has no ClaimReview JSON-LD (no <script type=\"application/ld+json\">).")


def _numbered(found: Iterable[_Found]) -> Iterator[CheckRecord]:
    for position, (line, value, error) in enumerate(found, start=1):
        at, from_lines = (line, True) if line is not None else (position, False)
        if error is not None:
            if not from_lines and not error.startswith("JSON-LD"):
                error = f"Record {position}: {error}."
            yield CheckRecord(position, at, error=error, from_lines=from_lines)
            continue
        try:
            yield CheckRecord(position, at, check=parse_claim_review(value), from_lines=from_lines)
        except RecordError as exc:
            label = f"Line {line}" if from_lines else f"Record {position}"
            yield CheckRecord(position, at, error=f"{label}: {exc}", from_lines=from_lines)


def _types(value: dict) -> set[str]:
    raw = value.get("@type", ())
    names = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    return {str(n).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for n in names}


def _claim_reviews(value: Any, depth: int = 0) -> Iterator[dict]:
    """The ClaimReview objects in a value: itself, or inside a list, an @graph or a DataFeed."""
    if depth > _NESTING:
        return
    if isinstance(value, list):
        for item in value:
            yield from _claim_reviews(item, depth + 1)
        return
    if not isinstance(value, dict):
        return
    types = _types(value)
    if "ClaimReview" in types or (not types and ("claimReviewed" in value or "reviewRating" in value)):
        yield value
        return
    for key in ("@graph", "dataFeedElement", "item", "itemListElement", "mainEntity"):
        if key in value:
            yield from _claim_reviews(value[key], depth + 1)


# --- one record -------------------------------------------------------------------------------------------

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\ufeff]")


def _text(value: Any) -> str:
    """A text field: strings, numbers, or the first of a list; NUL and control characters removed."""
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or ""
    if value is None or isinstance(value, (dict, list, bool)):
        return ""
    text = str(value)
    if "&" in text:
        text = html.unescape(text)
    return " ".join(_CONTROL_CHARS.sub(" ", text).split())


def _first(value: Any) -> Any:
    while isinstance(value, list):
        value = value[0] if value else None
    return value


def _all(value: Any) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def _cut(text: str, limit: int) -> str:
    return text[:limit].rstrip()


def _http_url(value: Any) -> str:
    url = _text(value).replace(" ", "%20")
    return url if url.lower().startswith(("http://", "https://")) and len(url) <= _LIMITS["url"] else ""


def _number(value: Any) -> str:
    value = _first(value)
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _cut(_text(value), _LIMITS["rating_number"])


def _date(value: Any) -> date | None:
    parsed = parse_datetime(_text(value) or None)
    return parsed.date() if parsed else None


def _people(value: Any) -> tuple[list[dict | str], list[dict | str]]:
    """Split an author/creator/publisher value into (organisations, people)."""
    orgs: list[dict | str] = []
    people: list[dict | str] = []
    for item in _all(value):
        if isinstance(item, dict):
            (people if "Person" in _types(item) else orgs).append(item)
        elif isinstance(item, str) and item.strip():
            orgs.append(item)
    return orgs, people


def _name(entity: dict | str) -> str:
    return _cut(_text(entity), _LIMITS["name"])


def _entity_url(entity: dict | str) -> str:
    if isinstance(entity, dict):
        return _http_url(entity.get("url") or entity.get("sameAs") or entity.get("@id"))
    return ""


def _language(value: Any) -> str:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name")
    return _cut(_text(value), _LIMITS["language"])


def _clean_raw(value: Any, depth: int = 0) -> Any:
    """The record as received, minus what PostgreSQL's JSON cannot hold (NUL characters)."""
    if depth > 50:
        return None
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {str(k).replace("\x00", ""): _clean_raw(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_raw(v, depth + 1) for v in value]
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    return value


def _has_control(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return bool(_CONTROL_CHARS.search(value))
    if isinstance(value, dict) and depth < 4:
        return any(_has_control(v, depth + 1) for v in value.values())
    if isinstance(value, list) and depth < 4:
        return any(_has_control(v, depth + 1) for v in value[:20])
    return False


def parse_claim_review(obj: dict) -> ParsedCheck:
    """The fields of one ClaimReview object. Raises :class:`RecordError` for a record with neither the claim
    reviewed nor a headline (there would be nothing to match a claim against)."""
    if not isinstance(obj, dict):
        raise RecordError("not a ClaimReview object.")
    claim_reviewed = _text(obj.get("claimReviewed"))
    headline = _text(obj.get("headline") or obj.get("name"))
    if not claim_reviewed and not headline:
        raise RecordError("neither the claim reviewed (claimReviewed) nor a headline, so it was skipped.")
    description = _text(obj.get("description"))

    pub_orgs, pub_people = _people(obj.get("publisher"))
    author_orgs, author_people = _people(obj.get("author"))
    _, creators = _people(obj.get("creator"))
    creator_names = [c for c in _all(obj.get("creator")) if isinstance(c, str)]
    publisher = next(iter(pub_orgs + author_orgs), None)
    writers = [_name(p) for p in creators + creator_names + author_people + pub_people]
    writer = _cut(", ".join(dict.fromkeys(w for w in writers if w)), _LIMITS["name"])

    item = _first(obj.get("itemReviewed"))
    item = item if isinstance(item, dict) else {}
    claimant = ", ".join(dict.fromkeys(n for n in (_name(a) for a in _all(item.get("author"))) if n))
    claim_date = _date(item.get("datePublished"))
    if claim_date is None:
        appearance = _first(item.get("firstAppearance") or item.get("appearance"))
        if isinstance(appearance, dict):
            claim_date = _date(appearance.get("datePublished"))

    rating = _first(obj.get("reviewRating"))
    rating = rating if isinstance(rating, dict) else {}
    rating_label = _cut(_text(rating.get("alternateName") or rating.get("name")), _LIMITS["rating_label"])
    value, best, worst = (_number(rating.get(k)) for k in ("ratingValue", "bestRating", "worstRating"))

    url = _http_url(obj.get("url"))
    identifier = _cut(_text(obj.get("identifier") or obj.get("@id")), _LIMITS["identifier"])
    publisher_name = _name(publisher) if publisher is not None else ""
    publisher_url = _entity_url(publisher) if publisher is not None else ""
    review_date = _date(obj.get("datePublished") or obj.get("dateCreated"))

    missing = []
    if not claim_reviewed:
        missing.append("claim_reviewed")
    if not publisher_name and not publisher_url:
        missing.append("publisher")
    if review_date is None:
        missing.append("review_date")
    if not url:
        missing.append("url")
    if not rating_label and not value:
        missing.append("rating")
    notes = []
    if _text(obj.get("url")) and not url:
        notes.append("its URL is not an http(s) address, so it was left out")
    if obj.pop(_CLEANED, False) or _has_control(obj):
        notes.append("NUL or control characters were removed")

    return ParsedCheck(
        key=check_key(url=url, publisher=publisher_name or _host(publisher_url), identifier=identifier,
                      text=claim_reviewed or headline),
        identifier=identifier,
        url=url,
        claim_reviewed=claim_reviewed,
        headline=headline,
        description=description,
        publisher_name=publisher_name,
        publisher_url=publisher_url,
        writer=writer,
        claimant=_cut(claimant, _LIMITS["name"]),
        claim_date=claim_date,
        review_date=review_date,
        rating_label=rating_label,
        rating_value=value,
        rating_best=best,
        rating_worst=worst,
        rating=normalise_rating(rating_label, value=value, best=best, worst=worst),
        language=_language(obj.get("inLanguage")),
        missing=tuple(missing),
        notes=tuple(notes),
        raw=_clean_raw(obj),
    )


# --- identity ---------------------------------------------------------------------------------------------

# Query parameters that say how a reader arrived, not what they read.
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|igshid|_ga|_gl|ocid|cmpid|"
    r"ref_src|ref_url|s_cid|share|smid)$",
    re.IGNORECASE,
)


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower().rstrip(".") if url else ""
    return host[4:] if host.startswith("www.") else host


def normalise_url(url: str) -> str:
    """The URL as an identity: scheme and host lower-cased, default port, fragment, tracking parameters and a
    trailing slash removed."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None or (scheme, port) in {("http", 80), ("https", 443)} else f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, netloc, path, query, ""))


def _fit(key: str) -> str:
    if len(key) <= _KEY_LIMIT:
        return key
    return f"{key[: _KEY_LIMIT - 34]}…{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def check_key(*, url: str, publisher: str, identifier: str, text: str) -> str:
    """Identity across imports: the normalised URL where there is one, else the publisher with the
    identifier, else the publisher with a hash of the text."""
    if url:
        return _fit("url:" + normalise_url(url))
    who = " ".join(publisher.split()).casefold()
    if identifier:
        return _fit(f"id:{who}|{identifier}")
    digest = hashlib.sha256(" ".join(text.split()).casefold().encode()).hexdigest()
    return f"text:{who[:1000]}|{digest}"


# --- ratings ----------------------------------------------------------------------------------------------

# Phrases of English rating scales, most specific first: the first that occurs in the label (as whole words)
# decides. A publisher's own words are mapped in the database (RatingMapping), which wins over these.
_RATING_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (FALSE, ("pants on fire", "four pinocchios", "not true", "not correct", "not accurate")),
    (MOSTLY_FALSE, ("mostly false", "largely false", "mainly false", "mostly untrue", "mostly inaccurate",
                    "mostly incorrect", "three pinocchios")),
    (MOSTLY_TRUE, ("mostly true", "largely true", "mainly true", "mostly accurate", "mostly correct",
                   "largely accurate", "one pinocchio")),
    (MIXED, ("half true", "half truth", "half false", "partly true", "partly false", "partially true",
             "partially false", "partly correct", "partially correct", "mixture", "mixed", "missing context",
             "needs context", "lacks context", "two pinocchios", "half right")),
    (MOSTLY_FALSE, ("misleading", "miscaptioned", "out of context", "exaggerated", "exaggerates", "exaggeration",
                    "distorts", "distorted", "manipulated", "altered", "cherry picks", "spins the facts")),
    (UNPROVEN, ("unproven", "unverified", "unverifiable", "unsupported", "unsubstantiated", "no evidence",
                "not enough evidence", "insufficient evidence", "lacks evidence", "undetermined", "inconclusive",
                "research in progress", "unclear", "cannot be verified", "can t be verified", "unknown")),
    (FALSE, ("false", "fake", "incorrect", "wrong", "untrue", "inaccurate", "fabricated", "hoax", "baseless",
             "bogus", "debunked", "fiction", "scam", "pinocchio")),
    (TRUE, ("true", "correct", "accurate", "correct attribution", "confirmed", "legit", "right", "real")),
)
_WORDS = re.compile(r"[^\w]+")


def _label_words(label: str) -> str:
    return f" {' '.join(_WORDS.sub(' ', label.casefold()).split())} "


def _scaled(value: str, best: str, worst: str) -> str | None:
    try:
        number = float(value)
        high = float(best) if best else 5.0  # schema.org's defaults
        low = float(worst) if worst else 1.0
    except ValueError:
        return None
    if high == low or not min(low, high) <= number <= max(low, high):
        return None
    share = (number - low) / (high - low)
    for bound, rating in ((0.2, FALSE), (0.4, MOSTLY_FALSE), (0.6, MIXED), (0.8, MOSTLY_TRUE)):
        if share < bound:
            return rating
    return TRUE


def normalise_rating(label: str, *, value: str = "", best: str = "", worst: str = "") -> str:
    """The rating on the normalised scale: from the published words where they say it, else from the numbers
    (value between worst and best, schema.org's 1 to 5 when they are not given), else "other"."""
    words = _label_words(label)
    if words.strip():
        for rating, phrases in _RATING_PHRASES:
            if any(f" {phrase} " in words for phrase in phrases):
                return rating
    return (_scaled(value, best, worst) if value else None) or OTHER
