"""Everything matching derives from one claim, computed once and cached on the ``ClaimInfo``.

Comparing two claims then costs a few set operations and one rapidfuzz call, which is what keeps
pair comparisons cheap enough for shortlists of every new article.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .entities import Entity, org_entity, person_entity, same_entity
from .text import contains_any, normalise_for_match, predicate_of_stem, predicates, raw_tokens, stem, token_stem

if TYPE_CHECKING:  # pragma: no cover
    from .types import ClaimInfo

# Content words either side of a number or date that describe what it measures.
CONTEXT_WINDOW = 6

_ROLE_LIST = tuple(
    """
    chair chairman committee house senate senator rep representative republican democrat
    democratic ceo chief executive director spokesperson founder analyst professor correspondent
    secretary minister mayor governor president lawmaker congress manager official ambassador
    spokesman spokeswoman editor reporter economist commissioner
    """.split()
)
# stem -> a readable word, for explanations ("committe" -> "committee").
ROLE_WORDS: dict[str, str] = {}
for _w in _ROLE_LIST:
    ROLE_WORDS.setdefault(stem(_w), _w)
_ROLE_WORDS = frozenset(ROLE_WORDS)
_PARTY_RE = re.compile(r"\(\s*([rd])\s*-\s*[a-z]", re.IGNORECASE)

_UNITS = {
    "%": "%", "percent": "%", "per cent": "%", "pct": "%", "percentage points": "%",
    "usd": "USD", "$": "USD", "us$": "USD", "dollar": "USD", "dollars": "USD",
}


@dataclass(frozen=True, slots=True)
class Mention:
    """A number or a date in a claim, with the stems around it that say what it is about."""

    text: str
    label: str  # canonical rendering: "100%", "$30,000", "2024", "January 31"
    value: float | None  # numbers only
    unit: str  # numbers: "%", "USD", "fraction", "" ...; dates: "date"
    year: int | None
    month: int | None
    day: int | None
    window: frozenset[str]
    window_predicates: frozenset[str]


@dataclass(frozen=True, slots=True)
class ClaimProfile:
    norm: str
    tokens: frozenset[str]
    lexical: str  # sorted content tokens joined, for rapidfuzz
    people: tuple[Entity, ...]
    orgs: tuple[Entity, ...]
    places: tuple[Entity, ...]
    entities: tuple[Entity, ...]
    predicates: frozenset[str]
    numbers: tuple[Mention, ...]
    dates: tuple[Mention, ...]
    # organisation key -> {"deny", "no_response"}: what the claim says that organisation did.
    stances: dict[str, frozenset[str]]
    stance_orgs: dict[str, Entity]
    roles: frozenset[str]
    number_values: frozenset[tuple[str, float]]


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _names(items: list) -> list[str]:
    out = []
    for item in items:
        if isinstance(item, str):
            name = item
        elif isinstance(item, dict):
            name = item.get("name") or item.get("text") or ""
        else:
            continue
        name = name.strip()
        if name and name not in out:
            out.append(name)
    return out


def canonical_unit(unit: Any) -> str:
    u = str(unit or "").strip()
    return _UNITS.get(u.lower(), u)


def render_number(value: float, unit: str) -> str:
    if abs(value - round(value)) < 1e-9:
        num = f"{int(round(value)):,}"
    else:
        num = f"{value:,.6g}" if abs(value) >= 1000 else f"{value:.6g}"
    if unit == "%":
        return f"{num}%"
    if unit == "USD":
        return f"${num}"
    return f"{num} {unit}".strip()


_MONTHS = (
    "January February March April May June July August September October November December".split()
)


def render_date(year: int | None, month: int | None, day: int | None, text: str) -> str:
    parts = []
    if month and 1 <= month <= 12:
        parts.append(_MONTHS[month - 1])
        if day:
            parts.append(str(day) + ("," if year else ""))
    if year:
        parts.append(str(year))
    return " ".join(parts) or text


def _find(needle: list[str], hay: list[str]) -> int:
    n = len(needle)
    if not n:
        return -1
    for i in range(len(hay) - n + 1):
        if hay[i : i + n] == needle:
            return i
    return -1


def _window(
    raws: list[str], stems: list[str | None], start: int, end: int
) -> tuple[frozenset[str], frozenset[str]]:
    """Content stems within CONTEXT_WINDOW content words either side of tokens [start, end);
    the whole claim when the mention could not be located."""
    if start < 0:
        words = {s for s in stems if s is not None and not s[0].isdigit()}
    else:
        words = set()
        for rng in (range(start - 1, -1, -1), range(end, len(raws))):
            taken = 0
            for i in rng:
                s = stems[i]
                if s is None or s[0].isdigit():
                    continue
                words.add(s)
                taken += 1
                if taken >= CONTEXT_WINDOW:
                    break
    preds = frozenset(g for s in words if (g := predicate_of_stem(s)) is not None)
    return frozenset(words), preds


def _locate(text: str, raws: list[str], fallback: tuple[str, ...] = ()) -> tuple[int, int]:
    needle = raw_tokens(normalise_for_match(text)) if text else []
    i = _find(needle, raws)
    if i >= 0:
        return i, i + len(needle)
    for alt in fallback:
        if alt in raws:
            j = raws.index(alt)
            return j, j + 1
    return -1, -1


def _to_float(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if f == f and abs(f) != float("inf") else None


def _to_int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


def _numbers(facets: dict, raws, stems) -> tuple[Mention, ...]:
    out = []
    for item in _as_list(facets.get("numbers")):
        if not isinstance(item, dict):
            continue
        value = _to_float(item.get("value"))
        if value is None:
            continue
        unit = canonical_unit(item.get("unit"))
        text = str(item.get("text") or "")
        whole = f"{value:g}"
        start, end = _locate(text, raws, (whole + "%", whole))
        window, preds = _window(raws, stems, start, end)
        out.append(
            Mention(text, render_number(value, unit), value, unit, None, None, None, window, preds)
        )
    return tuple(out)


def _dates(facets: dict, raws, stems) -> tuple[Mention, ...]:
    out = []
    for item in _as_list(facets.get("dates")):
        if not isinstance(item, dict) or item.get("relative"):
            continue
        year, month, day = _to_int(item.get("year")), _to_int(item.get("month")), _to_int(item.get("day"))
        if year is None and month is None:
            continue
        text = str(item.get("text") or "")
        start, end = _locate(text, raws, (str(year),) if year else ())
        window, preds = _window(raws, stems, start, end)
        label = render_date(year, month, day, text)
        out.append(Mention(text, label, None, "date", year, month, day, window, preds))
    return tuple(out)


# What an organisation is said to have done about the report. Matched on normalised text.
_DENY_CUES = re.compile(
    r"\bden(?:y|ied|ies|ial|ials|ying)\b|\b(?:false|untrue|baseless|incorrect|inaccurate|unfounded)\b"
    r"|\bno truth\b|\b(?:reject|refut|dismiss|rebut)\w*\b"
)
_NO_RESPONSE_CUES = re.compile(
    r"\b(?:did|does|has|have|had|would|could) not (?:immediately )?"
    r"(?:respond|reply|return|answer|comment)\w*"
    r"|\bdeclined (?:to comment|comment|a request|requests?)\b|\bno comment\b"
    r"|\bnot (?:be )?(?:reached|available) for comment\b|\bcould not be reached\b"
    r"|\bunavailable for comment\b|\bdeclined to (?:respond|answer|elaborate)\b"
)
# Each cue above contains one of these strings; a claim with none of them skips that pattern's scan.
_DENY_CUE_WORDS = (
    "den", "false", "untrue", "baseless", "incorrect", "inaccurate", "unfounded", "no truth",
    "reject", "refut", "dismiss", "rebut",
)
_NO_RESPONSE_CUE_WORDS = ("not ", "declined ", "no comment", "unavailable for comment")
# Clause breaks: a cue is attributed to an organisation named earlier in the same clause.
_CLAUSE_BREAK = re.compile(r";|\bwhile\b|\bwhereas\b|\bbut\b|\bmeanwhile\b|\bsimilarly\b")
_COORDINATION = re.compile(r"^(?:\s|and|or|as well as|both)*$|^(?=.*\band\b)(?:\s*\w+){1,8}\s*$")
_PREP_BEFORE = re.compile(
    r"\b(?:on|by|to|with|from|at|via|for|about|against|over|of|in|like|than)(?:\s+\w+){0,2}\s*$"
)


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _word_positions(hay: str, needle: str, *, start: int = 0, end: int | None = None):
    """Start offsets of `needle` in `hay` as a whole word (what ``\\b needle \\b`` finds with
    ``re.finditer``: non-overlapping, left to right), without compiling a pattern per needle.

    Needles are normalised names (letters, digits and single spaces), so they begin and end with
    a word character and the boundary test is a look at the characters either side."""
    if not needle:
        return
    n = len(needle)
    stop = len(hay) if end is None else end
    i = hay.find(needle, start, stop)
    while i != -1:
        j = i + n
        if (i == 0 or not _is_word_char(hay[i - 1])) and (j == len(hay) or not _is_word_char(hay[j])):
            yield i
            i = hay.find(needle, j, stop)
        else:
            i = hay.find(needle, i + 1, stop)


def _has_word(hay: str, needle: str) -> bool:
    return next(_word_positions(hay, needle), None) is not None


def _org_mentions(norm: str, orgs: tuple[Entity, ...]) -> list[tuple[int, int, Entity]]:
    spans = []
    for org in orgs:
        needles = {org.key}
        if org.tokens and len(org.tokens[0]) >= 3:
            needles.add(org.tokens[0])
        for needle in needles:
            if not needle:
                continue
            for i in _word_positions(norm, needle):
                spans.append((i, i + len(needle), org))
    spans.sort(key=lambda s: (s[0], -s[1]))
    # Keep the longest mention at each position, drop mentions nested in an earlier one.
    out: list[tuple[int, int, Entity]] = []
    for span in spans:
        if out and span[0] < out[-1][1]:
            continue
        out.append(span)
    return out


def _stances(norm: str, orgs: tuple[Entity, ...], facets: dict) -> dict[str, set[str]]:
    stances: dict[str, set[str]] = {}
    if orgs:
        mentions: list[tuple[int, int, Entity]] | None = None
        breaks: list[int] = []
        for stance, cues, words in (
            ("deny", _DENY_CUES, _DENY_CUE_WORDS),
            ("no_response", _NO_RESPONSE_CUES, _NO_RESPONSE_CUE_WORDS),
        ):
            if not contains_any(norm, words):
                continue
            for cue in cues.finditer(norm):
                if mentions is None:  # only a claim with a cue needs its mentions and clause breaks
                    mentions = _org_mentions(norm, orgs)
                    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(norm)]
                clause_start = max((b for b in breaks if b < cue.start()), default=0)
                before = [m for m in mentions if clause_start <= m[0] and m[1] <= cue.start()]
                agents: list[Entity] = []
                if before:
                    # The agent is the nearest organisation that is not the object of a
                    # preposition ("Jon Lindqvist stated on social media X that ... false").
                    free = [m for m in before if not _PREP_BEFORE.search(norm[max(0, m[0] - 24) : m[0]])]
                    last = (free or before)[-1]
                    before = before[: before.index(last) + 1]
                    agents.append(last[2])
                    # "Acme and Globex denied": walk back over a coordination.
                    for prev in reversed(before[:-1]):
                        if _COORDINATION.match(norm[prev[1] : last[0]]):
                            agents.append(prev[2])
                            last = prev
                        else:
                            break
                else:
                    # Quote first, speaker after: "'This story is false,' an Acme spokesperson said".
                    clause_end = min((b for b in breaks if b > cue.end()), default=len(norm))
                    after = [m for m in mentions if cue.end() <= m[0] and m[1] <= clause_end]
                    if after:
                        agents.append(after[0][2])
                for org in agents:
                    stances.setdefault(org.key, set()).add(stance)
    # A denial quoted from a speaker who speaks for an organisation ("an Acme spokesperson").
    for quote in _as_list(facets.get("quotes")):
        if not isinstance(quote, dict):
            continue
        qtext = normalise_for_match(str(quote.get("text") or ""))
        speaker = normalise_for_match(str(quote.get("speaker") or ""))
        if not qtext or not speaker:
            continue
        stance = "deny" if _DENY_CUES.search(qtext) else None
        if stance is None:
            continue
        for org in orgs:
            if _has_word(speaker, org.tokens[0]):
                stances.setdefault(org.key, set()).add(stance)
    return stances


# Where a cited source's name starts: right after one of these (an optional "the " in between) ...
_SOURCE_BEFORE = re.compile(
    r"\baccording to |\b(?:told|citing|cited|via|per) |\b(?:reported|published|first reported) (?:by|in) "
)
# ... or where it ends: right before one of these ("the Times reports", "the Times correspondent reported").
_SOURCE_AFTER = re.compile(r" (?:reports|reported)\b")
_SOURCE_NOUNS = (" article", " report", " correspondent")


def _source_slots(norm: str) -> tuple[list[int], list[int]]:
    """Offsets where a cited source's name may start, and offsets where it may end."""
    starts: list[int] = []
    for m in _SOURCE_BEFORE.finditer(norm):
        starts.append(m.end())
        if norm.startswith("the ", m.end()):
            starts.append(m.end() + 4)
    ends: list[int] = []
    for m in _SOURCE_AFTER.finditer(norm):
        ends.append(m.start())
        for noun in _SOURCE_NOUNS:
            if norm.endswith(noun, 0, m.start()):
                ends.append(m.start() - len(noun))
    return starts, ends


def _attribution_sources(norm: str, orgs: tuple[Entity, ...]) -> set[str]:
    """Organisations only cited as the source of the claim ("according to the FT", "told the FT").

    They say who reported the fact, not what the fact is about, so they are left out of the
    entity comparison (but still count for conflicts and stances). The cue phrases are found once
    per claim and each name is compared at those offsets (no pattern compiled per organisation)."""
    out: set[str] = set()
    if not orgs:
        return out
    starts, ends = _source_slots(norm)
    if not starts and not ends:
        return out
    for org in orgs:
        key = org.key
        if any(norm.startswith(key, i) for i in starts):
            out.add(key)
            continue
        for j in ends:
            i = j - len(key)
            if i >= 0 and norm.startswith(key, i) and (i == 0 or not _is_word_char(norm[i - 1])):
                out.add(key)
                break
    return out


# A worker compares the claims of one story again and again as its articles arrive, each time from fresh rows:
# profiles are kept per (text, facets) for the life of the process, up to this many.
PROFILE_CACHE_SIZE = 20_000


def build_profile(claim: ClaimInfo) -> ClaimProfile:
    """What matching compares of a claim, derived from its text and facets alone (so shared between equal claims:
    a profile is never mutated)."""
    facets = claim.facets if isinstance(claim.facets, dict) else {}
    return _profile(claim.text or "", json.dumps(facets, sort_keys=True, ensure_ascii=False, default=str))


@lru_cache(maxsize=PROFILE_CACHE_SIZE)
def _profile(text: str, facets_json: str) -> ClaimProfile:
    facets = json.loads(facets_json)
    norm = normalise_for_match(text)
    raws = raw_tokens(norm)
    stems = [token_stem(t) for t in raws]
    tokens = frozenset(filter(None, stems))
    people = tuple(person_entity(n) for n in _names(_as_list(facets.get("people"))))
    orgs = tuple(
        org_entity(n)
        for n in _names(_as_list(facets.get("organisations")) or _as_list(facets.get("organizations")))
    )
    people = tuple(p for p in people if p.key)
    orgs = tuple(o for o in orgs if o.key)
    places = tuple(e for e in (org_entity(n) for n in _names(_as_list(facets.get("places")))) if e.key)
    # Within one claim, collapse variants of one entity so overlap counts are not inflated.
    entities: list[Entity] = []
    sources = _attribution_sources(norm, orgs)
    for e in people + orgs:
        if e.key in sources:
            continue
        if not any(same_entity(e, f) for f in entities):
            entities.append(e)
    numbers = _numbers(facets, raws, stems)
    dates = _dates(facets, raws, stems)
    stances = _stances(norm, orgs, facets)
    stance_orgs = {o.key: o for o in orgs if o.key in stances}
    roles = set(tokens & _ROLE_WORDS)
    for m in _PARTY_RE.finditer(text):
        roles.add(stem("republican" if m.group(1).lower() == "r" else "democrat"))
    # Names are compared as entities (with fuzzy identity); leaving their words out of the
    # lexical signal stops a story's ubiquitous names from making every pair look alike.
    name_stems = {stem(t) for e in people + orgs for t in e.tokens}
    content = tokens - name_stems or tokens
    return ClaimProfile(
        norm=norm,
        tokens=content,
        lexical=" ".join(sorted(content)),
        people=people,
        orgs=orgs,
        places=places,
        entities=tuple(entities),
        predicates=predicates(norm, tokens),
        numbers=numbers,
        dates=dates,
        stances={k: frozenset(v) for k, v in stances.items()},
        stance_orgs=stance_orgs,
        roles=frozenset(roles),
        number_values=frozenset(
            (m.unit, round(m.value, 6)) for m in numbers if m.value is not None
        ),
    )
