"""Build thoisu's named-actor dictionary from PETRARCH2's (Phoenix) actor dictionaries.

Reads ``../shared/data/codes/phoenix/Phoenix.{Countries,International,MilNonState}.actors.txt``
(MIT, Open Event Data; format in that folder's README: an entry, ``+`` synonyms, codes in
``[CODE YYMMDD-YYMMDD]``, ``[CODE >YYMMDD]`` or ``[CODE]``) and writes
``src/thoisu/entities/data/named_actors.tsv``: one line per name, folded as thoisu folds a
name for lookup (:func:`thoisu.entities.actor_codes.name_key`: no diacritics, upper case,
words split at anything not a letter or digit), then the codes with their date ranges
(``CODE@start@end`` joined by ``;``, ISO dates, empty for open). A name that two entries with
different codes share is left out: it cannot say who it is.

    python scripts/build_actor_dictionary.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PHOENIX = REPO.parent / "shared" / "data" / "codes" / "phoenix"
OUT = REPO / "src" / "thoisu" / "entities" / "data" / "named_actors.tsv"
FILES = ("Phoenix.Countries.actors.txt", "Phoenix.International.actors.txt",
         "Phoenix.MilNonState.actors.txt")  # fmt: skip
_CODE = re.compile(r"\[([A-Z]{3,})\s*(?:(\d{6})?\s*-\s*(\d{6})?|>\s*(\d{6})|<\s*(\d{6}))?\s*\]")


def _date(yymmdd: str | None) -> str:
    if not yymmdd:
        return ""
    yy = int(yymmdd[:2])
    year = 2000 + yy if yy <= 30 else 1900 + yy  # the lists end around 2015
    return f"{year:04d}-{yymmdd[2:4]}-{yymmdd[4:6]}"


def entries(path: Path):
    """(names, [(code, start, end)]) of each entry of a Phoenix actor file."""
    names: list[str] = []
    codes: list[tuple[str, str, str]] = []
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if not line[0].isspace() and not line.startswith(("+", "[")):
            if names and codes:
                yield names, codes
            names, codes = [line.split("[", 1)[0].strip()], []
        elif line.startswith("+"):
            names.append(line[1:].split("[", 1)[0].strip())
        for m in _CODE.finditer(line):
            code, start, end, after, before = m.groups()
            codes.append((code, _date(start or after), _date(end or before)))
    if names and codes:
        yield names, codes


def main() -> None:
    sys.path.insert(0, str(REPO / "src"))
    from thoisu.entities.actor_codes import name_key

    table: dict[str, str] = {}
    clashes: set[str] = set()
    n = 0
    for name in FILES:
        for names, codes in entries(PHOENIX / name):
            n += 1
            value = ";".join(f"{c}@{s}@{e}" for c, s, e in codes)
            for raw in names:
                key = name_key(raw.replace("_", " "))
                if len(key) < 3 or key in clashes:
                    continue
                if key in table and table[key] != value:
                    if {v.split("@")[0] for v in table[key].split(";")} != {
                        v.split("@")[0] for v in value.split(";")
                    }:
                        clashes.add(key)
                        del table[key]
                    continue
                table[key] = value
    OUT.parent.mkdir(parents=True, exist_ok=True)
    header = ("# Named actors and their CAMEO codes by date, from PETRARCH2's Phoenix actor "
              "dictionaries (MIT, Open Event Data;\n# ../shared/data/codes/phoenix). Built by "
              "scripts/build_actor_dictionary.py: folded name<TAB>CODE@start@end;...\n")  # fmt: skip
    OUT.write_text(header + "".join(f"{k}\t{v}\n" for k, v in sorted(table.items())),
                   encoding="utf-8")  # fmt: skip
    print(f"{n} entries, {len(table)} names, {len(clashes)} ambiguous names left out -> {OUT}",
          file=sys.stderr)  # fmt: skip


if __name__ == "__main__":
    main()
