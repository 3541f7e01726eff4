"""Learned event trigger detector: a CRF sequence labeller over thoisu's own tokens.

Trained on BKEE train (``scripts/train_trigger_crf.py``; the model inherits BKEE's
CC BY-NC 4.0 licence, see ``models/README.md``). Each token gets a BIO label carrying the
BKEE/ACE event type (``B-Attack``, ``I-Attack``, ``O``); predicted runs of tokens are
decoded back to character spans from the token offsets.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from ..records import Sentence, Token

__all__ = [
    "DetectedTrigger",
    "TriggerDetector",
    "default_detector",
    "sentence_features",
    "decode_labels",
    "DEFAULT_MODEL",
    "MIN_CONFIDENCE",
]

DEFAULT_MODEL = Path(__file__).resolve().parent / "models" / "trigger_crf.bin"

# Closed-class words that announce an event nearby: passive/aspect markers and the
# classifiers that turn a verb into an event noun ("vụ tấn công", "cuộc họp").
FUNCTION_WORDS = frozenset(
    "bị được đã sẽ đang vừa mới vụ cuộc việc sự lễ chuyến trận đợt khi sau trước bằng "
    "tiến hành quyết định tuyên bố đề nghị kêu gọi".split()
)
# Words whose presence just before a token hints at a verb/event noun ("bị bắt", "vụ nổ").
_PRE = frozenset("bị được đã sẽ vụ cuộc các những đang vừa mới".split())
# Predicted triggers whose least confident token has a marginal probability below this are
# dropped (chosen on BKEE dev: F1 is flat from 0.55 to 0.7, +0.7 over plain Viterbi).
MIN_CONFIDENCE = 0.6
_MAX_LEXICON_SPAN = 4  # tokens; the longest lexicon phrase spans at most this many


@dataclass(frozen=True, slots=True)
class DetectedTrigger:
    """A predicted trigger: absolute offsets (as ``Token`` offsets), BKEE type, surface text."""

    start: int
    end: int
    type: str
    text: str


def _shape(word: str) -> str:
    if word.isupper():
        return "UPPER"
    if word[:1].isupper():
        return "Title"
    if word.islower():
        return "lower"
    return "other"


@cache
def _lexicon() -> dict[tuple[str, ...], str]:
    """thoisu's trigger lexicon as syllables -> ACE type ("-" for CAMEO-only, "X" blockers)."""
    from . import load_triggers

    table: dict[tuple[str, ...], str] = {}
    for key, entry in load_triggers().items():
        table[key] = entry.ace_type or ("X" if entry.blocker else "-")
    return table


def _lexicon_marks(words: list[str]) -> list[list[str]]:
    """Lexicon features per token: longest phrase match over consecutive tokens (BIO)."""
    lexicon = _lexicon()
    marks: list[list[str]] = [[] for _ in words]
    syllables = [tuple(w.split()) for w in words]
    i = 0
    while i < len(words):
        best = 0
        for n in range(min(_MAX_LEXICON_SPAN, len(words) - i), 0, -1):
            key = tuple(s for syl in syllables[i : i + n] for s in syl)
            if key in lexicon:
                best = n
                kind = lexicon[key]
                break
        if best:
            marks[i] += ["lex=B", f"lex:type={kind}"]
            for j in range(i + 1, i + best):
                marks[j] += ["lex=I", f"lex:type={kind}"]
            i += best
        else:
            i += 1
    return marks


def sentence_features(tokens: list[Token]) -> list[list[str]]:
    """CRF features of each token (shared by training and inference)."""
    words = [t.text.lower() for t in tokens]
    pos = [t.pos for t in tokens]
    lex = _lexicon_marks(words)
    n = len(tokens)

    def word_at(i: int) -> str:
        return words[i] if 0 <= i < n else ("<s>" if i < 0 else "</s>")

    def pos_at(i: int) -> str:
        return pos[i] if 0 <= i < n else ("<s>" if i < 0 else "</s>")

    feats: list[list[str]] = []
    for i, token in enumerate(tokens):
        w = words[i]
        syls = w.split()
        f = [
            "bias",
            f"w={w}",
            f"pos={pos[i]}",
            f"shape={_shape(token.text)}",
            f"nsyl={min(len(syls), 4)}",
            f"first={syls[0] if syls else ''}",
            f"last={syls[-1] if syls else ''}",
            f"w|pos={w}|{pos[i]}",
        ]
        f += [f"syl={s}" for s in syls]
        if any(ch.isdigit() for ch in w):
            f.append("digit")
        for d in (-2, -1, 1, 2):
            f.append(f"w[{d}]={word_at(i + d)}")
            f.append(f"pos[{d}]={pos_at(i + d)}")
        f.append(f"w[-1]|w={word_at(i - 1)}|{w}")
        f.append(f"w|w[1]={w}|{word_at(i + 1)}")
        f.append(f"pos[-1]|pos={pos_at(i - 1)}|{pos[i]}")
        f.append(f"pos|pos[1]={pos[i]}|{pos_at(i + 1)}")
        f += lex[i]
        # wider context: window +-3, POS n-grams, neighbours' syllables, syllable bigrams,
        # prefix/suffix and the aspect/classifier words before the token
        for d in (-3, 3):
            f.append(f"w[{d}]={word_at(i + d)}")
            f.append(f"pos[{d}]={pos_at(i + d)}")
        f.append(f"pos[-2]|pos[-1]={pos_at(i - 2)}|{pos_at(i - 1)}")
        f.append(f"pos[1]|pos[2]={pos_at(i + 1)}|{pos_at(i + 2)}")
        f.append(f"pos[-1]|pos|pos[1]={pos_at(i - 1)}|{pos[i]}|{pos_at(i + 1)}")
        f.append(f"w[-1]|pos={word_at(i - 1)}|{pos[i]}")
        f.append(f"pos|w[1]={pos[i]}|{word_at(i + 1)}")
        for d in (-1, 1):
            f += [f"syl[{d}]={s}" for s in word_at(i + d).split()]
        if len(syls) > 1:
            f += [f"bi={a}_{b}" for a, b in pairwise(syls)]
        f.append(f"p3={w[:3]}")
        f.append(f"s3={w[-3:]}")
        for d in (-3, -2, -1):
            if word_at(i + d) in _PRE:
                f.append(f"pre[{d}]={word_at(i + d)}")
        for d in (-2, -1, 1):
            if word_at(i + d) in FUNCTION_WORDS:
                f.append(f"fn[{d}]={word_at(i + d)}")
        if w in FUNCTION_WORDS:
            f.append("is_fn")
        feats.append(f)
    return feats


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
    """A trained CRF trigger labeller (python-crfsuite)."""

    def __init__(self, tagger: object, path: Path, min_confidence: float = MIN_CONFIDENCE) -> None:
        self._tagger = tagger
        self.path = path
        self.min_confidence = min_confidence

    @classmethod
    def load(
        cls, path: str | Path | None = None, min_confidence: float = MIN_CONFIDENCE
    ) -> TriggerDetector:
        """Open a model file (default: the shipped ``models/trigger_crf.bin``).

        ``min_confidence``: drop predicted triggers whose least confident token has a lower
        marginal probability (0 keeps the plain Viterbi output).
        """
        import pycrfsuite

        path = Path(path) if path is not None else DEFAULT_MODEL
        if not path.is_file():
            raise FileNotFoundError(path)
        tagger = pycrfsuite.Tagger()
        tagger.open(str(path))
        return cls(tagger, path, min_confidence)

    def labels(self, tokens: list[Token]) -> list[str]:
        """BIO label of each token."""
        if not tokens:
            return []
        tagger: Any = self._tagger
        labels = list(tagger.tag(sentence_features(tokens)))
        if self.min_confidence <= 0:
            return labels
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
            if min(tagger.marginal(labels[k], k) for k in range(i, j)) < self.min_confidence:
                labels[i:j] = ["O"] * (j - i)
            i = j
        return labels

    def detect(self, sentence: Sentence) -> list[DetectedTrigger]:
        """Triggers of a tokenised sentence, with absolute offsets."""
        tokens = sentence.tokens
        return [
            DetectedTrigger(
                start, end, etype, sentence.text[start - sentence.start : end - sentence.start]
            )
            for start, end, etype in decode_labels(tokens, self.labels(tokens))
        ]


@cache
def default_detector() -> TriggerDetector | None:
    """The shipped detector, loaded once; ``None`` when the model file (or crfsuite) is missing."""
    try:
        return TriggerDetector.load()
    except (FileNotFoundError, ImportError, OSError):
        return None
