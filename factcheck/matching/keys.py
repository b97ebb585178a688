"""Blocking keys stored with every claim, so the database can shortlist candidate matches.

Two claims that state the same fact almost always name the same person or organisation *and*
say the same kind of thing about them (deny, talks, tariff, import ...) or give the same figure.
A key is such a pair, e.g. ``o:ford|v:deny``, ``o:ford|n:%:100``, ``n:%:100|v:tariff`` or
``o:ford|o:xiaomi``. Pairs are what make the shortlist selective: "Ford" alone is in every claim
of a Ford story, "Ford denied" only in its denials. A claim that says nothing a predicate or a
figure captures falls back to its entities alone (``o:ford``, ``p:farley``). A claim that names no
person or organisation keeps its figure keys (``n:%:80|v:control``) and stands in the places it
names (``l:ohio|v:tariff``), or else its longest content words (``w:existential|v:import``), for
names.

Entity handles follow the library's name normalisation (``person_entity`` / ``org_entity``):

* a person is known by the surname *and* the first name, so "John Mullenaar" and "John
  Moolenaar" (one person, two spellings) still meet on ``p:john|v:warn``, and "Farley" meets
  "Jim Farley" on ``p:farley|...``;
* an organisation by the first token of its normalised name ("Ford Motor Co." and "Ford" are
  both ``o:ford``), or by the whole name when that token is shorter than three letters.

Predicate groups are the library's (``text.PREDICATE_WORDS`` / ``PREDICATE_PHRASES``), found by a
per-word lookup (cached), not by normalising the whole text: ``match_keys`` runs on every stored
claim and must stay cheap (tens of microseconds per claim).

``match_keys(text, facets)`` returns a sorted list of at most ``MAX_KEYS`` distinct keys; the same
input always gives the same list.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from .entities import org_entity, person_entity
from .profile import canonical_unit
from .text import PREDICATE_PHRASES, predicate_of_stem, token_stem

MAX_KEYS = 32
# Entities considered per claim (in the order the extractor lists them): a claim naming more is a
# list ("Ford, GM, Stellantis, Toyota and Honda ...") and its first names say enough.
MAX_ENTITIES = 4
MAX_HANDLE = 80

_WORD = re.compile(r"[a-z]+")
_PHRASES = re.compile(
    "|".join(f"(?P<{group}>{'|'.join(patterns)})" for group, patterns in PREDICATE_PHRASES.items())
)
# Words the normaliser rewrites before the predicate lexicon sees them ("JV" -> "joint venture").
_REWRITTEN: dict[str, str] = {"jv": "partnership", "jvs": "partnership"}


@lru_cache(maxsize=65536)
def _word_group(word: str) -> str | None:
    group = _REWRITTEN.get(word)
    if group is not None:
        return group
    s = token_stem(word)
    return predicate_of_stem(s) if s else None


def predicate_groups(text: str) -> list[str]:
    """The key-predicate groups in a text (sorted), by a word lookup plus the few phrase cues."""
    low = text.lower()
    if "n't" in low:
        low = low.replace("n't", " not")
    words = _WORD.findall(low)
    groups = {g for w in words if (g := _word_group(w)) is not None}
    if "no" in words or "not" in words or "joint" in words or "declined" in words:
        for m in _PHRASES.finditer(" ".join(words)):
            groups.add(m.lastgroup)  # type: ignore[arg-type]
    return sorted(groups)


def _topic_words(text: str, limit: int = 3) -> list[str]:
    """For a claim that names nobody: its longest content words (stemmed), as stand-in handles."""
    words = set()
    for w in _WORD.findall(text.lower()):
        if len(w) >= 6 and _word_group(w) is None and (s := token_stem(w)):
            words.add(s)
    return ["w:" + w[:MAX_HANDLE] for w in sorted(words, key=lambda w: (-len(w), w))[:limit]]


def _names(items: Any) -> list[str]:
    if not isinstance(items, (list, tuple)):
        items = [items] if items else []
    out = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name") or item.get("text") or ""
        if isinstance(item, str) and item.strip():
            out.append(item.strip())
    return out


def entity_handles(facets: dict) -> list[tuple[str, ...]]:
    """Per entity named in the facets (people first, then organisations), its handles."""
    out: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for name in _names(facets.get("people")):
        tokens = person_entity(name).tokens
        if not tokens:
            continue
        handles = ["p:" + tokens[-1][:MAX_HANDLE]]
        if len(tokens) > 1 and len(tokens[0]) > 1:
            handles.append("p:" + tokens[0][:MAX_HANDLE])
        fresh = tuple(h for h in handles if h not in seen)
        if fresh:
            seen.update(fresh)
            out.append(fresh)
    for name in _names(facets.get("organisations") or facets.get("organizations")):
        entity = org_entity(name)
        if not entity.tokens:
            continue
        first = entity.tokens[0]
        handle = "o:" + (first if len(first) >= 3 else entity.key)[:MAX_HANDLE]
        if handle not in seen:
            seen.add(handle)
            out.append((handle,))
    return out[:MAX_ENTITIES]


def place_handles(facets: dict) -> list[tuple[str, ...]]:
    """Handles of the places in the facets (``l:michigan``), which stand in for names in a claim that names
    no person or organisation ("Ohio imposed a 25% tariff on steel")."""
    out: list[tuple[str, ...]] = []
    for name in _names(facets.get("places")):
        key = org_entity(name).key
        if key and ("l:" + key[:MAX_HANDLE],) not in out:
            out.append(("l:" + key[:MAX_HANDLE],))
    return out[:MAX_ENTITIES]


def _figure(value: float) -> str:
    if abs(value - round(value)) < 1e-9 and abs(value) < 1e15:
        return str(round(value))
    return f"{value:.3g}"


def figure_keys(facets: dict) -> list[str]:
    """The figures of the facets: ``n:%:100`` (unit and value), ``d:2024`` (a year).

    A unit alone ("n:%" with "v:tariff") is no key: it would pair every tariff rate with every other, across
    stories; two figures for one thing about one organisation already meet on its entity × predicate key."""
    figures: list[str] = []
    numbers = facets.get("numbers")
    for item in numbers if isinstance(numbers, list) else ():
        if not isinstance(item, dict):
            continue
        try:
            value = float(item.get("value"))
        except (TypeError, ValueError):
            continue
        if not math.isfinite(value):
            continue
        unit = canonical_unit(item.get("unit"))[:20]
        figures.append(f"n:{unit}:{_figure(value)}")
    dates = facets.get("dates")
    for item in dates if isinstance(dates, list) else ():
        if not isinstance(item, dict) or item.get("relative"):
            continue
        year = item.get("year")
        if isinstance(year, (int, float)) and not isinstance(year, bool) and 1000 <= year <= 9999:
            figures.append(f"d:{int(year)}")
    return list(dict.fromkeys(figures))


def _add(keys: list[str], seen: set[str], items: Iterable[str]) -> None:
    for key in items:
        if key not in seen:
            seen.add(key)
            keys.append(key)


def match_keys(text: str, facets: dict | None) -> list[str]:
    """The blocking keys of one claim: sorted, distinct, at most ``MAX_KEYS``.

    In order of how much they say (kept first when a claim has more than ``MAX_KEYS``): entity ×
    predicate (a denial or a refusal to comment also as ``v:stance``, so the two meet), entity ×
    figure, figure × predicate (numbers, not years), entity × entity; then, only for a claim without predicate or figure,
    its single entities (and for one with nothing else, its figures or predicates alone).
    """
    facets = facets if isinstance(facets, dict) else {}
    entities = entity_handles(facets)
    groups = predicate_groups(text or "")
    predicates = ["v:" + g for g in groups]
    # A denial and a "did not respond" by one organisation disagree (a conflict the library flags): both also
    # meet on the organisation's stance key.
    stance = ["v:stance"] if "deny" in groups or "no_comment" in groups else []
    figures = figure_keys(facets)
    if not entities:
        entities = place_handles(facets) or [(w,) for w in _topic_words(text or "")]
    handles = [h for handles in entities for h in handles]

    keys: list[str] = []
    seen: set[str] = set()
    _add(keys, seen, (f"{h}|{p}" for h in handles for p in predicates + stance))
    _add(keys, seen, (f"{h}|{f}" for h in handles for f in figures))
    # A figure with a predicate ("n:%:100|v:tariff"); a year with one ("d:2024|v:invest") is in too many claims
    # to say anything without a name.
    _add(keys, seen, (f"{f}|{p}" for f in figures if f.startswith("n:") for p in predicates))
    _add(
        keys,
        seen,
        (
            "|".join(sorted((a, b)))
            for i, ea in enumerate(entities)
            for eb in entities[i + 1 :]
            for a in ea
            for b in eb
        ),
    )
    if not predicates and not figures:
        _add(keys, seen, handles)
    if not keys:
        _add(keys, seen, figures or predicates)
    return sorted(keys[:MAX_KEYS])
