"""The check-worthiness head on CheckThat! 2024 dev-test: the base score against heads fitted on the shipped rows
alone (no reviewer labels), at a few L2 strengths, and the time one fit takes. Prints a Markdown table.

    .venv/bin/python bench/bench_head.py [--l2 0.01,0.03,0.1]

Dev-test shares 3 of its 318 sentences with the shipped rows; CheckThat! 2024 dev is ClaimBuster's groundtruth
file, whose sentences are among the shipped rows, so it can't measure a head.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from factcheck.extraction import head as headlib  # noqa: E402
from factcheck.extraction.model import DEFAULT_THRESHOLD, score_sentences  # noqa: E402
from factcheck.extraction.train import load_ct24  # noqa: E402
from factcheck.matching import encoder  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--l2", default="0.01,0.03,0.1")
    args = ap.parse_args(argv)
    texts, labels = load_ct24("dev-test")
    base, vectors = np.asarray(score_sentences(texts)), encoder.encode(texts)
    shipped = headlib.load_shipped()
    rows = [("base score (shipped scorer)", headlib.measures(labels, base, DEFAULT_THRESHOLD), "")]
    for l2 in (float(x) for x in args.l2.split(",")):
        start = time.perf_counter()
        head = headlib.train(shipped.base, shipped.embeddings, shipped.labels, l2=l2)
        took = f"{time.perf_counter() - start:.1f} s"
        rows.append((f"head, L2 {l2:g}", headlib.measures(labels, head.score(base, vectors), head.threshold), took))
    print("| scorer | F1 at its threshold | average precision | log-loss | fit |")
    print("|---|---|---|---|---|")
    for name, m, took in rows:
        print(f"| {name} | {m['f1']:.3f} at {m['threshold']:.2f} | {m['average_precision']:.4f} | "
              f"{m['log_loss']:.3f} | {took} |")


if __name__ == "__main__":
    main()
