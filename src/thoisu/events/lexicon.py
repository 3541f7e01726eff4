"""The Vietnamese trigger lexicon (``data/triggers.tsv``): phrases coded in CAMEO (and ACE).

It names the political actions ACE and BKEE lack (statements, appeals, threats, sanctions,
deployments, ...) and gives the specific CAMEO code of a phrase the learned tagger finds.
A phrase is matched over syllables, longest first; a blocker ("bắt đầu") hides the shorter
trigger inside it. Whether a match is an event at all is not the lexicon's call: its marks
are clues for the tagger (:mod:`.triggers`) and every candidate goes through the same
context check (:mod:`.realis`).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from .types import CAMEO_ROOTS

__all__ = ["LexiconHit", "TriggerEntry", "ace_to_cameo", "find_phrases", "lexicon_clues",
           "load_triggers"]  # fmt: skip

# B and I of an ACE-typed phrase, of a CAMEO-only one, of a blocker; then the CAMEO root of
# the phrase's code (one of 20) over its syllables
LEXICON_CLUES = 6 + len(CAMEO_ROOTS)


@dataclass(frozen=True, slots=True)
class TriggerEntry:
    phrase: str
    cameo: str | None  # None: an ACE-only trigger (Die, Injure, ...) or a blocker
    ace_type: str | None
    objects: tuple[str, ...]  # one of these must follow the trigger closely

    @property
    def blocker(self) -> bool:
        return self.cameo is None and self.ace_type is None


@dataclass(frozen=True, slots=True)
class LexiconHit:
    """A lexicon phrase over syllables ``first`` to ``last`` (exclusive) of a sentence."""

    first: int
    last: int
    entry: TriggerEntry


@cache
def load_triggers() -> dict[tuple[str, ...], TriggerEntry]:
    """Trigger syllables (lower-case) -> entry."""
    text = resources.files("thoisu.events").joinpath("data", "triggers.tsv").read_text("utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    table: dict[tuple[str, ...], TriggerEntry] = {}
    for row in csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        row += [""] * (4 - len(row))
        phrase, code, ace, objects = (c.strip() for c in row[:4])
        key = tuple(phrase.lower().split())
        table[key] = TriggerEntry(
            phrase,
            None if code in ("", "-") else code,
            ace or None,
            tuple(o.strip().lower() for o in objects.split("|") if o.strip()),
        )
    return table


@cache
def _starts() -> dict[str, int]:
    """First syllable of each phrase -> the most syllables a phrase starting so has."""
    starts: dict[str, int] = {}
    for key in load_triggers():
        if key:
            starts[key[0]] = max(starts.get(key[0], 0), len(key))
    return starts


def find_phrases(lowered: list[str]) -> list[LexiconHit]:
    """Lexicon phrases over a sentence's lower-cased syllables, longest first, blockers
    included (a phrase whose ``objects`` do not follow within 4 syllables is skipped)."""
    table, starts = load_triggers(), _starts()
    hits: list[LexiconHit] = []
    i = 0
    while i < len(lowered):
        for n in range(min(starts.get(lowered[i], 0), len(lowered) - i), 0, -1):
            entry = table.get(tuple(lowered[i : i + n]))
            if entry is None:
                continue
            if entry.objects:
                window = " ".join(lowered[i + n : i + n + 4])
                if not any(
                    re.search(rf"(?<!\w){re.escape(o)}(?!\w)", window) for o in entry.objects
                ):
                    continue
            hits.append(LexiconHit(i, i + n, entry))
            i += n
            break
        else:
            i += 1
    return hits


def lexicon_clues(hits: list[LexiconHit], n: int) -> np.ndarray:
    """(n, LEXICON_CLUES): B and I of the phrases found, by kind (ACE-typed, CAMEO-only,
    blocker), and the CAMEO root of each phrase's code: clues the trigger tagger weighs
    against the context (a root it has seen few examples of is still suggested)."""
    out = np.zeros((n, LEXICON_CLUES), np.float32)
    for hit in hits:
        entry = hit.entry
        group = 2 if entry.blocker else 0 if entry.ace_type else 1
        out[hit.first, 2 * group] = 1
        out[hit.first + 1 : hit.last, 2 * group + 1] = 1
        if entry.cameo:
            out[hit.first : hit.last, 6 + CAMEO_ROOTS.index(entry.cameo[:2])] = 1
    return out


@cache
def ace_to_cameo() -> dict[str, tuple[str | None, str | None]]:
    """ACE type -> (CAMEO code, CAMEO code when the event has an acting source)."""
    text = resources.files("thoisu.events").joinpath("data", "ace_to_cameo.tsv").read_text("utf-8")
    table = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            cells = (line.split("\t") + ["", "", ""])[:3]
            table[cells[0].strip()] = (cells[1].strip() or None, cells[2].strip() or None)
    return table
