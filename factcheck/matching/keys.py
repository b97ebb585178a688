"""Blocking keys stored with every claim, so the database can shortlist candidate matches.

A claim's keys are

* its embedding's LSH band keys (``lsh.band_keys``: ``h3:517@2026-01``), which claims with similar embeddings share;
* one key per person or organisation it names, by surname and by first name for people (so "John Halversen" and
  "John Halvorsen", one person spelled two ways, still meet) and by the first token of the normalised name for
  organisations (``e:halvorsen@2026-01``, ``e:acme@2026-01``); people and organisations share one key space, since
  a recogniser sometimes takes one for the other; places (``l:ohio@2026-01``) stand in when it names neither.

Every key carries the month of the article's publication (or upload), so a key's claims stay few at any archive
size. ``match_keys`` gives what is stored; ``lookup_keys`` what a new claim looks up (its multi-probe band keys and
its entity keys, in the neighbouring month too near a month's edge). The same input always gives the same list.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import lsh
from .entities import org_entity, person_entity

MAX_KEYS = 32
# Entities considered per claim (in the order the extractor lists them): a claim naming more is a list, and its
# first names say enough.
MAX_ENTITIES = 4
MAX_HANDLE = 80


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
        handles = ["e:" + tokens[-1][:MAX_HANDLE]]
        if len(tokens) > 1 and len(tokens[0]) > 1:
            handles.append("e:" + tokens[0][:MAX_HANDLE])
        fresh = tuple(h for h in handles if h not in seen)
        if fresh:
            seen.update(fresh)
            out.append(fresh)
    for name in _names(facets.get("organisations") or facets.get("organizations")):
        entity = org_entity(name)
        if not entity.tokens:
            continue
        first = entity.tokens[0]
        handle = "e:" + (first if len(first) >= 3 else entity.key)[:MAX_HANDLE]
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


def _entity_keys(facets: dict, months: list[str]) -> list[str]:
    handles = [h for hs in (entity_handles(facets) or place_handles(facets)) for h in hs]
    return [f"{h}@{m}" for m in months for h in handles]


def match_keys(
    text: str, facets: dict | None, *, embedding: Any = None, when: dt.date | dt.datetime | None = None
) -> list[str]:
    """The blocking keys stored with one claim: sorted, distinct, at most ``MAX_KEYS``."""
    facets = facets if isinstance(facets, dict) else {}
    keys = lsh.band_keys(embedding, when) + _entity_keys(facets, [lsh.month_bucket(when)])
    return sorted(set(keys))[:MAX_KEYS]


def lookup_keys(
    text: str, facets: dict | None, *, embedding: Any = None, when: dt.date | dt.datetime | None = None
) -> list[str]:
    """The keys one claim looks up to find its candidates (a superset of what it stores)."""
    facets = facets if isinstance(facets, dict) else {}
    months = [lsh.month_bucket(when)]
    keys = lsh.probe_keys(embedding, when)
    if when is not None and (other := lsh.neighbour_month(when)) is not None:
        months.append(other)
    return sorted(set(keys + _entity_keys(facets, months)))
