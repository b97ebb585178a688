"""Claim kinds, after Full Fact's claim-type taxonomy.

A sentence can have several kinds. They tell a fact-checker what sort of evidence to look
for (a statistic, a transcript, a law, an event report), and "opinion" marks sentences
that state a view rather than something checkable.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["KINDS", "claim_kinds", "is_pure_opinion"]

KINDS = (
    "quantity",
    "quote",
    "attribution",
    "event",
    "rule",
    "causation",
    "prediction",
    "opinion",
)

# Each kind is decided by cheap set look-ups on the sentence's lower-case words (and a
# few phrases and word stems): large regular-expression alternations were the slowest
# part of extraction.
_WORD_RE = re.compile(r"[a-z0-9]+(?:['\u2019][a-z]+)?")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _phrases(*phrases: str) -> tuple[str, ...]:
    return tuple(f" {p} " for p in phrases)


_QUANTITY_WORDS = _words(
    """largest biggest highest lowest smallest most fewest least top record majority
    minority doubled tripled halved dozens hundreds thousands millions billions percent
    percentage twice double triple half share"""
)
_QUANTITY_PHRASES = _phrases("per cent", "no 1", "number one")
# Verbs of change speak of an amount only when nothing is their object: "sales declined (sharply)", "prices rose
# 5%". Followed by "to" and a verb or by a determiner they mean something else: "declined to comment", "dropped
# the plan", "expanded its partnership". A figure in the sentence is a quantity on its own (facets).
_CHANGE_WORDS = _words(
    """increase increased increases increasing decrease decreased decreases decreasing rose risen rise
    rises fell fallen grew grown surged soared plunged plummeted dropped jumped declined shrank expanded"""
)
_NOT_AN_AMOUNT_AFTER_CHANGE = _words(
    """to the a an its their his her our my your this that these those any all every"""
)

_ATTRIBUTION_WORDS = _words(
    """said says say told stated states reported reports report reportedly citing cited
    source sources claimed claims announced confirmed acknowledged mentioned added noted
    wrote writes warned warns argued insisted alleged allegedly publication article
    emphasized emphasised echoed denied spokesperson spokesman spokeswoman representative
    according"""
)
_ATTRIBUTION_PHRASES = _phrases("according to", "on x")

_EVENT_WORDS = _words(
    """denied denies deny imported imports banned bans held holds met meets signed signs
    announced introduced launched abandoned designated approved imposed imposes raised cut
    closed opened acquired bought sold invested joined published filed sued fined arrested
    elected appointed resigned fired hired killed attacked visited issued released agreed
    rejected blocked restricted questioned declined praised criticized criticised built
    produced shipped delivered recalled merged partnered collaborated discussed negotiated
    negotiating talked quit died voted passed vetoed implemented maintained exploring
    explored sought shared reported claimed dismissed accused charged convicted won lost
    spoken flagged offered ignited struck reached completed ended started began suspended
    withdrew withdrawn paused postponed cancelled canceled tested unveiled revealed leaked
    confirmed admitted"""
)
_EVENT_PHRASES = _phrases("did not respond", "declined to comment", "held talks")

_RULE_WORDS = _words(
    """tariff tariffs ban bans banned banning prohibit prohibits prohibited prohibiting
    prohibition prohibitions rule rules law laws legislation legislative bill bills
    sanction sanctions sanctioned credit credits controls restriction restrictions quota
    quotas duties duty executive blacklist blacklisted embargo embargoes policy policies
    mandate mandates standard standards licence licences license licenses permit permits
    treaty treaties directive ordinance statute protectionism tax taxes levy levies"""
)
_RULE_STEMS = ("regulat", "restrict", "subsid", "designat", "sanction", "embargo")
_RULE_PHRASES = _phrases("tax credit", "export control", "entity list", "executive order")

_CAUSATION_WORDS = _words(
    """because cause caused causes causing therefore consequently hence forcing forced
    triggered blamed"""
)
_CAUSATION_PHRASES = _phrases(
    "due to", "led to", "lead to", "leads to", "leading to", "as a result", "resulted in",
    "result in", "results in", "resulting in", "owing to", "thanks to", "driven by",
    "stems from", "stem from", "stemmed from", "in order to", "so that", "attributed to",
    "contributed to", "contributes to", "contributing to",
)  # fmt: skip

_PREDICTION_WORDS = _words(
    """expects expect likely unlikely forecast forecasts forecasted projected projection
    projections outlook future eventually soon"""
)
_PREDICTION_STEMS = ("predict", "anticipat")
_PREDICTION_PHRASES = _phrases(
    "expected to", "set to", "poised to", "plans to", "plan to", "planning to", "aims to",
    "aim to", "intends to", "intend to", "on track to", "going to", "next year",
)  # fmt: skip

_OPINION_WORDS = _words(
    """outrageous betrayal disgrace disgraceful shameful ridiculous absurd amazing terrible
    wonderful brilliant awful stupid hate hates love loves should must ought classic
    impossible surprising unexpected clear obvious obviously clearly undoubtedly deserve
    deserves unacceptable dangerous reckless foolish crucial telling outweighs prohibitive
    underscores highlights personally i'm"""
)
_OPINION_STEMS = ("admir",)
_OPINION_PHRASES = _phrases(
    "i think", "i believe", "i feel", "i guess", "i suspect", "i hope", "i doubt",
    "we think", "we believe", "we feel", "in my view", "in my opinion", "to me",
    "speaks volumes", "far from over", "of course", "critical question",
)  # fmt: skip
_FIRST_PERSON_RE = re.compile(r"\b(?:I|my|me|we|our|us)\b")
# Checked case-sensitively so the month "May" is not a prediction.
_MODAL_RE = re.compile(r"\b(?:will|won't|won\u2019t|could|might|may|would|shall)\b")


class _Cues:
    """Words, phrases and word stems that signal one kind; matched with set operations."""

    def __init__(self, words: frozenset[str], phrases: tuple[str, ...] = (), stems: tuple[str, ...] = ()):
        self.words = words
        by_first: dict[str, list[str]] = {}
        for phrase in phrases:  # padded: " due to "
            by_first.setdefault(phrase.split()[0], []).append(phrase)
        self.phrases = {first: tuple(group) for first, group in by_first.items()}
        self.first_words = frozenset(self.phrases)
        self.stems = re.compile(" (?:" + "|".join(stems) + ")") if stems else None

    def found(self, low: str, words: set[str]) -> bool:
        if not self.words.isdisjoint(words):
            return True
        for first in self.first_words.intersection(words):
            if any(phrase in low for phrase in self.phrases[first]):
                return True
        return self.stems is not None and self.stems.search(low) is not None


_QUANTITY = _Cues(_QUANTITY_WORDS, _QUANTITY_PHRASES)
_ATTRIBUTION = _Cues(_ATTRIBUTION_WORDS, _ATTRIBUTION_PHRASES)
_EVENT = _Cues(_EVENT_WORDS, _EVENT_PHRASES)
_RULE = _Cues(_RULE_WORDS, _RULE_PHRASES, _RULE_STEMS)
_CAUSATION = _Cues(_CAUSATION_WORDS, _CAUSATION_PHRASES)
_PREDICTION = _Cues(_PREDICTION_WORDS, _PREDICTION_PHRASES, _PREDICTION_STEMS)
_OPINION = _Cues(_OPINION_WORDS, _OPINION_PHRASES, _OPINION_STEMS)


def claim_kinds(sentence: str, facets: dict[str, Any]) -> tuple[str, ...]:
    """The kinds of ``sentence`` (in ``KINDS`` order), using its ``facets``."""
    tokens = _WORD_RE.findall(sentence.lower().replace("\u2019", "'"))
    words = set(tokens)
    low = " " + " ".join(tokens) + " "  # phrases and stems are matched on whole words
    kinds: list[str] = []
    if facets.get("numbers") or _QUANTITY.found(low, words) or _amount_changes(tokens, words):
        kinds.append("quantity")
    if any(q.get("speaker") for q in facets.get("quotes", ())):
        kinds.append("quote")
    if facets.get("quotes") or _ATTRIBUTION.found(low, words):
        kinds.append("attribution")
    if _EVENT.found(low, words):
        kinds.append("event")
    if _RULE.found(low, words):
        kinds.append("rule")
    if _CAUSATION.found(low, words):
        kinds.append("causation")
    if _MODAL_RE.search(sentence) or _PREDICTION.found(low, words):
        kinds.append("prediction")
    if _OPINION.found(low, words) or _first_person_outside_quote(sentence, facets):
        kinds.append("opinion")
    return tuple(kinds)


def _amount_changes(tokens: list[str], words: set[str]) -> bool:
    """A verb of change used of an amount: not followed by an object or an infinitive (see _CHANGE_WORDS)."""
    if _CHANGE_WORDS.isdisjoint(words):
        return False
    last = len(tokens) - 1
    return any(
        token in _CHANGE_WORDS and (i == last or tokens[i + 1] not in _NOT_AN_AMOUNT_AFTER_CHANGE)
        for i, token in enumerate(tokens)
    )


def is_pure_opinion(kinds: tuple[str, ...], facets: dict[str, Any]) -> bool:
    """An opinion with nothing checkable in it: no figure, date, event, rule or cause."""
    if "opinion" not in kinds:
        return False
    checkable = {"quantity", "event", "rule", "causation"}
    return not (checkable.intersection(kinds) or facets.get("numbers") or facets.get("dates"))


def _first_person_outside_quote(sentence: str, facets: dict[str, Any]) -> bool:
    if not _FIRST_PERSON_RE.search(sentence):
        return False
    text = sentence
    for quote in facets.get("quotes", ()):
        inner = quote.get("text", "").rstrip(".")
        if inner:
            text = text.replace(inner, " ")
    return bool(_FIRST_PERSON_RE.search(text))
