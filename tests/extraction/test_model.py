"""Check-worthiness scorer: pure tests, no Django, a few seconds."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from factcheck.extraction import model as cw

ARTIFACTS = Path(cw.__file__).resolve().parent / "artifacts"

CLAIMS = [
    "Unemployment rose to 7.8 percent last year.",
    "The federal deficit reached $1.4 trillion in 2009.",
    "We have lost 800,000 manufacturing jobs since January.",
    "Crime in our cities has gone up by 20 percent over the last four years.",
]
NON_CLAIMS = [
    "Thank you, Jim.",
    "I think that's a great idea.",
    "Good evening, everyone.",
    "Let me answer that question.",
]


def test_empty_list_returns_empty_list():
    assert cw.score_sentences([]) == []


def test_scores_are_in_unit_interval_and_deterministic():
    sentences = CLAIMS + NON_CLAIMS + ["", "   ", "?", "x" * 5000]
    first = cw.score_sentences(sentences)
    second = cw.score_sentences(list(sentences))
    assert len(first) == len(sentences)
    assert all(isinstance(s, float) and 0.0 <= s <= 1.0 for s in first)
    assert first == second


def test_score_does_not_depend_on_the_other_sentences():
    alone = [cw.score_sentences([s])[0] for s in CLAIMS + NON_CLAIMS]
    together = cw.score_sentences(CLAIMS + NON_CLAIMS)
    reordered = cw.score_sentences(list(reversed(CLAIMS + NON_CLAIMS)))[::-1]
    for a, b, c in zip(alone, together, reordered):
        assert abs(a - b) < 1e-6 and abs(a - c) < 1e-6


@pytest.mark.parametrize("sentence", CLAIMS)
def test_factual_claims_score_above_threshold(sentence):
    assert cw.score_sentences([sentence])[0] >= cw.DEFAULT_THRESHOLD


@pytest.mark.parametrize("sentence", NON_CLAIMS)
def test_opinions_and_greetings_score_below_threshold(sentence):
    assert cw.score_sentences([sentence])[0] < cw.DEFAULT_THRESHOLD


def test_thread_safe():
    batch = CLAIMS + NON_CLAIMS
    expected = cw.score_sentences(batch)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: cw.score_sentences(batch), range(8)))
    assert all(r == expected for r in results)


def test_artifact_loads_and_matches_metadata():
    meta = json.loads((ARTIFACTS / "meta.json").read_text())
    assert meta["model_version"] == cw.MODEL_VERSION
    assert meta["threshold"] == pytest.approx(cw.DEFAULT_THRESHOLD)
    start = time.perf_counter()
    model = cw.load_model(ARTIFACTS)  # a fresh, uncached load
    assert time.perf_counter() - start < 5.0
    assert model.version == cw.MODEL_VERSION
    assert cw.load_model() is cw.load_model()


def test_artifact_files_are_recorded_and_small():
    meta = json.loads((ARTIFACTS / "meta.json").read_text())
    total = 0
    for name, digest in meta["files"].items():
        data = (ARTIFACTS / name).read_bytes()
        total += len(data)
        assert hashlib.sha256(data).hexdigest() == digest, name
    assert total <= 50 * 1024 * 1024


def test_scorer_imports_without_django():
    code = (
        "import sys; import factcheck.extraction.model as m; m.score_sentences(['A test.']); "
        "bad = [k for k in sys.modules if k.split('.')[0] in ('django', 'torch', 'sklearn', 'transformers')]; "
        "assert not bad, bad"
    )
    root = Path(cw.__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
