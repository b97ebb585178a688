"""Conflicts: two claims that disagree about one fact.

Four kinds, each deliberately narrow — a false alarm costs a fact-checker more than a missed
one, because every alarm is read by a person:

``number``
    Same unit and the same quantity, different values: "100 percent tariffs" vs "a 100% tariff
    ..., temporarily increased to 145%". *Same quantity* means the words around the two figures
    share a content word, and the claims are alike enough to state one fact (``MIN_RELATEDNESS``).
    "four sources" vs "100% tariff" never compare (different units), nor does "four sources" vs
    "the two companies" (bare counts of different things); "over 80 percent of lithium-ion battery
    capacity" vs "100 percent tariffs" share a unit but not a context.
``name``
    Two spellings of one person: same first name, surnames a small edit distance apart
    (normalised Levenshtein >= 0.7, at most 3 edits), *and* shared context — a role word (chair,
    committee, Republican, CEO, ...) or an organisation in common. "John Halversen, the Republican
    chairman of the House Energy Committee" vs "Rep. John Halvorsen (R-Mich.), chair of the House
    Select Committee". "Joe Biden" vs "John Halvorsen" never compare.
``date``
    Different years (or, within one year, months / days) for the same event: the claims share a
    person or organisation and two content words said next to both dates.
``denial``
    For the same organisation, one claim says it did not respond / declined to comment and the
    other says it denied: "Borealis did not respond to a request for comment" vs "Borealis denied".

``find_conflicts_in_story`` runs these across articles through an inverted index on entities and
quantity contexts (not all pairs) and deduplicates with ``conflict_key``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping

from .entities import Entity, same_entity
from .index import DEFAULT_MAX_POSTING, conflict_keys, pairs_sharing
from .profile import ROLE_WORDS, ClaimProfile, Mention
from . import pairmodel
from .scoring import numbers_equal, similarity
from .text import normalise_for_match, token_stem
from .types import CONFLICT_KINDS, ClaimInfo, Conflict

# Claims less alike than this are about different things, whatever their figures and dates: the least two members
# of one cluster may be alike (the learned model's `min_link`).
MIN_RELATEDNESS: float = pairmodel.decision_thresholds()[1]


def conflict_key(conflict: Conflict, *, max_length: int | None = None) -> str:
    """A stable identity for a conflict: kind + sorted normalised values + sorted claim ids.

    The same disagreement found from either side, in any order, on any run, has the same key,
    so the database can upsert on it. With `max_length`, a longer key keeps its head and ends in a
    hash of the whole, so two long keys that differ only in their tails stay apart.
    """
    values = sorted({normalise_for_match(v) for v in conflict.values})
    a, b = sorted(conflict.claim_ids)
    key = f"{conflict.kind}|{'|'.join(values)}|{a}-{b}"
    if max_length is not None and len(key) > max_length:
        key = key[: max_length - 65] + "#" + hashlib.sha256(key.encode()).hexdigest()
    return key


def _ordered(a: ClaimInfo, b: ClaimInfo) -> tuple[ClaimInfo, ClaimInfo]:
    return (a, b) if a.id <= b.id else (b, a)


def find_conflicts(a: ClaimInfo, b: ClaimInfo) -> list[Conflict]:
    """Every conflict between two claims (any articles), sorted by kind then values."""
    if a.id == b.id:
        return []
    a, b = _ordered(a, b)
    pa, pb = a.profile, b.profile
    out: list[Conflict] = []
    related: float | None = None

    def is_related() -> bool:
        nonlocal related
        if related is None:
            related = similarity(a, b)
        return related >= MIN_RELATEDNESS

    if pa.numbers and pb.numbers:
        out.extend(_number_conflicts(a, b, is_related))
    if pa.people and pb.people:
        out.extend(_name_conflicts(a, b))
    if pa.dates and pb.dates and is_related():
        out.extend(_date_conflicts(a, b))
    if pa.stances and pb.stances:
        out.extend(_denial_conflicts(a, b))
    order = {k: i for i, k in enumerate(CONFLICT_KINDS)}
    out.sort(key=lambda c: (order[c.kind], c.values))
    return out


# --- numbers ---------------------------------------------------------------------------------


def _looks_like_year(m: Mention) -> bool:
    return (
        m.unit == ""
        and m.value is not None
        and float(m.value).is_integer()
        and 1900 <= m.value <= 2100
        and m.text.strip().isdigit()
    )


def _same_context(m: Mention, n: Mention) -> bool:
    """Whether two figures measure the same thing: a content word said next to both ("100% tariff" / "tariff
    ... to 145%"). The service only compares claims judged to state one fact, so one shared word is enough."""
    return bool(m.window & n.window)


def _counted(m: Mention) -> str:
    """The stem of what a bare count counts: "four sources" and "one source" -> "sourc"; "" if unsaid."""
    if m.unit:
        return ""
    words = m.text.lower().split()
    if len(words) < 2 or not words[-1].isalpha():
        return ""
    return token_stem(words[-1]) or ""


def _same_count(m: Mention, n: Mention) -> bool:
    """Bare counts compare only if they count the same thing ("four sources" never meets "two companies")."""
    a, b = _counted(m), _counted(n)
    return not a or not b or a == b


def _has_value(p: ClaimProfile, unit: str, value: float) -> bool:
    return any(x.unit == unit and x.value is not None and numbers_equal(x.value, value) for x in p.numbers)


def _number_conflicts(a: ClaimInfo, b: ClaimInfo, is_related) -> list[Conflict]:
    pa, pb = a.profile, b.profile
    found: dict[str, tuple[list[Mention], list[Mention], set[str]]] = {}
    for m in pa.numbers:
        if m.value is None or _looks_like_year(m):
            continue
        for n in pb.numbers:
            if n.value is None or n.unit != m.unit or _looks_like_year(n):
                continue
            if numbers_equal(m.value, n.value) or not _same_count(m, n):
                continue
            # Both figures stated by both claims: they agree on the pair, nothing conflicts.
            if _has_value(pb, m.unit, m.value) and _has_value(pa, n.unit, n.value):
                continue
            if not _same_context(m, n):
                continue
            if not is_related():
                return []
            ms, ns, ctx = found.setdefault(m.unit, ([], [], set()))
            # Report the figure each claim has that the other lacks; a shared figure is context.
            for mention, lst, other in ((m, ms, pb), (n, ns, pa)):
                if mention not in lst and not _has_value(other, mention.unit, mention.value):
                    lst.append(mention)
            ctx.update(m.window_predicates & n.window_predicates or m.window & n.window)
    out = []
    for unit, (ms, ns, ctx) in sorted(found.items()):
        if not ms and not ns:
            continue
        # A claim whose figure is shared still states it: show it against the other's figure.
        if not ms:
            ms = [x for x in pa.numbers if x.unit == unit and not _looks_like_year(x)]
        if not ns:
            ns = [x for x in pb.numbers if x.unit == unit and not _looks_like_year(x)]
        va = _labels(ms)
        vb = _labels(ns)
        values = tuple(dict.fromkeys(va + vb))
        about = ", ".join(sorted(ctx)[:3])
        out.append(
            Conflict(
                "number",
                values,
                (a.id, b.id),
                f"Claim {a.id} gives {' / '.join(va)} where claim {b.id} gives {' / '.join(vb)}"
                + (f" for the same quantity ({about})." if about else " for the same quantity."),
            )
        )
    return out


def _labels(ms: Iterable[Mention]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m.label for m in sorted(ms, key=lambda x: (x.value or 0.0))))


# --- names -----------------------------------------------------------------------------------


def _shared_orgs(pa: ClaimProfile, pb: ClaimProfile) -> list[str]:
    return [x.name for x in pa.orgs if any(same_entity(x, y) for y in pb.orgs)]


def _name_conflicts(a: ClaimInfo, b: ClaimInfo) -> list[Conflict]:
    pa, pb = a.profile, b.profile
    out = []
    seen = set()
    for p in pa.people:
        for q in pb.people:
            if p.key == q.key or p.last == q.last or not same_entity(p, q):
                continue
            # The same spelling appearing on both sides means both outlets know both names.
            if any(x.key == q.key for x in pa.people) or any(y.key == p.key for y in pb.people):
                continue
            roles = sorted(ROLE_WORDS.get(r, r) for r in pa.roles & pb.roles)
            orgs = _shared_orgs(pa, pb)
            if not roles and not orgs:
                continue
            pair = (p.key, q.key)
            if pair in seen:
                continue
            seen.add(pair)
            context = ", ".join(roles[:3] + orgs[:2])
            out.append(
                Conflict(
                    "name",
                    (p.name, q.name),
                    (a.id, b.id),
                    f"Claim {a.id} spells the name “{p.name}”, claim {b.id} “{q.name}”; same first "
                    f"name and shared context ({context}).",
                )
            )
    return out


# --- dates -----------------------------------------------------------------------------------


def _shares_entity(pa: ClaimProfile, pb: ClaimProfile) -> bool:
    xs: tuple[Entity, ...] = pa.people + pa.orgs
    ys: tuple[Entity, ...] = pb.people + pb.orgs
    return any(same_entity(x, y) for x in xs for y in ys)


def _date_differs(m: Mention, n: Mention) -> bool:
    if m.year and n.year and m.year != n.year:
        return True
    if m.year and n.year is None or n.year and m.year is None:
        pass  # one side gives no year: compare what both give
    if m.month and n.month:
        if m.month != n.month:
            return True
        if m.day and n.day and m.day != n.day:
            return True
    return False


def _date_conflicts(a: ClaimInfo, b: ClaimInfo) -> list[Conflict]:
    pa, pb = a.profile, b.profile
    if not _shares_entity(pa, pb):
        return []
    out = []
    seen = set()
    for m in pa.dates:
        for n in pb.dates:
            if not _date_differs(m, n):
                continue
            # Both dates stated by both claims: no disagreement.
            if any(not _date_differs(m, y) for y in pb.dates) and any(
                not _date_differs(x, n) for x in pa.dates
            ):
                continue
            # What the dates date: at least two content words said next to both (one shared word, such as the
            # country, says little about which event a year dates).
            ctx = m.window & n.window
            if len(ctx) < 2:
                continue
            key = (m.label, n.label)
            if key in seen:
                continue
            seen.add(key)
            out.append(
                Conflict(
                    "date",
                    (m.label, n.label),
                    (a.id, b.id),
                    f"Claim {a.id} dates it {m.label}, claim {b.id} {n.label} "
                    f"(same people or organisations; {', '.join(sorted(ctx))}).",
                )
            )
    return out


# --- denials ---------------------------------------------------------------------------------

_STANCE_LABEL = {"deny": "denied", "no_response": "did not respond or declined to comment"}


def _denial_conflicts(a: ClaimInfo, b: ClaimInfo) -> list[Conflict]:
    pa, pb = a.profile, b.profile
    out = []
    for ka, sa in sorted(pa.stances.items()):
        if len(sa) != 1:
            continue  # a claim that says both about one organisation is not a clean statement
        oa = pa.stance_orgs[ka]
        for kb, sb in sorted(pb.stances.items()):
            if len(sb) != 1 or sa == sb:
                continue
            ob = pb.stance_orgs[kb]
            if not same_entity(oa, ob):
                continue
            (stance_a,) = sa
            (stance_b,) = sb
            name = oa.name if len(oa.name) <= len(ob.name) else ob.name
            out.append(
                Conflict(
                    "denial",
                    (f"{name} {_STANCE_LABEL[stance_a]}", f"{name} {_STANCE_LABEL[stance_b]}"),
                    (a.id, b.id),
                    f"Claim {a.id} says {oa.name} {_STANCE_LABEL[stance_a]}; claim {b.id} says "
                    f"{ob.name} {_STANCE_LABEL[stance_b]}.",
                )
            )
    return out


# --- story -----------------------------------------------------------------------------------


def find_conflicts_in_story(
    claims: list[ClaimInfo],
    *,
    include_same_article: bool = False,
    max_posting: int = DEFAULT_MAX_POSTING,
) -> list[Conflict]:
    """All conflicts between claims of different articles, deduplicated by ``conflict_key``.

    Claims are paired through an inverted index on people, organisations and quantity contexts,
    so the work grows with how many claims share something, not with all pairs. Sorted by kind,
    then claim ids, then values.
    """
    by_id = {c.id: c for c in claims}
    found: dict[str, Conflict] = {}
    for x, y in pairs_sharing(
        by_id.values(),
        conflict_keys,
        max_posting=max_posting,
        cross_article_only=not include_same_article,
    ):
        for conflict in find_conflicts(by_id[x], by_id[y]):
            found.setdefault(conflict_key(conflict), conflict)
    order = {k: i for i, k in enumerate(CONFLICT_KINDS)}
    return sorted(found.values(), key=lambda c: (order[c.kind], c.claim_ids, c.values))


def find_conflicts_with(
    claims: list[ClaimInfo],
    *,
    new_ids: Iterable[int],
    allowed: Mapping[int, Collection[int]] | None = None,
    include_same_article: bool = False,
    max_posting: int = DEFAULT_MAX_POSTING,
) -> list[Conflict]:
    """The conflicts of ``find_conflicts_in_story(claims)`` that involve one of ``new_ids``.

    The incremental path: a new article's claims against their shortlists. Pairs of two other claims
    are never formed (their conflicts were found when they were new), so the work grows with the
    new claims' postings (with ``allowed``: their lists), not with the whole pool's. Same pairing rules (keys shared through the
    same index, postings over ``max_posting`` skipped) and the same order as the story version.
    With ``allowed`` (new claim id -> the ids it may be paired with), a new claim is compared with
    those claims only: its own shortlist, so that whether two claims are compared does not depend on
    which other claims happened to be shortlisted alongside.
    """
    by_id = {c.id: c for c in claims}
    new_ids_set = set(new_ids)
    new = [by_id[i] for i in sorted(new_ids_set) if i in by_id]
    keys_of = {c.id: conflict_keys(c.profile) for c in by_id.values()}
    postings: dict[str, list[ClaimInfo]] = {}
    for c in by_id.values():
        for k in keys_of[c.id]:
            postings.setdefault(k, []).append(c)

    def usable(k: str) -> bool:
        return 2 <= len(postings[k]) <= max_posting

    def pairable(a: ClaimInfo, b: ClaimInfo) -> bool:
        if b.id == a.id or (not include_same_article and a.article_id == b.article_id):
            return False
        keys_b = keys_of[b.id]
        return any(k in keys_b and usable(k) for k in keys_of[a.id])

    found: dict[str, Conflict] = {}
    seen: set[tuple[int, int]] = set()
    for a in new:
        partners: Iterable[ClaimInfo]
        if allowed is None:
            partners = [b for k in sorted(keys_of[a.id]) if usable(k) for b in postings[k]]
        else:
            # Its own list and the new claims that list it: far fewer than the claims sharing its keys.
            ids = set(allowed.get(a.id, ()))
            ids.update(b for b in new_ids_set if a.id in allowed.get(b, ()))
            partners = [by_id[i] for i in ids if i in by_id]
        for b in partners:
            pair = (a.id, b.id) if a.id < b.id else (b.id, a.id)
            if pair in seen or not pairable(a, b):
                continue
            seen.add(pair)
            for conflict in find_conflicts(by_id[pair[0]], by_id[pair[1]]):
                found.setdefault(conflict_key(conflict), conflict)
    order = {k: i for i, k in enumerate(CONFLICT_KINDS)}
    return sorted(found.values(), key=lambda c: (order[c.kind], c.claim_ids, c.values))
