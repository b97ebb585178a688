"""Check-worthiness levels: a claim's score as one of three levels and a calibrated chance in words.

A score says little on its own (most claims of an article score 0.8–0.9). The calibration turns it into the share
of such sentences that are check-worthy on our labelled news set, and two cut points on the score split claims into
**Check first**, **Worth a look** and **Low**. Both come from ``factcheck/extraction/artifacts/levels.json``,
rebuilt by ``python -m factcheck.extraction.levels`` (the rule that chooses the cut points is written there).

Levels are score ranges, so a filter by level is a range on the indexed score column (`score_range`).

With a reviewer-trained head active (``services.checkworthiness``), claims' scores are the head's; the levels
keep the shipped calibration and cut points. The head is a logistic regression fitted on labelled rows over the
shipped score, so its score lives on the same probability scale, and reviewers' labels are no sample of all
sentences (only shown claims get reviewed) to calibrate on; the head's evaluation reports its held-back labels'
precision per level, so a switch that blurs the levels is seen.

Pure Python, no Django.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ARTIFACT = Path(__file__).resolve().parent / "extraction" / "artifacts" / "levels.json"

CHECK_FIRST = "first"
WORTH_A_LOOK = "look"
LOW = "low"


@dataclass(frozen=True, slots=True)
class Level:
    key: str  # the filter value in URLs
    label: str
    marker: str  # a shape beside the word, so the level never rests on colour
    rank: int  # 3 = check first


LEVELS: dict[str, Level] = {
    CHECK_FIRST: Level(CHECK_FIRST, "Check first", "▲", 3),
    WORTH_A_LOOK: Level(WORTH_A_LOOK, "Worth a look", "●", 2),
    LOW: Level(LOW, "Low", "▽", 1),
}


@dataclass(frozen=True, slots=True)
class Calibration:
    """Platt scaling of the score (``chance = sigmoid(a · logit(score) + b)``) and the level cut points on the
    score: Check first at or above ``check_first``, Low below ``worth_a_look``."""

    version: str
    a: float
    b: float
    check_first: float
    worth_a_look: float

    def chance(self, score: float) -> float:
        """The calibrated probability that a sentence with this score is check-worthy."""
        s = min(max(float(score), EPS), 1.0 - EPS)
        return _sigmoid(self.a * math.log(s / (1.0 - s)) + self.b)

    def level(self, score: float) -> Level:
        if score >= self.check_first:
            return LEVELS[CHECK_FIRST]
        if score >= self.worth_a_look:
            return LEVELS[WORTH_A_LOOK]
        return LEVELS[LOW]

    def score_range(self, key: str) -> tuple[float | None, float | None]:
        """``(lowest, above)`` bounds on the score for a level: ``lowest <= score < above``; None is unbounded."""
        return {
            CHECK_FIRST: (self.check_first, None),
            WORTH_A_LOOK: (self.worth_a_look, self.check_first),
            LOW: (None, self.worth_a_look),
        }[key]

    def to_json(self) -> dict:
        return {"version": self.version, "platt": {"a": self.a, "b": self.b},
                "cuts": {"check_first": self.check_first, "worth_a_look": self.worth_a_look}}

    @classmethod
    def from_json(cls, data: dict) -> Calibration:
        return cls(str(data["version"]), float(data["platt"]["a"]), float(data["platt"]["b"]),
                   float(data["cuts"]["check_first"]), float(data["cuts"]["worth_a_look"]))


EPS = 1e-4  # scores are clipped before the logit, so 0 and 1 stay finite


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, x))))


@lru_cache(maxsize=1)
def calibration(path: Path = ARTIFACT) -> Calibration:
    """The shipped calibration, read once per process."""
    return Calibration.from_json(json.loads(path.read_text(encoding="utf-8")))


def chance_words(p: float) -> str:
    """A chance as a reader takes it in: "about 9 in 10 such sentences are check-worthy"."""
    n = round(p * 10)
    if n >= 10:
        return "nearly all such sentences are check-worthy"
    if n <= 0:
        return "hardly any such sentences are check-worthy"
    return f"about {n} in 10 such sentences are check-worthy"


@dataclass(frozen=True, slots=True)
class ClaimLevel:
    """What a page shows for one claim's score: the level's key, word and shape, and the calibrated chance."""

    key: str
    label: str
    marker: str
    chance: float
    words: str  # the chance in words
    score: float

    @property
    def title(self) -> str:
        return f"{self.label}: {self.words} (score {self.score:.2f})"


def claim_level(score: float, cal: Calibration | None = None) -> ClaimLevel:
    """The level, the calibrated chance and its words for a score."""
    cal = cal or calibration()
    level = cal.level(score)
    p = cal.chance(score)
    return ClaimLevel(level.key, level.label, level.marker, p, chance_words(p), float(score))


def level_figures(labels, scores, cal: Calibration | None = None) -> dict[str, dict]:
    """Per level: how many of the labelled scores fall in it and the share of them labelled check-worthy (None
    when none do)."""
    cal = cal or calibration()
    groups: dict[str, list[int]] = {key: [] for key in LEVELS}
    for y, score in zip(labels, scores):
        groups[cal.level(float(score)).key].append(int(y))
    return {key: {"n": len(ys), "precision": round(sum(ys) / len(ys), 4) if ys else None}
            for key, ys in groups.items()}


def level_key(raw: str | None) -> str:
    """A level filter from a query string: one of the keys, or "" (any level)."""
    return raw if raw in LEVELS else ""
