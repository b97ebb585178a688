import pytest

from factcheck.matching import MIN_LINK, SAME_CLAIM_THRESHOLD, ClaimInfo, assign_to_clusters, cluster, similarity

from . import port_strike_claims as p
from . import seed_claims as s


def _cluster_of(clusters, claim_id):
    (found,) = [c for c in clusters if claim_id in c]
    return found


@pytest.fixture(scope="module")
def seed_clusters():
    return cluster(s.ALL_CLAIMS)


@pytest.fixture(scope="module")
def story_clusters(story):
    return cluster(story.ALL_CLAIMS)


def test_every_claim_lands_in_exactly_one_cluster(story, story_clusters):
    ids = [i for c in story_clusters for i in c]
    assert sorted(ids) == sorted(c.id for c in story.ALL_CLAIMS)


def test_unrelated_claims_do_not_share_a_cluster(story, story_clusters):
    for claim in story.UNRELATED:
        assert _cluster_of(story_clusters, claim.id) == [claim.id]


def test_a_sentence_repeated_word_for_word_by_two_outlets_is_one_cluster():
    clusters = cluster(p.ALL_CLAIMS)
    for a, b in p.REPEATED:
        assert b.id in _cluster_of(clusters, a.id)


def test_ford_denial_and_xiaomi_denial_stay_apart(seed_clusters):
    ford = _cluster_of(seed_clusters, s.FORD_DENIED_000.id)
    for other in (s.XIAOMI_ECHOED_003, s.XIAOMI_NO_PLANS_001, s.BOTH_DENY_TITLE_002, s.CATL_LICENSING_003):
        assert other.id not in ford


def test_clusters_never_hold_two_sentences_of_one_article(story, story_clusters):
    by_id = {c.id: c for c in story.ALL_CLAIMS}
    for members in story_clusters:
        articles = [by_id[i].article_id for i in members]
        assert len(articles) == len(set(articles)), members


def test_repeated_headline_in_one_article_shares_a_cluster():
    headline = s.TALKS_TITLE_004
    repeat = ClaimInfo(499, headline.article_id, headline.text, headline.facets, embedding=headline.embedding)
    assert [headline.id, repeat.id] in cluster([headline, repeat])


def _scores(claims, high=(), score=0.99, low=0.01):
    """Every pair of `claims` scored `low`, except the pairs in `high` (claims given in pairs), scored `score`: the
    decision's mechanics without the model."""
    out = {}
    for n, a in enumerate(claims):
        for b in claims[n + 1 :]:
            out[(min(a.id, b.id), max(a.id, b.id))] = low
    for a, b in high:
        out[(min(a.id, b.id), max(a.id, b.id))] = score
    return out


def test_average_link_stops_chaining():
    # a ~ b and b ~ c, but a and c are different statements: a chain must not form.
    a, b, c = s.FORD_DENIED_001, s.BOTH_DENY_TITLE_002, s.XIAOMI_ECHOED_003
    known = _scores([a, b, c], high=[(a, b), (b, c)])
    result = cluster([a, b, c], [(x, y, v) for (x, y), v in known.items()])
    assert not any({a.id, c.id} <= set(g) for g in result)
    assert sum(len(g) for g in result) == 3


def test_the_linkage_check_computes_the_pairs_it_was_not_given():
    a, b, c = s.FORD_DENIED_001, s.BOTH_DENY_TITLE_002, s.XIAOMI_ECHOED_003
    result = cluster([a, b, c], [(a.id, b.id, 0.99), (b.id, c.id, 0.99)])
    if similarity(a, c) < MIN_LINK:
        assert not any({a.id, c.id} <= set(g) for g in result)


def test_given_pairs_are_the_only_merge_candidates():
    a, b = s.FORD_DENIED_001, s.FORD_DENIED_003
    assert cluster([a, b], pairs=[]) == [[a.id], [b.id]]
    assert cluster([a, b], pairs=[(a.id, b.id, 0.99)]) == [[a.id, b.id]]
    assert cluster([a, b], pairs=[(a.id, b.id, SAME_CLAIM_THRESHOLD / 2)]) == [[a.id], [b.id]]


def test_pairs_naming_unknown_claims_are_rejected():
    with pytest.raises(ValueError):
        cluster([s.FORD_DENIED_001], pairs=[(s.FORD_DENIED_001.id, 12345, 0.9)])


def test_clustering_is_independent_of_input_order(story, story_clusters):
    assert cluster(list(reversed(story.ALL_CLAIMS))) == story_clusters


# --- incremental ---------------------------------------------------------------------------


def test_new_claim_joins_existing_cluster():
    candidates = [
        (s.FORD_DENIED_000, 7),
        (s.FORD_DENIED_001, 7),
        (s.XIAOMI_ECHOED_003, 8),
        (s.TARIFF_000, None),
    ]
    new = s.FORD_DENIED_003
    scores = _scores([new] + [c for c, _ in candidates], high=[(new, s.FORD_DENIED_000), (new, s.FORD_DENIED_001)])
    decision = assign_to_clusters([new], candidates, scores=scores)[new.id]
    assert decision.action == "join"
    assert decision.cluster_id == 7
    assert decision.score == pytest.approx(0.99)


def test_new_claims_start_a_cluster_with_an_unclustered_candidate():
    new = [s.TARIFF_002, s.PICKUP_PRICE_002]
    candidates = [(s.TARIFF_000, None), (s.FORD_DENIED_000, 3)]
    scores = _scores(new + [c for c, _ in candidates], high=[(s.TARIFF_002, s.TARIFF_000)])
    result = assign_to_clusters(new, candidates, scores=scores)
    assert result[s.TARIFF_002.id].action == "new"
    assert result[s.TARIFF_002.id].new_group == (s.TARIFF_000.id, s.TARIFF_002.id)
    assert result[s.PICKUP_PRICE_002.id].action == "alone"
    assert result[s.PICKUP_PRICE_002.id].cluster_id is None


def test_new_claims_of_one_batch_group_together_and_report_the_same_group():
    # Two new articles arriving together, nothing on the shortlist yet.
    new = [s.FORD_DENIED_002, s.FORD_DENIED_003, s.TARIFF_002, s.TARIFF_004]
    scores = _scores(new, high=[(s.FORD_DENIED_002, s.FORD_DENIED_003), (s.TARIFF_002, s.TARIFF_004)])
    result = assign_to_clusters(new, [], scores=scores)
    assert result[s.FORD_DENIED_002.id].new_group == result[s.FORD_DENIED_003.id].new_group == (203, 302)
    assert result[s.TARIFF_002.id].new_group == result[s.TARIFF_004.id].new_group == (205, 403)


def test_bridging_claim_does_not_chain_two_different_statements():
    ford, both, xiaomi = s.FORD_DENIED_000, s.BOTH_DENY_TITLE_002, s.XIAOMI_ECHOED_003
    scores = _scores([ford, both, xiaomi], high=[(ford, both), (both, xiaomi)])
    result = assign_to_clusters([both], [(ford, None), (xiaomi, None)], scores=scores)
    assert result[both.id].action == "new" and xiaomi.id not in result[both.id].new_group


def test_bridging_claim_joins_one_existing_cluster_the_strongest():
    bridge, ford, xiaomi = s.BOTH_DENY_TITLE_002, s.FORD_DENIED_000, s.XIAOMI_ECHOED_003
    scores = _scores([bridge, ford, xiaomi], high=[(bridge, ford)], score=0.95)
    scores[(min(bridge.id, xiaomi.id), max(bridge.id, xiaomi.id))] = 0.99
    result = assign_to_clusters([bridge], [(ford, 1), (xiaomi, 2)], scores=scores)
    assert result[bridge.id].cluster_id == 2
    assert result[bridge.id].score == pytest.approx(0.99)


def test_new_claim_does_not_join_a_cluster_holding_its_own_article():
    sibling = ClaimInfo(
        250, s.FORD_DENIED_002.article_id, "Ford said the story was completely false.", {"organisations": ["Ford"]}
    )
    scores = _scores([sibling, s.FORD_DENIED_002], high=[(sibling, s.FORD_DENIED_002)])  # alike, yet one article
    result = assign_to_clusters([s.FORD_DENIED_002], [(sibling, 5)], scores=scores)
    assert result[s.FORD_DENIED_002.id].action == "alone"


def test_assignment_is_deterministic():
    new = [s.FORD_DENIED_002, s.TARIFF_002, s.MOOLENAAR_003]
    candidates = [(c, None) for c in s.ALL_CLAIMS if c.article_id in (0, 1)]
    first = assign_to_clusters(new, candidates)
    second = assign_to_clusters(list(reversed(new)), list(reversed(candidates)))
    assert first == second


def test_assign_to_clusters_reuses_and_fills_a_score_cache():
    new = [s.FORD_DENIED_003]
    candidates = [(s.FORD_DENIED_000, 7), (s.FORD_DENIED_002, 7), (s.TARIFF_000, None)]
    scores: dict = {}
    first = assign_to_clusters(new, candidates, scores=scores)
    assert first == assign_to_clusters(new, candidates)
    assert scores[(s.FORD_DENIED_000.id, s.FORD_DENIED_003.id)] == similarity(s.FORD_DENIED_000, s.FORD_DENIED_003)
    # A cached score is taken as given.
    rigged = {key: 0.0 for key in scores}
    assert assign_to_clusters(new, candidates, scores=rigged)[s.FORD_DENIED_003.id].action == "alone"


def _unit(*values):
    import numpy as np

    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_closest_candidates_rank_by_cosine_cap_each_cluster_and_stop_at_the_floor():
    from factcheck.matching import closest_candidates

    own = ClaimInfo(1, 10, "own", embedding=_unit(1, 0, 0))
    near = [ClaimInfo(pk, 20, f"c{pk}", embedding=_unit(1, 0.1 * pk, 0)) for pk in (2, 3, 4, 5)]
    far = ClaimInfo(6, 30, "far", embedding=_unit(0, 0, 1))
    candidates = [(near[0], 3, 7), (near[1], 2, 7), (near[2], 1, 7), (near[3], 5, None), (far, 9, None)]
    # Two of cluster 7 at most, closest first; the far claim is under the floor however many keys it shares.
    assert closest_candidates(own, candidates, floor=0.5, per_cluster=2, limit=10) == [(2, 3), (3, 2), (5, 5)]
    assert closest_candidates(own, candidates, floor=0.5, per_cluster=2, limit=2) == [(2, 3), (3, 2)]
    assert closest_candidates(own, candidates, floor=-1.0, per_cluster=5, limit=10)[-1] == (6, 9)
