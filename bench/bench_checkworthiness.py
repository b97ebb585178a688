"""How well the shipped check-worthiness scorer finds the claims of real news. Prints tables (Markdown).

Run from the repository root::

    .venv/bin/python bench/bench_checkworthiness.py [--labels labels/checkworthy_news.jsonl] [--data DIR]

News: the hand-labelled segments of ``labels/checkworthy_news.jsonl``. Every document is rebuilt as an upload
stores it (``factcheck.extraction.newsset``) and run through ``extract_claims`` with threshold 0, so every
segment the product scores comes back with its score *after* the opinion adjustment; a segment at or above a
threshold is what the product shows as a claim. Segments the pipeline never scores (furniture, headings) count
as "not a claim" at every threshold. Reported: precision, recall and F1 at ``DEFAULT_THRESHOLD`` on the tune and
test halves (``newsset.split_of``) and all, the threshold with the best F1 on tune and its F1 on test, and how
spread the scores are.

CheckThat! 2024 English dev and dev-test (positive class "Yes"): each sentence is run through ``extract_claims``
as a text of its own (the product's decision: a claim when any of its segments is one; the score is the highest
segment's), and, for comparison with earlier figures, through ``score_sentences`` alone.

One core, about a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_extraction import prf, read_ct24  # noqa: E402

from factcheck.extraction.levels import NOT_SCORED  # noqa: E402  (below every threshold)


def best_threshold(labels: list[bool], scores: list[float]) -> tuple[float, float]:
    """The threshold (one of the scores) with the highest F1, and that F1; ties go to the lower threshold."""
    best = (0.0, 1.0)
    for t in sorted({s for s in scores if s > NOT_SCORED}):
        f = prf(labels, scores, t)[0]
        if f > best[0]:
            best = (f, t)
    return best[1], best[0]


def auc(labels: list[bool], scores: list[float]) -> float:
    """Probability that a random check-worthy sentence outscores a random other one (ties count half)."""
    pos = [s for y, s in zip(labels, scores) if y]
    neg = [s for y, s in zip(labels, scores) if not y]
    if not pos or not neg:
        return float("nan")
    ranked = sorted((s, y) for s, y in zip(scores, labels))
    # rank-sum with average ranks for ties
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        avg = (i + j + 1) / 2
        rank_sum += avg * sum(1 for k in range(i, j) if ranked[k][1])
        i = j
    return (rank_sum - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def product_scores_news(rows: list[dict]) -> list[float]:
    """The product's score of every labelled segment (NOT_SCORED for segments it never scores)."""
    from factcheck.extraction.levels import news_scores

    return news_scores(rows)


def product_scores_texts(texts: list[str]) -> list[float]:
    from factcheck.extraction.levels import text_scores

    return text_scores(texts)


def fmt(x: float) -> str:
    return f"{x:.3f}"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--labels", default=str(ROOT / "labels" / "checkworthy_news.jsonl"))
    ap.add_argument("--data", default=os.environ.get("FACTCHECK_DATA_DIR", str(ROOT.parent / "shared" / "data")))
    args = ap.parse_args(argv)

    from factcheck.extraction import model as cw
    from factcheck.extraction.newsset import split_of

    t_start = time.perf_counter()
    shipped = cw.DEFAULT_THRESHOLD
    print(f"model {cw.MODEL_VERSION}, shipped threshold {shipped}\n")

    with open(args.labels, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    scores = product_scores_news(rows)
    gold = [bool(r["checkworthy"]) for r in rows]
    halves = {"tune": [], "test": []}
    for i, r in enumerate(rows):
        halves[split_of(r["doc"])].append(i)
    groups = {
        "tune": halves["tune"],
        "test": halves["test"],
        "all": list(range(len(rows))),
        "all: seeds": [i for i, r in enumerate(rows) if r["corpus"] == "seeds"],
        "all: demo": [i for i, r in enumerate(rows) if r["corpus"] == "demo"],
        "all: ecbplus": [i for i, r in enumerate(rows) if r["corpus"] == "ecbplus"],
    }

    tune_t, tune_f = best_threshold([gold[i] for i in halves["tune"]], [scores[i] for i in halves["tune"]])
    print(
        f"### News set ({len(rows)} segments; at the shipped threshold {shipped}; "
        f"best-F1 threshold on tune {tune_t:.3f})\n"
    )
    print("| set | segments | check-worthy | flagged | precision | recall | F1 | F1 at tune's best threshold | AUC |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, idx in groups.items():
        y = [gold[i] for i in idx]
        s = [scores[i] for i in idx]
        f, p, r = prf(y, s, shipped)
        flagged = sum(1 for v in s if v >= shipped)
        f_t = prf(y, s, tune_t)[0]
        print(
            f"| {name} | {len(idx)} | {sum(y)} | {flagged} | {fmt(p)} | {fmt(r)} | **{fmt(f)}** "
            f"| {fmt(f_t)} | {fmt(auc(y, s))} |"
        )
    print(f"\nF1 on tune at its own best threshold: {fmt(tune_f)}.")

    scored = [s for s in scores if s > NOT_SCORED]
    claimed = [s for s in scored if s >= shipped]
    print(f"\n### Spread of the scores ({len(scored)} segments scored, {len(rows) - len(scored)} never scored)\n")
    print("| | share ≥ 0.8 | share 0.8–0.9 | share ≥ shipped threshold | 10th / 50th / 90th percentile |")
    print("|---|---|---|---|---|")

    def pct(values: list[float], q: float) -> float:
        v = sorted(values)
        return v[min(len(v) - 1, int(q * len(v)))] if v else float("nan")

    for name, values in (
        ("all scored segments", scored),
        ("check-worthy (gold)", [s for s, y in zip(scores, gold) if y and s > NOT_SCORED]),
        ("not check-worthy (gold)", [s for s, y in zip(scores, gold) if not y and s > NOT_SCORED]),
        ("flagged as claims", claimed),
    ):
        n = len(values) or 1
        print(
            f"| {name} | {sum(v >= 0.8 for v in values) / n:.0%} | {sum(0.8 <= v < 0.9 for v in values) / n:.0%} "
            f"| {sum(v >= shipped for v in values) / n:.0%} "
            f"| {pct(values, 0.1):.2f} / {pct(values, 0.5):.2f} / {pct(values, 0.9):.2f} |"
        )
    per_doc: dict[str, list[float]] = defaultdict(list)
    for r, s in zip(rows, scores):
        if r["corpus"] == "seeds" and s > NOT_SCORED:
            per_doc[r["doc"]].append(s)
    print("\nSeed articles, scored segments in 0.8–0.9: " + ", ".join(
        f"{doc[:3]} {sum(0.8 <= v < 0.9 for v in vs)}/{len(vs)}" for doc, vs in sorted(per_doc.items())))

    print("\n### Flagged as claims, by gold kind (all)\n")
    print("| kind | segments | check-worthy | flagged | flagged, not check-worthy |")
    print("|---|---|---|---|---|")
    kinds = Counter(r["kind"] for r in rows)
    for kind, n in kinds.most_common():
        idx = [i for i, r in enumerate(rows) if r["kind"] == kind]
        print(
            f"| {kind} | {n} | {sum(gold[i] for i in idx)} | {sum(scores[i] >= shipped for i in idx)} "
            f"| {sum(scores[i] >= shipped and not gold[i] for i in idx)} |"
        )

    print("\n### CheckThat! 2024 English (positive class \"Yes\")\n")
    print(
        "| file | sentences | Yes | scored as | precision | recall | F1 at shipped "
        "| F1 at news-tune threshold | best F1 (its threshold) | AUC |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    ct_dev_best = None
    for split in ("dev", "dev-test"):
        path = Path(args.data) / "checkthat2024" / f"CT24_checkworthy_english_{split}.tsv"
        texts, labels = read_ct24(path)
        for how, s in (
            ("product (extract_claims)", product_scores_texts(texts)),
            ("score_sentences only", [float(v) for v in cw.score_sentences(texts)]),
        ):
            f, p, r = prf(labels, s, shipped)
            bt, bf = best_threshold(labels, s)
            if split == "dev" and how.startswith("product"):
                ct_dev_best = bt
            extra = ""
            if split == "dev-test" and how.startswith("product") and ct_dev_best is not None:
                extra = f"; at dev's best ({ct_dev_best:.3f}): {fmt(prf(labels, s, ct_dev_best)[0])}"
            print(
                f"| {split} | {len(texts)} | {sum(labels)} | {how} | {fmt(p)} | {fmt(r)} | **{fmt(f)}** "
                f"| {fmt(prf(labels, s, tune_t)[0])} | {fmt(bf)} ({bt:.3f}){extra} | {fmt(auc(labels, s))} |"
            )
    print(f"\n{time.perf_counter() - t_start:.0f} s; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
