"""Stories: articles about the same event, grouped by the people and organisations they name and
the words of their titles.

An article is compared with a story's *signature* — for every entity and title word, the share
of the story's articles that carry it — with a weighted Jaccard (sum of minima over sum of
maxima), so what most of the story's articles name weighs most:

    score = 0.7 * entity weighted-Jaccard + 0.3 * title-word weighted-Jaccard

Entity spellings meet under the same fuzzy identity as claims ("Halversen" / "Halvorsen",
"Acme Motor Co." / "Acme"). Articles published more than ``STORY_WINDOW_DAYS`` outside a
story's time span never join it. ``group_stories`` runs the same incremental decision over
articles in publication order, so a batch import and one-by-one uploads agree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .entities import Entity, org_entity, same_entity
from .text import content_tokens
from .types import ArticleInfo, ClaimInfo

ENTITY_WEIGHT = 0.7
TITLE_WEIGHT = 0.3
STORY_THRESHOLD = 0.2
STORY_WINDOW_DAYS = 7


@dataclass(frozen=True)
class StorySignature:
    """What a story is about. Build with ``story_signature``; store it or rebuild it per call."""

    story_id: int
    entities: Mapping[str, float]  # normalised entity key -> share of the story's articles
    title_tokens: Mapping[str, float]  # title content stem -> share of the story's articles
    size: int
    first_published: dt.date | None = None
    last_published: dt.date | None = None


def _day(value: dt.date | dt.datetime | None) -> dt.date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def _entity_keys(names: Iterable[str]) -> set[str]:
    return {k for n in names if (k := org_entity(n).key)}


def story_signature(story_id: int, articles: Iterable[ArticleInfo]) -> StorySignature:
    """Summarise a story's articles (entity and title-word shares, publication span)."""
    arts = list(articles)
    ents: Counter[str] = Counter()
    words: Counter[str] = Counter()
    days = []
    for art in arts:
        ents.update(_entity_keys(art.entities))
        words.update(content_tokens(art.title or ""))
        if (d := _day(art.published_at)) is not None:
            days.append(d)
    n = max(1, len(arts))
    return StorySignature(
        story_id,
        {k: v / n for k, v in ents.items()},
        {k: v / n for k, v in words.items()},
        len(arts),
        min(days) if days else None,
        max(days) if days else None,
    )


def _weighted_jaccard(keys: set[str], weights: Mapping[str, float], fuzzy: bool) -> float:
    if not keys or not weights:
        return 0.0
    used: set[str] = set()  # the signature keys matched so far, each by one key of the article
    for k in keys:
        if k in weights:
            used.add(k)
        elif fuzzy:
            ek = _as_entity(k)
            for w in weights:
                if w not in used and same_entity(ek, _as_entity(w)):
                    used.add(w)
                    break
    num = sum(min(1.0, weights[w]) for w in used)
    den = sum(1.0 for _ in keys) + sum(v for w, v in weights.items() if w not in used)
    return num / den if den else 0.0


def _as_entity(key: str) -> Entity:
    return org_entity(key)


def article_story_similarity(article: ArticleInfo, story: StorySignature) -> float:
    """How well an article fits a story, in [0, 1] (0 outside the story's time window)."""
    day = _day(article.published_at)
    window = dt.timedelta(days=STORY_WINDOW_DAYS)
    if day is not None and story.first_published is not None and story.last_published is not None:
        if day < story.first_published - window or day > story.last_published + window:
            return 0.0
    ents = _weighted_jaccard(_entity_keys(article.entities), story.entities, fuzzy=True)
    words = _weighted_jaccard(set(content_tokens(article.title or "")), story.title_tokens, fuzzy=False)
    return ENTITY_WEIGHT * ents + TITLE_WEIGHT * words


def best_story(
    article: ArticleInfo,
    stories: Iterable[StorySignature],
    *,
    threshold: float = STORY_THRESHOLD,
) -> int | None:
    """The id of the story the article belongs to, or None when no story clears the threshold.
    Ties go to the smaller story id."""
    best: tuple[float, int] | None = None
    for story in stories:
        s = article_story_similarity(article, story)
        if s >= threshold and (best is None or s > best[0] or s == best[0] and story.story_id < best[1]):
            best = (s, story.story_id)
    return best[1] if best else None


def group_stories(
    articles: list[ArticleInfo], *, threshold: float = STORY_THRESHOLD
) -> list[list[int]]:
    """Group articles about the same event. Articles are taken in publication order (undated
    last, then by id) and each joins its best story or starts one — the same decision
    ``best_story`` makes for one new article. Returns sorted id lists ordered by smallest id."""
    def order(a: ArticleInfo):
        d = _day(a.published_at)
        return (d is None, d or dt.date.min, a.id)

    members: dict[int, list[ArticleInfo]] = {}
    signatures: dict[int, StorySignature] = {}
    for art in sorted(articles, key=order):
        sid = best_story(art, signatures.values(), threshold=threshold)
        if sid is None:
            sid = art.id
            members[sid] = []
        members[sid].append(art)
        signatures[sid] = story_signature(sid, members[sid])
    return sorted((sorted(a.id for a in arts) for arts in members.values()), key=lambda g: g[0])


def claim_entities(claims: Iterable[ClaimInfo]) -> frozenset[str]:
    """The people and organisations the claims name (their facets), as the names an `ArticleInfo` carries."""
    names: set[str] = set()
    for claim in claims:
        for key in ("people", "organisations"):
            for item in claim.facets.get(key) or ():
                if isinstance(item, str) and item.strip():
                    names.add(item.strip())
    return frozenset(names)


def stories_sharing_most(
    shared: Iterable[tuple[int, int]], story_of_article: Mapping[int, int | None], *, limit: int
) -> list[int]:
    """The `limit` stories whose articles share the most blocking keys with a new article's claims, most first
    (ties: the newer story id). `shared` holds (article id, keys shared) per shortlisted candidate claim."""
    weight_of_article: dict[int, int] = Counter()
    for article_id, keys in shared:
        weight_of_article[article_id] += keys
    weight_of_story: dict[int, int] = Counter()
    for article_id, weight in weight_of_article.items():
        if (story := story_of_article.get(article_id)) is not None:
            weight_of_story[story] += weight
    return sorted(weight_of_story, key=lambda s: (-weight_of_story[s], -s))[:limit]
