import itertools

import pytest

from factcheck.matching.encoder import encode
from factcheck.matching import (
    CONFLICT_KINDS,
    ClaimInfo,
    Conflict,
    conflict_key,
    find_conflicts,
    find_conflicts_in_story,
)

from . import port_strike_claims as p
from . import seed_claims as s


def _kinds(a, b):
    return [c.kind for c in find_conflicts(a, b)]


def _claim(cid, text, **facets):
    facets.setdefault("organisations", [])
    return ClaimInfo(cid, cid // 100, text, facets, embedding=encode([text])[0])


# --- name ------------------------------------------------------------------------------------


@pytest.mark.parametrize("other", [s.MOOLENAAR_001, s.MOOLENAAR_003])
def test_mullenaar_vs_moolenaar_is_a_name_conflict(other):
    (conflict,) = find_conflicts(s.MULLENAAR_000, other)
    assert conflict.kind == "name"
    assert set(conflict.values) == {"John Mullenaar", "John Moolenaar"}
    assert conflict.claim_ids == (s.MULLENAAR_000.id, other.id)


def test_name_conflict_explains_the_shared_context():
    (conflict,) = find_conflicts(s.MULLENAAR_000, s.MOOLENAAR_003)
    assert "committee" in conflict.explanation and "chair" in conflict.explanation


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (s.TARIFF_000, s.MOOLENAAR_003),  # Joe Biden vs John Moolenaar
        (s.FARLEY_ADMIRER_000, s.TARIFF_000),  # Jim Farley vs Joe Biden
        (s.FARLEY_ADMIRER_000, s.FARLEY_PRAISE_001),  # Jim Farley, same spelling
        (s.FARLEY_IMPORT_000, s.FARLEY_PRAISE_001),  # "Farley" and "Jim Farley"
        (s.TRUMP_WELCOME_000, s.TRUMP_WELCOME_001),  # "Trump" and "Donald Trump"
    ],
)
def test_different_or_consistently_spelled_people_are_not_name_conflicts(a, b):
    assert "name" not in _kinds(a, b)


def test_similar_names_without_shared_context_are_not_flagged():
    a = _claim(1, "David Miller founded an advocacy group.", people=["David Miller"])
    b = _claim(101, "David Millar won a stage of the Tour de France.", people=["David Millar"])
    assert find_conflicts(a, b) == []


# --- number ----------------------------------------------------------------------------------


@pytest.mark.parametrize("other", [s.TARIFF_000, s.TARIFF_004])
def test_100_vs_145_percent_tariff_is_a_number_conflict(other):
    (conflict,) = find_conflicts(other, s.TARIFF_002)
    assert conflict.kind == "number"
    assert set(conflict.values) == {"100%", "145%"}
    assert "tariff" in conflict.explanation


def test_same_figure_is_not_a_conflict():
    assert "number" not in _kinds(s.TARIFF_000, s.TARIFF_004)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (s.TALKS_000, s.TARIFF_000),  # four sources vs 100% tariff: different units
        (s.IEA_LITHIUM_004, s.TARIFF_000),  # 80% of battery capacity vs 100% tariffs: different things
        (s.IEA_LITHIUM_004, s.TARIFF_002),
        (s.PICKUP_PRICE_002, s.TARIFF_002),
    ],
)
def test_numbers_about_different_things_are_not_conflicts(a, b):
    assert "number" not in _kinds(a, b)


def test_different_counts_of_the_same_thing_conflict():
    a = _claim(1, "The FT cited four sources familiar with the talks.",
               numbers=[{"text": "four", "value": 4, "unit": ""}])
    b = _claim(101, "The FT cited three sources familiar with the talks.",
               numbers=[{"text": "three", "value": 3, "unit": ""}])
    (conflict,) = find_conflicts(a, b)
    assert conflict.kind == "number" and conflict.values == ("4", "3")


def test_counts_of_different_things_are_not_conflicts():
    # Seed 004 vs seed 001: "the two companies" and "four sources" count different things.
    a = _claim(1, "Ford Motor Co. (NYSE:F) and China's consumer electronics powerhouse Xiaomi have issued formal denials "
                  "following a report by the Financial Times suggesting the two companies held early-stage talks over a "
                  "potential electric vehicle joint venture aimed at the U.S. market.",
               organisations=["Ford Motor Co.", "Xiaomi", "Financial Times"],
               numbers=[{"text": "two companies", "value": 2.0, "unit": ""}])
    b = _claim(101, "American automaker Ford recently held talks with Chinese electric vehicle maker Xiaomi about a possible "
                    "partnership that would allow Chinese companies to enter the U.S. market, according to four sources "
                    "familiar with the negotiations.",
               organisations=["Ford", "Xiaomi"], numbers=[{"text": "four sources", "value": 4.0, "unit": ""}])
    assert "number" not in _kinds(a, b)
    # The same thing counted differently still conflicts, plural or not.
    c = _claim(201, "Ford held talks with Xiaomi about a partnership, according to one source familiar with the talks.",
               organisations=["Ford", "Xiaomi"], numbers=[{"text": "one source", "value": 1.0, "unit": ""}])
    (conflict,) = find_conflicts(b, c)
    assert conflict.kind == "number" and set(conflict.values) == {"4", "1"}


def test_price_conflict_in_dollars():
    a = _claim(1, "The pickup has a target price of around $30,000.",
               numbers=[{"text": "$30,000", "value": 30000, "unit": "USD"}])
    b = _claim(101, "The pickup will cost about $35,000.",
               numbers=[{"text": "$35,000", "value": 35000, "unit": "USD"}])
    (conflict,) = find_conflicts(a, b)
    assert conflict.values == ("$30,000", "$35,000")


# --- date ------------------------------------------------------------------------------------


def test_different_year_for_the_same_event_is_a_date_conflict():
    a = _claim(1, "Farley imported a Xiaomi SU7 for personal use in 2024.", people=["Farley"],
               dates=[{"text": "2024", "year": 2024}])
    b = _claim(101, "In 2025, Jim Farley imported an SU7 for his personal use.", people=["Jim Farley"],
               dates=[{"text": "2025", "year": 2025}])
    (conflict,) = find_conflicts(a, b)
    assert conflict.kind == "date" and conflict.values == ("2024", "2025")


def test_different_day_for_the_same_publication_is_a_date_conflict():
    b = _claim(401, "Ford and Xiaomi denied the report published by the Financial Times on February 1.",
               organisations=["Ford", "Xiaomi", "Financial Times"],
               dates=[{"text": "February 1", "year": None, "month": 2, "day": 1}])
    conflicts = find_conflicts(s.BOTH_DENY_FT_002, b)
    assert [c.values for c in conflicts if c.kind == "date"] == [("January 31", "February 1")]


def test_dates_of_different_events_are_not_conflicts():
    # 2024 connected-vehicle ban by Commerce vs software rules from 2027: no shared actor.
    assert "date" not in _kinds(s.COMMERCE_BAN_004, s.SOFTWARE_RULES_002)
    # Same year, same people: nothing to flag.
    assert "date" not in _kinds(s.TARIFF_000, s.COMMERCE_BAN_004)


def test_a_shared_subject_said_far_from_both_dates_is_not_a_date_conflict():
    # Seed 002 vs seed 001: both are about banning Chinese cars, but 2024 dates the tariffs and 2027 the software rules.
    a = _claim(1, "Under the Biden administration, rules were approved that effectively prohibit the use of China-related "
                  "automotive software and equipment starting in 2027.",
               people=["Joe Biden"], dates=[{"text": "2027", "year": 2027}])
    b = _claim(101, "Former President Joe Biden\u2019s administration effectively closed the US market for Chinese cars in "
                    "2024 by imposing 100 percent tariffs, and Donald Trump has maintained those measures, with additional "
                    "restrictions on software and hardware of Chinese origin in vehicles.",
               people=["Joe Biden", "Donald Trump"], dates=[{"text": "2024", "year": 2024}],
               numbers=[{"text": "100 percent", "value": 100.0, "unit": "%"}])
    assert "date" not in _kinds(a, b)


def test_relative_dates_are_not_compared():
    assert "date" not in _kinds(s.FARLEY_IMPORT_000, s.FARLEY_IMPORT_002)


# --- denial ----------------------------------------------------------------------------------


@pytest.mark.parametrize("other", [s.XIAOMI_ECHOED_003, s.BOTH_DENY_TITLE_002])
def test_no_response_vs_denied_is_a_denial_conflict(other):
    (conflict,) = find_conflicts(s.XIAOMI_NO_RESPONSE_000, other)
    assert conflict.kind == "denial"
    assert conflict.values == ("Xiaomi did not respond or declined to comment", "Xiaomi denied")


def test_denial_conflict_needs_the_same_organisation():
    # BYD declined to comment; only Ford denied.
    assert _kinds(s.XIAOMI_NO_RESPONSE_000, s.FORD_DENIED_001) == []
    assert _kinds(s.XIAOMI_NO_RESPONSE_000, s.CATL_LICENSING_003) == []


def test_denials_are_attributed_to_the_right_organisation():
    assert s.FORD_DENIED_002.profile.stances == {"ford": frozenset({"deny"})}  # not "X", the platform
    assert s.FORD_DENIED_003.profile.stances == {"ford": frozenset({"deny"})}  # quote before speaker
    assert s.CATL_LICENSING_003.profile.stances == {"catl": frozenset({"deny"})}  # not Ford or the Pentagon
    assert s.XIAOMI_NO_RESPONSE_000.profile.stances == {
        "xiaomi": frozenset({"no_response"}),
        "byd": frozenset({"no_response"}),
    }
    assert set(s.BOTH_DENY_TITLE_002.profile.stances) == {"ford", "xiaomi"}


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("Ford denied the report.", "deny"),
        ("Ford called the report false.", "deny"),
        ("Ford said the report was untrue.", "deny"),
        ("Ford called the claims baseless.", "deny"),
        ("Ford said the story is incorrect.", "deny"),
        ("Ford said the story is inaccurate.", "deny"),
        ("Ford called the rumours unfounded.", "deny"),
        ("Ford said there is no truth to it.", "deny"),
        ("Ford rejected the report.", "deny"),
        ("Ford refuted the report.", "deny"),
        ("Ford dismissed the report.", "deny"),
        ("Ford rebutted the report.", "deny"),
        ("Ford did not respond to a request for comment.", "no_response"),
        ("Ford has not immediately returned calls.", "no_response"),
        ("Ford declined to comment.", "no_response"),
        ("Ford declined requests for comment.", "no_response"),
        ("Ford had no comment.", "no_response"),
        ("Ford could not be reached for comment.", "no_response"),
        ("Ford was not available for comment.", "no_response"),
        ("Ford was unavailable for comment.", "no_response"),
        ("Ford declined to elaborate.", "no_response"),
    ],
)
def test_every_stance_cue_is_attributed(text, stance):
    # Each cue the stance patterns know, so a cue added to a pattern but not to its cue words is caught here.
    assert _claim(1, text, organisations=["Ford"]).profile.stances == {"ford": frozenset({stance})}


def test_both_declined_and_denied_agree():
    a = _claim(1, "BYD declined to comment.", organisations=["BYD"])
    b = _claim(101, "BYD did not respond to a request for comment.", organisations=["BYD"])
    assert find_conflicts(a, b) == []


# --- keys and story --------------------------------------------------------------------------


def test_conflict_key_is_order_independent():
    forward = find_conflicts(s.TARIFF_000, s.TARIFF_002)
    backward = find_conflicts(s.TARIFF_002, s.TARIFF_000)
    assert forward == backward
    swapped = Conflict("number", ("145 percent", "100%"), (205, 8), "any wording")
    assert conflict_key(swapped) == conflict_key(forward[0]) == "number|100%|145%|8-205"


def test_conflict_key_distinguishes_kind_values_and_claims():
    base = Conflict("name", ("John Mullenaar", "John Moolenaar"), (6, 105), "")
    assert conflict_key(base) == "name|john moolenaar|john mullenaar|6-105"
    assert conflict_key(base) != conflict_key(Conflict("name", base.values, (6, 304), ""))
    assert conflict_key(base) != conflict_key(Conflict("date", base.values, (6, 105), ""))


def test_conflict_key_fits_a_length_and_long_keys_stay_apart():
    long_a = Conflict("quote", ("x" * 600 + "a", "y"), (1, 2), "")
    long_b = Conflict("quote", ("x" * 600 + "b", "y"), (1, 2), "")
    short = Conflict("name", ("Ann", "Anne"), (1, 2), "")
    assert len(conflict_key(long_a, max_length=500)) == 500
    assert conflict_key(long_a, max_length=500) != conflict_key(long_b, max_length=500)
    assert conflict_key(short, max_length=500) == conflict_key(short)


@pytest.fixture(scope="module")
def story_conflicts():
    return find_conflicts_in_story(s.ALL_CLAIMS)


def test_story_conflicts_on_the_seeds(story_conflicts):
    found = {(c.kind, c.claim_ids) for c in story_conflicts}
    assert ("name", (6, 105)) in found and ("name", (6, 304)) in found
    assert ("number", (8, 205)) in found and ("number", (205, 403)) in found
    assert ("denial", (5, 303)) in found
    assert {c.kind for c in story_conflicts} <= set(CONFLICT_KINDS)
    # No false alarms: every conflict on the seeds is one of the three real disagreements.
    for c in story_conflicts:
        assert c.kind in {"name", "number", "denial"}
        if c.kind == "denial":
            assert c.values[0].startswith("Xiaomi")


@pytest.fixture(scope="module")
def conflicts_in(story):
    return find_conflicts_in_story(story.ALL_CLAIMS)


def test_story_conflicts_in_the_second_story():
    found = {(c.kind, c.claim_ids): set(c.values) for c in find_conflicts_in_story(p.ALL_CLAIMS)}
    # "Pettigrue" in one outlet; the board "denied" in one, "did not respond" in two; 2,100 strikers against
    # 2,800; a 5 percent offer against 3.
    assert {k for k in found if k[0] == "name"} == {("name", (5, 105)), ("name", (105, 303))}
    assert ("denial", (7, 201)) in found and ("denial", (201, 402)) in found
    assert found[("number", (1, 102))] == found[("number", (102, 202))] == {"2,800", "2,100"}
    assert {"5%", "3%"} <= found[("number", (104, 302))]


@pytest.mark.xfail(strict=True, reason="a count compared with another count of a different thing in a related claim "
                   "(ships and dockworkers, days and dockworkers) is flagged")
def test_counts_of_different_things_in_the_second_story_are_not_conflicts():
    assert "number" not in _kinds(p.SHIPS_000, p.STRIKERS_002)
    assert "number" not in _kinds(p.LAST_STRIKE_001, p.STRIKERS_002)


def test_story_conflicts_are_unique_and_cross_article(story, conflicts_in):
    keys = [conflict_key(c) for c in conflicts_in]
    assert len(keys) == len(set(keys))
    by_id = {c.id: c for c in story.ALL_CLAIMS}
    for c in conflicts_in:
        a, b = c.claim_ids
        assert a < b and by_id[a].article_id != by_id[b].article_id


def test_story_conflicts_do_not_depend_on_order(story, conflicts_in):
    assert find_conflicts_in_story(list(reversed(story.ALL_CLAIMS))) == conflicts_in


def test_story_conflicts_match_all_pairs(story, conflicts_in):
    # The inverted index must not lose anything an exhaustive comparison finds.
    exhaustive = {
        conflict_key(c)
        for a, b in itertools.combinations(story.ALL_CLAIMS, 2)
        if a.article_id != b.article_id
        for c in find_conflicts(a, b)
    }
    assert {conflict_key(c) for c in conflicts_in} == exhaustive


def test_same_article_pairs_only_on_request():
    a = _claim(1, "Xiaomi did not respond to a request for comment.", organisations=["Xiaomi"])
    b = _claim(2, "Xiaomi denied the report.", organisations=["Xiaomi"])
    assert find_conflicts_in_story([a, b]) == []
    assert [c.kind for c in find_conflicts_in_story([a, b], include_same_article=True)] == ["denial"]


@pytest.mark.parametrize("article", [0, 1, 2, 3, 4])
def test_incremental_conflicts_are_the_story_conflicts_of_the_new_article(story, conflicts_in, article):
    from factcheck.matching import find_conflicts_with

    new_ids = {c.id for c in story.ALL_CLAIMS if c.article_id == article}
    expected = [c for c in conflicts_in if new_ids & set(c.claim_ids)]
    assert find_conflicts_with(story.ALL_CLAIMS, new_ids=new_ids) == expected


def test_incremental_conflicts_only_with_the_claims_allowed():
    from factcheck.matching import find_conflicts_with

    claims = [s.TARIFF_000, s.TARIFF_002, s.TARIFF_004]
    everything = find_conflicts_with(claims, new_ids={s.TARIFF_002.id})
    assert {c.claim_ids for c in everything} == {(s.TARIFF_000.id, s.TARIFF_002.id), (s.TARIFF_002.id, s.TARIFF_004.id)}
    only = find_conflicts_with(claims, new_ids={s.TARIFF_002.id}, allowed={s.TARIFF_002.id: {s.TARIFF_004.id}})
    assert {c.claim_ids for c in only} == {(s.TARIFF_002.id, s.TARIFF_004.id)}
