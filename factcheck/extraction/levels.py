"""Build the check-worthiness levels (``artifacts/levels.json``): a calibration of the product's score and the two
cut points that split claims into Check first, Worth a look and Low (read at run time by ``factcheck.levels``).

Run from the repository root::

    .venv/bin/python -m factcheck.extraction.levels [--out PATH]

Data: the tune half of the labelled news set (``labels/checkworthy_news.jsonl``, halves by
``newsset.split_of``). Every document is rebuilt as an upload stores it and run through ``extract_claims`` with
threshold 0, so each segment the product scores has the score a claim of it would store (after the opinion
adjustment); segments it never scores are not claims and are left out of the fit.

Calibration: Platt scaling, ``P(check-worthy) = sigmoid(a · logit(score) + b)``, fitted by Newton's method (no
random step, so the file is the same on every run). Two parameters suit 422 sentences; an isotonic fit on them
is a staircase with a top step of 1.000, a promise ("every such sentence") the test half does not keep. Both are
measured on the test half (log-loss) and printed.

Cut points, on the score (claims store it rounded to 4 decimals; so are the scores here and the cuts):

* **Check first**: calibrated chance at least ``CHECK_FIRST_CHANCE``, and raised further, if needed, until the
  median tune article has at most ``CHECK_FIRST_SHARE`` of its segments there: a level most of an article is in
  tells a reader nothing.
* **Low**: calibrated chance below ``LOW_CHANCE``: more likely not check-worthy than check-worthy.
* **Worth a look**: in between.

Printed (Markdown): per level, on the tune and test halves and on CheckThat! 2024 dev-test, the share of
sentences and the precision (the fraction check-worthy). No Django needed.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from factcheck.levels import ARTIFACT, CHECK_FIRST, LEVELS, LOW, WORTH_A_LOOK, Calibration, level_figures

from . import head as headlib
from .model import DEFAULT_THRESHOLD, MODEL_VERSION
from .newsset import ROOT, news_documents, news_segments, split_of

LABELS = ROOT / "labels" / "checkworthy_news.jsonl"
CHECK_FIRST_CHANCE = 0.8
CHECK_FIRST_SHARE = 1 / 3
LOW_CHANCE = 0.5
NOT_SCORED = -1.0  # a segment the product never scores: below every cut
LEVELS_VERSION = "levels-1"


@dataclass(frozen=True)
class Labelled:
    doc: str
    split: str
    y: int
    score: float  # NOT_SCORED when the product never scores the segment


def news_scores(rows: list[dict]) -> list[float]:
    """The product's score of every labelled segment (``NOT_SCORED`` for segments it never scores)."""
    from .pipeline import extract_claims  # loads the scorer and spaCy; only a build needs them

    docs = {d.doc: d for d in news_documents()}
    by_doc: dict[str, dict[str, float]] = {}
    for name in sorted({r["doc"] for r in rows}):
        doc = docs[name]
        claims = {(c.start, c.end): c.score for c in extract_claims(doc.body, headings=doc.headings, threshold=0.0)}
        texts: dict[str, float] = {}
        for seg in news_segments(doc):
            texts[seg.text] = max(texts.get(seg.text, NOT_SCORED), claims.get((seg.start, seg.end), NOT_SCORED))
        by_doc[name] = texts
    return [by_doc[r["doc"]][r["text"]] for r in rows]


def text_scores(texts: list[str]) -> list[float]:
    """Each text run through ``extract_claims`` on its own: its highest segment's score, else ``NOT_SCORED``."""
    from .pipeline import extract_claims

    return [max((c.score for c in extract_claims(t, threshold=0.0)), default=NOT_SCORED) for t in texts]


# --------------------------------------------------------------------------- fitting


def fit_platt(scores, labels) -> tuple[float, float]:
    """``(a, b)`` of ``sigmoid(a · logit(score) + b)`` by unpenalised logistic regression."""
    coef, intercept = headlib.fit(headlib.logit(scores).reshape(-1, 1), np.asarray(labels), l2=0.0)
    return float(coef[0]), intercept


def fit_isotonic(scores, labels) -> tuple[np.ndarray, np.ndarray]:
    """Pool-adjacent-violators: the upper score of each block and its rate (for comparison only)."""
    order = np.argsort(np.asarray(scores), kind="stable")
    blocks: list[list[float]] = []  # [sum of labels, count, highest score]
    for i in order:
        blocks.append([float(labels[i]), 1.0, float(scores[i])])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]:
            s, n, top = blocks.pop()
            blocks[-1] = [blocks[-1][0] + s, blocks[-1][1] + n, top]
    return np.array([b[2] for b in blocks]), np.array([b[0] / b[1] for b in blocks])


def isotonic_predict(model: tuple[np.ndarray, np.ndarray], scores) -> np.ndarray:
    tops, rates = model
    idx = np.minimum(np.searchsorted(tops, np.asarray(scores), side="left"), len(rates) - 1)
    return rates[idx]


def _score_at(cal_a: float, cal_b: float, chance: float) -> float:
    """The score at which the Platt chance reaches ``chance``, rounded up to 4 decimals."""
    x = (math.log(chance / (1 - chance)) - cal_b) / cal_a
    return math.ceil(1e4 / (1 + math.exp(-x))) / 1e4


def choose_cuts(a: float, b: float, rows: list[Labelled]) -> tuple[float, float]:
    """``(check_first, worth_a_look)`` by the rule in the module docstring, from the tune rows."""
    first = _score_at(a, b, CHECK_FIRST_CHANCE)
    per_doc: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        per_doc[row.doc].append(row.score)

    def median_share(cut: float) -> float:
        return statistics.median(sum(s >= cut for s in v) / len(v) for v in per_doc.values())

    if median_share(first) > CHECK_FIRST_SHARE:
        higher = sorted({r.score for r in rows if r.score > first})
        first = next((cut for cut in higher if median_share(cut) <= CHECK_FIRST_SHARE), higher[-1])
    return first, _score_at(a, b, LOW_CHANCE)


def build(rows: list[Labelled]) -> Calibration:
    tune = [r for r in rows if r.split == "tune"]
    scored = [r for r in tune if r.score > NOT_SCORED]
    a, b = fit_platt([r.score for r in scored], [r.y for r in scored])
    first, look = choose_cuts(round(a, 6), round(b, 6), tune)
    return Calibration(f"{LEVELS_VERSION}+{MODEL_VERSION}", round(a, 6), round(b, 6), first, look)


# --------------------------------------------------------------------------- report


def level_table(cal: Calibration, labels, scores) -> list[tuple[str, int, float, float | None]]:
    """Per level and for "not a claim" (below the shipped threshold or never scored): (name, sentences, share,
    precision)."""
    claims = [(y, s) for y, s in zip(labels, scores) if s >= DEFAULT_THRESHOLD]
    others = [int(y) for y, s in zip(labels, scores) if s < DEFAULT_THRESHOLD]
    figures = level_figures([y for y, _ in claims], [s for _, s in claims], cal)
    rows = [(LEVELS[key].label, figures[key]["n"], figures[key]["precision"]) for key in (CHECK_FIRST, WORTH_A_LOOK, LOW)]
    rows.append(("not a claim", len(others), (sum(others) / len(others)) if others else None))
    return [(name, n, n / max(1, len(labels)), precision) for name, n, precision in rows]


def print_report(cal: Calibration, sets: dict[str, tuple[list[int], list[float]]], platt_vs_iso: str) -> None:
    print(f"calibration {cal.version}: a = {cal.a}, b = {cal.b}; Check first at score ≥ {cal.check_first} "
          f"(chance {cal.chance(cal.check_first):.2f}), Low below {cal.worth_a_look} "
          f"(chance {cal.chance(cal.worth_a_look):.2f}); claims from score {DEFAULT_THRESHOLD}\n")
    print("| set | level | sentences | share | precision (check-worthy) |")
    print("|---|---|---|---|---|")
    for name, (labels, scores) in sets.items():
        for level, n, share, precision in level_table(cal, labels, scores):
            shown = "–" if precision is None else f"{precision:.3f}"
            print(f"| {name} | {level} | {n} | {share:.0%} | {shown} |")
    print(f"\n{platt_vs_iso}")


def read_rows(path: Path = LABELS) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(ARTIFACT))
    ap.add_argument("--no-checkthat", action="store_true", help="skip the CheckThat! dev-test figures")
    args = ap.parse_args(argv)

    raw = read_rows()
    scores = news_scores(raw)
    # Rounded as a stored claim's score is, so a cut taken from these scores sits exactly on a stored one.
    rows = [Labelled(r["doc"], split_of(r["doc"]), int(bool(r["checkworthy"])), round(s, 4))
            for r, s in zip(raw, scores)]
    cal = build(rows)
    data = {**cal.to_json(), "fitted_on": f"{LABELS.relative_to(ROOT)}, tune half",
            "rule": f"check first: chance >= {CHECK_FIRST_CHANCE} and the median tune article has at most "
                    f"{CHECK_FIRST_SHARE:.2f} of its segments there; low: chance < {LOW_CHANCE}"}
    Path(args.out).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.out}\n")

    sets = {half: ([r.y for r in rows if r.split == half], [r.score for r in rows if r.split == half])
            for half in ("tune", "test")}
    if not args.no_checkthat:
        from .train import load_ct24

        texts, labels = load_ct24("dev-test")
        sets["CT24 dev-test"] = (labels, text_scores(texts))

    tune = [r for r in rows if r.split == "tune" and r.score > NOT_SCORED]
    test = [r for r in rows if r.split == "test" and r.score > NOT_SCORED]
    iso = fit_isotonic(np.array([r.score for r in tune]), np.array([r.y for r in tune]))
    y_test = [r.y for r in test]
    platt_p = [cal.chance(r.score) for r in test]
    iso_p = isotonic_predict(iso, [r.score for r in test])
    print_report(cal, sets, f"Log-loss on the test half's scored segments: Platt {headlib.log_loss(y_test, platt_p):.3f}, "
                            f"isotonic {headlib.log_loss(y_test, iso_p):.3f}.")


if __name__ == "__main__":
    main()
