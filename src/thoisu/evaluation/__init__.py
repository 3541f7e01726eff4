"""Evaluation harness: scores thoisu against gold data (BKEE events and entities,
hand-annotated certainty and attribution) next to baselines, with the same code.

Nothing here is used by the pipeline; it reads gold data from ``../shared/data`` or the repo.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["GOLD_DIR", "gold_article_ids"]

GOLD_DIR = Path(__file__).resolve().parents[3] / "tests" / "gold"


def gold_article_ids(gold_dir: Path = GOLD_DIR) -> set[str]:
    """Every VNTC article id of the project's gold files: left out of any training data."""
    ids = set()
    for path in sorted(gold_dir.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                ids.add(row.get("id") or row.get("article_id"))
    return ids
