import hashlib
import json

import numpy as np
import pytest

from factcheck.matching import encoder
from factcheck.matching.encoder import DIM, ENCODER_VERSION, encode, from_bytes, from_bytes_many, to_bytes

CLAIMS = [
    "The company denied the report.",
    "Unemployment fell to 3.9 percent in March, the lowest level since 2001.",
    "A magnitude 6.1 earthquake struck off the coast of Indonesia on Tuesday.",
    "The senator said the bill would cut taxes for 90 percent of families.",
    "Ford will build the new electric pickup at its plant in Tennessee.",
]


def test_rows_are_unit_vectors_of_the_model_dimension():
    vecs = encode(CLAIMS)
    assert vecs.shape == (len(CLAIMS), DIM)
    assert vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    # distinct sentences get distinct vectors
    cos = vecs @ vecs.T
    assert cos[~np.eye(len(CLAIMS), dtype=bool)].max() < 0.9


def test_empty_input_gives_no_rows():
    out = encode([])
    assert out.shape == (0, DIM)
    assert out.dtype == np.float32


def test_same_text_same_vector_whatever_else_is_in_the_call():
    text = CLAIMS[1]
    alone = encode([text])[0]
    again = encode([text])[0]
    # companions of other lengths (padding) and many of them (one batch of activations if batched)
    crowd = [CLAIMS[0], "Yes.", CLAIMS[3] * 3, text, *CLAIMS[2:], "No comment."] * 8
    in_crowd = encode(crowd)
    assert np.array_equal(alone, again)
    for row in np.flatnonzero([t == text for t in crowd]):
        assert np.array_equal(in_crowd[row], alone)
    assert to_bytes(in_crowd[3]) == to_bytes(alone)


def test_paraphrase_without_shared_content_words_is_closer_than_an_unrelated_sentence():
    claim, paraphrase, unrelated = encode(
        [
            "The company denied the report",
            "The firm said the story was untrue",
            "Heavy rain flooded the valley overnight",
        ]
    )
    assert float(claim @ paraphrase) > float(claim @ unrelated) + 0.15


def test_same_event_from_two_outlets_is_closer_than_another_event():
    a, b, other = encode(
        [
            "A 6.1-magnitude earthquake hit western Indonesia on Tuesday, officials said.",
            "Officials say a strong quake of magnitude 6.1 shook the west of Indonesia on Tuesday.",
            "Officials said the central bank raised interest rates on Tuesday.",
        ]
    )
    assert float(a @ b) > float(a @ other)


def test_bytes_round_trip_is_float16_little_endian():
    vecs = encode(CLAIMS[:3])
    blob = to_bytes(vecs[0])
    assert isinstance(blob, bytes)
    assert len(blob) == 2 * DIM
    assert np.array_equal(np.frombuffer(blob, dtype="<f2"), vecs[0].astype("<f2"))
    back = from_bytes(blob)
    assert back.shape == (DIM,)
    assert back.dtype == np.float32
    np.testing.assert_allclose(back, vecs[0], atol=1e-3)
    assert float(back @ vecs[0]) > 0.9999
    many = from_bytes_many([to_bytes(v) for v in vecs])
    assert many.shape == (3, DIM)
    assert np.array_equal(many[2], from_bytes(to_bytes(vecs[2])))
    assert from_bytes_many([]).shape == (0, DIM)


def test_bytes_of_the_wrong_size_are_refused():
    with pytest.raises(ValueError):
        from_bytes(b"\x00" * (2 * DIM - 2))
    with pytest.raises(ValueError):
        from_bytes_many([b"\x00" * 2 * DIM, b"\x00" * 4])
    with pytest.raises(ValueError):
        to_bytes(np.zeros((2, DIM)))


def test_very_long_text_is_truncated_not_refused():
    opening = "The minister said the new rail line would open in 2031 and cost 4 billion euros."
    long_text = opening + " " + " ".join(["Critics questioned the figures and the timetable again."] * 400)
    longer_still = long_text + " " + " ".join(["Rain is expected across the north on Sunday."] * 400)
    assert len(encoder.load_encoder().tokenizer.encode(long_text).ids) == encoder.MAX_TOKENS
    vec_long, vec_longer, vec_opening = encode([long_text, longer_still, opening])
    np.testing.assert_allclose(np.linalg.norm(vec_long), 1.0, atol=1e-5)
    # only the first 128 word pieces count: what comes after them changes nothing ...
    assert np.array_equal(vec_long, vec_longer)
    # ... but what comes before the cut does
    assert float(vec_long @ vec_opening) < 0.99


def test_shipped_artifact_matches_its_meta():
    meta = json.loads((encoder.ARTIFACT_DIR / "meta.json").read_text())
    assert meta["encoder_version"] == ENCODER_VERSION == encoder.load_encoder().version
    assert meta["dim"] == DIM
    assert meta["max_len"] == encoder.MAX_TOKENS
    for name, digest in meta["files"].items():
        assert hashlib.sha256((encoder.ARTIFACT_DIR / name).read_bytes()).hexdigest() == digest
    # the int8 graph is shipped only if it kept quality (see export_encoder.py)
    figures = meta["eval"]
    assert figures["reference"]["auc_topics_23_25"] - figures["onnx_int8"]["auc_topics_23_25"] < 0.005
    assert figures["onnx_int8"]["agreement_mean_cosine"] > 0.98
