"""Reader for BKEE (brat standoff, word-segmented): documents with entity mentions and events.

BKEE's ``.txt`` joins the syllables of a word with ``_``; replacing ``_`` by a space keeps
every offset, so thoisu reads ``text`` (spaces) and the gold spans index it directly.
Each line of a BKEE ``.txt`` is one sentence.
"""

from __future__ import annotations

import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..events.types import EVENT_TYPES
from ..records import Article

# EVENT_TYPES belong to the event stage (thoisu.events.types); read from there, named here
__all__ = ["BkeeSpan", "BkeeEvent", "BkeeDocument", "read_split", "default_archive", "EVENT_TYPES"]


@dataclass(frozen=True, slots=True)
class BkeeSpan:
    id: str
    label: str
    start: int
    end: int
    text: str  # with spaces, as in BkeeDocument.text


@dataclass(slots=True)
class BkeeEvent:
    id: str
    type: str
    trigger: BkeeSpan
    arguments: list[tuple[str, BkeeSpan]] = field(default_factory=list)  # (role, span)


@dataclass(slots=True)
class BkeeDocument:
    id: str
    text: str  # "_" replaced by " "
    lines: list[tuple[int, int]]  # sentence spans (one per line)
    mentions: list[BkeeSpan]  # entity mentions (PER, ORG, GPE, LOC, ...), not triggers
    events: list[BkeeEvent]

    def as_article(self) -> Article:
        """The document as a cleaned thoisu article (no title; lines are paragraphs)."""
        return Article(
            id=self.id, title=None, author=None, publisher=None, published=None, url=None,
            source=self.id, lead=None, body=self.text, text=self.text,
        )  # fmt: skip


def default_archive() -> Path:
    """``../shared/data/bkee/bkee_train_dev.tar.gz`` beside the repository."""
    return (
        Path(__file__).resolve().parents[3].parent
        / "shared"
        / "data"
        / "bkee"
        / "bkee_train_dev.tar.gz"
    )


def _parse(doc_id: str, raw_text: str, ann: str) -> BkeeDocument:
    text = raw_text.replace("_", " ")
    spans: dict[str, BkeeSpan] = {}
    event_lines = []
    for line in ann.splitlines():
        if line.startswith("T"):
            tid, middle, *_ = line.split("\t")
            label, *offsets = middle.replace(";", " ").split()
            start, end = int(offsets[0]), int(offsets[-1])
            spans[tid] = BkeeSpan(tid, label, start, end, text[start:end])
        elif line.startswith("E"):
            event_lines.append(line)
    events = []
    trigger_ids = set()
    for line in event_lines:
        eid, body = line.split("\t")[:2]
        head, *args = body.split()
        etype, tid = head.split(":")
        trigger_ids.add(tid)
        arguments = []
        for arg in args:
            role, aid = arg.split(":")
            if aid in spans:
                arguments.append((re.sub(r"-Arg\d*$", "", role), spans[aid]))
        events.append(BkeeEvent(eid, etype, spans[tid], arguments))
    mentions = [s for k, s in spans.items() if k not in trigger_ids and s.label not in EVENT_TYPES]
    lines, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    return BkeeDocument(doc_id, text, lines, sorted(mentions, key=lambda s: s.start), events)


def read_split(split: str, archive: Path | None = None) -> Iterator[BkeeDocument]:
    """Documents of ``train`` or ``dev`` from the BKEE archive, in file order."""
    archive = archive or default_archive()
    with tarfile.open(archive) as tar:
        members = {m.name: m for m in tar.getmembers() if m.isfile()}
        names = sorted(n for n in members if n.startswith(f"{split}/") and n.endswith(".txt"))
        for name in names:
            ann_name = name[:-4] + ".ann"
            raw = tar.extractfile(members[name]).read().decode("utf-8")
            ann = (
                tar.extractfile(members[ann_name]).read().decode("utf-8")
                if ann_name in members
                else ""
            )
            yield _parse(Path(name).stem, raw, ann)
