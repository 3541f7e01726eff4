"""Event arguments against BKEE: the scorer, and a quality floor on a fixed dev sample."""

from __future__ import annotations

from itertools import islice

import pytest

from thoisu.evaluation.arguments import evaluate_arguments
from thoisu.evaluation.bkee import default_archive, read_split
from thoisu.evaluation.metrics import prf


def test_prf():
    assert prf(2, 4, 8) == {
        "p": 50.0,
        "r": 25.0,
        "f1": pytest.approx(100 / 3),
        "tp": 2,
        "pred": 4,
        "gold": 8,
    }
    assert prf(0, 0, 5)["f1"] == 0.0


@pytest.mark.skipif(not default_archive().exists(), reason="BKEE archive not available")
def test_argument_quality_floor_on_first_40_dev_documents():
    # Measured 2026-11-25: P 40.4 R 22.6 F1 29.0 (source F1 35.4). Floors a few points lower.
    result = evaluate_arguments(islice(read_split("dev"), 40))
    assert result["all"]["p"] >= 35.0
    assert result["all"]["f1"] >= 25.0
    assert result["source"]["f1"] >= 30.0
