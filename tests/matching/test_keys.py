"""Blocking keys: LSH bands of the claim's vector and its entities, by month."""

from __future__ import annotations

import datetime as dt

import numpy as np

from factcheck.matching import lookup_keys, lsh, match_keys

JAN = dt.date(2026, 1, 15)


def _unit(rng, base=None, noise=0.0):
    v = rng.standard_normal(lsh.DIM) if base is None else base + noise * rng.standard_normal(lsh.DIM)
    return (v / np.linalg.norm(v)).astype(np.float32)


def test_band_keys_are_deterministic_and_one_per_band():
    v = _unit(np.random.default_rng(1))
    keys = lsh.band_keys(v, JAN)
    assert keys == lsh.band_keys(v.copy(), JAN)
    assert len(keys) == lsh.BANDS and all(k.endswith("@2026-01") for k in keys)
    assert lsh.band_keys(None, JAN) == []


def test_close_vectors_share_more_bands_than_unrelated_ones():
    rng = np.random.default_rng(2)
    shared_close, shared_far = [], []
    for _ in range(200):
        a = _unit(rng)
        close = _unit(rng, a, 0.02)  # cosine ~0.93
        far = _unit(rng)
        own = set(lsh.band_keys(a, JAN))
        shared_close.append(len(own & set(lsh.band_keys(close, JAN))))
        shared_far.append(len(own & set(lsh.band_keys(far, JAN))))
    assert np.mean([s > 0 for s in shared_close]) > 0.95
    assert np.mean([s > 0 for s in shared_far]) < 0.05


def test_lookup_probes_the_neighbouring_month_near_its_edge():
    v = _unit(np.random.default_rng(3))
    assert lsh.probe_keys(v, JAN) == lsh.band_keys(v, JAN)  # mid-month: its own month only
    late = dt.date(2026, 1, 29)
    assert set(lsh.band_keys(v, dt.date(2026, 2, 1))) <= set(lsh.probe_keys(v, late))
    early = dt.date(2026, 3, 2)
    assert set(lsh.band_keys(v, dt.date(2026, 2, 27))) <= set(lsh.probe_keys(v, early))


def test_people_and_organisations_share_one_key_space():
    # A recogniser may label one name a person in one article and an organisation in another.
    as_org = match_keys("x", {"organisations": ["Xiaomi"]}, when=JAN)
    as_person = match_keys("x", {"people": ["Xiaomi"]}, when=JAN)
    assert as_org == as_person == ["e:xiaomi@2026-01"]


def test_a_person_is_found_by_surname_and_first_name_and_places_stand_in():
    keys = match_keys("x", {"people": ["John Moolenaar"]}, when=JAN)
    assert {"e:moolenaar@2026-01", "e:john@2026-01"} <= set(keys)
    assert "e:john@2026-01" in match_keys("x", {"people": ["John Mullenaar"]}, when=JAN)
    assert match_keys("x", {"places": ["Ohio"]}, when=JAN) == ["l:ohio@2026-01"]
    assert match_keys("x", {"places": ["Ohio"], "people": ["Ann Lee"]}, when=JAN) == [
        "e:ann@2026-01", "e:lee@2026-01"
    ]


def test_a_claim_looks_up_what_a_matching_claim_stored():
    v = _unit(np.random.default_rng(4))
    facets = {"organisations": ["Acme Corp"]}
    stored = set(match_keys("x", facets, embedding=v, when=JAN))
    assert stored <= set(lookup_keys("x", facets, embedding=v, when=JAN))
    assert match_keys("x", facets, embedding=v, when=None)[0].endswith("@")  # no date: one shared bucket
