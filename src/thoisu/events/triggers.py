"""Learned event triggers: which syllables name an event, of what ACE type and CAMEO root.

Each syllable of a sentence is read as its vector from the shared encoder (see
:mod:`thoisu.encoder.component`) plus clues: its shape, whether a recognised name covers it
(an organisation's name is not an action), underthesea's words and parts of speech, and
whether a lexicon phrase starts or continues there (:mod:`.lexicon`: a clue, never an
override). A bidirectional LSTM reads the sentence and two linear-chain CRFs label it: one in
BIO over the 33 BKEE event types (learned from BKEE), one over the 20 CAMEO roots of
interactions between actors (learned from the project's dyad corpus, ``data/dyads``, which
also marks the look-alikes to refuse: accidents, prices, sports, nouns). Trained jointly with
the encoder's upper layers (``scripts/train_joint.py``; CC BY-NC 4.0, see
``models/README.md``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

from ..encoder.component import syllable_shapes
from ..encoder.tuned import optional_head
from ..nn import SequenceTagger
from .lexicon import LEXICON_CLUES, LexiconHit, lexicon_clues

__all__ = [
    "CLUES",
    "DEFAULT_MODEL",
    "NAME_CLUES",
    "default_tagger",
    "name_clues",
    "trigger_clues",
    "word_clues",
]

DEFAULT_MODEL = Path(__file__).resolve().parent / "models" / "trigger_tagger.npz"
NAME_CLUES = 5  # B, I, and PER / LOC / ORG of the name covering a syllable
# The part of speech of the word a syllable belongs to (underthesea's VLSP tags, grouped).
_POS_GROUPS = {"N": 0, "Nc": 0, "Nu": 0, "Ny": 0, "Nb": 0, "Np": 1, "V": 2, "Vb": 2, "Vy": 2,
               "A": 3, "P": 4, "R": 5, "E": 6, "C": 7, "Cc": 7, "M": 8, "L": 9, "CH": 10}  # fmt: skip
WORD_CLUES = 2 + 12  # B / I of the word, its part of speech (11 groups and "other")
CLUES = 7 + NAME_CLUES + WORD_CLUES + LEXICON_CLUES
_NAME_TYPES = ("PER", "LOC", "ORG")

Run = tuple[int, int, str]  # first syllable, last + 1, type


def name_clues(names: list[Run], n: int) -> np.ndarray:
    """(n, NAME_CLUES) for names given as syllable runs (first, last + 1, type)."""
    out = np.zeros((n, NAME_CLUES), np.float32)
    for first, last, kind in names:
        out[first, 0] = 1
        out[first + 1 : last, 1] = 1
        if kind in _NAME_TYPES:
            out[first:last, 2 + _NAME_TYPES.index(kind)] = 1
    return out


def word_clues(syllables: list[tuple[int, int]], words: list[tuple[int, int, str]]) -> np.ndarray:
    """(n, WORD_CLUES) for syllables (start, end) and the segmenter's words (start, end, part
    of speech), both as offsets into the same text."""
    out = np.zeros((len(syllables), WORD_CLUES), np.float32)
    k = 0
    for i, (start, end) in enumerate(syllables):
        while k < len(words) and words[k][1] <= start:
            k += 1
        if k == len(words) or words[k][0] >= end:
            out[i, 2 + 11] = 1  # in no word (punctuation the segmenter dropped)
            continue
        out[i, 0 if words[k][0] >= start else 1] = 1
        out[i, 2 + _POS_GROUPS.get(words[k][2], 11)] = 1
    return out


def trigger_clues(
    tokens: list[str], names: list[Run], words: np.ndarray, hits: list[LexiconHit]
) -> np.ndarray:
    """The clues of each syllable of a sentence, (n, CLUES): ``tokens`` its syllables' texts,
    ``names`` the recognised names, ``words`` its :func:`word_clues`, ``hits`` the lexicon
    phrases."""
    n = len(tokens)
    return np.concatenate(
        [syllable_shapes(tokens), name_clues(names, n), words, lexicon_clues(hits, n)], axis=1
    )


@cache
def default_tagger() -> SequenceTagger | None:
    """The shipped tagger, loaded once; None without a usable model file."""
    return optional_head(lambda: SequenceTagger.load(DEFAULT_MODEL, CLUES, "trigger_tagger"))
