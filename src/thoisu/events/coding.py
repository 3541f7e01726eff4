"""The full CAMEO code of an event whose root the trigger tagger gave: a learned choice.

The trigger tagger says which CAMEO root an action belongs to ("11": disapprove); this
classifier picks the code under that root ("111" criticise, "1121" accuse of a crime, ...)
from the trigger's vectors (the mean over its syllables) and, as one more clue, the code the
Vietnamese lexicon gives a phrase there (:mod:`.lexicon`), which starts as a strong vote for
itself and is weighed against the context in training. A softmax over GDELT's CAMEO codes,
restricted to the root's. Trained jointly with the encoder's upper layers on the project's
dyad corpus (``scripts/train_joint.py``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

from ..encoder.tuned import load_head, optional_head

__all__ = ["DEFAULT_MODEL", "CameoCoder", "default_coder"]

DEFAULT_MODEL = Path(__file__).resolve().parent / "models" / "cameo_coder.npz"


class CameoCoder:
    def __init__(self, model: dict[str, np.ndarray]) -> None:
        self.codes = tuple(str(c) for c in model["codes"])
        self._index = {c: i for i, c in enumerate(self.codes)}
        self._w, self._b = model["w"].astype(np.float32), model["b"].astype(np.float32)
        roots = np.array([c[:2] for c in self.codes])
        self._by_root = {r: roots == r for r in set(roots.tolist())}

    @classmethod
    def load(cls, path: str | Path | None = None) -> CameoCoder:
        return cls(load_head(path or DEFAULT_MODEL))

    def code(self, vectors: np.ndarray, roots: list[str], lexicon: list[str | None]) -> list[str]:
        """The code of each trigger: ``vectors`` (n, D) the mean vector of each trigger's
        syllables, ``roots`` its root, ``lexicon`` the lexicon's code there (or None)."""
        if not roots:
            return []
        clue = np.zeros((len(roots), len(self.codes)), np.float32)
        for i, code in enumerate(lexicon):
            if code in self._index:
                clue[i, self._index[code]] = 1
        scores = np.concatenate([vectors, clue], axis=1) @ self._w + self._b
        out = []
        for row, root in zip(scores, roots, strict=True):
            allowed = self._by_root.get(root)
            if allowed is None:
                out.append(root)
                continue
            out.append(self.codes[int(np.where(allowed, row, -np.inf).argmax())])
        return out


@cache
def default_coder() -> CameoCoder | None:
    """The shipped classifier, loaded once; None without a usable model file."""
    return optional_head(CameoCoder.load)
