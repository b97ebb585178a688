"""Normalised facets of a claim sentence: numbers, dates, people, organisations, places, quotes.

Facets exist so that claims from different articles can be compared ("100 percent" and
"100%" are the same number; "a Ford spokesperson" and "Ford" are the same speaker), so
every value is normalised and the schema is fixed: every key is always present.

Named entities are found by rules, not a statistical model: it runs offline, needs no
download, handles tens of thousands of sentences a second, and its mistakes can be read
and fixed. Capitalised word sequences are chunked, then classified with, in order:
organisation keywords ("Committee", "Motors", "Co."), a small gazetteer (data/*.txt),
title words before a name ("Rep.", "CEO", "former President"), a list of common given
names, and cues in the sentence ("X, the chairman of", "said X", "maker X").
An :class:`EntityContext` carries what earlier sentences of the same article established,
so that a bare "Farley" after "Jim Farley" resolves to the full name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

__all__ = ["FACET_KEYS", "EntityContext", "claim_facets", "empty_facets"]

FACET_KEYS = ("numbers", "dates", "people", "organisations", "places", "quotes")


def _words(text: str) -> frozenset[str]:
    """A set of the whitespace-separated words of ``text``."""
    return frozenset(text.split())


_DATA_DIR = Path(__file__).resolve().parent / "data"


def empty_facets() -> dict[str, list]:
    return {key: [] for key in FACET_KEYS}


@cache
def _data(name: str) -> frozenset[str]:
    lines = (_DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[dict[tuple[str, ...], tuple[str, str]], dict[str, str], frozenset[str]]:
    """Token-tuple -> (kind, canonical) for known names; surname -> full name; first names."""
    entries: dict[tuple[str, ...], tuple[str, str]] = {}
    for name in _data("places.txt"):
        entries[tuple(_tokens_of(name))] = ("place", name)
    for name in _data("organisations.txt"):
        entries[tuple(_tokens_of(name))] = ("org", name)
    surnames: dict[str, str] = {}
    for name in _data("famous_people.txt"):
        toks = _tokens_of(name)
        entries[tuple(toks)] = ("person", name)
        surnames[toks[-1]] = name
    return entries, surnames, _data("first_names.txt")


def _tokens_of(name: str) -> list[str]:
    return [m.group() for m in _SIMPLE_TOKEN_RE.finditer(name)]


_SIMPLE_TOKEN_RE = re.compile(r"[^\s,]+")


# --------------------------------------------------------------------------- words

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_WEEKDAYS = _words("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
_MONTH_NAMES = _words("""January February March April May June July August September October November December""")

# Capitalised words that start sentences or headlines and are not names.
_COMMON_WORDS = _words("""a an the this that these those it its he she they we i you his her their our my your there
    here but and or nor so yet however meanwhile still also although though while when whenever
    after before since because if unless in on at as by for from with without within under over
    during despite according last next earlier later now then today yesterday tomorrow some many
    most several both each every no not one two three four five other such what why how who whom
    where which whether even only just instead additionally moreover furthermore separately
    ultimately overall indeed thus therefore hence again also already perhaps maybe meanwhile
    nevertheless nonetheless regardless besides otherwise contrasting rumors rumours analysts
    officials critics experts sources reports report political any all few more less much
    another first second third new former current early late recent recently previously
    initially finally eventually once twice about amid among against between into onto upon
    toward towards through throughout across behind beyond near like unlike via per than do does
    did has have had is are was were be been being will would could should may might must can
    shall yes ok okay dear mr mrs breaking exclusive update updated analysis opinion editorial""")
_DEMONYMS = _words("""American Americans Chinese Japanese Korean Koreans European Europeans Western Eastern
    Northern Southern Republican Republicans Democrat Democrats Democratic GOP British German
    Germans French Italian Spanish Russian Russians Ukrainian Ukrainians Indian Mexican Canadian
    Asian African Arab Arabs Israeli Israelis Palestinian Iranian Taiwanese Vietnamese Brazilian
    Swiss Swedish Dutch Australian Muslim Muslims Christian Jewish Catholic Communist Communists
    English Irish Scottish Welsh Turkish Saudi Polish Global International National Federal
    Congressional Senate-confirmed Beijing-based""")
# Words that introduce a person's name ("Rep. X", "CEO X", "former President X").
_TITLE_WORDS = _words("""president vice former rep representative sen senator gov governor dr mr mrs ms mx prof
    professor ceo cfo coo cto cio chairman chairwoman chairperson chair chief executive
    spokesperson spokesman spokeswoman secretary minister premier deputy director correspondent
    analyst reporter editor columnist founder co-founder cofounder judge justice general gen lt
    col sgt capt adm king queen prince princess sir dame lord lady pope mayor speaker leader
    manager head commissioner ambassador attorney lawyer sheriff officer economist adviser
    advisor chancellor senior lawmaker congressman congresswoman rev colonel sergeant lieutenant
    admiral captain envoy official researcher scientist investor billionaire entrepreneur boss
    owner strategist president-elect candidate nominee treasurer governor-elect""")
# Words in a capitalised sequence that make it an organisation.
_ORG_KEYWORDS = _words("""Committee Subcommittee Department Dept. Ministry Agency Administration University College
    School Commission Council Institute Foundation Association Federation Union Bureau Office
    Party Court Parliament Congress Senate Assembly Bank Fund Authority Service Board
    Corporation Company Group Inc Inc. Co Co. Corp Corp. Ltd Ltd. Limited LLC PLC Plc AG SE GmbH
    Motors Motor Times Post Journal News Newspaper Research Capital Partners Holdings Industries
    Airlines Airways Labs Laboratories Systems Network Media Press Review Herald Tribune
    Telegraph Gazette Magazine Broadcasting Securities Investments Ventures Automotive
    Electronics Pharmaceuticals Energy Reserve Club Organization Organisation Alliance Coalition
    Centre Center Forces Army Navy Police Guard Exchange""")
_CORP_SUFFIXES = _words("Inc. Inc Ltd. Ltd Limited LLC PLC Plc Corp. Co. AG SE GmbH S.A.")
_LOWER_ORG_KEYWORDS = frozenset(["committee", "department", "ministry", "agency", "commission", "council"])
_CLAUSE_OPENERS = frozenset('"\u201c\u2018:\u2014\u2013(')
_CONNECTORS = _words("of on for the de du da van von der den la le al bin &")
# Words just before an unknown name that say it is an organisation.
_ORG_CUES = _words("""maker makers automaker carmaker manufacturer company companies firm giant group brand
    startup start-up rival supplier retailer platform network outlet newspaper broadcaster
    agency bank lender insurer conglomerate powerhouse champion operator developer producer
    chipmaker partner""")
_ABBREV_KEEP_DOT = _words("""Co Inc Corp Ltd Dr Rep Sen Mr Mrs Ms Prof Gov St Jr Sr Gen Lt Col Capt Sgt Adm Rev Dept Bros
    Mt Ft""")
# All-caps words that are not organisations.
_NOT_ACRONYMS = _words("""US USA UK EU EV EVs JV CEO CFO COO CTO CIO AI GDP TV PR IT OK DC IPO ETF LLC PLC NYSE NASDAQ
    ID PM AM VAT R&D SUV SUVs GOP HQ PhD MP MPs GM'S US'S UAE""") - {"EU", "GM"}
_PRONOUNS = _words("he she they it we i you who this that which one")

_SPEECH_VERBS = (
    r"said|says|say|told|tells|tell|stated|states|added|adds|warned|warns|warn|warning|"
    r"claimed|claims|wrote|writes|noted|notes|argued|argues|insisted|insists|explained|"
    r"explains|asked|asks|replied|responded|announced|announces|tweeted|posted|called|"
    r"calls|calling|described|describes|describing|saying|criticized|criticised|echoed|"
    r"emphasized|emphasised|declared|remarked|admitted|acknowledged|stressed|according to"
)
_SPEECH_RE = re.compile(rf"\b(?:{_SPEECH_VERBS})\b", re.IGNORECASE)
_AFTER_QUOTE_VERB_FIRST_RE = re.compile(rf"^[\s,]*(?:{_SPEECH_VERBS})\s+(?P<who>[^,.;:!?]{{1,80}})", re.IGNORECASE)
_AFTER_QUOTE_WHO_FIRST_RE = re.compile(
    rf"^[\s,]*(?P<who>(?:[^\s,.;:!?]+\s+){{0,5}}?)(?:{_SPEECH_VERBS})\b", re.IGNORECASE
)
_ROLE_APPOSITIVE_RE = re.compile(
    r"\s*(?:\([^)]{0,20}\)\s*)?,\s*(?:the\s+|a\s+|an\s+|its\s+|their\s+)?"
    r"(?:[\w\-\u2019']+\s+){0,3}?(?:" + "|".join(sorted(_TITLE_WORDS)) + r")\b",
    re.IGNORECASE,
)
_SPEECH_AFTER_RE = re.compile(rf"\s+(?:{_SPEECH_VERBS})\b")
_SPEECH_BEFORE_RE = re.compile(r"\b(?:said|says|told|according to)\s+$")
_TAIL = 16  # look-behind window for _SPEECH_BEFORE_RE

# Entity tokens: words, with internal apostrophes, hyphens, ampersands and dotted
# abbreviations ("U.S.", "R-Mich.", "Co.").
_TOKEN_RE = re.compile(r"[^\W_](?:[\w&'\u2019\-]|\.(?=[^\W_]))*\.?")
_TICKER_RE = re.compile(
    r"\((?:NYSE|NASDAQ|Nasdaq|LSE|HKEX|HKG|SSE|SZSE|TSX|ASX|OTC|AMEX|TYO|KRX|FRA|ETR)\s*:\s*[A-Z0-9.]+\)"
)


# --------------------------------------------------------------------------- numbers & dates

_MONTH_PAT = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
)
_DATE_RE = re.compile(
    rf"(?P<m1>{_MONTH_PAT})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,?\s+(?P<y1>(?:1[89]|20)\d\d)(?!\d))?"
    rf"|(?<![\w.,$])(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH_PAT})(?:,?\s+(?P<y2>(?:1[89]|20)\d\d)(?!\d))?"
    rf"|(?P<m3>{_MONTH_PAT})\s+(?:of\s+)?(?P<y3>(?:1[89]|20)\d\d)(?!\d)"
    r"|(?P<rel>(?i:\b(?:(?:last|this|next|past|coming|previous)\s+(?:year|month|week|decade|"
    r"quarter|spring|summer|autumn|fall|winter|weekend)|(?:earlier|later)\s+(?:this|last|next)"
    r"\s+(?:year|month|week)|yesterday|today|tomorrow|tonight|(?:\d+|a|an|one|two|three|four|"
    r"five|six|seven|eight|nine|ten|several|few)\s+(?:years?|months?|weeks?|days?)\s+ago)\b)"
    r"|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)"
    rf"|(?P<m4>\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b)"
    r"|(?<![\w$\u20ac\u00a3.,:/\-])(?P<y5>(?:1[89]|20)\d\d)(?![\w%]|[.,]\d|\s?(?:percent|per cent))"
)
_MAY_MARCH_LEAD_RE = re.compile(r"(?i)\b(?:in|since|until|by|early|late|mid|last|next|this|of|from|through)\s+$")

_SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9,
    "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12, "hundred": 1e2,
}  # fmt: skip
_CURRENCY_SYMBOLS = {
    "$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "C$": "CAD",
    "A$": "AUD", "HK$": "HKD",
}  # fmt: skip
_CURRENCY_WORDS = {
    "dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR", "pound": "GBP",
    "pounds": "GBP", "yuan": "CNY", "renminbi": "CNY", "yen": "JPY",
}  # fmt: skip
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12, "a dozen": 12,
    "a hundred": 100, "a thousand": 1000, "hundreds": 100, "thousands": 1000,
    "dozens": 12, "millions": 1e6, "billions": 1e9,
}  # fmt: skip
_FRACTIONS = {
    "half": 0.5, "halves": 0.5, "third": 1 / 3, "thirds": 1 / 3, "quarter": 0.25,
    "quarters": 0.25, "fourth": 0.25, "fourths": 0.25, "fifth": 0.2, "fifths": 0.2,
    "tenth": 0.1, "tenths": 0.1,
}  # fmt: skip
_NUMBER_RE = re.compile(
    r"(?P<cur>US\$|HK\$|C\$|A\$|\$|\u20ac|\u00a3|\u00a5)\s?(?P<mnum>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?(?P<mscale>trillion|billion|million|thousand|bn|mn|tn|m|k|b)\b)?"
    r"|(?i:\b(?P<fnum>one|a|two|three|four|five|six|seven|eight|nine)[\s\-]"
    r"(?P<fden>halves|half|thirds|third|quarters|quarter|fourths|fourth|fifths|fifth|tenths|tenth)\b)"
    r"|(?<![\w\-/.:#])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?(?P<scale>trillion|billion|million|thousand|hundred)\b)?"
    r"(?:\s?(?P<unit>%|percent\b|per\s?cent\b|percentage points?\b|pp\b|dollars?\b|euros?\b|"
    r"pounds?\b|yuan\b|renminbi\b|yen\b))?(?![\w/]|[.,]\d)"
    r"|(?i:\b(?P<word>a dozen|a hundred|a thousand|dozens|hundreds|thousands|millions|"
    r"billions|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|"
    r"seventy|eighty|ninety|hundred|dozen)\b)(?![\-\u2013])"
    r"(?:\s(?P<wscale>million|billion|trillion|thousand)\b)?"
    r"(?:\s(?P<wunit>percent\b|per\s?cent\b))?"
)
_DIGIT_RE = re.compile(r"\d")
_LOWER_WORD_RE = re.compile(r"[a-z]+")
_DATE_TRIGGERS = frozenset(
    {m for m in _MONTHS if len(m) > 3 or m == "may"}
    | {"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
    | {d.lower() for d in _WEEKDAYS}
    | {"yesterday", "today", "tomorrow", "tonight", "ago", "year", "month", "week", "decade",
       "quarter", "spring", "summer", "autumn", "fall", "winter", "weekend"}
)  # fmt: skip
_NUMBER_TRIGGERS = frozenset(set(_NUMBER_WORDS) | {"dozen", "hundred", "thousand"} | {"half", "halves"}) - {
    "a dozen",
    "a hundred",
    "a thousand",
}
_FOLLOW_WORD_RE = re.compile(r"\s+([a-z][a-z\-]*)")
_NOT_COUNT_NOUNS = _words("""of another more less or and to in on at by for with from that who which than the a an is are
    was were be been has have had will would could should may might can did do does other others
    way time day too as if it its""")


@dataclass
class EntityContext:
    """What earlier sentences of one article established about names.

    ``people`` maps a bare surname to the full name first written in the article;
    ``orgs`` holds organisation names seen so far.
    """

    people: dict[str, str] = field(default_factory=dict)
    orgs: set[str] = field(default_factory=set)

    def learn(self, facets: dict[str, Any]) -> None:
        for name in facets.get("people", ()):
            parts = name.split()
            if len(parts) >= 2:
                self.people.setdefault(parts[-1], name)
        for name in facets.get("organisations", ()):
            self.orgs.add(name)


@dataclass(slots=True)
class _Tok:
    start: int
    end: int
    text: str
    possessive: bool = False
    cap: bool = False  # capitalised and without digits: can be part of a name


@dataclass(slots=True)
class _Entity:
    kind: str  # "person", "org", "place"
    name: str
    start: int
    end: int


def claim_facets(
    sentence: str,
    *,
    context: EntityContext | None = None,
    quote_speaker: str | None = None,
    starts_in_quote: bool = False,
) -> dict[str, Any]:
    """Facets of one sentence, in the fixed schema (see ``FACET_KEYS``).

    ``starts_in_quote`` says the sentence begins inside a quotation opened in an earlier
    sentence; ``quote_speaker`` is whoever that quotation was credited to.
    """
    facets = empty_facets()
    if not sentence or not sentence.strip():
        return facets
    # The date and number patterns are long alternations; most sentences have neither,
    # so a cheap look for a digit or a trigger word decides whether to run them.
    has_digit = _DIGIT_RE.search(sentence) is not None
    words = None
    if not has_digit:
        words = set(_LOWER_WORD_RE.findall(sentence.lower()))
    date_spans: list[tuple[int, int]] = []
    if has_digit or not _DATE_TRIGGERS.isdisjoint(words):
        facets["dates"], date_spans = _find_dates(sentence)
    if has_digit or not _NUMBER_TRIGGERS.isdisjoint(words):
        facets["numbers"] = _find_numbers(sentence, date_spans)
    entities = _find_entities(sentence, context)
    seen: set[tuple[str, str]] = set()
    for ent in entities:
        key = (ent.kind, ent.name)
        if key in seen:
            continue
        seen.add(key)
        bucket = {"person": "people", "org": "organisations", "place": "places"}[ent.kind]
        facets[bucket].append(ent.name)
    facets["quotes"] = _find_quotes(sentence, entities, quote_speaker, starts_in_quote)
    return facets


# --------------------------------------------------------------------------- dates


def _find_dates(sentence: str) -> tuple[list[dict[str, Any]], list[tuple[int, int]]]:
    dates: list[dict[str, Any]] = []
    spans: list[tuple[int, int]] = []
    for m in _DATE_RE.finditer(sentence):
        g = m.groupdict()
        year = month = day = None
        relative = False
        if g["m1"]:
            month, day, year = _month(g["m1"]), int(g["d1"]), g["y1"]
        elif g["m2"]:
            month, day, year = _month(g["m2"]), int(g["d2"]), g["y2"]
        elif g["m3"]:
            month, year = _month(g["m3"]), g["y3"]
        elif g["rel"]:
            relative = True
        elif g["m4"]:
            if g["m4"] in ("May", "March") and not _MAY_MARCH_LEAD_RE.search(sentence, 0, m.start()):
                continue
            month = _month(g["m4"])
        else:
            year = g["y5"]
        if day is not None and not 1 <= day <= 31:
            continue
        text = m.group().strip()
        if relative:
            dates.append({"text": text, "year": None, "month": None, "day": None, "relative": True})
        else:
            dates.append(
                {
                    "text": text,
                    "year": int(year) if year else None,
                    "month": month,
                    "day": day,
                    "relative": False,
                }
            )
        spans.append(m.span())
    return dates, spans


def _month(name: str) -> int:
    return _MONTHS[name.rstrip(".").lower()]


# --------------------------------------------------------------------------- numbers


def _find_numbers(sentence: str, skip: list[tuple[int, int]]) -> list[dict[str, Any]]:
    numbers: list[dict[str, Any]] = []
    for m in _NUMBER_RE.finditer(sentence):
        s, e = m.span()
        if any(a < e and s < b for a, b in skip):
            continue
        g = m.groupdict()
        if g["cur"]:
            value = _to_float(g["mnum"]) * _SCALES.get((g["mscale"] or "").lower(), 1.0)
            unit = _CURRENCY_SYMBOLS[g["cur"]]
            text = m.group()
        elif g["fden"]:
            num = 1 if g["fnum"].lower() == "a" else _NUMBER_WORDS[g["fnum"].lower()]
            value = round(num * _FRACTIONS[g["fden"].lower()], 4)
            unit = "fraction"
            text = m.group()
        elif g["num"]:
            value = _to_float(g["num"]) * _SCALES.get((g["scale"] or "").lower(), 1.0)
            unit = _unit(g["unit"])
            text = m.group()
        else:
            word = g["word"].lower()
            value = float(_NUMBER_WORDS[word]) * _SCALES.get((g["wscale"] or "").lower(), 1.0)
            if g["wunit"]:
                unit = "%"
                text = m.group()
            else:
                noun = _count_noun(sentence, e)
                if noun is None and not g["wscale"]:
                    continue  # "one of the", "one, ..." are not quantities
                unit = ""
                text = sentence[s : noun if noun is not None else e]
        numbers.append({"text": text.strip(), "value": float(value), "unit": unit})
    return numbers


def _to_float(digits: str) -> float:
    return float(digits.replace(",", ""))


def _unit(raw: str | None) -> str:
    if not raw:
        return ""
    raw = raw.lower()
    if raw == "%" or raw.startswith("per"):
        return "pp" if "point" in raw else "%"
    if raw == "pp" or "point" in raw:
        return "pp"
    return _CURRENCY_WORDS.get(raw, raw)


def _count_noun(sentence: str, pos: int) -> int | None:
    """End of the counted noun phrase after a number word ("four anonymous sources")."""
    end = None
    for _ in range(3):
        m = _FOLLOW_WORD_RE.match(sentence, pos)
        if m is None or m.group(1) in _NOT_COUNT_NOUNS:
            break
        pos = m.end()
        if end is None:
            end = pos
        if m.group(1).endswith("s") and not m.group(1).endswith(("ss", "us", "is")):
            return pos
    return end


# --------------------------------------------------------------------------- entities


def _tokenise(sentence: str) -> list[_Tok]:
    blocked = [m.span() for m in _TICKER_RE.finditer(sentence)] if "(" in sentence else []
    toks: list[_Tok] = []
    append = toks.append
    for m in _TOKEN_RE.finditer(sentence):
        text = m.group()
        s, e = m.span()
        if blocked and any(a <= s < b for a, b in blocked):
            continue
        if text.isalpha():  # the common case: a plain word
            append(_Tok(s, e, text, False, text[0].isupper()))
            continue
        if text.endswith("."):
            base = text[:-1]
            if not (base in _ABBREV_KEEP_DOT or len(base) == 1 or "." in base):
                text, e = base, e - 1
        possessive = False
        if text.endswith(("'s", "\u2019s")) and len(text) > 2:
            text, e, possessive = text[:-2], e - 2, True
        while text and text[-1] in "'\u2019-":
            text, e = text[:-1], e - 1
        if text:
            cap = text[0].isupper() and _DIGIT_RE.search(text) is None
            append(_Tok(s, e, text, possessive, cap))
    return toks


def _is_cap(tok: _Tok) -> bool:
    return tok.cap


def _chunks(sentence: str, toks: list[_Tok]) -> list[tuple[int, int]]:
    """Index ranges ``[i, j)`` of capitalised token sequences, joined by connectors."""
    out: list[tuple[int, int]] = []
    n = len(toks)
    i = 0
    while i < n:
        if not _is_cap(toks[i]):
            i += 1
            continue
        j = i + 1
        while j < n and not toks[j - 1].possessive:
            gap = sentence[toks[j - 1].end : toks[j].start]
            if gap and not gap.isspace():
                if gap.strip() == "," and toks[j].text in _CORP_SUFFIXES:
                    j += 1
                    continue
                break
            if _is_cap(toks[j]):
                j += 1
                continue
            # connectors ("Committee on the Chinese Communist Party")
            k = j
            while k < n and k - j < 2 and toks[k].text in _CONNECTORS:
                g = sentence[toks[k - 1].end : toks[k].start]
                if g and not g.isspace():
                    break
                k += 1
            if (
                k > j
                and k < n
                and _is_cap(toks[k])
                and sentence[toks[k - 1].end : toks[k].start].isspace()
                and toks[j].text != "the"
            ):
                j = k + 1
                continue
            break
        out.append((i, j))
        i = j
    return out


def _find_entities(sentence: str, context: EntityContext | None) -> list[_Entity]:
    toks = _tokenise(sentence)
    if not toks:
        return []
    shouting = sentence.isupper()  # "ORGANIZATIONS IN THIS STORY": no acronyms there
    entities: list[_Entity] = []
    for i, j in _chunks(sentence, toks):
        initial = i == 0 or _after_opening(sentence, toks[i].start)
        had_title = i > 0 and _is_title(toks[i - 1].text)
        _classify(sentence, toks, i, j, initial, had_title, context, shouting, entities)
    return entities


def _after_opening(sentence: str, pos: int) -> bool:
    """Whether ``pos`` starts a clause: after an opening quote, a colon or a dash."""
    pos -= 1
    while pos >= 0 and sentence[pos].isspace():
        pos -= 1
    return pos >= 0 and sentence[pos] in _CLAUSE_OPENERS


def _classify(
    sentence: str,
    toks: list[_Tok],
    i: int,
    j: int,
    initial: bool,
    had_title: bool,
    context: EntityContext | None,
    shouting: bool,
    out: list[_Entity],
) -> None:
    # Leading "The", and sentence-initial ordinary words ("Even", "Under", "Both").
    while i < j and (toks[i].text == "The" or (initial and toks[i].text.lower() in _COMMON_WORDS)):
        i += 1
        initial = False
    if i >= j:
        return
    words = [t.text for t in toks[i:j]]

    # 1. Organisation keywords make the whole sequence an organisation, up to any title
    #    that introduces a person ("Ford Motor CEO Jim Farley").
    kw = [k for k, w in enumerate(words) if w in _ORG_KEYWORDS]
    if kw and len(words) >= 2:
        # A role before the name is not part of it: "CEO of General Motors".
        begin = 0
        while begin < kw[0] and _is_title(words[begin]):
            begin += 1
        if begin and words[begin] in _CONNECTORS:
            while begin < kw[0] and words[begin] in _CONNECTORS:
                begin += 1
        else:
            begin = 0
        title_at = next(
            (k for k in range(kw[-1] + 1, len(words)) if _is_title(words[k])),
            None,
        )
        end = title_at if title_at is not None else len(words)
        if end - begin >= 2:
            _add(out, "org", sentence, toks[i + begin], toks[i + end - 1])
            if title_at is not None:
                _classify_plain(sentence, toks, i + title_at, j, False, False, context, shouting, out)
            return
    # "House China committee": a lower-case keyword right after the sequence.
    if (
        j < len(toks)
        and toks[j].text in _LOWER_ORG_KEYWORDS
        and not toks[j - 1].possessive
        and sentence[toks[j - 1].end : toks[j].start].isspace()
        and words[0] not in _DEMONYMS
    ):
        _add(out, "org", sentence, toks[i], toks[j])
        return

    # 2. Known names (longest match first), with company suffixes after an organisation.
    gaz, _, _ = _gazetteer()
    k = i
    piece_start = i
    while k < j:
        match = None
        for length in range(min(6, j - k), 0, -1):
            key = tuple(t.text for t in toks[k : k + length])
            hit = gaz.get(key)
            if hit is not None:
                match = (length, hit)
                break
        if match is None:
            k += 1
            continue
        length, (kind, name) = match
        if piece_start < k:
            _classify_plain(
                sentence, toks, piece_start, k, initial and piece_start == i,
                had_title and piece_start == i, context, shouting, out,
            )  # fmt: skip
        end = k + length
        if kind == "org":  # "Ford Motor Co."
            while end < j and not toks[end - 1].possessive and toks[end].text in _ORG_KEYWORDS:
                end += 1
        if kind == "person":
            out.append(_Entity("person", name, toks[k].start, toks[end - 1].end))
        else:
            _add(out, kind, sentence, toks[k], toks[end - 1])
        k = piece_start = end
    if piece_start < j:
        _classify_plain(
            sentence, toks, piece_start, j, initial and piece_start == i,
            had_title and piece_start == i, context, shouting, out,
        )  # fmt: skip


def _classify_plain(
    sentence: str,
    toks: list[_Tok],
    i: int,
    j: int,
    initial: bool,
    had_title: bool,
    context: EntityContext | None,
    shouting: bool,
    out: list[_Entity],
) -> None:
    """Classify a sequence with no organisation keyword or gazetteer name in it."""
    # Connectors only bind organisation names; elsewhere they separate names
    # ("Farley for Chinese EV"). A title before a connector is a role, not a name:
    # "Director of Public Relations", "Professor of International Business".
    k = i
    while k < j:
        if toks[k].text in _CONNECTORS:
            if i < k:
                _classify_plain(sentence, toks, i, k, initial, had_title, context, shouting, out)
            if i < k and _is_title(toks[k - 1].text):
                return
            while k < j and toks[k].text in _CONNECTORS:
                k += 1
            i = k
            initial = had_title = False
            continue
        k += 1
    # Split at title words: "Former President Joe Biden", "CEO Jim Farley".
    k = i
    while k < j:
        if _is_title(toks[k].text):
            if i < k:
                _classify_name(sentence, toks, i, k, initial, had_title, context, shouting, out)
            while k < j and _is_title(toks[k].text):
                k += 1
            i = k
            initial = False
            had_title = True
            continue
        k += 1
    if i < j:
        _classify_name(sentence, toks, i, j, initial, had_title, context, shouting, out)


def _classify_name(
    sentence: str,
    toks: list[_Tok],
    i: int,
    j: int,
    initial: bool,
    had_title: bool,
    context: EntityContext | None,
    shouting: bool,
    out: list[_Entity],
) -> None:
    # Drop leading adjectives: "Republican Representative", "Chinese".
    while i < j and (toks[i].text in _DEMONYMS or toks[i].text in _CONNECTORS):
        i += 1
        initial = False
    while j > i and toks[j - 1].text in _CONNECTORS:
        j -= 1
    if i >= j:
        return
    words = [t.text for t in toks[i:j]]
    _, _famous, first_names = _gazetteer()
    n = len(words)
    name_like = all(_name_word(w) for w in words)

    if n >= 2 and name_like and n <= 4:
        after = toks[j - 1].end
        before = sentence[max(0, toks[i].start - _TAIL) : toks[i].start]
        if (
            had_title
            or words[0] in first_names
            or _ROLE_APPOSITIVE_RE.match(sentence, after)
            or _SPEECH_AFTER_RE.match(sentence, after)
            or _SPEECH_BEFORE_RE.search(before)
        ):
            _add(out, "person", sentence, toks[i], toks[j - 1])
            return
    if n == 1 or not name_like:
        for k in range(i, j):
            _classify_single(sentence, toks, k, initial and k == i, had_title and k == i, context, shouting, out)
        return
    # An unknown capitalised sequence: keep only the parts we can vouch for.
    for k in range(i, j):
        _classify_single(sentence, toks, k, initial and k == i, False, context, shouting, out)


def _is_title(word: str) -> bool:
    return word.lower().rstrip(".") in _TITLE_WORDS


def _name_word(w: str) -> bool:
    if not w[0].isupper() or w in _DEMONYMS or w in _MONTH_NAMES or w in _WEEKDAYS:
        return False
    if len(w) > 1 and w.isupper():
        return False  # an acronym
    return all(ch.isalpha() or ch in "'\u2019-." for ch in w)


def _classify_single(
    sentence: str,
    toks: list[_Tok],
    k: int,
    initial: bool,
    had_title: bool,
    context: EntityContext | None,
    shouting: bool,
    out: list[_Entity],
) -> None:
    tok = toks[k]
    w = tok.text
    if w in _DEMONYMS or w in _MONTH_NAMES or w in _WEEKDAYS or w.lower() in _PRONOUNS:
        return
    if context is not None and w in context.orgs:
        _add(out, "org", sentence, tok, tok)
        return
    _, famous, _ = _gazetteer()
    full = (context.people.get(w) if context is not None else None) or famous.get(w)
    if full is not None:
        out.append(_Entity("person", full, tok.start, tok.end))
        return
    bare = w.replace(".", "").replace("&", "")
    if (
        not shouting
        and 2 <= len(bare) <= 6
        and bare.isupper()
        and bare.isalpha()
        and w not in _NOT_ACRONYMS
        and bare not in _NOT_ACRONYMS
        and "." not in w
    ):
        _add(out, "org", sentence, tok, tok)
        return
    if not _name_word(w) or w.lower() in _COMMON_WORDS and initial:
        return
    before = sentence[max(0, tok.start - _TAIL) : tok.start]
    if had_title or _SPEECH_BEFORE_RE.search(before) and not initial:
        out.append(_Entity("person", w, tok.start, tok.end))
        return
    if k > 0 and not toks[k - 1].text[0].isupper():
        # "electric vehicle maker Xiaomi", "Chinese company Xiaomi"
        prev = toks[k - 1].text.lower()
        if prev in _ORG_CUES and sentence[toks[k - 1].end : tok.start].isspace():
            _add(out, "org", sentence, tok, tok)
            return
    if not initial and _SPEECH_AFTER_RE.match(sentence, tok.end) and w.lower() not in _COMMON_WORDS:
        out.append(_Entity("person", w, tok.start, tok.end))


def _add(out: list[_Entity], kind: str, sentence: str, first: _Tok, last: _Tok) -> None:
    name = sentence[first.start : last.end]
    if kind == "person":
        name = " ".join(name.split())
    out.append(_Entity(kind, name, first.start, last.end))


# --------------------------------------------------------------------------- quotes

_QUOTE_CHARS_RE = re.compile('["\u201c\u201d\u201e\u00ab\u00bb]')


def _find_quotes(
    sentence: str,
    entities: list[_Entity],
    quote_speaker: str | None,
    starts_in_quote: bool,
) -> list[dict[str, Any]]:
    regions: list[tuple[int, int]] = []  # (start of inner text, end of inner text)
    open_at: int | None = 0 if starts_in_quote else None
    for m in _QUOTE_CHARS_RE.finditer(sentence):
        i = m.start()
        ch = sentence[i]
        if ch == '"':
            prev = sentence[i - 1] if i > 0 else " "
            opening = open_at is None and (prev.isspace() or prev in "([{\u2014\u2013-:/")
        else:
            opening = ch in "\u201c\u201e\u00ab"
        if opening:
            if open_at is None:
                open_at = i + 1
        elif open_at is not None:
            regions.append((open_at, i))
            open_at = None
        elif ch in "\u201d\u00bb" and not regions:
            regions.append((0, i))  # the quotation opened in an earlier sentence
    if open_at is not None and open_at < len(sentence):
        regions.append((open_at, len(sentence)))
    quotes: list[dict[str, Any]] = []
    for a, b in regions:
        inner = sentence[a:b].strip()
        if len(inner.split()) < 2:
            continue  # a single scare-quoted word is not a quotation
        if inner.endswith(","):
            inner = inner[:-1].rstrip() + "."
        if a == 0 and starts_in_quote and quote_speaker is not None:
            speaker: str | None = quote_speaker
        else:
            speaker = _speaker(sentence, a, b, entities)
            if speaker is None and a == 0 and starts_in_quote:
                speaker = quote_speaker
        quotes.append({"text": inner, "speaker": speaker})
    return quotes


def _speaker(sentence: str, a: int, b: int, entities: list[_Entity]) -> str | None:
    """Who a quotation at ``sentence[a:b]`` is credited to, or None when unclear."""
    close = b + 1 if b < len(sentence) else b
    after = sentence[close:]
    m = _AFTER_QUOTE_VERB_FIRST_RE.match(after)
    if m is not None:  # '"...," said Sevastopulo.'
        return _phrase_entity(close + m.start("who"), close + m.end("who"), sentence, entities)
    m = _AFTER_QUOTE_WHO_FIRST_RE.match(after)
    if m is not None and m.group("who").strip():  # '"...," a Ford spokesperson told the FT.'
        return _phrase_entity(close + m.start("who"), close + m.end("who"), sentence, entities)
    prefix = sentence[: max(a - 1, 0)]
    stripped = prefix.rstrip()
    if stripped.endswith(":") and len(stripped) > 1:  # 'Michael Chen, analyst: "..."'
        return _phrase_entity(0, len(stripped) - 1, sentence, entities)
    verbs = list(_SPEECH_RE.finditer(prefix))
    if verbs:
        last = verbs[-1]  # the verb nearest the quotation
        clause_start = 0
        for sep in (";", ", and ", ", but ", ", while "):
            at = prefix.rfind(sep, 0, last.start())
            if at >= 0:
                clause_start = max(clause_start, at + len(sep))
        return _phrase_entity(clause_start, last.start(), sentence, entities)
    return None


def _phrase_entity(s: int, e: int, sentence: str, entities: list[_Entity]) -> str | None:
    inside = [ent for ent in entities if s <= ent.start and ent.end <= e + 1]
    for kind in ("person", "org"):
        for ent in inside:
            if ent.kind == kind:
                return ent.name
    phrase = sentence[s:e].strip(" ,;:\u2014\u2013-")
    words = phrase.split()
    if not words or len(words) > 4:
        return None
    if any(w.lower() in _PRONOUNS for w in words):
        return None
    while words and words[0].lower() in ("a", "an", "the", "some", "one"):
        words = words[1:]
    if not words or not words[0][0].isupper():
        return None  # "so-called", "some lawmakers": no one to credit
    return " ".join(words)
