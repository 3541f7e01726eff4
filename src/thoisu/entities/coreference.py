"""Coreference within an article: words that refer back to an entity without naming it.

"Ông nói thêm rằng ..." (a sentence opened by Ông or Bà and a verb) continues the story of
the last person named: the mention "Ông" joins that person, as a ``pronoun``. "Nước này",
"liên minh này" refer to the last country or alliance named: they join it as ``nominal``
mentions. Names themselves, short ones included ("Trump" after "Donald Trump"), are linked by
:mod:`.linking`.
"""

from __future__ import annotations

import re

from ..records import Sentence
from .linking import ArticleLinker
from .rules import SentenceRules

__all__ = ["ANAPHORS", "link_anaphors", "link_pronoun"]

# Phrases that refer back to the last entity of a kind ("nước này": the last country).
ANAPHORS = {
    "nước này": "country",
    "quốc gia này": "country",
    "liên minh này": "igo",
    "tổ chức này": "igo",
    "khối này": "igo",
}
_PATTERNS = {phrase: re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)") for phrase in ANAPHORS}


def link_pronoun(linker: ArticleLinker, sentence: Sentence, rules: SentenceRules) -> None:
    """A sentence opened by "Ông"/"Bà" and a lower-case word refers to the last person."""
    syl = rules.syl
    if (
        len(syl) > 1
        and syl[0].text in ("Ông", "Bà")
        and not syl[1].capitalised
        and linker.last_person is not None
    ):
        person = linker.entities[linker.last_person]
        linker.add_mention(person, sentence, syl[0].start, syl[0].end, "pronoun")


def link_anaphors(linker: ArticleLinker, sentence: Sentence) -> None:
    """ "nước này" and the like join the last entity of their kind named before them."""
    lowered = sentence.text.lower()
    for phrase, kind in ANAPHORS.items():
        for m in _PATTERNS[phrase].finditer(lowered):
            start, end = sentence.start + m.start(), sentence.start + m.end()
            earlier = [eid for pos, k, eid in linker.seen if k == kind and pos < start]
            if earlier:
                target = linker.entities[earlier[-1]]
                linker.add_mention(target, sentence, start, end, "nominal")
