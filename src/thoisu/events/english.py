"""One English sentence per event, built from its codes and its actors' English names.

Never a translation of the Vietnamese sentence: the line says what the event record says,
in English words chosen for its codes, so it is as right (and as wrong) as the coding.

* Actors (:func:`actor_phrase`): the entity's English name (``names``: entity id ->
  canonical name, with "the" where English writes one: "the United States"; a Vietnamese
  name is written without diacritics, "Hồ Xuân Huy" -> "Ho Xuan Huy", and an organisation
  named by its agent noun gets the agent's English name, "Công an huyện Gia Lâm" -> "District
  Police of Gia Lam"); else the English name of the agent noun opening the actor's text
  (:func:`thoisu.entities.agents.english_name`) with the country its code starts with ("the
  police of China"); else what its code names ("the government of the United States");
  else "someone" (an event whose actor is not known).
* Verb: a past-tense phrase per CAMEO code (:data:`VERBS`, base forms: the 20 roots, the
  commoner 3-digit codes, a few 4-digit ones), falling back to the 3-digit code, then the
  root; the target goes where the phrase says ("made an appeal to Iraq"), and the part that
  holds it is dropped when there is no target ("made an appeal").
* Certainty and realis: asserted, past ("attacked"); reported, "reportedly attacked" (or
  ", according to X" when the speaker is known); possible, "may attack"; negated, "did not
  attack"; question, "Did X attack Y?"; a future event (realis "future"), "will attack"; a
  hypothetical one, "could attack".
* Place: " in {place}"; who says so: ", according to {speaker}".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

from ..entities.agents import agent_head, english_name

__all__ = ["VERBS", "actor_english_name", "actor_phrase", "english_line"]

SOMEONE = "someone"  # an actor the record does not name, code or describe


def _load_verbs() -> dict[str, str | tuple[str, str]]:
    """``data/english_verbs.tsv``: CAMEO code -> base-form verb phrase, or (with a target,
    without one) where the phrase must be reworded without a target."""
    verbs: dict[str, str | tuple[str, str]] = {}
    text = resources.files("thoisu.events").joinpath("data", "english_verbs.tsv").read_text("utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, phrase, *without = line.split("\t")
        verbs[code] = (phrase, without[0]) if without and without[0] else phrase
    return verbs


# CAMEO code -> base-form verb phrase (data/english_verbs.tsv). "{t}" is the target; a
# "[...]" part holds it and is dropped without a target. The head verb (and one joined by
# "or") is put in the past by _past.
VERBS: dict[str, str | tuple[str, str]] = _load_verbs()

# Past tenses the suffix rules below get wrong (irregular verbs, doubled consonants).
_IRREGULAR = {
    "make": "made", "meet": "met", "forgive": "forgave", "find": "found", "give": "gave",
    "go": "went", "cut": "cut", "withdraw": "withdrew", "take": "took", "fight": "fought",
    "speak": "spoke", "expel": "expelled", "ban": "banned", "commit": "committed",
    "veto": "vetoed", "show": "showed", "sexually": "sexually",
}  # fmt: skip
_CONSONANT_Y = re.compile(r"[^aeiou]y$")


def _past_verb(verb: str) -> str:
    if verb in _IRREGULAR:
        return _IRREGULAR[verb]
    if verb.endswith("e"):
        return verb + "d"
    if _CONSONANT_Y.search(verb):
        return verb[:-1] + "ied"
    return verb + "ed"


def _past(phrase: str) -> str:
    """The phrase with its head verb in the past: "make an appeal" -> "made an appeal",
    "seize or damage property" -> "seized or damaged property", "sexually assault" ->
    "sexually assaulted"."""
    words = phrase.split(" ")
    head = 1 if words[0] == "sexually" else 0
    words[head] = _past_verb(words[head])
    if len(words) > head + 2 and words[head + 1] in ("or", "and"):
        words[head + 2] = _past_verb(words[head + 2])
    return " ".join(words)


_OPTIONAL = re.compile(r"\[([^\]]*)\]")


def _verb_phrase(code: str, target: str | None) -> str | None:
    """Base-form verb phrase of a CAMEO code, with its target, or None for a code whose root
    is not CAMEO's."""
    entry = VERBS.get(code) or VERBS.get(code[:3]) or VERBS.get(code[:2])
    if entry is None:
        return None
    if isinstance(entry, tuple):
        with_target, without = entry
        return with_target.replace("{t}", target) if target else without
    if target:
        return _OPTIONAL.sub(r"\1", entry).replace("{t}", target)
    return _OPTIONAL.sub("", entry).replace("{t}", SOMEONE.lower())


# -- names -----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _code_labels() -> dict[str, dict[str, str]]:
    """CAMEO actor-code block -> {kind: label} (GDELT's lookups, shipped with the store)."""
    path = resources.files("thoisu").joinpath("store", "cameo_actor_codes.tsv")
    labels: dict[str, dict[str, str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        cells = line.split("\t")
        if len(cells) == 3:
            labels.setdefault(cells[0], {})[cells[1]] = cells[2]
    return labels


# Types named as a reader expects them after a country ("China Police", not "China Police
# forces"); others keep GDELT's label.
_TYPE_NAMES = {
    "COP": "Police", "CRM": "Criminals", "CVL": "Civilians", "INS": "Insurgents",
    "REB": "Rebels", "REF": "Refugees", "SEP": "Separatists", "OPP": "Opposition",
    "SPY": "Intelligence", "UAF": "Armed Group", "UIS": "Unidentified State Actor",
    "IGO": "Intergovernmental Organization", "NGO": "Non-Governmental Organization",
    "ENV": "Environmental Group", "HRI": "Human Rights Group", "LAB": "Labor",
    "MED": "Media", "EDU": "Education", "HLH": "Health", "BUS": "Business",
    "PKO": "Peacekeepers", "MOD": "Moderates", "RAD": "Radicals", "ELI": "Elites",
}  # fmt: skip


def _country_name(code: str | None) -> str | None:
    block = (code or "")[:3].upper()
    return _code_labels().get(block, {}).get("country")


def _code_name(code: str | None) -> str | None:
    """The country, type and group a CAMEO actor code names: "USAGOV" -> "United States
    Government", "IGOUNO" -> "United Nations"."""
    if not code or len(code) % 3:
        return None
    labels, parts = _code_labels(), []
    for i in range(0, len(code), 3):
        block = code[i : i + 3].upper()
        kinds = labels.get(block, {})
        if i == 0 and "country" in kinds:
            parts.append(kinds["country"])
        elif "knowngroup" in kinds:
            parts = [p for p in parts if p != "Intergovernmental Organization"]
            parts.append(kinds["knowngroup"])
        elif "type" in kinds:
            parts.append(_TYPE_NAMES.get(block, kinds["type"]))
    return " ".join(parts) or None


_SMALL = frozenset({"of", "and", "the", "in", "for", "on"})
_ACRONYMS = {"NGO": "NGO", "CEO": "CEO", "PHD": "PhD", "TV": "TV"}


def _title(upper: str) -> str:
    """An agent's English name ("PEOPLE'S COMMITTEE") in title case ("People's Committee")."""
    words = []
    for i, w in enumerate(upper.split()):
        if w in _ACRONYMS:
            words.append(_ACRONYMS[w])
        elif i and w.lower() in _SMALL:
            words.append(w.lower())
        else:
            words.append(w[:1] + w[1:].lower())
    return " ".join(words)


def _ascii(text: str) -> str:
    """Vietnamese (or any Latin) text without its diacritics: "Đà Nẵng" -> "Da Nang"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


# Unit words before a place's name ("huyện Gia Lâm"): dropped after an agent noun.
_UNITS = frozenset({"tỉnh", "thành", "phố", "tp.", "tp", "huyện", "quận", "thị", "xã",
                    "trấn", "phường", "tx.", "tt.", "ga", "đường", "cảng", "sân", "bay"})  # fmt: skip


def _organisation_name(name: str) -> str | None:
    """The English name of an organisation named in Vietnamese by its agent noun, with the
    place after it: "Công an huyện Gia Lâm" -> "District Police of Gia Lam"."""
    words = name.split()
    head = agent_head(" ".join(words).lower())
    if head is None or not head[0].english:
        return None
    agent, rest = _title(head[0].english), words[head[1] :]
    while rest and rest[0].lower() in _UNITS:
        rest = rest[1:]
    if rest and all(w[:1].isupper() or w[:1].isdigit() for w in rest):
        return f"{agent} of {_ascii(' '.join(rest))}"
    return agent


def _entity_name(name: str, entity: str = "") -> str:
    """An entity's canonical name as English: kept when it is ASCII (English, or a name in
    Latin letters), else an organisation's agent noun in English, else without diacritics
    (people's names always: "Quân", "Trường" are given names as well as agent nouns)."""
    if name.isascii():
        return name
    if not entity.startswith("person:"):
        english = _organisation_name(name)
        if english:
            return english
    return _ascii(name)


def actor_english_name(
    actor: Mapping[str, Any] | None,
    names: Mapping[str, str] | None = None,
    *,
    use_code: bool = True,
) -> str | None:
    """An actor's name in English (title case), or None when nothing names it in English.

    The entity's English name (``names``: entity id -> canonical name); else the English
    name of the agent noun opening the actor's text ("công an tỉnh Nghệ An" -> "Provincial
    Police"), after the country its code starts with ("China Police"); else the country,
    type and group its code names ("United States Government"). With ``use_code=False`` (the
    GDELT export, whose code columns say that already) the code is not read: the entity's
    name or the agent's alone."""
    if not actor:
        return None
    text = " ".join(str(actor.get("text") or "").split())
    code = actor.get("code") if use_code else None
    entity = actor.get("entity")
    name = (names or {}).get(entity) if entity else None
    agent = english_name(text) if text else None
    if name:
        return _entity_name(name, entity)
    if agent:
        country = _country_name(code)
        return f"{country} {_title(agent)}" if country else _title(agent)
    if entity and text[:1].isupper():  # an entity the caller gave no name for: its words
        return _entity_name(text, entity)
    return _code_name(code) if code else None


# Place names English writes with "the": "in the Middle East", "in the United States".
_THE = re.compile(
    r"^(?:United |Middle East|Far East|Gulf |Persian Gulf|Red Sea|Black Sea|South China Sea|"
    r"East China Sea|Korean Peninsula|Balkans|Caribbean|Philippines|Netherlands|Bahamas|"
    r"Maldives|Gaza Strip|West Bank|Vatican|Sahel|Strait of |Mekong Delta)"
)


def _with_the(name: str) -> str:
    """A name as English writes it in a sentence: "the United States", "the Philippines"."""
    return f"the {name}" if _THE.match(name) else name


def _noun(title: str) -> str:
    """An agent's or type's title-cased English name as a common noun: "Police" -> "police",
    "People's Committee" -> "people's committee"; acronyms kept ("NGO")."""
    return " ".join(w if w in _ACRONYMS.values() else w.lower() for w in title.split())


def _code_phrase(code: str) -> str | None:
    """What a CAMEO actor code names, as a noun phrase: "USAGOV" -> "the government of the
    United States", "CVL" -> "civilians", "USA" -> "the United States"."""
    labels = _code_labels()
    country, types, group = None, [], None
    for i in range(0, len(code) - len(code) % 3, 3):
        block = code[i : i + 3].upper()
        kinds = labels.get(block, {})
        if i == 0 and "country" in kinds:
            country = kinds["country"]
        elif "knowngroup" in kinds:
            group = kinds["knowngroup"]
        elif "type" in kinds:
            types.append(_TYPE_NAMES.get(block, kinds["type"]))
    if group:
        return _with_the(group)
    kind = _noun(" ".join(types)) if types else None
    if kind and country:
        return f"the {kind} of {_with_the(country)}"
    if kind:
        return kind if kind.endswith("s") else f"the {kind}"
    return _with_the(country) if country else None


def actor_phrase(
    actor: Mapping[str, Any] | None, names: Mapping[str, str] | None = None
) -> str | None:
    """An actor as a noun phrase of an English sentence: a name ("the United States", "Ho
    Xuan Huy"), else its agent noun with the country of its code ("the police of China",
    "the official"), else what its code names ("the government of Iran"); None for none."""
    if not actor:
        return None
    text = " ".join(str(actor.get("text") or "").split())
    code = str(actor.get("code") or "")
    entity = actor.get("entity")
    name = (names or {}).get(entity) if entity else None
    if name:
        return _with_the(_entity_name(name, entity))
    agent = english_name(text) if text else None
    if agent:
        country = _country_name(code)
        noun = _noun(_title(agent))
        return f"the {noun} of {_with_the(country)}" if country else f"the {noun}"
    if entity and text[:1].isupper():
        return _with_the(_entity_name(text, entity))
    return _code_phrase(code) if code else None


def _same_actor(one: Mapping[str, Any] | None, other: Mapping[str, Any] | None) -> bool:
    """Whether two actors of an event are the same one (by entity, else by words)."""
    if not one or not other:
        return False
    if one.get("entity") and one.get("entity") == other.get("entity"):
        return True
    return bool(one.get("text")) and one.get("text") == other.get("text")


def _place(location: Mapping[str, Any] | None, names: Mapping[str, str] | None) -> str | None:
    """Where an event happened, in English: the place's name, else the location's words
    when they are a name ("tỉnh Quảng Ninh" -> "Quang Ninh"), else the country its code names."""
    if not location:
        return None
    name = actor_english_name(location, names, use_code=False)
    if name:
        return name
    words = str(location.get("text") or "").split()
    while words and words[0].lower() in _UNITS:
        words = words[1:]
    if words and all(w[:1].isupper() or w[:1].isdigit() for w in words):
        return _ascii(" ".join(words))
    return _country_name(location.get("code"))


# -- the line ----------------------------------------------------------------------------


def _clause(subject: str, phrase: str, certainty: str, realis: str | None, attributed: bool) -> str:
    if certainty == "question":
        modal = "Will" if realis == "future" else "Did"
        return f"{modal} {subject} {phrase}"
    if certainty == "negated" or realis == "negated":
        return f"{subject} {'will not' if realis == 'future' else 'did not'} {phrase}"
    if certainty == "possible":
        return f"{subject} may {phrase}"
    # "reportedly" says it is hearsay when no speaker is named to say whose
    hedge = "reportedly " if certainty == "reported" and not attributed else ""
    if realis == "future":
        return f"{subject} will {hedge}{phrase}"
    if realis == "hypothetical":
        return f"{subject} could {hedge}{phrase}"
    return f"{subject} {hedge}{_past(phrase)}"


def english_line(event: Mapping[str, Any], names: Mapping[str, str] | None = None) -> str | None:
    """One English sentence for an event (a dict of the analysis record's events), or None
    for an event with no CAMEO code. ``names`` maps entity ids to English names."""
    code = str(event.get("cameo") or "")
    if not code:
        return None
    source = actor_phrase(event.get("source"), names) or SOMEONE
    target = actor_phrase(event.get("target"), names)
    phrase = _verb_phrase(code, target)
    if phrase is None:  # not a CAMEO root: say what the record's label says
        label = str(event.get("cameo_label") or f"CAMEO {code}")
        phrase = f"take part in an event coded {label.rstrip('.')}"
    place = _place(event.get("location"), names)
    if place and _with_the(place) not in (source, target):
        phrase += f" in {_with_the(place)}"
    speaker = None
    attribution = event.get("attribution") or {}
    said_by = attribution.get("speaker")
    # "Iraq said ...": a statement by the source itself is not attributed again
    if said_by and not _same_actor(said_by, event.get("source")):
        speaker = actor_phrase(said_by, names)
        if speaker and speaker.removeprefix("the ") in source:
            speaker = None
    certainty = str(event.get("certainty") or "asserted")
    line = _clause(source, phrase, certainty, event.get("realis"), speaker is not None)
    line = line[:1].upper() + line[1:]
    if certainty == "question":
        return line + "?"
    if speaker:
        line += f", according to {speaker}"
    return line + "."
