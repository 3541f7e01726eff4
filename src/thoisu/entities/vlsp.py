"""VLSP named-entity gold: reading it, and the fixed split thoisu trains and measures on.

- VLSP 2018 NER training set (``vlsp2018_ner_train_muc.tar.gz``): 781 raw news articles in 10
  sections, names tagged inline as ``<ENAMEX TYPE="PERSON">...</ENAMEX>``, nested. Read
  straight from the archive; tags removed give the text, and each name becomes a
  :class:`GoldName` with offsets into that text and its nesting depth (0 = outermost).
- VLSP 2016 dev (``vlsp2016_dev.conll.gz``): 2,000 word-segmented sentences, BIO tags over
  words; joined with single spaces into text with the same kind of spans (no nesting).

:func:`split_2018` cuts the 2018 articles into train / dev / test by a fixed seed, stratified
by section: thoisu learns on train, chooses on dev, and reports on test only. Terms: VLSP
distributes these sets for research use; so are the models learned from them.
"""

from __future__ import annotations

import gzip
import random
import re
import tarfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "GoldArticle",
    "GoldName",
    "TYPES",
    "VLSP_DIR",
    "read_2016",
    "read_2018",
    "split_2018",
]

VLSP_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "vlsp_ner"
TYPES = {"PERSON": "PER", "LOCATION": "LOC", "ORGANIZATION": "ORG", "MISCELLANEOUS": "MISC"}
_TAG = re.compile(r'<ENAMEX\s+TYPE="([A-Z]+)"\s*>|</ENAMEX>')
SPLIT_SEED = 2018
DEV_SHARE, TEST_SHARE = 0.1, 0.1


@dataclass(frozen=True, slots=True)
class GoldName:
    start: int
    end: int
    type: str  # PER, LOC, ORG, MISC
    depth: int = 0  # 0 for an outermost name, 1 for a name inside it, ...


@dataclass(slots=True)
class GoldArticle:
    id: str  # "<section>/<file id>" for 2018, "vlsp2016-dev:<n>" for 2016 sentences
    section: str
    text: str
    names: list[GoldName] = field(default_factory=list)

    def surface(self, name: GoldName) -> str:
        return self.text[name.start : name.end]


def parse_muc(raw: str, article_id: str = "", section: str = "") -> GoldArticle:
    """One ``.muc`` article: text without tags, names with their offsets and depth."""
    raw = unicodedata.normalize("NFC", raw.replace("\r\n", "\n"))
    pieces: list[str] = []
    names: list[GoldName] = []
    stack: list[tuple[str, int]] = []
    pos = last = 0
    for m in _TAG.finditer(raw):
        pieces.append(raw[last : m.start()])
        pos += m.start() - last
        last = m.end()
        if m.group(1):
            stack.append((TYPES.get(m.group(1), m.group(1)), pos))
        elif stack:
            kind, start = stack.pop()
            names.append(_trimmed(pieces, start, pos, kind, len(stack)))
    pieces.append(raw[last:])
    names.sort(key=lambda n: (n.start, -n.end, n.depth))
    return GoldArticle(article_id, section, "".join(pieces), names)


def _trimmed(pieces: list[str], start: int, end: int, kind: str, depth: int) -> GoldName:
    """A name's span without the spaces the annotators left inside its tags."""
    text = "".join(pieces)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return GoldName(start, end, kind, depth)


def read_2018(path: Path | None = None) -> list[GoldArticle]:
    """All 781 articles of the VLSP 2018 training set, in archive order (sorted by id)."""
    path = path or VLSP_DIR / "vlsp2018_ner_train_muc.tar.gz"
    articles = []
    with tarfile.open(path) as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".muc"):
                continue
            parts = member.name.split("/")
            section, name = parts[-2], parts[-1].removesuffix(".muc")
            raw = tar.extractfile(member).read().decode("utf-8")  # type: ignore[union-attr]
            articles.append(parse_muc(raw, f"{section}/{name}", section))
    return sorted(articles, key=lambda a: a.id)


def split_2018(articles: list[GoldArticle], seed: int = SPLIT_SEED) -> dict[str, list[GoldArticle]]:
    """Train / dev / test by article, stratified by section: in each section the articles
    (sorted by id) are shuffled with ``seed``; the first 10% (rounded) go to test, the next
    10% to dev, the rest to train."""
    by_section: dict[str, list[GoldArticle]] = {}
    for a in sorted(articles, key=lambda a: a.id):
        by_section.setdefault(a.section, []).append(a)
    out: dict[str, list[GoldArticle]] = {"train": [], "dev": [], "test": []}
    for section in sorted(by_section):
        items = by_section[section]
        random.Random(f"{seed}:{section}").shuffle(items)
        n_test, n_dev = round(len(items) * TEST_SHARE), round(len(items) * DEV_SHARE)
        out["test"] += items[:n_test]
        out["dev"] += items[n_test : n_test + n_dev]
        out["train"] += items[n_test + n_dev :]
    return out


def read_2016(path: Path | None = None) -> list[GoldArticle]:
    """VLSP 2016 dev: each sentence as a one-sentence "article" (words joined by spaces)."""
    path = path or VLSP_DIR / "vlsp2016_dev.conll.gz"
    return list(_conll_sentences(path))


def _conll_sentences(path: Path) -> Iterator[GoldArticle]:
    words: list[tuple[str, str]] = []
    n = 0
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in [*f, "\n"]:
            cols = line.rstrip("\n").split("\t") if "\t" in line else line.split()
            if len(cols) >= 4:
                words.append((cols[0], cols[-1]))
                continue
            if words:
                n += 1
                yield _sentence(words, f"vlsp2016-dev:{n}")
                words = []


def _sentence(words: list[tuple[str, str]], sid: str) -> GoldArticle:
    text, names, pos = [], [], 0
    open_name: tuple[str, int] | None = None
    end = 0
    for word, tag in words:
        word = unicodedata.normalize("NFC", word.replace("_", " "))
        start = pos + (1 if text else 0)
        if open_name and not tag.startswith("I-"):
            names.append(GoldName(open_name[1], end, open_name[0]))
            open_name = None
        if tag.startswith("B-") or (tag.startswith("I-") and open_name is None):
            open_name = (tag[2:], start)
        text.append(word)
        pos = start + len(word)
        end = pos
    if open_name:
        names.append(GoldName(open_name[1], end, open_name[0]))
    return GoldArticle(sid, "vlsp2016", " ".join(text), names)
