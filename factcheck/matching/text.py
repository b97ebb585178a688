"""Text normalisation, tokens and the stance vocabulary used for claim matching.

Matching has to see through the ways outlets write the same thing: "100 percent" / "100%",
"U.S." / "US" / "United States", "negotiations" / "negotiating",
curly quotes, possessives. Stemming is a small hand-written suffix stripper: claims are short
and English, and what matters is that inflections of one word land on one stem, not that the
stems are real words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Order matters: longer and more specific rewrites first. Applied to lower-cased text. Each rewrite
# comes with the substrings one of which any text it changes must contain (None: non-ASCII text
# only), so the common case of a rewrite that can't apply costs a substring test, not a scan.
_REWRITE_RULES: tuple[tuple[str, str, tuple[str, ...] | None], ...] = (
    (r"[\u2018\u2019\u201a\u201b\u2032`´]", "'", ("`",)),
    (r"[\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb]", '"', None),
    (r"[\u2010-\u2015\u2212]", " - ", None),
    (r"\bu\.\s?s\.\s?a\.?", " us ", ("u.",)),
    (r"\bu\.\s?s\.?(?=\W|$)", " us ", ("u.",)),
    (r"\bu\.\s?k\.?(?=\W|$)", " uk ", ("u.",)),
    (r"\bunited states of america\b", " us ", ("united",)),
    (r"\bunited states\b", " us ", ("united",)),
    (r"\bunited kingdom\b", " uk ", ("united",)),
    (r"\busa\b", " us ", ("usa",)),
    (r"\bper\s?cent\b|\bpct\b|\bpercentage points?\b", "%", ("per", "pct")),
    (r"(\d)\s+%", r"\1%", ("%",)),
    (r"(?<=\d),(?=\d{3}\b)", "", (",",)),
    (r"\$\s?(\d[\d.]*)(?:\s*(billion|million|thousand|bn|m|k)\b)?", r" \1 \2 usd ", ("$",)),
    (r"\bus\s?dollars?\b|\bdollars?\b", " usd ", ("dollar",)),
    (r"&", " and ", ("&",)),
    (r"'s\b", "", ("'s",)),
    (r"n't\b", " not", ("n't",)),
)
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), r) for p, r, _ in _REWRITE_RULES)
_REWRITE_GUARDS: tuple[tuple[str, ...] | None, ...] = tuple(g for _, _, g in _REWRITE_RULES)
_STRIP = re.compile(r"[^\w%.\s]|(?<!\d)\.|\.(?!\d)|_")


def _fold(text: str) -> str:
    """Unicode-compatible lower-casing with accents removed (Müller -> muller)."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=65536)
def normalise_for_match(text: str) -> str:
    """Lower-case, unify spelling variants and drop punctuation, keeping numbers intact.

    >>> normalise_for_match("The U.S. imposed a 100 percent duty.")
    'the us imposed a 100% duty'
    """
    text = _fold(text)
    ascii_only = text.isascii()
    for (pattern, repl), guard in zip(_REWRITES, _REWRITE_GUARDS):
        if ascii_only:
            if guard is None:
                continue
            for needle in guard:  # a loop, not any(): this runs for every rule of every claim
                if needle in text:
                    break
            else:
                continue
        text = pattern.sub(repl, text)
    return " ".join(_STRIP.sub(" ", text).split())


STOPWORDS: frozenset[str] = frozenset(
    """
    a about above after again against all also although am an and any are as at be because been
    before being below between both but by can could did do does doing down during each either
    even ever every few for from further had has have having he her here hers herself him himself
    his how however i if in into is it its itself just let me more most my myself nor of off on
    once only or other our ours ourselves out over own same she should so some such than that the
    their theirs them themselves then there these they this those through to too under until up
    upon very was we were what when where which while who whom why will with within would you your
    yours yourself yourselves may might must shall us' one's per via yet thereby whether already
    said says say told according reportedly allegedly recently currently still further
    """.split()
)

# Words that keep a meaning a stemmer would destroy, or irregular forms that must meet their stem.
_IRREGULAR: dict[str, str] = {
    "denied": "deny", "denies": "deny", "denial": "deny", "denials": "deny", "denying": "deny",
    "held": "hold", "holds": "hold", "holding": "hold",
    "chairman": "chair", "chairwoman": "chair", "chairperson": "chair", "chaired": "chair",
    "spokesman": "spokesperson", "spokeswoman": "spokesperson",
    "representative": "rep", "congressman": "rep", "congresswoman": "rep",
    "talks": "talk", "talked": "talk", "talking": "talk",
    "news": "news", "us": "us", "ceo": "ceo", "series": "series", "analysis": "analys",
    "bought": "buy", "sold": "sell", "built": "build", "made": "make", "began": "begin",
    "untrue": "fals",
}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Strip common English inflectional and derivational suffixes.

    Inflections of one word meet: negotiations / negotiating / negotiated -> "negoti";
    denied / denial / denies -> "deny"; tariffs -> "tariff".
    """
    w = word.lower()
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if len(w) <= 3 or not w.isalpha():
        return w
    # Step 1: plurals and verb inflections.
    if w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
        w = w[:-1]
    if w.endswith("ied") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("eed"):
        pass
    elif w.endswith("ed") and len(w) > 4 and _has_vowel(w[:-2]):
        w = _undouble(w[:-2])
    elif w.endswith("ing") and len(w) > 5 and _has_vowel(w[:-3]):
        w = _undouble(w[:-3])
    # Step 2: up to two derivational suffixes (partnerships -> partner -> partn).
    for _ in range(2):
        for suffix, repl, keep in _DERIVATIONAL:
            if w.endswith(suffix) and len(w) - len(suffix) >= keep:
                w = w[: len(w) - len(suffix)] + repl
                break
        else:
            break
    # Step 3: a final silent e, so "negotiate" meets "negotiat(ion)".
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    if w.endswith("y") and len(w) > 4:
        w = w[:-1] + "i"
    return w


_DERIVATIONAL: tuple[tuple[str, str, int], ...] = (
    ("izations", "iz", 3), ("ization", "iz", 3), ("isations", "is", 3), ("isation", "is", 3),
    ("ations", "at", 3), ("ation", "at", 3), ("ements", "e", 4), ("ement", "e", 4),
    ("ments", "", 4), ("ment", "", 4), ("nesses", "", 4), ("ness", "", 4), ("ships", "", 4),
    ("ship", "", 4), ("ities", "", 4), ("ity", "", 4), ("ically", "ic", 4), ("ally", "", 4),
    ("ly", "", 4), ("ers", "", 5), ("er", "", 5), ("ors", "", 5), ("or", "", 5),
    ("ions", "", 4), ("ion", "", 4), ("ise", "", 4), ("ize", "", 4), ("ful", "", 4),
)


def _has_vowel(s: str) -> bool:
    return any(c in "aeiouy" for c in s)


def _undouble(s: str) -> str:
    if len(s) > 3 and s[-1] == s[-2] and s[-1] not in "lsz":
        return s[:-1]
    return s


_TOKEN_RE = re.compile(r"\d[\d.]*%?|[a-z][a-z0-9]*")


def raw_tokens(normalised: str) -> list[str]:
    """Word and number tokens of an already normalised text (numbers keep a trailing %)."""
    return _TOKEN_RE.findall(normalised)


@lru_cache(maxsize=65536)
def token_stem(token: str) -> str | None:
    """The content stem of one raw token, or None for a stopword / one-letter token."""
    if token in STOPWORDS or (len(token) < 2 and not token.isdigit()):
        return None
    if token[0].isdigit():
        return token.rstrip(".")
    return stem(token)


@lru_cache(maxsize=65536)
def content_tokens(text: str) -> frozenset[str]:
    """Stemmed content words (and numbers) of a text, stopwords removed.

    >>> sorted(content_tokens("Acme denied the negotiations."))
    ['acme', 'deny', 'negotiat']
    """
    out = set()
    for tok in raw_tokens(normalise_for_match(text)):
        s = token_stem(tok)
        if s:
            out.add(s)
    return frozenset(out)


# Stances: the reporting vocabulary of a denial and of a refusal to comment, the same in any story (what the
# denial/no-comment contradiction compares). Single words are matched on their stem; phrases on the normalised text.
PREDICATE_WORDS: dict[str, tuple[str, ...]] = {
    "deny": ("deny", "false", "incorrect", "baseless", "inaccurate", "unfounded", "reject",
             "refute", "dismiss", "rebuttal", "untrue"),
    "no_comment": ("respond", "response", "comment", "reply"),
}
# How much sharing a stance says about two claims being the same statement.
PREDICATE_WEIGHTS: dict[str, float] = {"deny": 1.0, "no_comment": 1.0}
PREDICATE_PHRASES: dict[str, tuple[str, ...]] = {
    "deny": (r"\bno truth\b",),
    "no_comment": (r"\bdeclined to comment\b", r"\bno comment\b", r"\bcould not be reached\b"),
}
_PREDICATE_BY_STEM: dict[str, str] = {
    stem(w): group for group, words in PREDICATE_WORDS.items() for w in words
}
_PREDICATE_PHRASE_RES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), group) for group, pats in PREDICATE_PHRASES.items() for p in pats
)
# All the phrases in one pattern, a named group per predicate group: one scan of the text finds them all.
_PREDICATE_PHRASES_RE = re.compile(
    "|".join(f"(?P<{group}>{'|'.join(pats)})" for group, pats in PREDICATE_PHRASES.items())
)


def _phrase_start(pattern: str) -> str:
    match = re.fullmatch(r"\\b([a-z]+ ).*", pattern)
    if match is None:
        raise ValueError(f"predicate phrase {pattern!r} must start with a word and a space")
    return match[1]


# Every phrase starts with a word and a space ("no ", "declined "): a text without any of these has none of the
# phrases and skips the scan (most claims).
_PHRASE_STARTS: tuple[str, ...] = tuple(sorted({_phrase_start(p) for pats in PREDICATE_PHRASES.values() for p in pats}))


@lru_cache(maxsize=65536)
def predicate_of_stem(s: str) -> str | None:
    """The key-predicate group a stem belongs to, if any (prefix match on the listed stems)."""
    group = _PREDICATE_BY_STEM.get(s)
    if group is not None:
        return group
    for length in range(len(s) - 1, 3, -1):  # "negotiat" also covers "negotiator"
        group = _PREDICATE_BY_STEM.get(s[:length])
        if group is not None:
            return group
    return None


def predicates(normalised: str, stems: frozenset[str] | list[str]) -> frozenset[str]:
    """Key-predicate groups present in a claim."""
    out = set()
    for s in stems:
        g = predicate_of_stem(s)
        if g:
            out.add(g)
    if contains_any(normalised, _PHRASE_STARTS):
        out.update(m.lastgroup for m in _PREDICATE_PHRASES_RE.finditer(normalised))  # type: ignore[misc]
    return frozenset(out)


def contains_any(text: str, needles: tuple[str, ...]) -> bool:
    """Whether one of `needles` occurs in `text`: the cheap test that lets a claim skip a regex scan that could
    only match where one of them occurs."""
    for needle in needles:
        if needle in text:
            return True
    return False
