"""Rebuild the published-check artifacts from data: ``python -m factcheck.matching.train_checks``.

1. ``artifacts/check_centroids.npy``: the inverted-file lists, k-means (``LISTS`` centroids, seeded) over the
   sentence vectors of the ClaimBuster sentences (US presidential debates, CC BY 4.0): public political claims,
   not any collection of checks, so the lists do not depend on who imported what.
2. ``artifacts/check_model.json``: gradient-boosted trees over ``checks.FEATURE_NAMES`` (monotone where the
   feature's meaning says so), and the two band thresholds.

Data (``FACTCHECK_DATA_DIR``, default ``../shared/data``; research data, read here, never shipped):

* CheckThat! 2022 task 2A (English): 14,231 Snopes checks and tweets with their gold checks. Train and dev queries
  train the model; each query is also taken with its gold checks removed from the collection, so the model learns
  what the best candidate looks like when the right check is absent. Dev-test is held out and reported.
* PolitiFact debates: 826 checks and 50 whole transcripts, where about one sentence in a hundred has a check.
  Transcripts are split by name (sorted; every fourth held out); the rest train.

Thresholds: out-of-fold probabilities (five folds of queries and of whole transcripts) choose ``strong`` as the
lowest value at which a strong top-1 is offered for at most ``MAX_FALSE_OFFERS`` of the tweets whose checks were
removed and is right for at least ``STRONG_PRECISION`` of the transcripts' offers; ``possible`` as the lowest at
which transcript offers are right at least ``POSSIBLE_PRECISION`` of the time. The held-out figures, and plain
cosine and BM25 beside them, go into the model card. Everything is seeded; the same data gives the same file.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import checks, encoder

ROOT = Path(__file__).resolve().parents[2]
SEED = 13
LISTS = 1024
FOLDS = 5
MAX_FALSE_OFFERS = 0.03
POSSIBLE_PRECISION = 0.15
# A transcript sentence whose best candidate is less alike than this is never offered anything (the search's
# `min_cosine`); such sentences (about 60% of them) are left out of training.
MIN_COSINE = 0.45
# Retrieval knobs (fixed before training, checked on train/dev): see the report for their effect.
KNOBS = {"lexical_weight": 0.3, "top_k": 10, "vector_budget": 2000, "lexical_candidates": 50, "max_df_share": 0.05,
         "min_cosine": MIN_COSINE}
# Features whose rise can only make a match likelier (+1), less likely (-1), or either (0).
MONOTONE = {"cos_claim": 1, "cos_headline": 1, "cos_best": 1, "bm25_vs_best": 1, "bm25_coverage": 1,
            "log_rank": -1, "fused_margin": 1, "cos_margin": 1, "figures_shared": 1, "figures_differ": -1,
            "question": 0, "length_ratio": 0}
HELD_OUT_EVERY = 4


def data_dir() -> Path:
    return Path(os.environ.get("FACTCHECK_DATA_DIR", ROOT.parent / "shared" / "data"))


def _encode(texts: list[str], cache: Path) -> np.ndarray:
    """Vectors of `texts`, cached by content and encoder version (encoding is the slow part)."""
    digest = hashlib.sha1("\x00".join([encoder.ENCODER_VERSION, *texts]).encode()).hexdigest()[:20]
    path = cache / f"{digest}.npy"
    if path.exists():
        return np.load(path)
    vectors = encoder.encode(texts)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def _jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _tsv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as fh:
        return [line.rstrip("\n").split("\t") for line in fh if line.strip()]


@dataclass
class Collection:
    ids: list[str]
    index: checks.CheckIndex


def build_collection(records: list[dict], cache: Path) -> Collection:
    texts = [checks.CheckText(r.get("claimReviewed", "") or "", r.get("headline", "") or "") for r in records]
    claims = _encode([t.claim_reviewed or t.headline for t in texts], cache)
    heads = _encode([t.headline or t.claim_reviewed for t in texts], cache)
    lists_c, lists_h = checks.list_of(claims), checks.list_of(heads)
    index = checks.CheckIndex()
    rows = []
    for i, t in enumerate(texts):
        keys = sorted({f"{checks.LIST_KEY}{lists_c[i]}", f"{checks.LIST_KEY}{lists_h[i]}"})
        keys += [checks.WORD_KEY + w for w in checks.check_terms(t.claim_reviewed, t.headline)]
        emb = np.stack([claims[i], heads[i]]).astype("<f2").tobytes()
        rows.append((i, emb, keys, t.claim_reviewed or t.headline))
    index.add(rows)
    return Collection([r.get("identifier") or r.get("url") for r in records], index)


# Features of every candidate, whatever its cosine (no trees, no band): what training reads.
FEATURE_MODEL = checks.CheckModel(version="features", baseline=0.0, trees=(), strong=2.0, possible=2.0,
                                  **{**KNOBS, "min_cosine": 0.0})


@dataclass
class Query:
    group: str  # what folds keep together: the query, or the whole transcript
    domain: str  # "tweets" or "transcripts"
    removed: bool  # its gold checks were removed from the collection
    check_ids: np.ndarray
    features: np.ndarray
    labels: np.ndarray
    gold: frozenset


def _queries(coll: Collection, vectors, texts, golds, groups, domain, removed=False) -> list[Query]:
    out = []
    for v, text, gold, group in zip(vectors, texts, golds, groups):
        offers = coll.index.search(v, text, FEATURE_MODEL, exclude=gold if removed else ())
        if not offers:
            continue
        ids = np.array([o.check_id for o in offers])
        out.append(Query(group, domain, removed, ids, np.stack([o.features for o in offers]),
                         np.array([i in gold for i in ids]), frozenset(gold)))
    return out


def load_tweets(cache: Path):
    base = data_dir() / "checkthat2022-2a"
    records = _jsonl(base / "factchecks.jsonl")
    coll = build_collection(records, cache)
    pos = {k: i for i, k in enumerate(coll.ids)}
    splits = {}
    for split in ("train", "dev", "devtest"):
        rows = _tsv(base / f"{split}_queries.tsv")
        gold: dict[str, set[int]] = {}
        for qid, ident in _tsv(base / f"{split}_qrels.tsv"):
            gold.setdefault(qid, set()).add(pos[ident])
        vectors = _encode([t for _, t in rows], cache)
        golds = [gold[q] for q, _ in rows]
        splits[split] = (vectors, [t for _, t in rows], golds, [f"{split}:{q}" for q, _ in rows])
    return coll, splits


def load_transcripts(cache: Path):
    base = data_dir() / "politifact-debates"
    records = _jsonl(base / "factchecks.jsonl")
    coll = build_collection(records, cache)
    pos = {k.rstrip("/"): i for i, k in enumerate(coll.ids)}
    rows = _tsv(base / "train_sentences.tsv")
    names = sorted({r[0].rsplit(":", 1)[0] for r in rows})
    held = {n for k, n in enumerate(names) if k % HELD_OUT_EVERY == HELD_OUT_EVERY - 1}
    vectors = _encode([r[1] for r in rows], cache)
    parts = {"train": ([], [], [], []), "test": ([], [], [], [])}
    for r, v in zip(rows, vectors):
        name = r[0].rsplit(":", 1)[0]
        gold = {pos[u.rstrip("/")] for u in (r[2].split() if len(r) > 2 else []) if u.rstrip("/") in pos}
        part = parts["test" if name in held else "train"]
        part[0].append(v), part[1].append(r[1]), part[2].append(gold), part[3].append(name)
    return coll, parts, sorted(held)


def centroids_from_claimbuster(cache: Path) -> np.ndarray:
    from sklearn.cluster import KMeans

    base = data_dir() / "claimbuster"
    texts = set()
    for name in ("crowdsourced.csv", "groundtruth.csv"):
        with (base / name).open(encoding="utf-8") as fh:
            texts.update(r["Text"] for r in csv.DictReader(fh))
    vectors = _encode(sorted(texts), cache)
    km = KMeans(LISTS, n_init=1, random_state=SEED, max_iter=100).fit(vectors)
    c = km.cluster_centers_
    return (c / np.linalg.norm(c, axis=1, keepdims=True)).astype(np.float32)


# --- fitting ---------------------------------------------------------------------------------------------------


def _weights(queries: list[Query]) -> np.ndarray:
    """Each domain (tweets with their checks, tweets without, transcripts) weighs the same in training."""
    kinds = [(q.domain, q.removed) for q in queries]
    count: dict[tuple, int] = {}
    for k, q in zip(kinds, queries):
        count[k] = count.get(k, 0) + len(q.labels)
    return np.concatenate([np.full(len(q.labels), 1.0 / count[k]) for k, q in zip(kinds, queries)]) * 1e4


def fit(queries: list[Query]):
    from sklearn.ensemble import HistGradientBoostingClassifier

    x = np.vstack([q.features for q in queries])
    y = np.concatenate([q.labels for q in queries])
    model = HistGradientBoostingClassifier(
        max_iter=200, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=40, l2_regularization=1.0,
        monotonic_cst=[MONOTONE[f] for f in checks.FEATURE_NAMES], random_state=SEED,
    )
    return model.fit(x, y, sample_weight=_weights(queries))


def export(model, thresholds: dict, card: dict) -> dict:
    trees = []
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        trees.append({
            "feature": nodes["feature_idx"].tolist(),
            "threshold": [float(t) for t in nodes["num_threshold"]],
            "left": nodes["left"].tolist(),
            "right": nodes["right"].tolist(),
            "leaf": nodes["is_leaf"].astype(bool).tolist(),
            "value": [float(v) for v in nodes["value"]],
            "nan_left": nodes["missing_go_to_left"].astype(bool).tolist(),
        })
    digest = hashlib.sha1(json.dumps(trees, sort_keys=True).encode()).hexdigest()[:8]
    return {
        "version": f"checks-gbt-{digest}",
        "features": list(checks.FEATURE_NAMES),
        "baseline": float(np.ravel(model._baseline_prediction)[0]),
        "trees": trees,
        "thresholds": thresholds,
        **KNOBS,
        "card": card,
    }


def _probabilities(model_dict: dict, queries: list[Query]) -> list[np.ndarray]:
    m = checks.model_from_dict(model_dict)
    return [m.probability(q.features) for q in queries]


def out_of_fold(queries: list[Query]) -> list[np.ndarray]:
    rng = np.random.default_rng(SEED)
    groups = sorted({q.group for q in queries})
    fold_of = dict(zip(groups, rng.permutation(len(groups)) % FOLDS))
    probs: list[np.ndarray | None] = [None] * len(queries)
    for f in range(FOLDS):
        train = [q for q in queries if fold_of[q.group] != f]
        test_idx = [i for i, q in enumerate(queries) if fold_of[q.group] == f]
        m = export(fit(train), {"strong": 2, "possible": 2}, {})
        for i, p in zip(test_idx, _probabilities(m, [queries[i] for i in test_idx])):
            probs[i] = p
    return probs  # type: ignore[return-value]


# --- measuring -------------------------------------------------------------------------------------------------


def tweet_figures(queries: list[Query], probs: list[np.ndarray], strong: float) -> dict:
    present = [(q, p) for q, p in zip(queries, probs) if not q.removed]
    removed = [(q, p) for q, p in zip(queries, probs) if q.removed]
    ap, p1, strong_right = [], [], []
    for q, p in present:
        order = np.argsort(-p, kind="stable")
        hits, s = 0, 0.0
        for r, j in enumerate(order[:5]):
            if q.labels[j]:
                hits += 1
                s += hits / (r + 1)
        ap.append(s / min(len(q.gold), 5))
        p1.append(bool(q.labels[order[0]]))
        strong_right.append(bool(q.labels[order[0]]) and p[order[0]] >= strong)
    false_offers = [float(p.max() >= strong) for _, p in removed]
    return {"queries": len(present), "map_at_5": round(float(np.mean(ap)), 4),
            "p_at_1": round(float(np.mean(p1)), 4), "strong_top1_right": round(float(np.mean(strong_right)), 4),
            "false_strong_offers_with_gold_removed": round(float(np.mean(false_offers)), 4)}


def transcript_figures(queries: list[Query], probs: list[np.ndarray], threshold: float, with_check: int) -> dict:
    offers = right = 0
    for q, p in zip(queries, probs):
        j = int(np.argmax(p))
        if p[j] >= threshold:
            offers += 1
            right += bool(q.labels[j])
    return {"offers": offers, "right": right, "precision": round(right / offers, 4) if offers else None,
            "found": round(right / with_check, 4) if with_check else None}


def curve(queries: list[Query], probs: list[np.ndarray], with_check: int) -> list[dict]:
    """The trade-off the thresholds were chosen on: per threshold, tweets' strong top-1 right and false strong
    offers, transcripts' strong precision and share found."""
    tweets = [(q, p) for q, p in zip(queries, probs) if q.domain == "tweets"]
    talks = [(q, p) for q, p in zip(queries, probs) if q.domain == "transcripts"]
    out = []
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95):
        tf = tweet_figures([q for q, _ in tweets], [p for _, p in tweets], t)
        tr = transcript_figures([q for q, _ in talks], [p for _, p in talks], t, with_check)
        out.append({"threshold": t, "tweets_strong_top1_right": tf["strong_top1_right"],
                    "tweets_false_strong_offers": tf["false_strong_offers_with_gold_removed"],
                    "transcripts_precision": tr["precision"], "transcripts_found": tr["found"]})
    return out


def choose_thresholds(queries: list[Query], probs: list[np.ndarray], with_check: int) -> dict:
    """`strong`: the lowest threshold at which tweets whose checks were removed are offered a strong check at most
    MAX_FALSE_OFFERS of the time. `possible`: the lowest at which transcript offers are right at least
    POSSIBLE_PRECISION of the time (never above `strong`)."""
    tweets = [(q, p) for q, p in zip(queries, probs) if q.domain == "tweets"]
    talks = [(q, p) for q, p in zip(queries, probs) if q.domain == "transcripts"]
    grid = np.round(np.arange(0.05, 0.995, 0.005), 3)
    strong = possible = None
    for t in grid:
        tf = tweet_figures([q for q, _ in tweets], [p for _, p in tweets], t)
        tr = transcript_figures([q for q, _ in talks], [p for _, p in talks], t, with_check)
        if possible is None and (tr["precision"] or 0) >= POSSIBLE_PRECISION:
            possible = float(t)
        if strong is None and tf["false_strong_offers_with_gold_removed"] <= MAX_FALSE_OFFERS:
            strong = float(t)
    strong = strong if strong is not None else 0.99
    possible = min(possible if possible is not None else strong / 2, strong)
    return {"strong": strong, "possible": possible}


def baselines(coll: Collection, vectors, texts, golds) -> dict:
    """MAP@5 of plain cosine (claim reviewed) and of BM25 alone, over the whole collection."""
    idx = coll.index
    if not idx._built:
        idx._build()
    claim_vecs = idx.vectors[:, 0, :].astype(np.float32)
    out = {}
    for name in ("cosine", "bm25"):
        ap = []
        for v, text, gold in zip(vectors, texts, golds):
            if name == "cosine":
                scores = claim_vecs @ v
            else:
                rows, bm, _ = idx._bm25(checks.content_tokens(text), KNOBS["max_df_share"])
                scores = np.zeros(len(idx.ids))
                scores[rows] = bm
            order = np.argsort(-scores, kind="stable")[:5]
            hits, s = 0, 0.0
            for r, j in enumerate(order):
                if int(idx.ids[j]) in gold:
                    hits += 1
                    s += hits / (r + 1)
            ap.append(s / min(len(gold), 5))
        out[f"{name}_map_at_5"] = round(float(np.mean(ap)), 4)
    return out


def cosine_transcripts(coll: Collection, vectors, golds, threshold: float = 0.70) -> dict:
    idx = coll.index
    if not idx._built:
        idx._build()
    v = idx.vectors.astype(np.float32)
    offers = right = 0
    for q, gold in zip(vectors, golds):
        cos = (v @ q).max(axis=1)
        j = int(np.argmax(cos))
        if cos[j] >= threshold:
            offers += 1
            right += int(idx.ids[j]) in gold
    n = sum(1 for g in golds if g)
    return {"threshold": threshold, "offers": offers, "precision": round(right / max(1, offers), 4),
            "found": round(right / max(1, n), 4)}


def _code_digest() -> str:
    """Features depend on this code and the retrieval knobs: cached features are keyed by both."""
    src = Path(checks.__file__).read_bytes() + checks.CENTROIDS_PATH.read_bytes() + json.dumps(KNOBS).encode()
    return hashlib.sha1(src).hexdigest()[:12]


def _all_queries(tweet_coll, tw, talk_coll, talks):
    train: list[Query] = []
    for split in ("train", "dev"):
        vecs, texts, golds, groups = tw[split]
        train += _queries(tweet_coll, vecs, texts, golds, groups, "tweets")
        train += _queries(tweet_coll, vecs, texts, golds, groups, "tweets", removed=True)
    vecs, texts, golds, groups = talks["train"]
    train += [q for q in _queries(talk_coll, vecs, texts, golds, groups, "transcripts")
              if q.features[:, checks.FEATURE_NAMES.index("cos_best")].max() >= MIN_COSINE]
    train_with_check = sum(1 for g in golds if g)
    vecs, texts, golds, groups = tw["devtest"]
    test_tweets = (_queries(tweet_coll, vecs, texts, golds, groups, "tweets")
                   + _queries(tweet_coll, vecs, texts, golds, groups, "tweets", removed=True))
    tvecs, ttexts, tgolds, tgroups = talks["test"]
    test_talks = _queries(talk_coll, tvecs, ttexts, tgolds, tgroups, "transcripts")
    return train, train_with_check, test_tweets, test_talks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "train_checks",
                        help="where sentence vectors are cached between runs")
    parser.add_argument("--keep-centroids", action="store_true", help="reuse the shipped centroids")
    parser.add_argument("--features-only", action="store_true", help="compute and cache the features, no model")
    args = parser.parse_args(argv)
    if not args.keep_centroids:
        print("centroids: k-means over ClaimBuster sentences", flush=True)
        np.save(checks.CENTROIDS_PATH, centroids_from_claimbuster(args.cache).astype(np.float16))
        checks.centroids.cache_clear()
    print("tweets: CheckThat! 2022 2A", flush=True)
    tweet_coll, tw = load_tweets(args.cache)
    print("transcripts: PolitiFact debates", flush=True)
    talk_coll, talks, held = load_transcripts(args.cache)

    features_path = args.cache / f"features-{_code_digest()}.pkl"
    if features_path.exists():
        with features_path.open("rb") as fh:
            train, train_with_check, test_tweets, test_talks, tw_devtest, talks_test, held = pickle.load(fh)
    else:
        train, train_with_check, test_tweets, test_talks = _all_queries(tweet_coll, tw, talk_coll, talks)
        tw_devtest, talks_test = tw["devtest"], talks["test"]
        with features_path.open("wb") as fh:
            pickle.dump((train, train_with_check, test_tweets, test_talks, tw_devtest, talks_test, held), fh)
    print(f"training queries: {len(train)}", flush=True)
    if args.features_only:
        return 0

    probs = out_of_fold(train)
    thresholds = choose_thresholds(train, probs, train_with_check)
    model_dict = export(fit(train), thresholds, {})
    vecs, texts, golds, groups = tw_devtest
    tvecs, ttexts, tgolds, tgroups = talks_test
    
    card = {
        "data": "CheckThat! 2022 2A train+dev (each query also with its gold checks removed); PolitiFact debate "
                f"transcripts except every {HELD_OUT_EVERY}th by name",
        "thresholds_rule": {"strong_max_false_offers_tweets": MAX_FALSE_OFFERS,
                            "possible_min_precision_transcripts": POSSIBLE_PRECISION},
        "out_of_fold": {
            "tweets": tweet_figures([q for q in train if q.domain == "tweets"],
                                    [p for q, p in zip(train, probs) if q.domain == "tweets"], thresholds["strong"]),
            "transcripts_strong": transcript_figures(
                [q for q in train if q.domain == "transcripts"],
                [p for q, p in zip(train, probs) if q.domain == "transcripts"], thresholds["strong"],
                train_with_check),
            "curve": curve(train, probs, train_with_check),
        },
        "held_out": {
            "devtest_tweets": tweet_figures(test_tweets, _probabilities(model_dict, test_tweets),
                                            thresholds["strong"]),
            "devtest_baselines": baselines(tweet_coll, vecs, texts, golds),
            "transcripts": held,
            "transcripts_strong": transcript_figures(test_talks, _probabilities(model_dict, test_talks),
                                                     thresholds["strong"], sum(1 for g in tgolds if g)),
            "transcripts_possible": transcript_figures(test_talks, _probabilities(model_dict, test_talks),
                                                       thresholds["possible"], sum(1 for g in tgolds if g)),
            "transcripts_cosine": cosine_transcripts(talk_coll, tvecs, tgolds),
        },
    }
    model_dict["card"] = card
    checks.MODEL_PATH.write_text(json.dumps(model_dict, indent=1, sort_keys=True) + "\n")
    json.dump({"thresholds": thresholds, **card}, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
