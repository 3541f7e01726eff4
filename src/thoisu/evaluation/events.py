"""Event trigger scoring on BKEE: thoisu's events next to two lexicon baselines.

A trigger is a ``(doc_id, start, end, type)`` tuple with character offsets into
``BkeeDocument.text``. Identification counts a span match; classification also needs the
type. Duplicate tuples (several gold events sharing one trigger) count once.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from .bkee import BkeeDocument, read_split
from .metrics import prf

__all__ = [
    "Trigger",
    "analyse_split",
    "evaluate_lexicon_baseline",
    "evaluate_pipeline_lexicon",
    "evaluate_pipeline_triggers",
    "gold_triggers",
    "score_triggers",
]

Trigger = tuple[str, int, int, str]  # doc_id, start, end, type
_SYLLABLE = re.compile(r"\w+")


def score_triggers(gold: Iterable[Trigger], predicted: Iterable[Trigger]) -> dict[str, Any]:
    """Identification (span) and classification (span + type) P/R/F1, in percent, and per type."""
    gold_set, pred_set = set(gold), set(predicted)
    gold_spans = {t[:3] for t in gold_set}
    pred_spans = {t[:3] for t in pred_set}
    per_type: dict[str, dict[str, float]] = {}
    for etype in sorted({t[3] for t in gold_set | pred_set}):
        g = {t for t in gold_set if t[3] == etype}
        p = {t for t in pred_set if t[3] == etype}
        per_type[etype] = prf(len(g & p), len(p), len(g))
    return {
        "identification": prf(len(gold_spans & pred_spans), len(pred_spans), len(gold_spans)),
        "classification": prf(len(gold_set & pred_set), len(pred_set), len(gold_set)),
        "per_type": per_type,
    }


def gold_triggers(docs: Iterable[BkeeDocument]) -> list[Trigger]:
    """Every gold trigger of the documents."""
    return [
        (doc.id, ev.trigger.start, ev.trigger.end, ev.type) for doc in docs for ev in doc.events
    ]


def _documents(split: str, limit: int | None) -> list[BkeeDocument]:
    docs = list(read_split(split))
    return docs[:limit] if limit is not None else docs


_SPACE_LIKE = frozenset(
    "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u200c\u200d\u2060\ufeff\t"
)


def _normalise(text: str) -> tuple[str, list[int], list[int]]:
    """NFC, one tone-mark convention and plain spaces, as ``thoisu.clean`` gives the pipeline,
    with each output character's original ``(start, end)`` (BKEE is not all NFC and has
    old-style tones such as "thuỷ", which underthesea rewrites and thoisu then cannot align).
    """
    from ..clean import normalize_tones

    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        chunk = " " if text[i] in _SPACE_LIKE else unicodedata.normalize("NFC", text[i:j])
        for ch in chunk:
            out.append(ch)
            starts.append(i)
            ends.append(j)
        i = j
    return normalize_tones("".join(out)), starts, ends


def analyse_split(split: str = "dev", limit: int | None = None) -> list[tuple[BkeeDocument, Any]]:
    """Each BKEE document (lines as paragraphs) and thoisu's analysis of it: the whole
    pipeline, as a user runs it."""
    from ..pipeline import analyze_article

    return [(doc, analyze_article(doc.as_article())) for doc in _documents(split, limit)]


def evaluate_pipeline_triggers(pairs: list[tuple[BkeeDocument, Any]]) -> dict[str, Any]:
    """Trigger scores of thoisu's events that carry a BKEE type (lexicon-only events, which
    have none, are not BKEE's to judge)."""
    predicted = [
        (doc.id, e.trigger.start, e.trigger.end, e.type)
        for doc, analysis in pairs
        for e in analysis.events
        if e.type
    ]
    result = score_triggers(gold_triggers([doc for doc, _ in pairs]), predicted)
    result["predicted"] = predicted
    return result


def _syllables(text: str, offset: int = 0) -> list[tuple[str, int, int]]:
    return [
        (m.group().lower(), offset + m.start(), offset + m.end()) for m in _SYLLABLE.finditer(text)
    ]


def _longest_match(
    docs: Iterable[BkeeDocument],
    lexicon: dict[tuple[str, ...], str | None],
    accept: Any = None,
) -> list[Trigger]:
    """Non-overlapping longest matches of ``lexicon`` keys (syllable tuples), left to right.

    An entry whose value is ``None`` matches (blocking shorter phrases inside it) but is not
    emitted; ``accept(key, syllables, end_index)`` may veto a match.
    """
    longest = max(map(len, lexicon), default=0)
    out: list[Trigger] = []
    for doc in docs:
        for start, end in doc.lines:
            syls = _syllables(doc.text[start:end], start)
            words = [s[0] for s in syls]
            i = 0
            while i < len(syls):
                for n in range(min(longest, len(syls) - i), 0, -1):
                    key = tuple(words[i : i + n])
                    if key in lexicon and (accept is None or accept(key, words, i + n)):
                        if lexicon[key] is not None:
                            out.append((doc.id, syls[i][1], syls[i + n - 1][2], lexicon[key]))
                        i += n
                        break
                else:
                    i += 1
    return out


def train_trigger_lexicon() -> dict[tuple[str, ...], str | None]:
    """Trigger phrases seen in BKEE train -> their most frequent type."""
    counts: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for doc in read_split("train"):
        for ev in doc.events:
            key = tuple(s[0] for s in _syllables(ev.trigger.text))
            if key:
                counts[key][ev.type] += 1
    # most_common breaks ties by first occurrence: deterministic given the file order.
    return {key: c.most_common(1)[0][0] for key, c in counts.items()}


def evaluate_lexicon_baseline(split: str = "dev", limit: int | None = None) -> dict[str, Any]:
    """Baseline: string match of the triggers seen in BKEE train (longest match, most frequent type)."""
    docs = _documents(split, limit)
    return score_triggers(gold_triggers(docs), _longest_match(docs, train_trigger_lexicon()))


def evaluate_pipeline_lexicon(split: str = "dev", limit: int | None = None) -> dict[str, Any]:
    """thoisu's CAMEO trigger lexicon (entries with an ACE type), scored the same way.

    As in the pipeline, entries without an ACE type still block shorter phrases, and an
    entry with required objects counts only when one follows within 4 syllables.
    """
    from ..events import load_triggers

    entries = load_triggers()
    lexicon = {key: entry.ace_type for key, entry in entries.items()}

    def accept(key: tuple[str, ...], words: list[str], end: int) -> bool:
        objects = entries[key].objects
        if not objects:
            return True
        window = " ".join(words[end : end + 4])
        return any(re.search(rf"(?<!\w){re.escape(o)}(?!\w)", window) for o in objects)

    docs = _documents(split, limit)
    return score_triggers(gold_triggers(docs), _longest_match(docs, lexicon, accept))
