"""Learned argument roles: who acts, on whom, where, read from the sentence around a trigger.

For each trigger the whole sentence is read again by a second head, whose clues mark the
trigger, give its BKEE type and its CAMEO root (either may be blank: the head is trained with
each left out at times), each syllable's side of and distance from the trigger, the
recognised names, the words and the syllable shapes. Two CRFs label spans: layer 0 with
thoisu's roles (``source``, ``target``, ``location``), learned from BKEE (its roles mapped,
:data:`~.types.FINE_ROLES`) and the project's CAMEO dyad corpus (the sources and targets of
statements, appeals, demands, criticism, meetings, aid... that BKEE does not annotate);
layer 1 with BKEE's finer role, kept in the record. Passive and "suffer" constructions (bị,
được, hứng chịu) are learned from the data rather than written as rules.

Trained jointly with the encoder's upper layers (``scripts/train_joint.py``; BKEE is CC BY-NC
4.0, see ``models/README.md``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

from ..encoder.component import syllable_shapes
from ..encoder.tuned import optional_head
from ..nn import SequenceTagger
from .triggers import NAME_CLUES, WORD_CLUES, Run, name_clues
from .types import CAMEO_ROOTS, EVENT_TYPES

__all__ = ["CLUES", "DEFAULT_MODEL", "argument_clues", "default_tagger"]

DEFAULT_MODEL = Path(__file__).resolve().parent / "models" / "argument_tagger.npz"

TYPES = sorted(EVENT_TYPES)
SHARED = 7 + NAME_CLUES + WORD_CLUES  # the columns that open the trigger tagger's clues too
CLUES = SHARED + 2 + len(TYPES) + len(CAMEO_ROOTS) + 3
_FAR = 20  # syllables; the distance clue saturates there


def argument_clues(
    tokens: list[str],
    names: list[Run],
    words: np.ndarray,
    trigger: tuple[int, int],
    event_type: str | None,
    cameo_root: str | None = None,
    shared: np.ndarray | None = None,
) -> np.ndarray:
    """(n, CLUES) for a sentence seen from the trigger over syllables ``trigger`` (first,
    last + 1) of BKEE type ``event_type`` and CAMEO root ``cameo_root`` (None: unknown);
    ``names`` and ``words`` as the trigger tagger reads them (:mod:`.triggers`); ``shared``:
    the first :data:`SHARED` columns (shapes, names, words) where the trigger tagger's clues
    already hold them."""
    n = len(tokens)
    first, last = trigger
    marks = np.zeros((n, 2), np.float32)
    marks[first, 0] = 1
    marks[first + 1 : last, 1] = 1
    kind = np.zeros((n, len(TYPES)), np.float32)
    if event_type in EVENT_TYPES:
        kind[:, TYPES.index(event_type)] = 1
    root = np.zeros((n, len(CAMEO_ROOTS)), np.float32)
    if cameo_root in CAMEO_ROOTS:
        root[:, CAMEO_ROOTS.index(cameo_root)] = 1
    position = np.zeros((n, 3), np.float32)
    index = np.arange(n)
    position[:first, 0] = 1
    position[last:, 1] = 1
    distance = np.where(index < first, first - index, np.where(index >= last, index - last + 1, 0))
    position[:, 2] = np.minimum(distance, _FAR) / _FAR
    if shared is None:
        shared = np.concatenate([syllable_shapes(tokens), name_clues(names, n), words], axis=1)
    return np.concatenate([shared[:, :SHARED], marks, kind, root, position], axis=1)


@cache
def default_tagger() -> SequenceTagger | None:
    """The shipped tagger, loaded once; None without a usable model file."""
    return optional_head(lambda: SequenceTagger.load(DEFAULT_MODEL, CLUES, "argument_tagger"))
