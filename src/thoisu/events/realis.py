"""Is it an event that happened? A learned decision for every trigger candidate.

A candidate (a trigger of the learned tagger or a lexicon phrase) is classed as:

* ``actual``: said to have happened or to be happening (hearsay included);
* ``future``: planned, intended, announced, demanded, a purpose ("để", "nhằm");
* ``hypothetical``: conditional, possible, feared, prevented;
* ``negated``: said not to have happened, refused, failed;
* ``generic``: habitual, general, a rule or a statistic ("thường chỉ trích", "luật cho phép");
* ``not_event``: no event here: a noun naming people or things ("người biểu tình",
  "oanh tạc cơ"), a level, part of another word, a figure of speech.

Its input is the encoder's vectors (the mean over the trigger's syllables, over the five
syllables before it and over the three after it), whether the tagger gave it an ACE type, and
a few closed-class cue words before the trigger (negation, modality, purpose, habit, a person
or event classifier). A multinomial logistic regression; trained on 1,200 candidates labelled
by hand (``data/realis_labels.jsonl``: BKEE train and dev triggers, VNTC lexicon matches;
``scripts/train_joint.py``, with the dyad corpus's certainties and non-events). PLOVER keeps
such mentions out of its event data: thoisu drops ``generic`` and ``not_event`` candidates
and turns the rest into ``certainty``.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import numpy as np

from ..encoder.tuned import load_head, optional_head
from ..records import Certainty

__all__ = [
    "DEFAULT_MODEL",
    "EVENT_LABELS",
    "LABELS",
    "RealisClassifier",
    "certainty",
    "default_classifier",
    "realis_features",
]

DEFAULT_MODEL = Path(__file__).resolve().parent / "models" / "realis.npz"
LABELS = ("actual", "future", "hypothetical", "negated", "generic", "not_event")
EVENT_LABELS = frozenset({"actual", "future", "hypothetical", "negated"})
_BEFORE, _AFTER = 5, 3

# Closed-class cues, read in the few syllables before the trigger (lower-cased, joined).
_CUES = [
    re.compile(p)
    for p in (
        r"(?:^| )(?:không|chưa|chẳng|chả|đừng|chớ)(?: \w+){0,2}$",  # negation
        r"(?:^| )(?:sẽ|sắp|dự kiến|dự định|kế hoạch|định|muốn|nhằm|để)(?: \w+){0,3}$",  # plans
        r"(?:^| )(?:có thể|nếu|giả sử|e rằng|nguy cơ|tránh|ngăn chặn|ngăn)(?: \w+){0,3}$",
        r"(?:^| )(?:thường|hay|luôn|thường xuyên|mỗi khi|được phép|cho phép|cấm)(?: \w+){0,3}$",
        r"(?:^| )(?:người|kẻ|tên|nhà|những người|các|giới)$",  # a noun naming people
        r"(?:^| )(?:cuộc|vụ|lời|sự|việc|chuyến|hành động)$",  # an event noun
        r"(?:^| )(?:đã|vừa|mới|đang)(?: \w+){0,2}$",  # aspect: done or going on
        r"(?:^| )(?:yêu cầu|kêu gọi|đề nghị|đòi|buộc)(?: \w+){0,4}$",  # demanded
    )
]
FEATURES = 3 * 384 + 1 + len(_CUES) + 1


def realis_features(
    tokens: list[str], vectors: np.ndarray, first: int, last: int, typed: bool
) -> np.ndarray:
    """The classifier's input for the candidate over syllables ``first`` to ``last``
    (exclusive) of a sentence (its syllables' texts and vectors); ``typed``: the trigger
    tagger gave it an ACE type."""
    width = vectors.shape[1]

    def mean(a: int, b: int) -> np.ndarray:
        a, b = max(a, 0), min(b, len(tokens))
        return vectors[a:b].mean(axis=0) if b > a else np.zeros(width, np.float32)

    before = " ".join(t.lower() for t in tokens[max(0, first - 6) : first])
    cues = [bool(c.search(before)) for c in _CUES]
    question = any(t == "?" for t in tokens[last:])
    return np.concatenate(
        [
            mean(first, last),
            mean(first - _BEFORE, first),
            mean(last, last + _AFTER),
            np.array([typed, *cues, question], np.float32),
        ]
    ).astype(np.float32)


class RealisClassifier:
    """The trained classifier: a standardisation and one linear layer, softmax."""

    def __init__(self, model: dict[str, np.ndarray]) -> None:
        self.labels = tuple(str(x) for x in model["labels"])
        self._mean, self._scale = model["mean"], model["scale"]
        self._w, self._b = model["w"], model["b"]

    @classmethod
    def load(cls, path: str | Path | None = None) -> RealisClassifier:
        return cls(load_head(path or DEFAULT_MODEL))

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """(n, len(labels)) for (n, FEATURES) inputs."""
        scores = ((features - self._mean) / self._scale) @ self._w + self._b
        scores -= scores.max(axis=1, keepdims=True)
        p = np.exp(scores)
        return p / p.sum(axis=1, keepdims=True)

    def classify(self, features: np.ndarray) -> list[tuple[str, float]]:
        """The label and its probability for each candidate."""
        if len(features) == 0:
            return []
        p = self.probabilities(features)
        return [(self.labels[k], float(p[i, k])) for i, k in enumerate(p.argmax(axis=1))]


@cache
def default_classifier() -> RealisClassifier | None:
    """The shipped classifier, loaded once; None without a usable model file."""
    return optional_head(RealisClassifier.load)


# --- certainty: the label, with the few cues rules read more surely than 27 examples teach ---

_POSSIBLE = re.compile(
    r"(?<!\w)(có thể|dường như|dự kiến|có khả năng|có lẽ|nhiều khả năng|e rằng|hy vọng|hi vọng|"
    r"dự định|lên kế hoạch|định|tính|sẽ cân nhắc|đang xem xét)(?!\w)",
    re.I,
)
# "sẽ đàm phán", "muốn ủng hộ": a planned or wished-for event has not happened yet.
_INTENT = re.compile(r"(?<!\w)(?:sẽ|muốn|định|dự định)(?:\s+\w+){0,2}\s*$", re.I)
_UNCERTAIN_SENTENCE = re.compile(
    r"(?<!\w)(không rõ liệu|chưa rõ|không rõ|chưa có kế hoạch|chưa quyết định|chưa được xác nhận|liệu)(?!\w)",
    re.I,
)
_NEGATORS = frozenset({"không", "chưa", "chẳng", "đừng", "chớ"})
# Words allowed between a negation and the trigger it negates: "không muốn ủng hộ".
_NEGATION_BRIDGE = frozenset(
    "muốn thể được cần có sẽ đã đang phải thông qua việc định cho hề bao giờ từng kịp dám chịu bị ai còn".split()
)
_WORD = re.compile(r"\w+")


def certainty(label: str, before: str, sentence: str, hearsay: bool, statement: bool) -> Certainty:
    """The event's certainty from its realis ``label`` and its context: ``before`` is the
    clause up to the trigger, ``sentence`` the whole sentence; ``hearsay``: an anonymous
    source or a hearsay marker; ``statement``: a CAMEO 01 or 04 code (a statement about
    something unsure is still made)."""
    if sentence.rstrip().endswith("?"):
        return "question"
    words = _WORD.findall(before.lower())
    for k in range(len(words) - 1, max(-1, len(words) - 7), -1):
        if words[k] in _NEGATORS:
            if all(w in _NEGATION_BRIDGE for w in words[k + 1 :]):
                return "negated"
            break
    if label == "negated":
        return "negated"
    if hearsay:
        return "reported"
    if label in ("future", "hypothetical"):
        return "possible"
    # A hedge rarely reaches across a comma; a future or wish marker only right before the verb.
    if _POSSIBLE.search(before.rsplit(",", 1)[-1]) or _INTENT.search(before[-80:]):
        return "possible"
    if _UNCERTAIN_SENTENCE.search(sentence) and not statement:
        return "possible"
    return "asserted"
