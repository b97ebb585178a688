import datetime as dt

from factcheck.matching import ArticleInfo, best_story, group_stories, story_signature
from factcheck.matching.stories import article_story_similarity

JAN31 = dt.date(2026, 1, 31)

SEED_ARTICLES = [
    ArticleInfo(0, "", frozenset({"Ford", "Xiaomi", "BYD", "John Mullenaar", "House China Committee", "Jim Farley",
                                  "Joe Biden", "Donald Trump", "Financial Times"}), JAN31),
    ArticleInfo(1, "Xiaomi and Ford Deny Joint EV Venture Amid U.S. Political Scrutiny",
                frozenset({"Xiaomi", "Ford", "Financial Times", "BYD", "Jim Farley", "John Moolenaar", "Donald Trump"}),
                dt.datetime(2026, 2, 1, 9, 30)),
    ArticleInfo(2, "Ford and Xiaomi denied rumors of talks about electric car production in the US",
                frozenset({"Ford", "Xiaomi", "Financial Times", "BYD", "Mark Truby", "Jim Farley", "Ford Motor",
                           "Donald Trump", "Joe Biden"}), dt.date(2026, 2, 1)),
    ArticleInfo(3, "Ford and Xiaomi Deny Joint Venture Talks Amid CEO's Mixed Signals on Chinese EV Rivals",
                frozenset({"Ford Motor Co.", "Xiaomi", "Financial Times", "John Moolenaar", "Jim Farley", "CATL",
                           "Pentagon", "General Motors", "BYD"}), dt.date(2026, 2, 2)),
    ArticleInfo(4, "FT correspondent: Ford ‘held talks with China’s Xiaomi' on US electric vehicle joint venture",
                frozenset({"Demetri Sevastopulo", "Financial Times", "Ford", "Xiaomi", "CATL", "Pentagon",
                           "International Energy Agency", "Commerce Department"}), dt.date(2026, 2, 1)),
]
TESLA_RECALL = ArticleInfo(10, "Tesla recalls Cybertruck over faulty accelerator pedal",
                           frozenset({"Tesla", "NHTSA", "Elon Musk"}), dt.date(2026, 2, 1))
FORD_RECALL = ArticleInfo(11, "Ford recalls F-150 Lightning over battery fire risk",
                          frozenset({"Ford", "NHTSA"}), dt.date(2026, 2, 1))
FORD_XIAOMI_LATER = ArticleInfo(12, "Ford and Xiaomi deny joint venture talks again",
                                frozenset({"Ford", "Xiaomi", "Financial Times", "Jim Farley"}), dt.date(2026, 6, 1))


def test_seed_articles_form_one_story():
    assert group_stories(SEED_ARTICLES) == [[0, 1, 2, 3, 4]]


def test_other_events_are_other_stories():
    groups = group_stories([*SEED_ARTICLES, TESLA_RECALL, FORD_RECALL])
    assert groups == [[0, 1, 2, 3, 4], [10], [11]]


def test_same_actors_months_later_are_a_new_story():
    assert group_stories([*SEED_ARTICLES, FORD_XIAOMI_LATER]) == [[0, 1, 2, 3, 4], [12]]


def test_grouping_does_not_depend_on_input_order():
    articles = [*SEED_ARTICLES, TESLA_RECALL, FORD_RECALL]
    assert group_stories(list(reversed(articles))) == group_stories(articles)


def test_best_story_for_a_new_article():
    stories = [story_signature(100, SEED_ARTICLES[:3]), story_signature(200, [TESLA_RECALL])]
    assert best_story(SEED_ARTICLES[3], stories) == 100
    assert best_story(FORD_RECALL, stories) is None
    assert best_story(ArticleInfo(13, "Tesla Cybertruck recall widens", frozenset({"Tesla", "NHTSA"})), stories) == 200


def test_signature_weights_entities_by_share_of_articles():
    sig = story_signature(1, SEED_ARTICLES)
    assert sig.size == 5
    assert sig.entities["xiaomi"] == 1.0
    assert sig.entities["pentagon"] == 0.4
    assert sig.first_published == JAN31 and sig.last_published == dt.date(2026, 2, 2)


def test_fuzzy_entity_spellings_meet():
    sig = story_signature(1, [ArticleInfo(1, "", frozenset({"John Mullenaar", "House China Committee"}))])
    same = ArticleInfo(2, "", frozenset({"John Moolenaar", "House China Committee"}))
    other = ArticleInfo(3, "", frozenset({"Joe Biden", "House China Committee"}))
    assert article_story_similarity(same, sig) > article_story_similarity(other, sig)


def test_candidate_stories_are_those_sharing_the_most_keys():
    from factcheck.matching import stories_sharing_most

    story_of_article = {1: 100, 2: 100, 3: 200, 4: None, 5: 300}
    shared = [(1, 2), (2, 2), (3, 3), (4, 9), (5, 1)]  # article 4 has no story: its keys count for none
    assert stories_sharing_most(shared, story_of_article, limit=5) == [100, 200, 300]
    assert stories_sharing_most(shared, story_of_article, limit=1) == [100]
    assert stories_sharing_most([(3, 2), (5, 2)], story_of_article, limit=5) == [300, 200]  # a tie: newer first


def test_claim_entities_are_the_people_and_organisations_named():
    from factcheck.matching import ClaimInfo, claim_entities

    claims = [ClaimInfo(1, 1, "a", {"people": [" Ann Lee "], "organisations": ["Acme"], "places": ["Paris"]}),
              ClaimInfo(2, 1, "b", {"people": ["", 7], "organisations": None})]
    assert claim_entities(claims) == frozenset({"Ann Lee", "Acme"})
