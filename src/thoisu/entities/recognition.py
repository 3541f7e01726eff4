"""Learned name recognition: where the names are and of what type, to the VLSP standard.

Each syllable of a sentence (see :mod:`thoisu.encoder.component`) is read as its vector from
the shared encoder plus a few clues the rules were good at, given as inputs rather than as
overrides: its shape (capitals, digits, punctuation), whether a gazetteer name covers it (a
country, a place, an organisation), whether a title or kinship word stands before it, and
whether it is an organisation head, a unit word ("tỉnh", "quận") or a facility head. A
bidirectional LSTM reads the sentence and two linear-chain CRFs label it: one the outermost
names, one the names nested in them ("Trường ĐH Công nghiệp <TP.HCM>"), as BIO over PER,
LOC, ORG, MISC. Trained on VLSP gold (``scripts/train_joint.py``; research use, see
``models/README.md``), run here with NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from ..encoder.component import SYLLABLE, select_layers, syllable_shapes
from ..encoder.tuned import load_head, optional_head
from ..nn import (
    HEAD_BATCH_TOKENS,
    bio_runs,
    crf_head_graph,
    length_batches,
    run_head,
    session,
    viterbi_batch,
)
from ..records import Sentence
from .gazetteer import _data_lines, load_gazetteer, load_kinship, load_org_heads, load_titles

__all__ = [
    "DEFAULT_MODEL",
    "LABELS",
    "LAYERS",
    "NameRecogniser",
    "Recognised",
    "default_recogniser",
    "syllable_features",
]

DEFAULT_MODEL = Path(__file__).resolve().parent / "models" / "name_recogniser.npz"
TYPES = ("PER", "LOC", "ORG", "MISC")
LABELS = ["O", *(f"{p}-{t}" for t in TYPES for p in "BI")]
LAYERS = 2  # outermost names, and names nested one level inside them
MIN_WORDS = 2  # syllables of letters or digits a sentence needs for the recogniser to read it

_COUNTRY = frozenset({"country", "former_country"})
_PLACE = frozenset({"city", "province", "region", "sea", "island", "former_province"})
_UNIT_WORDS = ("tỉnh", "huyện", "quận", "thành phố", "tp", "thị xã", "xã", "phường",
               "thị trấn", "thủ đô", "bang", "vùng", "miền", "đảo", "sông", "núi")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Recognised:
    """A name found in a sentence: absolute offsets, VLSP type, nesting depth (0 = outer)."""

    start: int
    end: int
    type: str
    depth: int
    text: str


# --- the clues ------------------------------------------------------------------------------


@cache
def _phrase_sets() -> dict[str, frozenset[tuple[str, ...]]]:
    """Lower-cased phrases (as syllable tuples) of each lexicon the features read."""
    heads = {h for h in load_org_heads()} | {
        line.strip().lower() for line in _data_lines("lexicon", "org_heads_lower.txt")
    }
    facilities = {line.strip().lower() for line in _data_lines("lexicon", "facility_heads.txt")}
    return {
        "title": frozenset(tuple(t.split()) for t in load_titles()),
        "kin": frozenset(tuple(t.split()) for t in load_kinship()),
        "org": frozenset(tuple(h.split()) for h in heads),
        "unit": frozenset(tuple(u.split()) for u in _UNIT_WORDS),
        "facility": frozenset(tuple(f.split()) for f in facilities),
    }


def _mark_phrases(
    words: list[str], phrases: frozenset[tuple[str, ...]], longest: int
) -> np.ndarray:
    """(n, 2): B and I of the longest phrase from ``phrases`` at each position."""
    out = np.zeros((len(words), 2), np.float32)
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            if tuple(words[i : i + n]) in phrases:
                out[i, 0] = 1
                out[i + 1 : i + n, 1] = 1
                i += n
                break
        else:
            i += 1
    return out


@cache
def _alias_starts() -> dict[str, int]:
    """First syllable of each gazetteer name -> the most syllables a name starting so has."""
    starts: dict[str, int] = {}
    for alias in load_gazetteer().aliases:
        words = [m.group() for m in SYLLABLE.finditer(alias)]
        if words:
            starts[words[0]] = max(starts.get(words[0], 0), len(words))
    return starts


def _gazetteer_marks(tokens: list[str]) -> np.ndarray:
    """(n, 6): B and I of the longest gazetteer name over syllables, by kind (country,
    place, organisation)."""
    gaz = load_gazetteer()
    starts = _alias_starts()
    out = np.zeros((len(tokens), 6), np.float32)
    i = 0
    while i < len(tokens):
        for n in range(min(starts.get(tokens[i], 0), len(tokens) - i), 0, -1):
            entry = gaz.lookup(" ".join(tokens[i : i + n]))
            if entry is None:
                continue
            group = 0 if entry.kind in _COUNTRY else 1 if entry.kind in _PLACE else 2
            out[i, 2 * group] = 1
            out[i + 1 : i + n, 2 * group + 1] = 1
            i += n
            break
        else:
            i += 1
    return out


def syllable_features(tokens: list[str]) -> np.ndarray:
    """The clues of each syllable of a sentence (its syllables' texts, in order): 21 values."""
    n = len(tokens)
    if n == 0:
        return np.zeros((0, 21), np.float32)
    lower = [t.lower() for t in tokens]
    phrases = _phrase_sets()
    shape = syllable_shapes(tokens)
    before = np.zeros((n, 2), np.float32)  # a title / a kinship word just before
    for i in range(1, n):
        for k in range(1, 4):
            if i - k < 0:
                break
            phrase = tuple(lower[i - k : i])
            before[i, 0] = before[i, 0] or phrase in phrases["title"]
            before[i, 1] = before[i, 1] or phrase in phrases["kin"]
    return np.concatenate(
        [
            shape,
            _gazetteer_marks(tokens),
            before,
            _mark_phrases(lower, phrases["org"], 4),
            _mark_phrases(lower, phrases["unit"], 2),
            _mark_phrases(lower, phrases["facility"], 3),
        ],
        axis=1,
    )


# --- the model ------------------------------------------------------------------------------------


class NameRecogniser:
    """The trained recogniser: its network run by onnxruntime from the weights of its .npz
    file (projection, bidirectional LSTM, CRF emissions), Viterbi decoding in NumPy."""

    def __init__(self, model: dict[str, np.ndarray], path: Path) -> None:
        self.path = path
        self.encoder_layers = tuple(int(x) for x in model["encoder_layers"])
        self.labels = [str(x) for x in model["labels"]]
        w = {k: v.astype(np.float32) for k, v in model.items() if k.startswith("w_")}
        self._crf = (w["w_trans"], w["w_start"], w["w_end"])
        self._session = session(crf_head_graph(w, clues=21, name="name_recogniser"))

    @classmethod
    def load(cls, path: str | Path | None = None) -> NameRecogniser:
        path = Path(path) if path is not None else DEFAULT_MODEL
        return cls(load_head(path), path)

    def emissions(self, batch: list[tuple[np.ndarray, list[str]]]) -> tuple[np.ndarray, np.ndarray]:
        """CRF emission scores (B, layers, T, labels) of a batch of sentences (vectors,
        syllables), padded, and the sentences' lengths."""
        return run_head(self._session, [(v, syllable_features(t)) for v, t in batch])

    def recognise(self, sentences: list[Sentence], text: str) -> list[list[Recognised] | None]:
        """The names of each sentence (which carries ``syllables`` and ``vectors``), as
        absolute spans of the article ``text``; None for a sentence it does not read."""
        return self.recognise_many([(sentences, text)])[0]

    def recognise_many(
        self, articles: list[tuple[list[Sentence], str]]
    ) -> list[list[list[Recognised] | None]]:
        """:meth:`recognise` for several articles given as (sentences, text), their
        sentences read together: a batch of the network mixes articles, and one short
        article does not run a batch of its own. A sentence's names do not depend on the
        others in its batch."""
        out: list[list[list[Recognised] | None]] = [[None] * len(s) for s, _ in articles]
        # A sentence of one word ("Tin", "Video": a section line taken for a title) gives the
        # network no context, and VLSP has no such sentence to learn from: left to the rules.
        todo = [
            (a, i)
            for a, (sentences, text) in enumerate(articles)
            for i, s in enumerate(sentences)
            if s.vectors is not None
            and sum(text[x:y][:1].isalnum() for x, y in s.syllables) >= MIN_WORDS
        ]
        sizes = [len(articles[a][0][i].syllables) for a, i in todo]
        trans, first_scores, last_scores = self._crf
        for positions in length_batches(sizes, HEAD_BATCH_TOKENS):
            chunk = [todo[k] for k in positions]
            batch = [
                (
                    select_layers(articles[a][0][i].vectors, self.encoder_layers),
                    [articles[a][1][x:y] for x, y in articles[a][0][i].syllables],
                )
                for a, i in chunk
            ]
            scores, lengths = self.emissions(batch)
            paths = [  # per CRF layer (outer, nested names): one path per sentence
                viterbi_batch(scores[:, layer], lengths, trans[layer], first_scores[layer],
                              last_scores[layer])
                for layer in range(scores.shape[1])
            ]  # fmt: skip
            for b, (a, i) in enumerate(chunk):
                sentences, text = articles[a]
                out[a][i] = self._names(sentences[i].syllables, [p[b] for p in paths], text)
        return out

    def _names(
        self, syllables: list[tuple[int, int]], paths: list[list[int]], text: str
    ) -> list[Recognised]:
        names: list[Recognised] = []
        outer: list[tuple[int, int]] = []
        for layer, path in enumerate(paths):
            for first, last, kind in bio_runs([self.labels[k] for k in path]):
                if layer and not any(
                    a <= first and last <= b and (a, b) != (first, last) for a, b in outer
                ):
                    continue  # an inner name must lie inside an outer one
                if layer == 0:
                    outer.append((first, last))
                start, end = syllables[first][0], syllables[last - 1][1]
                names.append(Recognised(start, end, kind, layer, text[start:end]))
        return names


@cache
def default_recogniser() -> NameRecogniser | None:
    """The shipped recogniser, loaded once; None without a usable model file."""
    return optional_head(NameRecogniser.load)
