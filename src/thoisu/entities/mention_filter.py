"""A learned last word on the names the rules found: keep, retype or drop each one.

The rules of ``thoisu.entities`` decide from one clue at a time (a gazetteer entry, a title, a
preposition, the name's shape). This model weighs those clues together with the name typer's
opinion, the name's spelling and its neighbouring words, and says PER, LOC, ORG or NONE (not a
name the guidelines count). It is a multinomial logistic regression over hashed features
(``typer.fit_softmax``), trained by ``scripts/train_mention_filter.py`` on the rules' output for
240 hand-annotated VNTC articles outside the gold (``data/ner_vntc_train.jsonl``).

A gazetteer entry is never retyped, only dropped; organisations the rules built from a head
word are left alone; any change needs the model's probability at or above a threshold chosen by
cross-validation on the training articles. Model file: ``models/mention_filter.npz``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from .typer import _VIETNAMESE_LETTERS, _shape, feature_index, softmax_rows

__all__ = [
    "LABELS",
    "DIMENSIONS",
    "DEFAULT_MODEL",
    "Candidate",
    "candidate_features",
    "MentionFilter",
    "default_filter",
]

LABELS = ("PER", "LOC", "ORG", "NONE")
DIMENSIONS = 1 << 16
DEFAULT_MODEL = Path(__file__).parent / "models" / "mention_filter.npz"


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the rules know of one mention."""

    words: Sequence[str]  # the name's syllables
    before: Sequence[str]  # up to two syllables before it (nearest last)
    after: Sequence[str]  # up to two after it
    rule_type: str  # PER / LOC / ORG, or "" / MISC when no rule typed it
    kind: str  # place, person, org, country, city, gov, ...
    gazetteer: bool  # linked to a gazetteer entry
    by_shape: bool  # typed a person by its look alone
    titled: bool  # a title introduces it
    pos: str  # underthesea's tag of its first syllable
    opens_sentence: bool
    repeats: int  # times the same surface occurs in the article
    typer: tuple[str, float] | None  # the name typer's type and probability


def candidate_features(c: Candidate) -> list[str]:
    rule = c.rule_type or "none"
    lower = [w.lower() for w in c.words]
    before = c.before[-1].lower() if c.before else "<s>"
    after = c.after[0].lower() if c.after else "</s>"
    feats = [
        "bias",
        "rule=" + rule,
        f"kind={c.kind}",
        f"rule={rule}&gazetteer={c.gazetteer}",
        f"rule={rule}&by_shape={c.by_shape}",
        f"rule={rule}&titled={c.titled}",
        f"rule={rule}&pos={c.pos}",
        f"rule={rule}&opens={c.opens_sentence}",
        f"rule={rule}&length={min(len(c.words), 5)}",
        f"rule={rule}&repeats={min(c.repeats, 3)}",
        "shapes=" + " ".join(_shape(w) for w in c.words[:4]),
        f"rule={rule}&vietnamese={any(_VIETNAMESE_LETTERS.search(w) for w in c.words)}",
        "name=" + " ".join(lower),
        "first=" + lower[0],
        "last=" + lower[-1],
        "before=" + before,
        "after=" + after,
        f"rule={rule}&before={before}",
        f"rule={rule}&after={after}",
    ]
    if len(c.before) >= 2:
        feats.append("before2=" + " ".join(w.lower() for w in c.before[-2:]))
    if c.typer is not None:
        kind, p = c.typer
        bucket = "high" if p >= 0.9 else "mid" if p >= 0.6 else "low"
        feats += [f"typer={kind}", f"typer={kind}:{bucket}", f"rule={rule}&typer={kind}:{bucket}"]
    return feats


class MentionFilter:
    """``decide(candidate)`` -> the type to give the mention, ``"NONE"``, or ``None`` (keep)."""

    def __init__(
        self, weights: np.ndarray, labels: Sequence[str] = LABELS, threshold: float = 0.5
    ) -> None:
        if weights.shape != (DIMENSIONS, len(labels)):
            raise ValueError(f"mention filter weights have shape {weights.shape}")
        self.weights = weights.astype(np.float32)
        self.labels = tuple(labels)
        self.threshold = threshold

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL) -> MentionFilter:
        with np.load(path) as data:
            return cls(data["weights"], [str(x) for x in data["labels"]], float(data["threshold"]))

    def probabilities(self, c: Candidate) -> np.ndarray:
        return softmax_rows(self.weights, feature_index(candidate_features(c), DIMENSIONS))

    def decide(self, c: Candidate, probs: np.ndarray | None = None) -> str | None:
        """The decision on ``c``; ``probs``: probabilities to use instead of ``c``'s own (the
        mean over every mention of the same surface in the article, so that they agree)."""
        probs = self.probabilities(c) if probs is None else probs
        best = int(probs.argmax())
        label = self.labels[best]
        if probs[best] < self.threshold or label == (c.rule_type or "NONE"):
            return None
        if c.gazetteer and label != "NONE":
            return None  # the gazetteer knows what a country or a ministry is
        if c.rule_type == "ORG" and c.kind == "org":
            return None  # organisations the rules found are left to them (see the module doc)
        return label


@cache
def default_filter() -> MentionFilter | None:
    """The shipped model, or ``None`` when its file was removed (the rules then decide alone)."""
    return MentionFilter.load() if DEFAULT_MODEL.is_file() else None
