"""Train one small sentence encoder that gives both the check-worthiness score and the matching vector.

Usage::

    python -m factcheck.extraction.train_encoder --out /tmp/joint            # candidate -> /tmp/joint
    python -m factcheck.extraction.train_encoder --out /tmp/joint --teacher-checkpoint /tmp/t6.pt
        # reuse a 6-layer teacher saved by an earlier run (--save-teacher)

Today every sentence goes through the check-worthiness model and every claim again through all-MiniLM-L6-v2 for
its matching vector. This trains a single student for both, so each sentence is encoded once:

1. Training sentences for check-worthiness: ClaimBuster crowdsourced.csv (CC BY 4.0), pruned as the CheckThat!
   2024 winning team did: every positive is kept, and the negatives that carry an informative verb, a named entity
   or 8+ content words; of the other negatives one in ``REST_KEEP`` is kept (fixed seed).
2. Teachers: a 6-layer all-MiniLM-L6-v2 fine-tuned on those sentences (the extraction recipe, 1 epoch) gives a
   probability per sentence; all-MiniLM-L6-v2 itself (sentence-transformers, fp32) gives the reference vector.
   Vectors are also taught on news text: ECB+ (CC BY 3.0) topics 1-22, every sentence, and the tune half of the
   labelled news set. ECB+ topics 23-25 and the news set's test half are never trained on.
3. Student: ``--layers`` transformer layers taken from all-MiniLM-L6-v2 (``--layer-map``), mean pooling, and two
   outputs: the L2-normalised pooled vector (taught by cosine to the reference vector) and a linear score head
   (taught 0.8 x teacher probability + 0.2 x smoothed label on labelled sentences, the teacher probability
   alone on news sentences).
4. Exports one ONNX graph with the outputs ``score`` and ``embedding``, int8 weights (one scale per output
   channel), and measures it: check-worthiness F1 on CheckThat! 2024 dev, dev-test and the news set (threshold
   tuned on dev + dev-test + news tune), and same-event pair F1 / AUC of its vectors on
   ECB+ topics 23-25 beside the reference vectors (threshold chosen on topics 1-22 pairs), and the speed of
   scoring one sentence at a time. Everything lands in ``meta.json``.

Training-only dependencies (``pip install -e ".[train]"``); fixed seed, one torch thread by default.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np

from factcheck.extraction import train as cw
from factcheck.extraction.newsset import split_of

ROOT = Path(__file__).resolve().parents[2]
NEWS_LABELS = ROOT / "labels" / "checkworthy_news.jsonl"
SEED = 13
MAX_LEN = 128  # as the matching encoder: claims are rarely longer, and never cut shorter than there
EVAL_TOPICS = (23, 24, 25)
REST_KEEP = 3  # one in three of the uninformative negatives stays
MIN_CONTENT_WORDS = 8
# Verbs that say little on their own: a negative whose only verbs are these is "uninformative".
LIGHT_VERBS = frozenset(
    "be have do get make go say think know want let come take see look mean tell give put seem feel try need "
    "keep thank talk".split()
)


def log(message: str) -> None:
    print(time.strftime("%H:%M:%S"), message, flush=True)


# ---------------------------------------------------------------------------------------------------- data


def informative(docs) -> list[bool]:
    """Per spaCy doc: an informative verb, a named entity, or MIN_CONTENT_WORDS+ content words."""
    out = []
    for doc in docs:
        verbs = any(t.pos_ == "VERB" and t.lemma_.lower() not in LIGHT_VERBS for t in doc)
        content = sum(1 for t in doc if t.is_alpha and not t.is_stop)
        out.append(verbs or bool(doc.ents) or content >= MIN_CONTENT_WORDS)
    return out


def pruned_claimbuster() -> tuple[list[str], list[int], dict]:
    from importlib.util import find_spec

    import spacy

    from factcheck.extraction.facets import NER_PACKAGE

    texts, labels = cw.load_claimbuster()
    package_dir = Path(find_spec(NER_PACKAGE).origin).parent
    nlp = spacy.load(sorted(package_dir.glob(f"{NER_PACKAGE}-*/meta.json"))[-1].parent, disable=["parser"])
    keep_flags = informative(nlp.pipe(texts, batch_size=256))
    rng = random.Random(SEED)
    kept_t, kept_y = [], []
    counts = {"positives": 0, "informative_negatives": 0, "other_negatives_kept": 0, "other_negatives_dropped": 0}
    for text, label, flag in zip(texts, labels, keep_flags):
        if label:
            counts["positives"] += 1
        elif flag:
            counts["informative_negatives"] += 1
        elif rng.randrange(REST_KEEP) == 0:
            counts["other_negatives_kept"] += 1
        else:
            counts["other_negatives_dropped"] += 1
            continue
        kept_t.append(text)
        kept_y.append(label)
    return kept_t, kept_y, counts


def news_rows() -> list[dict]:
    with open(NEWS_LABELS, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def news_sentences(ecb: list[dict], rows: list[dict]) -> list[str]:
    """Unlabelled news text the vectors are taught on: ECB+ topics outside EVAL_TOPICS and the news set's tune half."""
    seen, out = set(), []
    texts = [s["text"] for s in ecb if s["topic"] not in EVAL_TOPICS]
    texts += [r["text"] for r in rows if split_of(r["doc"]) == "tune"]
    for text in texts:
        text = " ".join(text.split())
        if len(text) >= 12 and text not in seen:
            seen.add(text)
            out.append(text)
    return out


# --------------------------------------------------------------------------------------------------- model


def build_student(layer_map: list[int]):
    import torch
    from transformers import AutoModel

    class Student(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(cw.base_model_dir()))
            layers = self.encoder.encoder.layer
            self.encoder.encoder.layer = torch.nn.ModuleList([layers[i] for i in layer_map])
            self.encoder.config.num_hidden_layers = len(layer_map)
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, 1)

        def pooled(self, input_ids, attention_mask):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

        def forward(self, input_ids, attention_mask):
            pooled = self.pooled(input_ids, attention_mask)
            return self.head(self.dropout(pooled)).squeeze(-1), torch.nn.functional.normalize(pooled, dim=1)

    return Student()


def reference_vectors(texts: list[str]) -> np.ndarray:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(cw.base_model_dir()), device="cpu")
    return model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True).astype(np.float32)


def train_student(net, texts, vectors, soft, *, epochs, lr, batch_size=32, emb_weight=1.0):
    import torch

    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    tok = cw.make_tokenizer(MAX_LEN)
    net.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    enc = [e.ids for e in tok.encode_batch(texts)]
    target_vec = torch.tensor(vectors)
    target_p = torch.tensor(np.asarray(soft, dtype=np.float32))
    steps = ((len(enc) + batch_size - 1) // batch_size) * epochs
    warmup = int(0.06 * steps)
    params = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / max(warmup, 1), max(0.0, (steps - s) / max(steps - warmup, 1))))
    bce = torch.nn.BCEWithLogitsLoss()
    for epoch in range(epochs):
        perm = list(range(len(enc)))
        rng.shuffle(perm)
        order = []
        for i in range(0, len(perm), batch_size * 50):
            order += sorted(perm[i : i + batch_size * 50], key=lambda j: len(enc[j]))
        batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
        rng.shuffle(batches)
        net.train()
        t0, run_cw, run_emb = time.time(), 0.0, 0.0
        for b, idx in enumerate(batches):
            _, ids, mask = next(cw._batches(enc, idx, len(idx)))
            logit, vec = net(ids, mask)
            loss_cw = bce(logit, target_p[idx])
            loss_emb = (1.0 - (vec * target_vec[idx]).sum(1)).mean()
            loss = loss_cw + emb_weight * loss_emb * 10.0
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            run_cw += float(loss_cw.detach())
            run_emb += float(loss_emb.detach())
            if (b + 1) % 100 == 0:
                log(f"epoch {epoch + 1} batch {b + 1}/{len(batches)} cw {run_cw / 100:.4f} "
                    f"1-cos {run_emb / 100:.4f} {(time.time() - t0) / (b + 1):.2f}s/batch")
                run_cw = run_emb = 0.0
    return net


def export(net, out: Path) -> Path:
    """One ONNX graph, outputs ``score`` (probability) and ``embedding`` (unit vector); int8 per channel."""
    import shutil
    import tempfile

    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer

    net.eval()
    net.encoder.set_attn_implementation("eager")

    class Wrapped(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            logit, vec = self.inner(input_ids, attention_mask)
            return torch.sigmoid(logit), vec

    tmp = Path(tempfile.mkdtemp())
    try:
        raw = tmp / "raw.onnx"
        ids = torch.ones((2, 16), dtype=torch.long)
        with torch.no_grad():
            torch.onnx.export(
                Wrapped(net), (ids, ids.clone()), str(raw), input_names=["input_ids", "attention_mask"],
                output_names=["score", "embedding"],
                dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                              "score": {0: "batch"}, "embedding": {0: "batch"}},
                opset_version=17, dynamo=False,
            )
        cfg = net.encoder.config
        fused = optimizer.optimize_model(str(raw), model_type="bert", num_heads=cfg.num_attention_heads,
                                         hidden_size=cfg.hidden_size)
        fused_path = tmp / "fused.onnx"
        fused.save_model_to_file(str(fused_path))
        out.mkdir(parents=True, exist_ok=True)
        quantize_dynamic(str(fused_path), str(out / "model.onnx"), weight_type=QuantType.QInt8, per_channel=True,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        shutil.copy(cw.base_model_dir() / "tokenizer.json", out / "tokenizer.json")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        net.encoder.set_attn_implementation("sdpa")
    return out / "model.onnx"


class Joint:
    """The exported graph, one sentence per run (as the product scores)."""

    def __init__(self, directory: Path, max_len: int = MAX_LEN):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(directory / "model.onnx"), opts, providers=["CPUExecutionProvider"])
        self.tok = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tok.no_padding()
        self.tok.enable_truncation(max_len)

    def run(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        scores, vecs = np.zeros(len(texts), dtype=np.float64), np.zeros((len(texts), 384), dtype=np.float32)
        for i, text in enumerate(texts):
            ids = np.array([self.tok.encode(text).ids], dtype=np.int64)
            s, v = self.session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
            scores[i], vecs[i] = float(s[0]), v[0]
        return scores, vecs


# ------------------------------------------------------------------------------------------------ measures


def pair_cosines(vecs: np.ndarray, pairs) -> np.ndarray:
    a, b, _y = pairs
    return np.einsum("ij,ij->i", vecs[a].astype(np.float64), vecs[b].astype(np.float64))


def f1_at(cos: np.ndarray, gold: np.ndarray, threshold: float) -> float:
    pred = cos >= threshold
    tp = float((pred & (gold == 1)).sum())
    p = tp / max(pred.sum(), 1)
    r = tp / max((gold == 1).sum(), 1)
    return 2 * p * r / (p + r) if p + r else 0.0


def best_f1_threshold(cos: np.ndarray, gold: np.ndarray) -> tuple[float, float]:
    best = (0.0, 1.0)
    for t in np.unique(np.round(cos, 3)):
        f = f1_at(cos, gold, float(t))
        if f > best[0]:
            best = (f, float(t))
    return best


def matching_figures(vecs: np.ndarray, ecb: list[dict]) -> dict:
    from factcheck.matching.export_encoder import pair_auc, same_event_pairs

    tune = same_event_pairs(ecb, set(range(1, 23)))
    test = same_event_pairs(ecb, set(EVAL_TOPICS))
    _f, threshold = best_f1_threshold(pair_cosines(vecs, tune), tune[2])
    test_cos = pair_cosines(vecs, test)
    best, _t = best_f1_threshold(test_cos, test[2])
    return {"pair_f1_23_25": round(f1_at(test_cos, test[2], threshold), 4), "threshold_from_1_22": threshold,
            "best_pair_f1_23_25": round(best, 4), "auc_23_25": round(pair_auc(vecs, test), 4)}


def checkworthiness_figures(scores: dict, labels: dict) -> dict:
    tune_sets = ["dev", "dev-test", "news-tune"]
    threshold = cw.tune_threshold([labels[n] for n in tune_sets], [scores[n] for n in tune_sets])
    out = {"threshold": threshold}
    for name in scores:
        f, p, r = cw.prf(labels[name], scores[name], threshold)
        out[name] = {"f1": round(f, 4), "precision": round(p, 4), "recall": round(r, 4)}
    return out


def speed(model: Joint, texts: list[str]) -> float:
    start = time.process_time()
    model.run(texts)
    return len(texts) / (time.process_time() - start)


# ---------------------------------------------------------------------------------------------------- main


def main(argv=None) -> int:
    import torch

    from factcheck.matching.export_encoder import load_ecbplus

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--layer-map", default="0,2,4", help="which all-MiniLM-L6-v2 layers the student keeps")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--teacher-checkpoint", type=Path)
    ap.add_argument("--save-teacher", type=Path)
    ap.add_argument("--cache", type=Path, help="keep teacher outputs here between runs (.npz)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)

    ecb = load_ecbplus()
    rows = news_rows()
    cb_texts, cb_labels, prune_counts = pruned_claimbuster()
    log(f"ClaimBuster pruned: {prune_counts}")
    news = news_sentences(ecb, rows)
    texts = cb_texts + news
    log(f"{len(cb_texts)} labelled + {len(news)} news sentences")

    if args.cache and args.cache.exists():
        cached = np.load(args.cache)
        teacher_p, ref = cached["teacher_p"], cached["ref"]
    else:
        tok = cw.make_tokenizer(MAX_LEN)
        if args.teacher_checkpoint:
            teacher = cw.build_classifier(6)
            teacher.load_state_dict(torch.load(args.teacher_checkpoint, map_location="cpu"))
        else:
            teacher, _tok, _h = cw.finetune(cb_texts, cb_labels, num_layers=6, epochs=cw.TEACHER_RECIPE["epochs"],
                                            lr=cw.TEACHER_RECIPE["lr"], max_len=MAX_LEN, log=log)
            if args.save_teacher:
                torch.save(teacher.state_dict(), args.save_teacher)
        teacher_p = cw.torch_scores(teacher, tok, texts)
        log("teacher probabilities done")
        ref = reference_vectors(texts)
        log("reference vectors done")
        if args.cache:
            np.savez(args.cache, teacher_p=teacher_p, ref=ref)
    smoothed = np.asarray(cb_labels, dtype=np.float64) * 0.95 + 0.025
    soft = np.concatenate([0.8 * teacher_p[: len(cb_texts)] + 0.2 * smoothed, teacher_p[len(cb_texts):]])

    layer_map = [int(x) for x in args.layer_map.split(",")]
    net = build_student(layer_map)
    t0 = time.time()
    net = train_student(net, texts, ref, soft, epochs=args.epochs, lr=args.lr)
    log(f"student trained in {time.time() - t0:.0f}s")
    export(net, args.out)
    joint = Joint(args.out)

    sets = {"dev": cw.load_ct24("dev"), "dev-test": cw.load_ct24("dev-test")}
    for half in ("tune", "test"):
        picked = [r for r in rows if split_of(r["doc"]) == half]
        sets[f"news-{half}"] = ([r["text"] for r in picked], [int(r["checkworthy"]) for r in picked])
    scores = {name: joint.run(tx)[0] for name, (tx, _y) in sets.items()}
    figures = {"checkworthiness": checkworthiness_figures(scores, {n: y for n, (_t, y) in sets.items()})}
    ecb_texts = [s["text"] for s in ecb]
    figures["matching_student"] = matching_figures(joint.run(ecb_texts)[1], ecb)
    figures["matching_reference"] = matching_figures(reference_vectors(ecb_texts), ecb)
    sample = random.Random(SEED).sample(sets["dev"][0], 500)
    figures["sentences_per_cpu_second"] = round(speed(joint, sample), 1)
    meta = {"layer_map": layer_map, "epochs": args.epochs, "lr": args.lr, "max_len": MAX_LEN, "seed": SEED,
            "pruning": prune_counts, "news_sentences": len(news), **figures}
    (args.out / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    print(json.dumps(meta, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
