"""Fixtures for the ingest tests: seed articles and small documents built on the fly."""

from __future__ import annotations

from pathlib import Path

import pytest

_REPO = Path(__file__).resolve().parents[2]
_SEED_DIRS = (_REPO / "shared" / "seeds", _REPO.parent / "shared" / "seeds")


def _seed_dir() -> Path:
    for candidate in _SEED_DIRS:
        if candidate.is_dir() and any(candidate.glob("*.txt")):
            return candidate
    pytest.fail(f"seed articles not found; looked in {', '.join(str(p) for p in _SEED_DIRS)}")


@pytest.fixture(scope="session")
def seeds() -> dict[str, str]:
    """The five real articles, keyed by their three-digit prefix ("000" ... "004")."""
    return {path.name[:3]: path.read_text(encoding="utf-8") for path in sorted(_seed_dir().glob("*.txt"))}
