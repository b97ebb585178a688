from __future__ import annotations

import pytest

from . import port_strike_claims, seed_claims


@pytest.fixture(scope="module", params=[seed_claims, port_strike_claims], ids=["seed", "port-strike"])
def story(request):
    """Each story's claims in turn (a module with ALL_CLAIMS and UNRELATED), for what holds whatever the story."""
    return request.param
