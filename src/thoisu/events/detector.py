"""Learned event trigger detector: a BiLSTM tagger over thoisu's own tokens.

Trained on BKEE train (``scripts/train_trigger_tagger.py``, with PyTorch; the model inherits
BKEE's CC BY-NC 4.0 licence, see ``models/README.md``) and run here with NumPy alone. Each
token gets a BIO label carrying the BKEE/ACE event type (``B-Attack``, ``I-Attack``, ``O``);
predicted runs of tokens are decoded back to character spans from the token offsets.

Input of each token: its word embedding (initialised from word2vec vectors learned on raw
VNTC news, then fine-tuned), the sum of its syllables' embeddings, its POS tag, its shape
(capitalisation) and thoisu's CAMEO-lexicon mark; a one-layer bidirectional LSTM reads the
sentence and a linear layer scores the labels of each token.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from ..nn import run_bilstm
from ..records import Sentence, Token

__all__ = [
    "DetectedTrigger",
    "TriggerDetector",
    "TokenInputs",
    "token_inputs",
    "default_detector",
    "decode_labels",
    "DEFAULT_MODEL",
    "MIN_CONFIDENCE",
    "MAX_SYLLABLES",
]

DEFAULT_MODEL = Path(__file__).resolve().parent / "models" / "trigger_tagger.npz"
# Predicted triggers whose least confident token has a probability below this are dropped
# (chosen on BKEE dev, see models/README.md; not stored in the model file).
MIN_CONFIDENCE = 0.4
MAX_SYLLABLES = 4  # syllables of a word that get an embedding
_BATCH_TOKENS = 2048  # padded token positions per batch of the network
_MAX_LEXICON_SPAN = 4  # tokens; the longest lexicon phrase spans at most this many
_PAD, _UNK = 0, 1


@dataclass(frozen=True, slots=True)
class DetectedTrigger:
    """A predicted trigger: absolute offsets (as ``Token`` offsets), BKEE type, surface text."""

    start: int
    end: int
    type: str
    text: str


@dataclass(frozen=True, slots=True)
class TokenInputs:
    """The symbolic inputs of each token, before they are looked up in a vocabulary."""

    words: list[str]  # lower-cased, syllables joined by "_" (word2vec's vocabulary form)
    syllables: list[list[str]]  # lower-cased, at most MAX_SYLLABLES
    pos: list[str]
    shapes: list[int]  # 1 UPPER, 2 Title, 3 lower, 4 other
    lexicon: list[str]  # thoisu's lexicon mark: "none", "B|-", "I|Attack", ...


def _shape(word: str) -> int:
    if word.isupper():
        return 1
    if word[:1].isupper():
        return 2
    return 3 if word.islower() else 4


@cache
def _lexicon() -> dict[tuple[str, ...], str]:
    """thoisu's trigger lexicon as syllables -> ACE type ("-" for CAMEO-only, "X" blockers)."""
    from . import load_triggers

    table: dict[tuple[str, ...], str] = {}
    for key, entry in load_triggers().items():
        table[key] = entry.ace_type or ("X" if entry.blocker else "-")
    return table


@cache
def _lexicon_firsts() -> frozenset[str]:
    return frozenset(key[0] for key in _lexicon() if key)


def _lexicon_marks(words: list[str]) -> list[str]:
    """The longest lexicon phrase over consecutive tokens, as a BIO mark with its type."""
    lexicon = _lexicon()
    firsts = _lexicon_firsts()
    marks = ["none"] * len(words)
    syllables = [tuple(w.split()) for w in words]
    i = 0
    while i < len(words):
        if not syllables[i] or syllables[i][0] not in firsts:
            i += 1  # no phrase starts here: skip building the candidate keys
            continue
        for n in range(min(_MAX_LEXICON_SPAN, len(words) - i), 0, -1):
            key = tuple(s for syl in syllables[i : i + n] for s in syl)
            if key in lexicon:
                kind = lexicon[key]
                marks[i] = f"B|{kind}"
                for j in range(i + 1, i + n):
                    marks[j] = f"I|{kind}"
                i += n
                break
        else:
            i += 1
    return marks


def token_inputs(tokens: list[Token]) -> TokenInputs:
    """The inputs of each token (shared by training and inference)."""
    lowered = [t.text.lower() for t in tokens]
    return TokenInputs(
        words=[w.replace(" ", "_") for w in lowered],
        syllables=[w.split()[:MAX_SYLLABLES] for w in lowered],
        pos=[t.pos for t in tokens],
        shapes=[_shape(t.text) for t in tokens],
        lexicon=_lexicon_marks(lowered),
    )


def decode_labels(tokens: list[Token], labels: list[str]) -> list[tuple[int, int, str]]:
    """BIO labels -> ``(start, end, type)`` character spans from token offsets.

    An ``I-`` that does not continue a run of the same type starts a new trigger.
    """
    spans: list[tuple[int, int, str]] = []
    current: list[int] | None = None  # [start, end] of the open run
    current_type = ""
    for token, label in zip(tokens, labels, strict=True):
        tag, _, etype = label.partition("-")
        if tag == "I" and current is not None and etype == current_type:
            current[1] = token.end
            continue
        if current is not None:
            spans.append((current[0], current[1], current_type))
            current = None
        if tag in ("B", "I"):
            current, current_type = [token.start, token.end], etype
    if current is not None:
        spans.append((current[0], current[1], current_type))
    return spans


class TriggerDetector:
    """A trained BiLSTM trigger tagger (NumPy inference over the weights of the .npz file)."""

    def __init__(self, model: dict[str, np.ndarray], path: Path, min_confidence: float) -> None:
        self.path = path
        self.min_confidence = min_confidence
        self.labels_ = [str(x) for x in model["labels"]]
        self._index = {
            name: {str(v): i for i, v in enumerate(model[f"vocab_{name}"])}
            for name in ("words", "syllables", "pos", "lexicon")
        }
        w = {k: v.astype(np.float32) for k, v in model.items() if k.startswith("w_")}
        # x @ W.T, transposed once; the two directions stacked for nn.bilstm.
        w["w_ih"] = np.ascontiguousarray(np.stack([w.pop("w_ih_f").T, w.pop("w_ih_b").T]))
        w["w_hh"] = np.ascontiguousarray(np.stack([w.pop("w_hh_f").T, w.pop("w_hh_b").T]))
        w["w_b"] = np.stack([w.pop("w_b_f"), w.pop("w_b_b")])[:, None, :]
        w["w_out"] = np.ascontiguousarray(w["w_out"].T)
        self._w = w

    @classmethod
    def load(
        cls, path: str | Path | None = None, min_confidence: float = MIN_CONFIDENCE
    ) -> TriggerDetector:
        """Open a model file (default: the shipped ``models/trigger_tagger.npz``).

        ``min_confidence``: drop predicted triggers whose least confident token has a lower
        probability (0 keeps every predicted trigger).
        """
        path = Path(path) if path is not None else DEFAULT_MODEL
        if not path.is_file():
            raise FileNotFoundError(path)
        with np.load(path, allow_pickle=False) as data:
            model = {k: data[k] for k in data.files}
        return cls(model, path, min_confidence)

    def _ids(self, name: str, values: list[str]) -> list[int]:
        index = self._index[name]
        return [index.get(v, _UNK) for v in values]

    def probabilities(self, sentences: list[list[Token]]) -> list[np.ndarray]:
        """Label probabilities (tokens x labels) of each sentence, computed as one batch."""
        # Small matrices: BLAS threads only contend (with each other and with the batch
        # workers of other processes), so the network runs on one.
        with threadpool_limits(limits=1, user_api="blas"):
            return self._probabilities(sentences)

    def _probabilities(self, sentences: list[list[Token]]) -> list[np.ndarray]:
        out = [np.zeros((0, len(self.labels_)), dtype=np.float32) for _ in sentences]
        # Sentences of similar length share a batch, and a batch holds at most
        # _BATCH_TOKENS padded positions: little padding, bounded memory on long articles.
        order = sorted((i for i, t in enumerate(sentences) if t), key=lambda i: len(sentences[i]))
        start = 0
        while start < len(order):
            end = start + 1
            while (
                end < len(order) and (end - start + 1) * len(sentences[order[end]]) <= _BATCH_TOKENS
            ):
                end += 1
            chunk = order[start:end]
            for i, probs in zip(chunk, self._batch([sentences[i] for i in chunk]), strict=True):
                out[i] = probs
            start = end
        return out

    def _batch(self, sentences: list[list[Token]]) -> list[np.ndarray]:
        w = self._w
        inputs = [token_inputs(tokens) for tokens in sentences]
        lengths = np.array([len(x.words) for x in inputs])
        steps = int(lengths.max())
        width = w["w_word"].shape[1] + w["w_syllable"].shape[1] + w["w_pos"].shape[1]
        width += w["w_shape"].shape[1] + w["w_lexicon"].shape[1]
        x = np.zeros((len(inputs), steps, width), dtype=np.float32)
        for b, inp in enumerate(inputs):
            n = len(inp.words)
            syllables = np.zeros((n, MAX_SYLLABLES), dtype=np.int64)
            for k, syls in enumerate(inp.syllables):
                syllables[k, : len(syls)] = self._ids("syllables", syls)
            x[b, :n] = np.concatenate(
                [
                    w["w_word"][self._ids("words", inp.words)],
                    w["w_syllable"][syllables].sum(axis=1),  # row 0 (padding) is zero
                    w["w_pos"][self._ids("pos", inp.pos)],
                    w["w_shape"][inp.shapes],
                    w["w_lexicon"][self._ids("lexicon", inp.lexicon)],
                ],
                axis=1,
            )
        # The backward direction reads each sentence from its own last token.
        scores = run_bilstm(x, lengths, w) @ w["w_out"] + w["w_out_b"]
        scores -= scores.max(axis=2, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(axis=2, keepdims=True)
        return [probs[b, :n] for b, n in enumerate(lengths)]

    def _labels(self, probs: np.ndarray) -> list[str]:
        labels = [self.labels_[k] for k in probs.argmax(axis=1)]
        best = probs.max(axis=1)
        # Runs of non-O labels (as decode_labels reads them); drop the unsure ones.
        i = 0
        while i < len(labels):
            if labels[i] == "O":
                i += 1
                continue
            etype = labels[i][2:]
            j = i + 1
            while j < len(labels) and labels[j] == f"I-{etype}":
                j += 1
            if best[i:j].min() < self.min_confidence:
                labels[i:j] = ["O"] * (j - i)
            i = j
        return labels

    def labels(self, tokens: list[Token]) -> list[str]:
        """BIO label of each token."""
        return self._labels(self.probabilities([tokens])[0]) if tokens else []

    def detect_many(self, sentences: list[Sentence]) -> list[list[DetectedTrigger]]:
        """Triggers of each tokenised sentence (absolute offsets), the sentences run as one
        batch: an article's sentences cost one pass of the network, not one each."""
        probs = self.probabilities([s.tokens for s in sentences])
        out = []
        for sentence, p in zip(sentences, probs, strict=True):
            spans = decode_labels(sentence.tokens, self._labels(p)) if sentence.tokens else []
            offset = sentence.start
            out.append(
                [
                    DetectedTrigger(a, b, t, sentence.text[a - offset : b - offset])
                    for a, b, t in spans
                ]
            )
        return out

    def detect(self, sentence: Sentence) -> list[DetectedTrigger]:
        """Triggers of one tokenised sentence, with absolute offsets."""
        return self.detect_many([sentence])[0]


@cache
def default_detector() -> TriggerDetector | None:
    """The shipped detector, loaded once; ``None`` when the model file is missing."""
    try:
        return TriggerDetector.load()
    except (FileNotFoundError, OSError, KeyError, ValueError):
        return None
