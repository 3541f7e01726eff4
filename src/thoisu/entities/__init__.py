"""Entity stage: the names of an article (and the words that refer back to them), each linked
to the canonical entity it names.

- :mod:`.recognition`: the learned recogniser finds the names and their type, to the VLSP
  standard, nested names included (on the shared encoder's vectors);
- :mod:`.rules`: what the gazetteer, titles and organisation heads say each name is (and,
  without the recogniser's model, where the names are);
- :mod:`.names`: the two together, plus nominal actors such as "quân đội Iraq";
- :mod:`.linking`: canonical entities, codes, Wikidata ids, short names to full ones;
- :mod:`.agents`: agent nouns ("công an", "tòa án") and their CAMEO types;
- :mod:`.actor_codes`: codes for organisations named by an agent noun, and from PETRARCH2's
  dictionaries for actors the article names without saying what they are;
- :mod:`.coreference`: "Ông", "nước này" linked back to their entity;
- :mod:`.vlsp`: the VLSP gold the recogniser learns from.
"""

from __future__ import annotations

from ..limits import check_time
from ..records import Article, Entity, Sentence
from ..text import fold
from .actor_codes import code_named_actors, code_organisations, code_people
from .coreference import ANAPHORS, link_anaphors, link_pronoun
from .linking import ArticleLinker, slugify
from .names import learned_found
from .recognition import default_recogniser
from .rules import rule_mentions

__all__ = ["ANAPHORS", "fold", "recognize", "slugify"]


def recognize(article: Article, sentences: list[Sentence]) -> list[Entity]:
    """Find and link the entities of an article (mentions carry sentence, offsets and kind).

    The learned recogniser finds the names when its model is installed and the sentences
    carry the encoder's vectors; otherwise the rules do.
    """
    linker = ArticleLinker(article)
    all_rules, found = rule_mentions(article, sentences)
    recogniser = default_recogniser()
    if recogniser is not None and any(s.vectors is not None for s in sentences):
        names = recogniser.recognise(sentences, article.text)
        found = [learned_found(r, n, f) for r, n, f in zip(all_rules, names, found, strict=True)]
    # Full names first, so that a short reference earlier in the text still links.
    for rules, fs in zip(all_rules, found, strict=True):
        for f in fs:
            if f.type == "PER" and f.last - f.first >= 2 and not f.dropped:
                linker._person(f, " ".join(rules.surface(f.first, f.last).split()))
    for sentence, rules, fs in zip(sentences, all_rules, found, strict=True):
        check_time()
        link_pronoun(linker, sentence, rules)
        linker.link(sentence, rules, fs)
        link_anaphors(linker, sentence)
    entities = linker.result()
    code_organisations(entities)
    code_named_actors(entities, article.published)
    code_people(entities, article.text)
    return entities
