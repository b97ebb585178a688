"""People and organisations: normalised keys and fuzzy identity.

Two mentions are treated as one entity for *matching* when they are plausibly the same name
written differently: "John Halversen" / "John Halvorsen" (same first name, surname within a
small edit distance), "Lindqvist" / "Jon Lindqvist" (surname only), "Acme Motor Co." / "Acme"
(corporate suffix, leading-token prefix), "FT" / "Financial Times" (acronym). Whether two such
spellings *disagree* is a separate question answered in ``conflicts``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from .text import _fold

# Honorifics and roles that precede names and are not part of them.
_TITLES = frozenset(
    """
    mr mrs ms miss dr prof professor sir dame lord lady rep representative sen senator gov governor
    president former vice ceo chief chair chairman chairwoman minister secretary judge justice
    gen general col capt mayor pope king queen prince princess st saint the
    """.split()
)
_ORG_SUFFIXES = frozenset(
    """
    inc incorporated co corp corporation company ltd limited plc llc lp ag sa se nv bv gmbh
    holdings holding group
    """.split()
)
_ORG_STOP = frozenset({"the", "of", "on", "for", "and", "a", "an", "in"})
_NAME_CHARS = re.compile(r"[^a-z0-9\s-]")
_PAREN = re.compile(r"\([^)]*\)")

# Surnames within this normalised Levenshtein similarity are the same name spelled differently
# ("kowalski" / "kowalsky" = 0.88, "smith" / "smyth" = 0.8; "garcia" / "lopez" = 0.0).
SURNAME_SIMILARITY = 0.7


@dataclass(frozen=True, slots=True)
class Entity:
    """A normalised entity mention. ``kind`` is "person" or "org"."""

    kind: str
    name: str  # as written
    key: str  # normalised: "jane kowalski", "acme motor"
    tokens: tuple[str, ...]

    @property
    def first(self) -> str:
        return self.tokens[0] if self.tokens else ""

    @property
    def last(self) -> str:
        return self.tokens[-1] if self.tokens else ""


def _clean(name: str) -> str:
    name = _fold(_PAREN.sub(" ", name))
    name = name.replace("\u2019", "'").replace("'s ", " ")
    if name.endswith("'s"):
        name = name[:-2]
    name = name.replace(".", " ").replace("'", "")
    return " ".join(_NAME_CHARS.sub(" ", name).replace("-", " ").split())


@lru_cache(maxsize=65536)
def person_entity(name: str) -> Entity:
    tokens = [t for t in _clean(name).split() if t]
    while len(tokens) > 1 and tokens[0] in _TITLES:
        tokens.pop(0)
    # Suffixes such as "jr" do not identify anyone on their own.
    while len(tokens) > 1 and tokens[-1] in {"jr", "sr", "ii", "iii", "iv"}:
        tokens.pop()
    return Entity("person", name, " ".join(tokens), tuple(tokens))


@lru_cache(maxsize=65536)
def org_entity(name: str) -> Entity:
    tokens = [t for t in _clean(name).split() if t]
    while len(tokens) > 1 and tokens[0] == "the":
        tokens.pop(0)
    while len(tokens) > 1 and tokens[-1] in _ORG_SUFFIXES:
        tokens.pop()
    return Entity("org", name, " ".join(tokens), tuple(tokens))


def entity_key(name: str, kind: str = "org") -> str:
    """The normalised key of a name ("Acme Motor Co." -> "acme motor")."""
    return (person_entity(name) if kind == "person" else org_entity(name)).key


def _acronym(tokens: tuple[str, ...]) -> str:
    return "".join(t[0] for t in tokens if t not in _ORG_STOP)


def _surname_close(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 4:
        return False
    return Levenshtein.normalized_similarity(a, b) >= SURNAME_SIMILARITY and Levenshtein.distance(a, b) <= 3


@lru_cache(maxsize=262144)
def same_entity(a: Entity, b: Entity) -> bool:
    """Whether two mentions plausibly name the same person or organisation."""
    if a.key == b.key:
        return bool(a.key)
    if not a.tokens or not b.tokens:
        return False
    if a.kind == "person" and b.kind == "person":
        return _same_person(a, b)
    if a.kind == "org" and b.kind == "org":
        return _same_org(a, b)
    return False


def _same_person(a: Entity, b: Entity) -> bool:
    if len(a.tokens) == 1 or len(b.tokens) == 1:
        # "Kowalski" and "Jane Kowalski": a bare surname matches the full name's surname; a fuzzy
        # surname needs some length before it means anything.
        return a.last == b.last or (
            min(len(a.last), len(b.last)) >= 6 and _surname_close(a.last, b.last)
        )
    # Different first names are different people ("Joe Biden" / "Jill Biden"); a first initial
    # matches its name ("J. Kowalski" / "Jane Kowalski").
    fa, fb = a.first, b.first
    if fa != fb and not (
        (len(fa) == 1 and fb.startswith(fa)) or (len(fb) == 1 and fa.startswith(fb))
    ):
        return False
    return _surname_close(a.last, b.last)


def _same_org(a: Entity, b: Entity) -> bool:
    ta, tb = a.tokens, b.tokens
    short, long_ = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    # "Acme" / "Acme Motor": leading-token prefix (one distinctive token is enough).
    if long_[: len(short)] == short and len(short[0]) >= 3:
        return True
    # "FT" / "Financial Times", "WHO" / "World Health Organization".
    if len(short) == 1 and len(long_) >= 2 and short[0] == _acronym(long_):
        return True
    # "House Energy Committee" / "House Select Committee on Energy".
    sa = {t for t in ta if t not in _ORG_STOP}
    sb = {t for t in tb if t not in _ORG_STOP}
    if len(sa) >= 2 and len(sb) >= 2 and len(sa & sb) / len(sa | sb) >= 0.6:
        return True
    # Spelling variants of one long name.
    if min(len(a.key), len(b.key)) >= 6:
        return Levenshtein.normalized_similarity(a.key, b.key) >= 0.85
    return False


def match_count(xs: tuple[Entity, ...], ys: tuple[Entity, ...]) -> tuple[int, int]:
    """How many of ``xs`` match something in ``ys``, and how many of ``ys`` match something in ``xs``."""
    if not xs or not ys:
        return 0, 0
    keys_y = {e.key for e in ys}
    keys_x = {e.key for e in xs}
    mx = 0
    for x in xs:
        if x.key in keys_y or any(same_entity(x, y) for y in ys):
            mx += 1
    my = 0
    for y in ys:
        if y.key in keys_x or any(same_entity(x, y) for x in xs):
            my += 1
    return mx, my
