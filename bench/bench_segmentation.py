"""Throughput of the extraction pipeline on the seed articles (prints numbers, asserts nothing).

Times are CPU time of this process, so other work on a shared machine does not skew them.

Run: .venv/bin/python bench/bench_segmentation.py [SEEDS_DIR]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from factcheck.extraction import extract_claims, score_sentences  # noqa: E402
from factcheck.extraction.facets import EntityContext, claim_facets  # noqa: E402
from factcheck.extraction.kinds import claim_kinds  # noqa: E402
from factcheck.extraction.segment import segment  # noqa: E402

DEFAULT_SEEDS = ROOT.parent / "shared" / "seeds"


def _rate(label: str, count: int, seconds: float) -> None:
    print(f"{label:<32} {count:>7} sentences  {seconds:7.3f} s  {count / seconds:>10,.0f} sentences/s")


def main(seeds_dir: Path) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))]
    corpus = "\n\n".join(texts)
    repeat = 40
    big = "\n\n".join([corpus] * repeat)

    t = time.process_time()
    segs = segment(big)
    _rate("segmentation", len(segs), time.process_time() - t)

    sentences = [big[s.start : s.end] for s in segs if not s.furniture]
    t = time.process_time()
    context = EntityContext()
    for sentence in sentences:
        facets = claim_facets(sentence, context=context)
        context.learn(facets)
        claim_kinds(sentence, facets)
    _rate("facets + kinds", len(sentences), time.process_time() - t)

    t = time.process_time()
    segs = segment(big)
    context = EntityContext()
    for s in segs:
        sentence = big[s.start : s.end]
        facets = claim_facets(sentence, context=context)
        claim_kinds(sentence, facets)
    _rate("segmentation + facets + kinds", len(segs), time.process_time() - t)

    score_sentences(sentences[:10])  # load the model outside the timing
    t = time.process_time()
    score_sentences(sentences)
    _rate("model only", len(sentences), time.process_time() - t)

    t = time.process_time()
    claims = 0
    for _ in range(repeat):
        for text in texts:
            claims += len(extract_claims(text))
    n = repeat * sum(len(segment(text)) for text in texts)
    _rate("extract_claims (whole, per article)", n, time.process_time() - t)
    print(f"claims per pass: {claims // repeat}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SEEDS)
