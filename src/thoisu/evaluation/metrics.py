"""Precision, recall and F1 from counts (percentages, one decimal)."""

from __future__ import annotations

__all__ = ["prf"]


def prf(correct: int, predicted: int, gold: int) -> dict[str, float]:
    """``{"precision", "recall", "f1"}`` in percent; 0 where undefined."""
    precision = 100.0 * correct / predicted if predicted else 0.0
    recall = 100.0 * correct / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 1), "recall": round(recall, 1), "f1": round(f1, 1)}
