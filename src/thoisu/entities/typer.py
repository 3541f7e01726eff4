"""A learned typer for capitalised names that no rule types: PER, LOC or ORG.

The rules of ``thoisu.entities`` type a name by the word before it (a title, "tại", "công
ty") or by the gazetteer. A name with neither ("Sankei Shimbun", "Green Zone", "Hồ Học Lãm")
was typed PER by its look alone. This model types such names from two views, as in Collins
and Singer's (1999) named-entity classifier: the name's spelling (its syllables, their
character trigrams, whether it is written with Vietnamese letters) and its neighbouring
syllables. It is a multinomial logistic regression over hashed features, trained by
``scripts/train_name_typer.py`` on BKEE train's named mentions and on the names the rules
type with evidence (a title, a place word, the gazetteer) in raw VNTC news outside the gold.

Run with NumPy; the model file is ``models/name_typer.npz`` (CC BY-NC 4.0, as BKEE).
"""

from __future__ import annotations

import random
import re
import zlib
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

import numpy as np

__all__ = [
    "TYPES",
    "DIMENSIONS",
    "DEFAULT_MODEL",
    "CONTEXT_SYLLABLES",
    "NameTyper",
    "name_features",
    "feature_index",
    "fit_softmax",
    "softmax_rows",
]

TYPES = ("PER", "LOC", "ORG")
DIMENSIONS = 1 << 18  # hashed feature space; collisions are rare at this size
DEFAULT_MODEL = Path(__file__).parent / "models" / "name_typer.npz"
_VIETNAMESE_LETTERS = re.compile(
    r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE
)
CONTEXT_SYLLABLES = 2  # syllables of context on each side


def _shape(word: str) -> str:
    if word.isupper() and len(word) > 1:
        return "CAPS"
    if any(c.isdigit() for c in word):
        return "digit"
    if "-" in word or "'" in word or "’" in word:
        return "joined"
    return "Cap" if word[:1].isupper() else "low"


def name_features(
    words: Sequence[str], before: Sequence[str], after: Sequence[str], context: bool = True
) -> list[str]:
    """The features of a name (its syllables) between the syllables ``before`` and ``after``
    it in the sentence (nearest last / first; punctuation is not a syllable); ``context``
    False: the spelling features alone."""
    lower = [w.lower() for w in words]
    feats = [
        "bias",
        "name=" + " ".join(lower),
        "first=" + lower[0],
        "last=" + lower[-1],
        f"length={min(len(words), 5)}",
        "vietnamese=" + str(any(_VIETNAMESE_LETTERS.search(w) for w in words)),
        "shapes=" + " ".join(_shape(w) for w in words),
    ]
    for w in lower:
        feats.append("syllable=" + w)
        padded = f"<{w}>"
        feats += ["trigram=" + padded[k : k + 3] for k in range(len(padded) - 2)]
    if not context:
        return feats
    left = [w.lower() for w in before[-CONTEXT_SYLLABLES:]]
    right = [w.lower() for w in after[:CONTEXT_SYLLABLES]]
    feats.append("before=" + (left[-1] if left else "<s>"))
    feats.append("after=" + (right[0] if right else "</s>"))
    if len(left) == 2:
        feats.append("before2=" + " ".join(left))
    if len(right) == 2:
        feats.append("after2=" + " ".join(right))
    return feats


def feature_index(features: Sequence[str], dimensions: int = DIMENSIONS) -> np.ndarray:
    """Hashed rows (crc32: stable across processes, unlike ``hash``)."""
    return np.fromiter(
        (zlib.crc32(f.encode("utf-8")) % dimensions for f in features),
        dtype=np.int64,
        count=len(features),
    )


def softmax_rows(weights: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Class probabilities of one example: the softmax of its hashed rows' summed weights."""
    scores = weights[rows].sum(axis=0)
    scores = np.exp(scores - scores.max())
    return scores / scores.sum()


def fit_softmax(
    rows: Sequence[np.ndarray],
    gold: Sequence[int],
    classes: int,
    dimensions: int = DIMENSIONS,
    epochs: int = 8,
    lr: float = 0.2,
    l2: float = 1e-4,
    seed: int = 0,
    log: Callable[[str], None] | None = None,
) -> np.ndarray:
    """A multinomial logistic regression over hashed feature rows, trained by Adagrad SGD in a
    seeded order (deterministic): the weights, ``(dimensions, classes)`` float16."""
    weights = np.zeros((dimensions, classes), dtype=np.float64)
    squares = np.full_like(weights, 1e-8)
    order = list(range(len(rows)))
    rng = random.Random(seed)
    for epoch in range(epochs):
        rng.shuffle(order)
        loss = 0.0
        for i in order:
            idx, y = rows[i], gold[i]
            probs = softmax_rows(weights, idx)
            loss -= np.log(probs[y] + 1e-12)
            grad = probs
            grad[y] -= 1.0
            g = grad[None, :] + l2 * weights[idx]
            np.add.at(squares, idx, g * g)
            np.add.at(weights, idx, -lr * g / np.sqrt(squares[idx]))
        if log is not None:
            log(f"  epoch {epoch + 1}: loss {loss / max(1, len(order)):.3f}")
    return weights.astype(np.float16)


class NameTyper:
    """``predict(words, before, after)`` -> ``(type, probability)``."""

    def __init__(
        self, weights: np.ndarray, types: Sequence[str] = TYPES, context: bool = True
    ) -> None:
        if weights.shape != (DIMENSIONS, len(types)):
            raise ValueError(f"name typer weights have shape {weights.shape}")
        self.weights = weights.astype(np.float32)
        self.types = tuple(types)
        self.context = context

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL) -> NameTyper:
        with np.load(path) as data:
            return cls(data["weights"], [str(t) for t in data["types"]], bool(data["context"]))

    def probabilities(
        self, words: Sequence[str], before: Sequence[str], after: Sequence[str]
    ) -> np.ndarray:
        return softmax_rows(
            self.weights, feature_index(name_features(words, before, after, self.context))
        )

    def predict(
        self, words: Sequence[str], before: Sequence[str], after: Sequence[str]
    ) -> tuple[str, float]:
        probs = self.probabilities(words, before, after)
        best = int(probs.argmax())
        return self.types[best], float(probs[best])


@cache
def default_typer() -> NameTyper | None:
    """The shipped model, or ``None`` when its file was removed (the rules then type alone)."""
    return NameTyper.load() if DEFAULT_MODEL.is_file() else None
