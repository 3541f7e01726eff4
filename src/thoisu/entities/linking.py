"""Linking: each mention to the canonical entity it names, one per referent in an article.

A name the gazetteer knows becomes its entry ("country:USA", with its CAMEO code and Wikidata
id); an organisation gets the code its head word and country give ("actor:IRQMIL" for the
generic sector actor of a country, else "org:<slug>"); a person "person:<slug>", with the
code of the title before it, and a short name ("Trump") links back to the full name the
article gave ("Donald Trump").
"""

from __future__ import annotations

import re
import unicodedata

from ..records import Article, Entity, Mention, Sentence
from .rules import _VIETNAMESE_ONLY, Found, SentenceRules, _cameo_type_labels

__all__ = ["ArticleLinker", "place_name", "slugify"]

# Administrative unit words (and their abbreviations) written before a place's name; not
# "sông", "miền": "sông Hồng", "miền Nam" are whole names.
_UNIT_PREFIX = re.compile(
    r"^(?:tỉnh|thành phố|tp\.?|quận|q\.|huyện|h\.|thị xã|tx\.|thị trấn|tt\.|phường|p\.|xã"
    r"|x\.)\s*(?=[^\W\d_])",
    re.IGNORECASE,
)


def place_name(surface: str) -> str:
    """A place's name without the unit word before it ("huyện Chợ Lách" -> "Chợ Lách",
    "P.Tân Thuận Đông" -> "Tân Thuận Đông"); a numbered unit stays whole ("quận 7")."""
    stripped = _UNIT_PREFIX.sub("", surface, count=1)
    if not stripped[:1].isupper() or stripped.isupper():  # "TP.HCM" is the city's own name
        return surface
    return stripped


def slugify(text: str) -> str:
    """An id slug: lower case, words joined by "-", Vietnamese letters kept ("Nguyễn Văn
    Hùng" and "Nguyễn Văn Hưng" are two people)."""
    return re.sub(r"[\W_]+", "-", unicodedata.normalize("NFC", text).lower()).strip("-")


class ArticleLinker:
    """Turns found mentions into canonical entities, one per referent in the article."""

    def __init__(self, article: Article) -> None:
        self.article = article
        self.entities: dict[str, Entity] = {}
        self.people: dict[str, Entity] = {}  # id -> person entity with a full name
        self.seen: list[tuple[int, str, str]] = []  # (start, kind, entity id) of each mention
        self.last_person: str | None = None

    def entity(self, entity_id: str, **fields) -> Entity:
        if entity_id not in self.entities:
            self.entities[entity_id] = Entity(id=entity_id, **fields)
        return self.entities[entity_id]

    def add_mention(
        self, ent: Entity, sentence: Sentence, start: int, end: int, kind: str = "name"
    ) -> None:
        text = self.article.text[start:end]
        ent.mentions.append(Mention(text, sentence.index, start, end, kind))
        if ent.kind:
            self.seen.append((start, ent.kind, ent.id))
        if ent.type == "PER":
            self.last_person = ent.id

    def link(self, sentence: Sentence, rec: SentenceRules, found: list[Found]) -> None:
        for f in found:
            start, end = rec.syl[f.first].start, rec.syl[f.last - 1].end
            surface = " ".join(self.article.text[start:end].split())
            if f.link_nested and (f.dropped or (f.entry is None and f.type == "ORG")):
                for g in f.nested:  # places and bodies inside an organisation's name
                    self.link(sentence, rec, [g])
            if f.dropped:
                continue
            if f.entry is not None:
                e = f.entry
                ent = self.entity(
                    e.id,
                    name=e.name,
                    name_vi=e.name_vi,
                    type=e.type,
                    code=e.code,
                    wikidata=e.wikidata,
                    kind=e.kind,
                    country=e.country,
                )
            elif f.type == "ORG":
                ent = self._organisation(f, surface)
            elif f.type == "PER":
                ent = self._person(f, surface)
            elif f.type:
                # A place word before the name ("bảo tàng Munch") outranks a person of the
                # same name; other short names may still be that person.
                known = None if f.type == "LOC" else self._resolve_short(surface)
                # "huyện Chợ Lách" and "Chợ Lách" are one place: the unit word is no part
                # of its id or canonical name.
                name = place_name(surface) if f.type == "LOC" else surface
                ent = known or self.entity(
                    f"{'loc' if f.type == 'LOC' else 'misc'}:{slugify(name)}",
                    name=name,
                    name_vi=name,
                    type=f.type,
                    kind=f.kind,
                )
            else:
                ent = self._resolve_short(surface)
                if ent is None:
                    continue
            self.add_mention(ent, sentence, start, end, f.mention_kind)

    def _organisation(self, f: Found, surface: str) -> Entity:
        country_last = f.nested and f.nested[-1].last == f.last and f.nested[-1].kind == "country"
        if f.code and country_last and f.code[3:]:
            # "quân đội Iraq", "Chính phủ Mỹ": the generic sector actor of a country.
            country = f.nested[-1].entry
            label = _cameo_type_labels().get(f.code[3:], f.code[3:])
            return self.entity(
                f"actor:{f.code}",
                name=f"{country.name} {label}".strip() if country else f.code,
                name_vi=surface[:1].upper() + surface[1:],
                type="ORG",
                code=f.code,
                wikidata=None,
                kind="org",
                country=f.country,
            )
        return self.entity(
            f"org:{slugify(surface)}",
            name=surface,
            name_vi=surface,
            type="ORG",
            code=f.code,
            wikidata=None,
            kind="org",
            country=f.country,
        )

    def _person(self, f: Found, surface: str) -> Entity:
        known = self._resolve_short(surface)
        if known is not None:
            if f.code and not known.code:
                known.code, known.country, known.role = f.code, f.country, f.role
            return known
        ent = self.entity(
            f"person:{slugify(surface)}",
            name=surface,
            name_vi=surface,
            type="PER",
            code=f.code,
            wikidata=None,
            kind="person",
            country=f.country,
            role=f.role,
        )
        if len(surface.split()) >= 2:
            self.people[ent.id] = ent
        return ent

    def _resolve_short(self, surface: str) -> Entity | None:
        """ "Trump" or "Stoltenberg" after "Donald Trump", "Jens Stoltenberg" in the article."""
        words = surface.split()
        people = list(reversed(list(self.people.values())))
        for ent in people:
            full = ent.name.split()
            if words == full or (len(words) < len(full) and full[-len(words) :] == words):
                return ent
        # "Saddam" for "Saddam Hussein": foreign names are also shortened to the first name.
        for ent in people:
            full = ent.name.split()
            if len(words) == 1 and full[0] == words[0] and not _VIETNAMESE_ONLY.search(ent.name):
                return ent
        return None

    def result(self) -> list[Entity]:
        """Entities that were mentioned, in order of first mention."""
        out = [e for e in self.entities.values() if e.mentions]
        for ent in out:
            ent.mentions.sort(key=lambda m: m.start)
        return sorted(out, key=lambda e: e.mentions[0].start)
