"""The check-worthiness head: fitting, measures, and the shipped rows it trains on."""

import numpy as np
import pytest

from factcheck.extraction import head as headlib
from factcheck.extraction import head_data
from factcheck.extraction.model import score_sentences
from factcheck.extraction.train import DATA_DIR


def _synthetic(n=400, seed=0):
    rng = np.random.default_rng(seed)
    emb = rng.normal(size=(n, headlib.DIM)).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    base = rng.uniform(0.3, 0.9, size=n)
    y = (emb[:, 7] > 0).astype(int)  # the label lives in one direction of the embedding, not in the base score
    return base, emb, y


def test_fit_is_deterministic_and_learns_what_the_base_score_misses():
    base, emb, y = _synthetic(n=1500)
    first = headlib.train(base, emb, y)
    second = headlib.train(base, emb, y)
    assert np.array_equal(first.coef, second.coef) and first.intercept == second.intercept
    assert first.coef[1 + 7] == max(first.coef[1:])  # the informative dimension gets the largest weight
    test_base, test_emb, test_y = _synthetic(seed=1)
    scores = first.score(test_base, test_emb)
    assert headlib.average_precision(test_y, scores) > 0.85 > 0.6 > headlib.average_precision(test_y, test_base)
    assert headlib.Head.from_json(first.to_json()).score(test_base, test_emb) == pytest.approx(scores, abs=1e-5)


def test_sample_weights_count_as_repeated_rows():
    base, emb, y = _synthetic(n=120)
    weights = np.where(np.arange(120) % 3 == 0, 5.0, 1.0)
    repeat = np.repeat(np.arange(120), weights.astype(int))
    weighted = headlib.fit(headlib.features(base, emb), y, weights)
    repeated = headlib.fit(headlib.features(base[repeat], emb[repeat]), y[repeat])
    assert weighted[0] == pytest.approx(repeated[0], abs=1e-6)
    assert weighted[1] == pytest.approx(repeated[1], abs=1e-6)


def test_measures():
    y = [1, 0, 1, 0]
    scores = [0.9, 0.8, 0.4, 0.1]
    assert headlib.average_precision(y, scores) == pytest.approx((1 + 2 / 3) / 2)
    assert headlib.f1_at(y, scores, 0.5) == pytest.approx(0.5)
    assert headlib.log_loss([1, 0], [0.5, 0.5]) == pytest.approx(np.log(2))
    assert headlib.average_precision([0, 0], [0.3, 0.2]) == 0.0


def test_the_shipped_rows_are_what_the_module_command_builds():
    data = np.load(headlib.HEAD_DATA)
    assert data["embeddings"].dtype == np.float16 and data["base"].dtype == np.float16
    assert data["embeddings"].shape == (head_data.SIZE, headlib.DIM)
    if not (DATA_DIR / "claimbuster" / "groundtruth.csv").exists():
        pytest.skip(f"ClaimBuster is not at {DATA_DIR}")
    texts, labels, source = head_data.sample()
    assert np.array_equal(labels, data["labels"]) and np.array_equal(source, data["source"])
    assert int((source == 0).sum()) > 1000  # every unseen groundtruth row comes first
    some = slice(0, 12)
    assert np.array_equal(np.asarray(score_sentences(texts[some]), dtype=np.float16), data["base"][some])
