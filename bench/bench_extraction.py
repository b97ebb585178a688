"""Benchmark the claim-extraction model and pipeline.

Run from the repository root::

    .venv/bin/python bench/bench_extraction.py [--articles 1000] [--data DIR] [--seeds DIR]

Prints plain numbers: model load time, score_sentences throughput, positive-class
F1 / precision / recall on the CheckThat! 2024 dev and dev-test files at
DEFAULT_THRESHOLD, the named-entity model's load time, extract_claims throughput and peak RSS.
"""

from __future__ import annotations

import argparse
import glob
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def peak_rss_mb() -> float:
    # ru_maxrss is KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def read_ct24(path: Path):
    raw = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    texts, labels = [], []
    for line in raw.split("\n")[1:]:
        if not line.strip():
            continue
        parts = line.split("\t")
        text = parts[1].strip()
        if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
            text = text[1:-1].replace('""', '"')
        texts.append(text)
        labels.append(parts[-1].strip() == "Yes")
    return texts, labels


def prf(labels, scores, threshold):
    tp = sum(1 for y, s in zip(labels, scores) if y and s >= threshold)
    fp = sum(1 for y, s in zip(labels, scores) if not y and s >= threshold)
    fn = sum(1 for y, s in zip(labels, scores) if y and s < threshold)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f, p, r


def split_sentences(text: str) -> list[str]:
    from factcheck.extraction.segment import split_sentences as spans

    return [text[a:b] for a, b in spans(text)]


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.environ.get("FACTCHECK_DATA_DIR", str(ROOT.parent / "shared" / "data")))
    ap.add_argument("--seeds", default=os.environ.get("FACTCHECK_SEEDS_DIR", str(ROOT.parent / "shared" / "seeds")))
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--score-sentences", type=int, default=5000)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    from factcheck.extraction import model as cw

    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    cw.load_model()
    t_load = time.perf_counter() - t0
    print(f"model_version {cw.MODEL_VERSION}")
    print(f"threshold {cw.DEFAULT_THRESHOLD}")
    print(f"scorer_threads {cw.load_model().threads}")
    print(f"import_seconds {t_import:.3f}")
    print(f"load_seconds {t_load:.3f}")

    articles = [Path(p).read_text(encoding="utf-8") for p in sorted(glob.glob(os.path.join(args.seeds, "*.txt")))]
    sents_per_article = [split_sentences(a) for a in articles]
    pool = [s for ss in sents_per_article for s in ss]
    if pool:
        n = args.score_sentences
        sample = (pool * (n // len(pool) + 1))[:n]
        # one article at a time, as extract_claims calls it
        t0 = time.perf_counter()
        done = 0
        while done < n:
            for ss in sents_per_article:
                cw.score_sentences(ss)
                done += len(ss)
        dt = time.perf_counter() - t0
        print(f"score_sentences_per_article_sents_per_s {done / dt:.0f}")
        t0 = time.perf_counter()
        for i in range(0, n, 512):
            cw.score_sentences(sample[i : i + 512])
        dt = time.perf_counter() - t0
        print(f"score_sentences_batch512_sents_per_s {n / dt:.0f}")

    data = Path(args.data) / "checkthat2024"
    for split in ("dev", "dev-test"):
        path = data / f"CT24_checkworthy_english_{split}.tsv"
        if not path.exists():
            print(f"{split} missing")
            continue
        texts, labels = read_ct24(path)
        scores = cw.score_sentences(texts)
        f, p, r = prf(labels, scores, cw.DEFAULT_THRESHOLD)
        print(f"{split}_f1 {f:.4f}")
        print(f"{split}_precision {p:.4f}")
        print(f"{split}_recall {r:.4f}")

    from factcheck.extraction import extract_claims
    from factcheck.extraction.facets import load_ner

    t0 = time.perf_counter()
    load_ner()
    print(f"ner_load_seconds {time.perf_counter() - t0:.3f}")

    if articles:
        docs = (articles * (args.articles // len(articles) + 1))[: args.articles]
        n_sent = sum(len(sents_per_article[i % len(articles)]) for i in range(len(docs)))
        t0, c0 = time.perf_counter(), time.process_time()
        for d in docs:
            extract_claims(d)
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"extract_claims_articles {len(docs)}")
        print(f"extract_claims_seconds {dt:.2f} (cpu {cpu:.2f})")
        print(f"extract_claims_articles_per_s {len(docs) / dt:.1f}")
        print(f"extract_claims_sents_per_s {n_sent / dt:.0f}")
        # CPU time of this process: what the rate would be on a core of its own (other jobs share this machine)
        print(f"extract_claims_sents_per_cpu_s {n_sent / cpu:.0f}")
        print(f"load_average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    print(f"peak_rss_mb {peak_rss_mb():.0f}")


if __name__ == "__main__":
    main()
