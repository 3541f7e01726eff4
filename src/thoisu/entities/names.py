"""The learned recogniser's names, told what each one is by the rules.

The recogniser (:mod:`.recognition`) decides where the names are and their type, nested ones
included; the rules (:mod:`.rules`) know what a name is: the gazetteer entry it names, the
code an organisation's head word and country give it, the title before a person. Each name
the recogniser finds takes that knowledge from the rules' reading of the same words; where
the rules read them otherwise, the entry, title or code is looked up for the name itself.
What the rules find that is a sector actor (a country's government, army, police: "quân đội
Iraq", "chính phủ Mỹ", the gazetteer's "Quân đội Israel") but not one of the recogniser's
names stays as a nominal mention of that actor, for events; the rules' other names are
dropped.
"""

from __future__ import annotations

from .gazetteer import GazetteerEntry, load_org_heads
from .recognition import Recognised
from .rules import _ADMIN_UNITS, Found, SentenceRules, apply_title

__all__ = ["learned_found"]

_KIND = {"PER": "person", "LOC": "place", "ORG": "org", "MISC": None}
_PLACE_KINDS = frozenset(
    {"country", "city", "province", "region", "sea", "island", "former_country", "former_province"}
)
_ORG_KINDS = frozenset(
    {"igo", "agency", "gov", "media", "ngo", "party", "military", "armed_group", "org"}
)


def _fits(entry: GazetteerEntry, kind: str) -> bool:
    """Whether a gazetteer entry may be what a name of this recognised type names."""
    if kind == "LOC":
        return entry.type == "LOC" or entry.kind in _PLACE_KINDS
    if kind == "ORG":
        return entry.type == "ORG" or entry.kind in _ORG_KINDS
    return entry.type == kind


def _syllable_span(rules: SentenceRules, start: int, end: int) -> tuple[int, int] | None:
    inside = [i for i, s in enumerate(rules.syl) if s.start >= start and s.end <= end]
    return (inside[0], inside[-1] + 1) if inside else None


def _entry(rules: SentenceRules, first: int, last: int, kind: str) -> GazetteerEntry | None:
    """The gazetteer entry the words name: as written, after a unit word ("tỉnh Nghệ An" is
    the province Nghệ An), or before the name of its own country ("Bộ Công an Việt Nam" is
    Vietnam's Bộ Công an)."""
    for start in range(first, min(last, first + 3)):
        unit = " ".join(s.text for s in rules.syl[first:start])
        if start > first and unit not in _ADMIN_UNITS and unit.lower() not in _ADMIN_UNITS:
            continue
        entry = rules.gaz.lookup(" ".join(rules.surface(start, last).split()))
        if entry is not None and _fits(entry, kind):
            return entry
    for end in range(last - 1, first, -1):
        country = rules.gaz.lookup(" ".join(rules.surface(end, last).split()))
        if country is None or country.kind != "country":
            continue
        entry = rules.gaz.lookup(" ".join(rules.surface(first, end).split()))
        if entry is not None and _fits(entry, kind) and entry.country == country.code:
            return entry
    return None


def _all_found(found: list[Found]) -> list[Found]:
    out = []
    for f in found:
        out.append(f)
        out.extend(_all_found(f.nested))
    return out


def _organisation_code(rules: SentenceRules, f: Found, known: list[Found]) -> None:
    """An organisation's code from its head word and the country (or IGO) inside it."""
    heads = load_org_heads()
    head_type = None
    for k in range(min(f.last, f.first + 4), f.first, -1):
        key = " ".join(s.text for s in rules.syl[f.first : k]).lower()
        if key in heads:
            head_type = heads[key]
            break
    inside = [g for g in known if f.first <= g.first and g.last <= f.last and g.entry is not None]
    owner = next((g for g in reversed(inside) if g.entry.kind in ("country", "igo")), None)
    if owner is None or not owner.entry.code:
        return
    code = owner.entry.code
    if owner.entry.kind == "igo":
        f.code = code
    else:
        f.country = code[:3]
        f.code = code[:3] + (head_type or "")
    f.nested = [owner]


def _person_role(rules: SentenceRules, f: Found, known: list[Found]) -> None:
    title, affiliation = rules._title_before(f.first, [g for g in known if g.entry is not None])
    if title is None:
        return
    apply_title(f, title, affiliation)


def learned_found(
    rules: SentenceRules, names: list[Recognised] | None, rule_found: list[Found]
) -> list[Found]:
    """The mentions of one sentence: each recognised name (outer and nested, each its own
    mention) with what the rules know of it, and the rules' nominal actors. ``names`` None:
    the recogniser did not read the sentence (one word): only the gazetteer's names count."""
    if names is None:
        return [f for f in rule_found if f.entry is not None]
    known = _all_found(rule_found)
    by_span = {}
    for g in known:
        by_span.setdefault((g.first, g.last), g)
    out: list[Found] = []
    spans: list[tuple[int, int]] = []
    for name in sorted(names, key=lambda n: (n.depth, n.start)):
        span = _syllable_span(rules, name.start, name.end)
        if span is None:
            continue
        first, last = span
        f = Found(first, last, type=name.type, kind=_KIND[name.type], link_nested=False)
        rule = by_span.get(span)
        entry = rule.entry if rule is not None and rule.entry is not None else None
        if entry is None or not _fits(entry, name.type):
            entry = _entry(rules, first, last, name.type)
        if entry is not None:
            f.entry, f.kind, f.code, f.country = entry, entry.kind, entry.code, entry.country
        elif rule is not None and rule.type == name.type:
            f.code, f.country, f.role, f.nested = rule.code, rule.country, rule.role, rule.nested
        elif name.type == "ORG":
            _organisation_code(rules, f, known)
        if name.type == "PER" and f.role is None:
            _person_role(rules, f, known)
        out.append(f)
        spans.append(span)
    for g in rule_found:  # "quân đội Iraq": a sector actor (country + type), though no name
        if not (g.type == "ORG" and g.code and len(g.code) > 3):
            continue
        if any(a < g.last and g.first < b and not (g.first <= a and b <= g.last) for a, b in spans):
            continue  # inside a longer name, or across one: the name tells
        if (g.first, g.last) not in spans:
            g.mention_kind, g.link_nested = "nominal", False
            out.append(g)
    return sorted(out, key=lambda f: (f.first, -f.last))
