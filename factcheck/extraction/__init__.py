"""Claim extraction: article text -> check-worthy claims with offsets, kinds and facets.

Pure Python (no Django). ``extract_claims`` is the entry point; the pieces it is built
from are exported for reuse and tests.
"""

from .facets import EntityContext, claim_facets
from .kinds import KINDS, claim_kinds
from .model import DEFAULT_THRESHOLD, MODEL_VERSION, score_sentences
from .pipeline import OPINION_FACTOR, ExtractedClaim, extract_claims, span_features
from .segment import _trim as trim_span
from .segment import split_sentences

# What a stored claim was extracted with: the scorer's version and the version of the rules that give kinds and
# facets (raise RULES_VERSION when their output changes, so `extract_claims --stale` finds the articles to redo).
RULES_VERSION = "rules-2"
EXTRACTION_VERSION = f"{MODEL_VERSION}+{RULES_VERSION}"

__all__ = [
    "DEFAULT_THRESHOLD",
    "EXTRACTION_VERSION",
    "KINDS",
    "MODEL_VERSION",
    "OPINION_FACTOR",
    "RULES_VERSION",
    "EntityContext",
    "ExtractedClaim",
    "claim_facets",
    "claim_kinds",
    "extract_claims",
    "score_sentences",
    "span_features",
    "split_sentences",
    "trim_span",
]
