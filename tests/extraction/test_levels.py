"""The check-worthiness levels artifact: monotone, its cut points by the stated rule, rebuilt byte for byte."""

import json

import numpy as np

from factcheck.extraction import levels as build
from factcheck.levels import ARTIFACT, Calibration, calibration


def test_the_shipped_calibration_is_monotone_and_its_cuts_follow_the_rule():
    cal = calibration()
    grid = np.linspace(0.0, 1.0, 1001)
    chances = [cal.chance(s) for s in grid]
    assert all(b > a for a, b in zip(chances, chances[1:]))
    assert 0 < cal.worth_a_look < cal.check_first < 1
    assert cal.chance(cal.check_first) >= build.CHECK_FIRST_CHANCE
    assert cal.chance(cal.worth_a_look) >= build.LOW_CHANCE > cal.chance(cal.worth_a_look - 1e-4)
    assert round(cal.check_first, 4) == cal.check_first and round(cal.worth_a_look, 4) == cal.worth_a_look


def test_the_artifact_is_rebuilt_identically(tmp_path):
    out = tmp_path / "levels.json"
    build.main(["--out", str(out), "--no-checkthat"])
    assert out.read_text(encoding="utf-8") == ARTIFACT.read_text(encoding="utf-8")
    assert json.loads(out.read_text())["version"].startswith(build.LEVELS_VERSION + "+")


def test_platt_fit_recovers_a_known_calibration():
    rng = np.random.default_rng(7)
    scores = rng.uniform(0.01, 0.99, 4000)
    truth = Calibration("t", 2.0, -0.5, 0.9, 0.5)
    labels = (rng.uniform(size=len(scores)) < [truth.chance(s) for s in scores]).astype(int)
    a, b = build.fit_platt(scores, labels)
    assert abs(a - 2.0) < 0.2 and abs(b + 0.5) < 0.15


def test_check_first_is_raised_until_a_typical_article_has_at_most_a_third_there():
    # Chance 0.8 is reached at a score of 0.8 (a = 1, b = 0 is the identity), but in every article four of six
    # segments score at least that: the cut moves up to the score that leaves two of six above it.
    rows = [build.Labelled(f"d{d}", "tune", 1, s) for d in range(3) for s in (0.1, 0.2, 0.81, 0.82, 0.9, 0.95)]
    first, look = build.choose_cuts(1.0, 0.0, rows)
    assert first == 0.9
    assert look == 0.5
    wide = [build.Labelled("d", "tune", 1, s) for s in (0.1, 0.2, 0.3, 0.4, 0.81, 0.95)]
    assert build.choose_cuts(1.0, 0.0, wide)[0] == 0.8


def test_isotonic_comparison_fit_is_monotone():
    tops, rates = build.fit_isotonic(np.array([0.1, 0.2, 0.3, 0.4, 0.5]), np.array([0, 1, 0, 1, 1]))
    assert list(rates) == sorted(rates)
    assert build.isotonic_predict((tops, rates), [0.05, 0.45]).tolist() == [0.0, 1.0]
