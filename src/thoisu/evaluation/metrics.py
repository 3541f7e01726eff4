"""Precision, recall and F1 from counts, shared by every evaluation."""

from __future__ import annotations

__all__ = ["prf"]


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    """``p``, ``r``, ``f1`` in percent (0 where undefined) with the counts behind them."""
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": 100 * p, "r": 100 * r, "f1": 100 * f, "tp": tp, "pred": n_pred, "gold": n_gold}
