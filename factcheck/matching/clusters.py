"""Clusters: claims from different articles that state the same thing.

Merging is average-link agglomeration over the edges that clear ``SAME_CLAIM_THRESHOLD``,
strongest edge first. An edge only merges its two groups when

* the **average** similarity over all cross pairs clears the threshold, and
* **no** cross pair falls below ``MIN_LINK``,

so a chain A~B~C cannot pull A and C together when A and C are not alike ("Acme denied" ~
"Acme and Borealis denied" ~ "Borealis denied" stays two clusters). Scores needed for the check
that the caller did not supply are computed here.

**One article, one member.** Different sentences of one article are, by construction, different
statements (the extractor split them); an article restating itself is elaboration, and letting
such pairs merge would let a cluster chain through one article's internal paraphrases. So a
cluster never holds two claims from the same article, unless their normalised texts are the same
sentence (a headline repeated in the body, a pull quote), which do share the cluster.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz

from . import pairmodel
from .features import cosine
from .index import candidate_pairs
from .scoring import SAME_CLAIM_THRESHOLD, similarity
from .types import ClaimInfo, ClusterAssignment

# No two members of a cluster may be less alike than this, whatever the average (learned with the threshold).
MIN_LINK: float = pairmodel.decision_thresholds()[1]
# Normalised texts at least this alike (rapidfuzz ratio, 0-100) count as the same sentence.
SAME_SENTENCE_RATIO: float = 95.0


def same_sentence(a: ClaimInfo, b: ClaimInfo) -> bool:
    """Whether two claims are the same sentence up to punctuation, case and spelling variants."""
    na, nb = a.profile.norm, b.profile.norm
    return na == nb or fuzz.ratio(na, nb) >= SAME_SENTENCE_RATIO


class _Agglomerator:
    def __init__(
        self,
        claims: dict[int, ClaimInfo],
        known: dict[tuple[int, int], float],
        threshold: float,
        min_link: float,
    ):
        self.claims = claims
        self.known = known
        self.threshold = threshold
        self.min_link = min_link
        self.group_of: dict[int, int] = {cid: cid for cid in claims}
        self.members: dict[int, list[int]] = {cid: [cid] for cid in claims}
        self.frozen: dict[int, object] = {}  # group -> existing cluster id it stands for
        # Group pairs already refused, keyed with the group sizes: a refusal stands until one
        # of the two groups grows.
        self.refused: set[tuple[int, int, int, int]] = set()

    def score(self, x: int, y: int) -> float:
        key = (x, y) if x < y else (y, x)
        s = self.known.get(key)
        if s is None:
            s = similarity(self.claims[x], self.claims[y])
            self.known[key] = s
        return s

    def seed_group(self, ids: Sequence[int], cluster_id: object) -> None:
        gid = ids[0]
        for cid in ids:
            self.group_of[cid] = gid
        self.members[gid] = list(ids)
        for cid in ids[1:]:
            self.members.pop(cid, None)
        self.frozen[gid] = cluster_id

    def _articles_clash(self, ga: list[int], gb: list[int]) -> bool:
        by_article: dict[int, list[int]] = defaultdict(list)
        for cid in ga:
            by_article[self.claims[cid].article_id].append(cid)
        for cid in gb:
            for other in by_article.get(self.claims[cid].article_id, ()):
                if not same_sentence(self.claims[cid], self.claims[other]):
                    return True
        return False

    def link(self, ga: list[int], gb: list[int]) -> float | None:
        """Average link between two groups, or None when some pair is below MIN_LINK."""
        total = 0.0
        for x in ga:
            for y in gb:
                s = self.score(x, y)
                if s < self.min_link:
                    return None
                total += s
        return total / (len(ga) * len(gb))

    def try_merge(self, x: int, y: int) -> bool:
        gx, gy = self.group_of[x], self.group_of[y]
        if gx == gy:
            return False
        if gx in self.frozen and gy in self.frozen:
            return False  # two existing clusters are never merged here
        ma, mb = self.members[gx], self.members[gy]
        memo = (gx, len(ma), gy, len(mb)) if gx < gy else (gy, len(mb), gx, len(ma))
        if memo in self.refused:
            return False
        if self._articles_clash(ma, mb):
            self.refused.add(memo)
            return False
        avg = self.link(ma, mb)
        if avg is None or avg < self.threshold:
            self.refused.add(memo)
            return False
        keep, drop = (gx, gy) if gx in self.frozen or (gy not in self.frozen and gx < gy) else (gy, gx)
        for cid in self.members[drop]:
            self.group_of[cid] = keep
        self.members[keep].extend(self.members.pop(drop))
        return True

    def run(self, edges: Iterable[tuple[int, int]]) -> None:
        scored = []
        for x, y in edges:
            s = self.score(x, y)
            if s >= self.threshold:
                scored.append((-s, min(x, y), max(x, y)))
        scored.sort()
        for _, x, y in scored:
            self.try_merge(x, y)


def _normalise_pairs(
    pairs: Iterable[tuple[int, int, float]], ids: set[int]
) -> dict[tuple[int, int], float]:
    known: dict[tuple[int, int], float] = {}
    for x, y, s in pairs:
        if x not in ids or y not in ids:
            raise ValueError(f"pair ({x}, {y}) names a claim that is not in the claims given")
        if x != y:
            known[(x, y) if x < y else (y, x)] = float(s)
    return known


def cluster(
    claims: list[ClaimInfo],
    pairs: Iterable[tuple[int, int, float]] | None = None,
    *,
    threshold: float = SAME_CLAIM_THRESHOLD,
    min_link: float = MIN_LINK,
) -> list[list[int]]:
    """Group claims that state the same thing; every claim lands in exactly one group.

    ``pairs`` are precomputed ``(claim_id, claim_id, score)`` edges (e.g. from a shortlist); only
    they are considered for merging, and scores the linkage check needs beyond them are computed.
    Without ``pairs``, candidate edges come from an inverted index over entities and content words
    (never all pairs). Returns sorted id lists, singletons included, ordered by smallest id.
    """
    by_id = {c.id: c for c in claims}
    if pairs is None:
        known: dict[tuple[int, int], float] = {}
        edges = list(candidate_pairs(claims))
    else:
        known = _normalise_pairs(pairs, set(by_id))
        edges = list(known)
    agg = _Agglomerator(by_id, known, threshold, min_link)
    agg.run(edges)
    groups = [sorted(m) for m in agg.members.values()]
    return sorted(groups, key=lambda g: g[0])


def assign_to_clusters(
    new: list[ClaimInfo],
    candidates: list[tuple[ClaimInfo, int | None]],
    *,
    threshold: float = SAME_CLAIM_THRESHOLD,
    min_link: float = MIN_LINK,
    scores: dict[tuple[int, int], float] | None = None,
) -> dict[int, ClusterAssignment]:
    """Decide where each newly extracted claim belongs, given a shortlist of existing claims.

    ``candidates`` are the shortlisted existing claims with their current cluster id (None when
    not clustered yet). Existing clusters are fixed: they are joined, never merged with each other
    or split, and their linkage is judged on the shortlisted members only. New claims may also form
    a new cluster among themselves and with unclustered candidates. Deterministic for the same
    input. Returns one ``ClusterAssignment`` per new claim id.

    ``scores`` is an optional cache of ``similarity`` keyed by (smaller id, larger id): scores found
    there are not computed again, and the scores computed here are added to it (a caller deciding
    several claims against overlapping shortlists shares it between calls).
    """
    claims: dict[int, ClaimInfo] = {}
    for c, _ in candidates:
        claims[c.id] = c
    new_ids = []
    for c in new:
        claims[c.id] = c  # a claim given as both new and candidate is treated as new
        new_ids.append(c.id)
    new_set = set(new_ids)

    agg = _Agglomerator(claims, scores if scores is not None else {}, threshold, min_link)
    by_cluster: dict[int, list[int]] = defaultdict(list)
    for c, cluster_id in candidates:
        if cluster_id is not None and c.id not in new_set:
            by_cluster[cluster_id].append(c.id)
    for cluster_id, ids in sorted(by_cluster.items()):
        agg.seed_group(sorted(set(ids)), cluster_id)

    others = sorted(claims)
    edges = [(x, y) for x in new_ids for y in others if y != x and (y not in new_set or x < y)]
    agg.run(edges)

    out: dict[int, ClusterAssignment] = {}
    for cid in new_ids:
        gid = agg.group_of[cid]
        members = agg.members[gid]
        peers = [m for m in members if m != cid]
        score = sum(agg.score(cid, m) for m in peers) / len(peers) if peers else 0.0
        if gid in agg.frozen:
            out[cid] = ClusterAssignment(cid, cluster_id=agg.frozen[gid], score=score)  # type: ignore[arg-type]
        elif peers:
            out[cid] = ClusterAssignment(cid, new_group=tuple(sorted(members)), score=score)
        else:
            out[cid] = ClusterAssignment(cid)
    return out


def closest_candidates(
    claim: ClaimInfo,
    candidates: Sequence[tuple[ClaimInfo, int, int | None]],
    *,
    floor: float,
    per_cluster: int,
    limit: int,
) -> list[tuple[int, int]]:
    """The `limit` candidates closest to `claim` by exact cosine, as (id, shared) in that order (ties: the newer
    id), at most `per_cluster` of one existing cluster and none below `floor` (too far apart for the pair model
    to call them one fact). `candidates` are (claim, keys shared, cluster id or None) from the key shortlist."""
    cosines = {other.id: cosine(claim, other) for other, _, _ in candidates}
    scored = sorted(candidates, key=lambda item: (-cosines[item[0].id], -item[0].id))
    out: list[tuple[int, int]] = []
    taken: dict[int, int] = defaultdict(int)
    for other, shared, cluster_id in scored:
        if cosines[other.id] < floor:
            break
        if cluster_id is not None:
            if taken[cluster_id] >= per_cluster:
                continue
            taken[cluster_id] += 1
        out.append((other.id, shared))
        if len(out) >= limit:
            break
    return out
