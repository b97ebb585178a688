"""How alike two claims are: one score in [0, 1].

The score is a weighted mean of four signals, each in [0, 1]:

============  ======  ================================================================================
signal        weight  what it measures
============  ======  ================================================================================
lexical       0.35    content-word overlap: mean of the Dice coefficient of stemmed content tokens and
                      rapidfuzz ``token_set_ratio`` on the same tokens. Words of people's and
                      organisations' names are left out (the entity signal covers them), so a story's
                      ubiquitous names do not make every pair look alike.
entities      0.25    people + organisations under fuzzy identity (Mullenaar ~ Moolenaar, Ford ~ Ford
                      Motor Co., FT ~ Financial Times): mean of Dice and overlap coefficient. Sources
                      cited only as attribution ("according to ...", "told the FT") are left out.
predicates    0.25    key-predicate groups (deny/false/baseless, talks/negotiations/discussions, tariff,
                      import, partnership/joint venture, ...): Dice weighted by how specific each group
                      is (deny, tariff 1.0 ... partnership 0.4), scaled down when only generic groups
                      are shared.
numbers       0.15    Dice of (unit, value) pairs; weight 0.30 when a shared figure sits in the same
                      context (a key predicate around both: "100% tariff" / "tariffs of 100 percent").
============  ======  ================================================================================

Entities and numbers only count when *both* claims have some (an outlet often drops a figure or
a name while stating the same fact); otherwise the signal is left out and the remaining weights
are renormalised. Lexical and predicate signals always count.

Paraphrases of one statement share entities and predicates far more reliably than words: "Ford
denied the allegations, stating that the information was incorrect" and "'This story is
completely false,' Ford stated" share one content word, but they share the entity and the
*deny* predicate. Multiplicative penalties keep different statements apart:

* stance mismatch (x0.5): one claim denies / refuses comment and the other does not — "Ford held
  talks with Xiaomi" is not the same claim as "Ford and Xiaomi denied the talks";
* agent mismatch (x0.45 .. x1): both claims report a denial (or a no-comment), by different
  organisations (x0.45: "Ford denied" vs "Xiaomi denied") or partly different ones (0.6 + 0.4 x
  Jaccard of the agents: "Ford denied" vs "Ford and Xiaomi denied" = x0.8);
* disjoint entities (x0.75): both claims name people or organisations, none match, and no figure
  is shared;
* crossed entities (x0.85): each claim names someone the other does not ("talks with BYD" vs
  "talks with Xiaomi").

``SAME_CLAIM_THRESHOLD`` (0.55) is the score from which two claims are taken to state the same
thing. It was set on the seed coverage: pairs inside the clusters found there score 0.55-0.85;
different statements about the same story ("talks with BYD" vs "talks with Xiaomi", a
lawmaker's warning vs a committee's tax-credit question) stay at or below 0.50.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from .entities import match_count
from .text import PREDICATE_WEIGHTS
from .types import ClaimInfo

WEIGHTS: dict[str, float] = {"lexical": 0.35, "entities": 0.25, "predicates": 0.25, "numbers": 0.15}
SAME_CLAIM_THRESHOLD: float = 0.55

STANCE_MISMATCH_PENALTY = 0.5
AGENT_MISMATCH_PENALTY = 0.45
PARTIAL_AGENT_BASE = 0.6
# A figure shared in the same context ("100% tariff") is specific evidence of one statement.
ANCHORED_NUMBER_WEIGHT = 0.3
DISJOINT_ENTITIES_PENALTY = 0.75
CROSSED_ENTITIES_PENALTY = 0.85

_STANCE_PREDICATES = ("deny", "no_comment")


@dataclass(frozen=True)
class SimilarityBreakdown:
    """The signals behind a score, for debugging and for showing an editor why claims were linked."""

    score: float
    signals: dict[str, float]  # only the signals that took part
    penalties: dict[str, float]  # name -> factor applied


def _dice(x: frozenset, y: frozenset) -> float:
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def _weighted_dice(x: frozenset[str], y: frozenset[str]) -> float:
    if not x or not y:
        return 0.0
    w = PREDICATE_WEIGHTS
    common = x & y
    if not common:
        return 0.0
    shared = sum(w.get(g, 0.5) for g in common)
    dice = 2 * shared / (sum(w.get(g, 0.5) for g in x) + sum(w.get(g, 0.5) for g in y))
    # Sharing only the story's generic predicate ("partnership") is weaker evidence than sharing
    # a specific one ("deny", "tariff"), even when it is all either claim has.
    return dice * (0.5 + 0.5 * max(w.get(g, 0.5) for g in common))


def explain_similarity(a: ClaimInfo, b: ClaimInfo) -> SimilarityBreakdown:
    """The score of ``similarity(a, b)`` together with the signals and penalties behind it."""
    pa, pb = a.profile, b.profile
    if pa.norm == pb.norm:
        return SimilarityBreakdown(1.0 if pa.norm else 0.0, {"identical": 1.0}, {})

    signals: dict[str, float] = {}
    if pa.tokens and pb.tokens:
        dice = _dice(pa.tokens, pb.tokens)
        fuzzy = fuzz.token_set_ratio(pa.lexical, pb.lexical) / 100.0
        signals["lexical"] = 0.5 * dice + 0.5 * fuzzy
    else:
        signals["lexical"] = 0.0

    if pa.entities and pb.entities:
        mx, my = match_count(pa.entities, pb.entities)
        dice = (mx + my) / (len(pa.entities) + len(pb.entities))
        # Mean with the overlap coefficient: naming one extra actor costs less than naming
        # different ones.
        overlap = min(1.0, max(mx, my) / min(len(pa.entities), len(pb.entities)))
        signals["entities"] = 0.5 * dice + 0.5 * overlap
    if pa.predicates or pb.predicates:
        signals["predicates"] = _weighted_dice(pa.predicates, pb.predicates)
    weights = dict(WEIGHTS)
    if pa.number_values and pb.number_values:
        signals["numbers"] = _dice(pa.number_values, pb.number_values)
        if _anchored_number(pa, pb):
            weights["numbers"] = ANCHORED_NUMBER_WEIGHT

    total_w = sum(weights[k] for k in signals)
    score = sum(weights[k] * v for k, v in signals.items()) / total_w

    penalties: dict[str, float] = {}
    for pred in _STANCE_PREDICATES:
        if (pred in pa.predicates) != (pred in pb.predicates):
            penalties["stance_mismatch"] = STANCE_MISMATCH_PENALTY
            break
    agent = _agent_factor(pa, pb)
    if agent < 1.0:
        penalties["agent_mismatch"] = agent
    if pa.entities and pb.entities:
        if mx == 0 and my == 0:
            if not (pa.number_values & pb.number_values):
                penalties["disjoint_entities"] = DISJOINT_ENTITIES_PENALTY
        elif mx < len(pa.entities) and my < len(pb.entities):
            penalties["crossed_entities"] = CROSSED_ENTITIES_PENALTY
    for factor in penalties.values():
        score *= factor
    return SimilarityBreakdown(min(1.0, max(0.0, score)), signals, penalties)


def _anchored_number(pa, pb) -> bool:
    """Whether the claims share a figure used for the same thing (same unit and value, and a
    key predicate in common around it: "100% tariff" and "tariffs of 100 percent")."""
    for m in pa.numbers:
        for n in pb.numbers:
            if (
                m.unit == n.unit
                and m.value is not None
                and n.value is not None
                and numbers_equal(m.value, n.value)
                and (m.window_predicates & n.window_predicates)
            ):
                return True
    return False


def numbers_equal(x: float, y: float) -> bool:
    """Equal up to rounding in the last reported digit (0.5% relative)."""
    return abs(x - y) <= 0.005 * max(abs(x), abs(y)) or abs(x - y) < 1e-9


def _agent_factor(pa, pb) -> float:
    """1.0 when both claims attribute their denials / no-comments to the same organisations,
    AGENT_MISMATCH_PENALTY when to entirely different ones, in between for partial overlap
    ("Ford denied" vs "Ford and Xiaomi denied")."""
    if not pa.stances or not pb.stances:
        return 1.0
    factor = 1.0
    for stance in ("deny", "no_response"):
        xs = tuple(pa.stance_orgs[k] for k, v in pa.stances.items() if stance in v)
        ys = tuple(pb.stance_orgs[k] for k, v in pb.stances.items() if stance in v)
        if not xs or not ys:
            continue
        mx, my = match_count(xs, ys)
        if mx == 0 and my == 0:
            return AGENT_MISMATCH_PENALTY
        shared = max(mx, my)
        jaccard = shared / (len(xs) + len(ys) - shared)
        factor = min(factor, PARTIAL_AGENT_BASE + (1 - PARTIAL_AGENT_BASE) * jaccard)
    return factor


def similarity(a: ClaimInfo, b: ClaimInfo) -> float:
    """How strongly two claims state the same thing, in [0, 1] (symmetric).

    At or above ``SAME_CLAIM_THRESHOLD`` they are taken to be the same claim. See the module
    docstring for the weights and penalties.
    """
    return explain_similarity(a, b).score


def same_claim(a: ClaimInfo, b: ClaimInfo, threshold: float = SAME_CLAIM_THRESHOLD) -> bool:
    return similarity(a, b) >= threshold
