"""The entity stage over articles: rules and the learned recogniser find the names, the
linker makes them entities, actor codes are added (see the package's docstring)."""

from __future__ import annotations

from ..limits import check_time
from ..records import Article, Entity, Sentence
from .actor_codes import code_named_actors, code_organisations, code_people
from .coreference import link_anaphors, link_pronoun
from .linking import ArticleLinker
from .names import learned_found
from .recognition import default_recogniser
from .rules import rule_mentions

__all__ = ["recognize", "recognize_many"]


def recognize(article: Article, sentences: list[Sentence]) -> list[Entity]:
    """Find and link the entities of an article (mentions carry sentence, offsets and kind).

    The learned recogniser finds the names when its model is installed and the sentences
    carry the encoder's vectors; otherwise the rules do.
    """
    return recognize_many([(article, sentences)])[0]


def recognize_many(articles: list[tuple[Article, list[Sentence]]]) -> list[list[Entity]]:
    """:func:`recognize` for several (article, sentences): the recogniser reads their
    sentences in shared batches; each article's entities are its own."""
    recogniser = default_recogniser()
    ruled = [rule_mentions(article, sentences) for article, sentences in articles]
    readable = [
        k for k, (_, sentences) in enumerate(articles) if any(s.vectors is not None for s in sentences)
    ]  # fmt: skip
    if recogniser is not None and readable:
        names = recogniser.recognise_many([(articles[k][1], articles[k][0].text) for k in readable])
        for k, found_names in zip(readable, names, strict=True):
            all_rules, found = ruled[k]
            found = [
                learned_found(r, n, f)
                for r, n, f in zip(all_rules, found_names, found, strict=True)
            ]
            ruled[k] = (all_rules, found)
    return [
        _linked(article, sentences, *found)
        for (article, sentences), found in zip(articles, ruled, strict=True)
    ]


def _linked(
    article: Article, sentences: list[Sentence], all_rules: list, found: list
) -> list[Entity]:
    linker = ArticleLinker(article)
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
