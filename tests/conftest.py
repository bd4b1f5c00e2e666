"""Fixtures shared by every layer. Layer-specific fixtures live in each test folder's conftest."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(os.environ.get("SAMPLES_DIR", ROOT.parent / "shared" / "samples"))


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    if not SAMPLES.is_dir():
        pytest.fail(f"shared samples not found at {SAMPLES} (set SAMPLES_DIR)")
    return SAMPLES


def sample_bytes(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()
