"""A claim's score as a level and a calibrated chance in words."""

import pytest

from factcheck.levels import (
    CHECK_FIRST,
    LOW,
    WORTH_A_LOOK,
    Calibration,
    chance_words,
    claim_level,
    level_figures,
    level_key,
)

CAL = Calibration("test", 1.0, 0.0, 0.8, 0.5)  # the chance is the score


@pytest.mark.parametrize(("score", "key"), [(0.95, CHECK_FIRST), (0.8, CHECK_FIRST), (0.7999, WORTH_A_LOOK),
                                            (0.5, WORTH_A_LOOK), (0.4999, LOW), (0.0, LOW)])
def test_level_by_score(score, key):
    assert CAL.level(score).key == key


def test_score_ranges_partition_the_scores():
    for score in [0.0, 0.3, 0.4999, 0.5, 0.7, 0.7999, 0.8, 1.0]:
        inside = []
        for key in (CHECK_FIRST, WORTH_A_LOOK, LOW):
            lowest, above = CAL.score_range(key)
            if (lowest is None or score >= lowest) and (above is None or score < above):
                inside.append(key)
        assert inside == [CAL.level(score).key]


def test_words():
    assert chance_words(0.87) == "about 9 in 10 such sentences are check-worthy"
    assert chance_words(0.31) == "about 3 in 10 such sentences are check-worthy"
    assert chance_words(0.97) == "nearly all such sentences are check-worthy"
    assert chance_words(0.02) == "hardly any such sentences are check-worthy"
    shown = claim_level(0.9, CAL)
    assert (shown.label, shown.marker) == ("Check first", "▲")
    assert shown.title == "Check first: about 9 in 10 such sentences are check-worthy (score 0.90)"


def test_level_key_accepts_only_levels():
    assert level_key("first") == "first"
    assert level_key("everything") == "" and level_key(None) == ""


def test_level_figures_count_and_precision_per_level():
    figures = level_figures([1, 0, 1, 0, 1], [0.95, 0.9, 0.6, 0.1, 0.2], CAL)
    assert figures == {"first": {"n": 2, "precision": 0.5}, "look": {"n": 1, "precision": 1.0},
                       "low": {"n": 2, "precision": 0.5}}
    assert level_figures([], [], CAL)["first"] == {"n": 0, "precision": None}


def test_the_admin_shows_a_versions_level_figures():
    from factcheck.admin import _level_figures

    shown = _level_figures({"first": {"n": 34, "precision": 0.912}, "look": {"n": 20, "precision": 0.6},
                            "low": {"n": 0, "precision": None}})
    assert shown == "Check first 0.91 (34) · Worth a look 0.60 (20) · Low – (0)"
    assert _level_figures(None) == "—"
