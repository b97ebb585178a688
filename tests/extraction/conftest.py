from __future__ import annotations

import os
from pathlib import Path

import pytest

# The seed articles live in the shared folder beside the repository (see DESIGN.md);
# FACTDESK_SEEDS_DIR points elsewhere when needed.
SEEDS_DIR = Path(os.environ.get("FACTDESK_SEEDS_DIR", Path(__file__).resolve().parents[3] / "shared" / "seeds"))


def seed_names() -> list[str]:
    return sorted(p.name for p in SEEDS_DIR.glob("*.txt"))


def read_seed(name: str) -> str:
    path = SEEDS_DIR / name
    if not path.exists():
        pytest.skip(f"seed article {path} is not available")
    return path.read_text(encoding="utf-8")
