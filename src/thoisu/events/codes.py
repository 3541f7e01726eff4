"""CAMEO event codes, Goldstein scale, QuadClass and the CAMEO -> PLOVER mapping.

The tables in ``data/`` are copies of GDELT's lookups and PLOVER's ``CAMEO2PLOVER``
(see ``data/README.md``). QuadClass follows the split GDELT users know
(01-05 verbal cooperation, 06-08 material cooperation, 09-13 verbal conflict,
14-20 material conflict): GDELT publishes no table for it, so this is thoisu's choice.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["CameoCode", "cameo", "cameo_codes", "quad_class", "plover_types", "cameo_roots"]


@dataclass(frozen=True, slots=True)
class CameoCode:
    code: str
    label: str
    goldstein: float | None
    plover: str | None
    quad_class: int

    @property
    def root(self) -> str:
        return self.code[:2]


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("thoisu.events").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))


def quad_class(code: str) -> int:
    root = int(code[:2])
    return 1 if root <= 5 else 2 if root <= 8 else 3 if root <= 13 else 4


@cache
def _tables() -> dict[str, CameoCode]:
    labels = {r["CAMEOEVENTCODE"]: r["EVENTDESCRIPTION"] for r in _rows("CAMEO.eventcodes.txt")}
    goldstein = {
        r["CAMEOEVENTCODE"]: float(r["GOLDSTEINSCALE"]) for r in _rows("CAMEO.goldsteinscale.txt")
    }
    plover: dict[str, str] = {}
    for r in _rows("cameo_to_plover.tsv"):
        plover.setdefault(r["cameo_code"], r["plover_event"])
    table = {}
    for code, label in labels.items():
        # PLOVER maps most codes explicitly; otherwise inherit from the parent code.
        mapped = plover.get(code) or plover.get(code[:3]) or plover.get(code[:2])
        table[code] = CameoCode(code, label, goldstein.get(code), mapped, quad_class(code))
    return table


def cameo(code: str) -> CameoCode:
    """Look up a CAMEO event code; raises KeyError for a code not in GDELT's list."""
    return _tables()[code]


@cache
def cameo_codes() -> tuple[str, ...]:
    """Every CAMEO event code of GDELT's list, sorted ("01", "010", "011", ...)."""
    return tuple(sorted(_tables()))


@cache
def plover_types() -> frozenset[str]:
    """The PLOVER event types CAMEO codes map to (upper case, as in the records)."""
    return frozenset(c.plover.upper() for c in _tables().values() if c.plover)


@cache
def cameo_roots() -> dict[str, str]:
    """CAMEO root code ("01" ... "20") -> its label ("MAKE PUBLIC STATEMENT", ...)."""
    return {code: c.label for code, c in sorted(_tables().items()) if len(code) == 2}
