"""Learned name recognition: where the names are and of what type, to the VLSP standard.

Each syllable of a sentence (see :mod:`thoisu.encoder.component`) is read as its vector from
the shared encoder plus a few clues the rules were good at, given as inputs rather than as
overrides: its shape (capitals, digits, punctuation), whether a gazetteer name covers it (a
country, a place, an organisation), whether a title or kinship word stands before it, and
whether it is an organisation head, a unit word ("tỉnh", "quận") or a facility head. A
bidirectional LSTM reads the sentence and two linear-chain CRFs label it: one the outermost
names, one the names nested in them ("Trường ĐH Công nghiệp <TP.HCM>"), as BIO over PER,
LOC, ORG, MISC. Trained on VLSP gold (``scripts/train_ner.py``; research use, see
``models/README.md``), run here with NumPy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from ..encoder.component import SYLLABLE
from ..nn import onnx_lstm_weights, session, viterbi
from ..records import Sentence
from .gazetteer import _data_lines, load_gazetteer, load_kinship, load_org_heads, load_titles

__all__ = [
    "DEFAULT_MODEL",
    "LABELS",
    "LAYERS",
    "NameRecogniser",
    "Recognised",
    "default_recogniser",
    "decode",
    "syllable_features",
]

DEFAULT_MODEL = Path(__file__).resolve().parent / "models" / "name_recogniser.npz"
TYPES = ("PER", "LOC", "ORG", "MISC")
LABELS = ["O", *(f"{p}-{t}" for t in TYPES for p in "BI")]
LAYERS = 2  # outermost names, and names nested one level inside them
_BATCH_TOKENS = 4096
MIN_WORDS = 2  # syllables of letters or digits a sentence needs for the recogniser to read it

_COUNTRY = frozenset({"country", "former_country"})
_PLACE = frozenset({"city", "province", "region", "sea", "island", "former_province"})
_UNIT_WORDS = ("tỉnh", "huyện", "quận", "thành phố", "tp", "thị xã", "xã", "phường",
               "thị trấn", "thủ đô", "bang", "vùng", "miền", "đảo", "sông", "núi")  # fmt: skip
_OPENERS = frozenset("\"“‘'(«[-–—")
_HAS_DIGIT = re.compile(r"\d")


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
    shape = np.zeros((n, 7), np.float32)
    for i, t in enumerate(tokens):
        alpha = t[:1].isalpha()
        shape[i] = (
            alpha and t[:1].isupper(),
            alpha and len(t) > 1 and t.isupper(),
            bool(_HAS_DIGIT.search(t)),
            not t[:1].isalnum(),
            i == 0,
            i > 0 and tokens[i - 1] in _OPENERS,
            t.islower(),
        )
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


# --- decoding ---------------------------------------------------------------------------------


def decode(labels: list[str]) -> list[tuple[int, int, str]]:
    """BIO labels over syllables -> (first, last + 1, type) runs; an I- that does not continue
    a run of its type starts one."""
    runs: list[tuple[int, int, str]] = []
    open_run: list | None = None
    for i, label in enumerate([*labels, "O"]):
        tag, _, kind = label.partition("-")
        if tag == "I" and open_run is not None and open_run[2] == kind:
            open_run[1] = i + 1
            continue
        if open_run is not None:
            runs.append((open_run[0], open_run[1], open_run[2]))
            open_run = None
        if tag in ("B", "I"):
            open_run = [i, i + 1, kind]
    return runs


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
        self._session = session(_head_graph(w))

    @classmethod
    def load(cls, path: str | Path | None = None) -> NameRecogniser:
        path = Path(path) if path is not None else DEFAULT_MODEL
        with np.load(path, allow_pickle=False) as data:
            return cls({k: data[k] for k in data.files}, path)

    def emissions(self, batch: list[tuple[np.ndarray, list[str]]]) -> list[np.ndarray]:
        """CRF emission scores (layers, n, labels) of each sentence (vectors, syllables)."""
        lengths = np.array([len(tokens) for _, tokens in batch], dtype=np.int32)
        steps = int(lengths.max())
        width = batch[0][0].shape[1]
        vectors = np.zeros((len(batch), steps, width), np.float32)
        clues = np.zeros((len(batch), steps, 21), np.float32)
        for b, (v, tokens) in enumerate(batch):
            vectors[b, : len(tokens)] = v
            clues[b, : len(tokens)] = syllable_features(tokens)
        scores = self._session.run(
            ["emissions"], {"vectors": vectors, "clues": clues, "lengths": lengths}
        )[0]
        return [scores[b, :, :n] for b, n in enumerate(lengths)]

    def recognise(self, sentences: list[Sentence], text: str) -> list[list[Recognised] | None]:
        """The names of each sentence (which carries ``syllables`` and ``vectors``), as
        absolute spans of the article ``text``; None for a sentence it does not read."""
        out: list[list[Recognised] | None] = [None] * len(sentences)
        # A sentence of one word ("Tin", "Video": a section line taken for a title) gives the
        # network no context, and VLSP has no such sentence to learn from: left to the rules.
        todo = [
            i
            for i, s in enumerate(sentences)
            if s.vectors is not None
            and sum(text[a:b][:1].isalnum() for a, b in s.syllables) >= MIN_WORDS
        ]
        todo.sort(key=lambda i: len(sentences[i].syllables))
        start = 0
        while start < len(todo):
            end = start + 1
            while (
                end < len(todo)
                and (end - start + 1) * len(sentences[todo[end]].syllables) <= _BATCH_TOKENS
            ):
                end += 1
            chunk = todo[start:end]
            batch = [
                (sentences[i].vectors, [text[a:b] for a, b in sentences[i].syllables])
                for i in chunk
            ]
            for i, scores in zip(chunk, self.emissions(batch), strict=True):
                out[i] = self._names(sentences[i].syllables, scores, text)
            start = end
        return out

    def _names(
        self, syllables: list[tuple[int, int]], scores: np.ndarray, text: str
    ) -> list[Recognised]:
        trans, first_scores, last_scores = self._crf
        names: list[Recognised] = []
        outer: list[tuple[int, int]] = []
        for layer in range(scores.shape[0]):
            path = viterbi(scores[layer], trans[layer], first_scores[layer], last_scores[layer])
            for first, last, kind in decode([self.labels[k] for k in path]):
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
    """The shipped recogniser, loaded once; None when its model file is missing."""
    try:
        return NameRecogniser.load()
    except (FileNotFoundError, OSError, KeyError, ValueError):
        return None


def _head_graph(w: dict[str, np.ndarray]) -> bytes:
    """The network as an ONNX graph: inputs ``vectors`` [B, T, D], ``clues`` [B, T, 21],
    ``lengths`` [B] (int32); output ``emissions`` [B, LAYERS, T, labels]."""
    from onnx import TensorProto, helper, numpy_helper

    hidden = w["w_hh_f"].shape[1]
    layers, labels = w["w_out"].shape[0], w["w_out"].shape[1]
    lstm_w, lstm_r, lstm_b = onnx_lstm_weights(
        (w["w_ih_f"], w["w_hh_f"], w["w_b_f"]), (w["w_ih_b"], w["w_hh_b"], w["w_b_b"])
    )
    out = np.ascontiguousarray(np.transpose(w["w_out"], (2, 0, 1)).reshape(2 * hidden, -1))
    inits = {
        "proj_w": np.ascontiguousarray(w["w_proj"].T), "proj_b": w["w_proj_b"],
        "lstm_w": lstm_w, "lstm_r": lstm_r, "lstm_b": lstm_b,
        "out_w": out, "out_b": w["w_out_b"].reshape(-1),
        "shape_states": np.array([0, 0, 2 * hidden], dtype=np.int64),
        "shape_scores": np.array([0, 0, layers, labels], dtype=np.int64),
    }  # fmt: skip
    nodes = [
        helper.make_node("MatMul", ["vectors", "proj_w"], ["p0"]),
        helper.make_node("Add", ["p0", "proj_b"], ["p1"]),
        helper.make_node("Tanh", ["p1"], ["p2"]),
        helper.make_node("Concat", ["p2", "clues"], ["x"], axis=-1),
        helper.make_node("Transpose", ["x"], ["x_t"], perm=[1, 0, 2]),  # time first
        helper.make_node("LSTM", ["x_t", "lstm_w", "lstm_r", "lstm_b", "lengths"], ["y"],
                         direction="bidirectional", hidden_size=hidden),  # [T, 2, B, H]
        helper.make_node("Transpose", ["y"], ["y_b"], perm=[2, 0, 1, 3]),
        helper.make_node("Reshape", ["y_b", "shape_states"], ["states"]),  # [B, T, 2H]
        helper.make_node("MatMul", ["states", "out_w"], ["s0"]),
        helper.make_node("Add", ["s0", "out_b"], ["s1"]),
        helper.make_node("Reshape", ["s1", "shape_scores"], ["s2"]),
        helper.make_node("Transpose", ["s2"], ["emissions"], perm=[0, 2, 1, 3]),
    ]  # fmt: skip
    graph = helper.make_graph(
        nodes, "name_recogniser",
        [helper.make_tensor_value_info("vectors", TensorProto.FLOAT, ["B", "T", None]),
         helper.make_tensor_value_info("clues", TensorProto.FLOAT, ["B", "T", 21]),
         helper.make_tensor_value_info("lengths", TensorProto.INT32, ["B"])],
        [helper.make_tensor_value_info("emissions", TensorProto.FLOAT, ["B", layers, "T", labels])],
        [numpy_helper.from_array(np.asarray(v), k) for k, v in inits.items()],
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    return model.SerializeToString()
