"""Claim matching: similarity, clusters of the same claim across articles, conflicts, stories.

Pure Python (rapidfuzz for string distances); no Django import. The database layer shortlists
candidates through the blocking keys stored with every claim and calls into this package to decide
on the shortlist:

* ``match_keys(text, facets, embedding=, when=)`` / ``lookup_keys(...)`` — a claim's blocking keys (LSH bands of its
  embedding, its people and organisations, by month) and the keys it looks up;
* ``similarity(a, b)`` / ``SAME_CLAIM_THRESHOLD`` — the learned same-fact probability and its threshold;
* ``cluster(claims, pairs)`` — batch clustering; ``assign_to_clusters(new, candidates)`` — the
  incremental path for each newly extracted article, after ``closest_candidates(claim, shortlist)``;
* ``find_conflicts(a, b)`` / ``find_conflicts_in_story(claims)`` / ``find_conflicts_with(claims,
  new_ids=...)`` (the incremental path) / ``conflict_key(conflict)``;
* ``group_stories(articles)`` / ``story_signature(...)`` / ``best_story(article, stories)``, with
  ``stories_sharing_most(...)`` and ``claim_entities(claims)`` for a new article's candidate stories.
"""

from .clusters import MIN_LINK, assign_to_clusters, closest_candidates, cluster, same_sentence
from .conflicts import conflict_key, find_conflicts, find_conflicts_in_story, find_conflicts_with
from .entities import entity_key, same_entity
from .features import FEATURE_NAMES, cosine, pair_features
from .keys import MAX_KEYS, lookup_keys, match_keys
from .scoring import (
    SAME_CLAIM_THRESHOLD,
    SimilarityBreakdown,
    explain_similarity,
    similarity,
)
from .stories import (
    STORY_THRESHOLD,
    StorySignature,
    article_story_similarity,
    best_story,
    claim_entities,
    group_stories,
    stories_sharing_most,
    story_signature,
)
from .text import content_tokens, normalise_for_match
from .types import CONFLICT_KINDS, ArticleInfo, ClaimInfo, ClusterAssignment, Conflict

__all__ = [
    "CONFLICT_KINDS",
    "FEATURE_NAMES",
    "MAX_KEYS",
    "MIN_LINK",
    "SAME_CLAIM_THRESHOLD",
    "STORY_THRESHOLD",
    "ArticleInfo",
    "ClaimInfo",
    "ClusterAssignment",
    "Conflict",
    "SimilarityBreakdown",
    "StorySignature",
    "article_story_similarity",
    "assign_to_clusters",
    "best_story",
    "claim_entities",
    "closest_candidates",
    "cluster",
    "conflict_key",
    "content_tokens",
    "cosine",
    "entity_key",
    "explain_similarity",
    "find_conflicts",
    "find_conflicts_in_story",
    "find_conflicts_with",
    "group_stories",
    "lookup_keys",
    "match_keys",
    "normalise_for_match",
    "pair_features",
    "same_entity",
    "same_sentence",
    "similarity",
    "stories_sharing_most",
    "story_signature",
]
