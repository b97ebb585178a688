"""Speed and memory of the claim sentence encoder (runtime only: onnxruntime, no torch). Prints numbers.

    .venv/bin/python bench/bench_encoder.py [--sentences 600] [--threads 1] [--rounds 3]

Sentences are the 20–30 word sentences of ECB+ topics 1–25 (news reporting), the length of a
typical claim. Also times the same graph run 32 texts at a time, to show what running one text at a
time (so a text's vector does not depend on its companions) costs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ECB = Path(__file__).resolve().parents[2] / "shared" / "data" / "ecbplus" / "ecbplus_topics_1-25.jsonl"


def claim_like_sentences(limit: int) -> list[str]:
    out = []
    with open(os.environ.get("FACTCHECK_ECB_FILE", ECB), encoding="utf-8") as fh:
        for line in fh:
            for s in json.loads(line)["sentences"]:
                if 20 <= len(s["text"].split()) <= 30:
                    out.append(s["text"])
    return out[:limit]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=600)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ["FACTCHECK_ENCODER_THREADS"] = str(args.threads)

    rss_start = peak_rss_mb()
    t0 = time.perf_counter()
    from factcheck.matching import encoder

    enc = encoder.load_encoder()
    load_s = time.perf_counter() - t0
    size = sum(f.stat().st_size for f in encoder.ARTIFACT_DIR.iterdir() if f.is_file())
    model_size = (encoder.ARTIFACT_DIR / enc.meta["onnx"]).stat().st_size
    texts = claim_like_sentences(args.sentences)
    words = sum(len(t.split()) for t in texts) / len(texts)
    pieces = sum(len(e.ids) for e in enc.tokenizer.encode_batch(texts)) / len(texts)

    print(f"encoder {enc.version}: threads {enc.threads}, batch_size {enc.batch_size}")
    print(f"load (import + session)         {load_s * 1000:>8.0f} ms")
    print(f"model.onnx                      {model_size / 1e6:>8.1f} MB   (artifact dir {size / 1e6:.1f} MB)")
    print(f"sentences                       {len(texts):>8}      ({words:.1f} words, {pieces:.1f} word pieces on average)")

    encoder.encode(texts[:20])  # warm-up
    best = min(_timed(encoder.encode, texts) for _ in range(args.rounds))
    print(f"encode, one text at a time      {len(texts) / best:>8.0f} sentences/s   ({best * 1000 / len(texts):.2f} ms each)")
    shipped = enc.batch_size
    enc.batch_size = 32
    try:
        best32 = min(_timed(enc.encode, texts) for _ in range(args.rounds))
    finally:
        enc.batch_size = shipped
    print(f"same graph, 32 at a time        {len(texts) / best32:>8.0f} sentences/s   (not used: vectors would depend on companions)")
    print(f"peak RSS                        {peak_rss_mb():>8.0f} MB   (interpreter alone {rss_start:.0f} MB)")


def _timed(fn, texts) -> float:
    t = time.perf_counter()
    fn(texts)
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
