"""Learned argument roles: who acts, on whom, where, read from the sentence around a trigger.

For each trigger the sentence is read again by a second head, whose clues mark the trigger,
give its BKEE type (blank for a CAMEO-only trigger: the head is trained with the type left
out one time in five), each syllable's side of and distance from the trigger, the
recognised names and the syllable shapes. Its CRF labels spans with the BKEE/ACE roles that
thoisu maps to ``source``, ``target`` and ``location`` (:data:`ROLES`); the finer role stays
in the record. Passive and "suffer" constructions (bị, được, hứng chịu) are learned from the
data rather than written as rules. Trained on BKEE train, tuned on BKEE dev
(``scripts/train_events.py arguments``; CC BY-NC 4.0).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

from ..encoder.component import syllable_shapes
from ..evaluation.bkee import EVENT_TYPES
from ..nn import SequenceTagger
from .triggers import NAME_CLUES, WORD_CLUES, Run, name_clues

__all__ = ["CLUES", "DEFAULT_MODEL", "ROLES", "argument_clues", "default_tagger"]

DEFAULT_MODEL = Path(__file__).resolve().parent / "models" / "argument_tagger.npz"

# BKEE/ACE role -> thoisu role: agent-like roles are the source, patient-like ones the
# target, places the location. Other BKEE roles (time, instrument, money, ...) are not read.
ROLES = {
    "Attacker": "source", "Agent": "source", "Giver": "source", "Seller": "source",
    "Plaintiff": "source", "Prosecutor": "source", "Adjudicator": "source", "Entity": "source",
    "Target": "target", "Victim": "target", "Person": "target", "Recipient": "target",
    "Buyer": "target", "Defendant": "target", "Artifact": "target", "Org": "target",
    "Beneficiary": "target",
    "Place": "location", "Destination": "location", "Origin": "location",
}  # fmt: skip

TYPES = sorted(EVENT_TYPES)
SHARED = 7 + NAME_CLUES + WORD_CLUES  # the columns that open the trigger tagger's clues too
CLUES = SHARED + 2 + len(TYPES) + 3
_FAR = 20  # syllables; the distance clue saturates there


def argument_clues(
    tokens: list[str],
    names: list[Run],
    words: np.ndarray,
    trigger: tuple[int, int],
    event_type: str | None,
    shared: np.ndarray | None = None,
) -> np.ndarray:
    """(n, CLUES) for a sentence seen from the trigger over syllables ``trigger`` (first,
    last + 1) of BKEE type ``event_type`` (None: unknown); ``names`` and ``words`` as the
    trigger tagger reads them (:mod:`.triggers`); ``shared``: the first :data:`SHARED`
    columns (shapes, names, words) where the trigger tagger's clues already hold them."""
    n = len(tokens)
    first, last = trigger
    marks = np.zeros((n, 2), np.float32)
    marks[first, 0] = 1
    marks[first + 1 : last, 1] = 1
    kind = np.zeros((n, len(TYPES)), np.float32)
    if event_type in EVENT_TYPES:
        kind[:, TYPES.index(event_type)] = 1
    position = np.zeros((n, 3), np.float32)
    index = np.arange(n)
    position[:first, 0] = 1
    position[last:, 1] = 1
    distance = np.where(index < first, first - index, np.where(index >= last, index - last + 1, 0))
    position[:, 2] = np.minimum(distance, _FAR) / _FAR
    if shared is None:
        shared = np.concatenate([syllable_shapes(tokens), name_clues(names, n), words], axis=1)
    return np.concatenate([shared[:, :SHARED], marks, kind, position], axis=1)


@cache
def default_tagger() -> SequenceTagger | None:
    """The shipped tagger, loaded once; None when its model file is missing."""
    try:
        return SequenceTagger.load(DEFAULT_MODEL, CLUES, "argument_tagger")
    except (FileNotFoundError, OSError, KeyError, ValueError):
        return None
