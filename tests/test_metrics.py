"""The P/R/F1 helper the evaluations share (the argument floor is in test_event_heads)."""

from __future__ import annotations

import pytest

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
