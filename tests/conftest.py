"""Shared fixtures: the reference article and the data beside the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REFERENCE = SHARED / "examples" / "soha-nato-iraq.txt"
VNTC = SHARED / "data" / "vntc" / "vntc_sample.jsonl.gz"
SAMPLE = REPO / "samples" / "vntc-world-politics.jsonl.gz"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


@pytest.fixture(scope="session")
def reference_analysis():
    from thoisu import analyze

    return analyze(need(REFERENCE).read_text(encoding="utf-8"), source=str(REFERENCE))
