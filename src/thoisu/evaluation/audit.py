"""The event audit: thoisu's coded events checked against hand-annotated news, as GDELT's
own audit checked GDELT's (is it a real event, the right code, the right actors).

The gold (``tests/gold/events_audit.jsonl``, guidelines in ``tests/gold/README_events.md``)
lists every event of 60 VNTC world and politics articles that no thoisu model or rule was
trained or tuned on, annotated before the system it measures ran on them: trigger, CAMEO
root, source and target (text and actor code), location, date, certainty.

The audit reads thoisu's facts (events with a CAMEO code whose certainty is ``asserted`` or
``reported``, what the GDELT export writes) and asks of each:

* real: its trigger overlaps a gold event's (a real event mention, not a false trigger);
* root right: the gold event's CAMEO root is the same;
* source / target right: the actor is the gold one (overlapping text, or the same actor
  code), or both are absent;
* entirely right: all four.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import GOLD_DIR, gold_article_ids

__all__ = [
    "AUDIT_PATH",
    "DYAD_DEV",
    "DYAD_PATH",
    "audit",
    "audit_events",
    "draw_audit_articles",
    "load_audit",
]

AUDIT_PATH = GOLD_DIR / "events_audit.jsonl"
# The dyad corpus's dev articles (annotated the same way; data/dyads/README.md): a development
# audit, on articles the models did not train on but whose epochs and thresholds they chose.
DYAD_PATH = Path(__file__).resolve().parents[3] / "data" / "dyads" / "dyads.jsonl"
DYAD_DEV = ("batch-01", "batch-02", "batch-03")
AUDIT_SEED = 1212
AUDIT_CATEGORIES = ("Thế giới", "Chính trị - Xã hội")
_REPO = Path(__file__).resolve().parents[3]
_VNTC = _REPO.parent / "shared" / "data" / "vntc" / "vntc_sample.jsonl.gz"
_FACTS = ("asserted", "reported")


def _used_ids() -> set[str]:
    """Articles some part of thoisu learned from or was checked on: the other gold files,
    the annotated training articles, the bundled sample."""
    used = gold_article_ids() - {row["id"] for row in load_audit()}
    train = _REPO / "data" / "ner_vntc_train.jsonl"
    used |= {
        json.loads(line)["id"] for line in train.read_text(encoding="utf-8").splitlines() if line
    }
    with gzip.open(_REPO / "samples" / "vntc-world-politics.jsonl.gz", "rt", encoding="utf-8") as f:
        used |= {json.loads(line)["id"] for line in f}
    return used


def draw_audit_articles(n: int = 60, seed: int = AUDIT_SEED, path: Path = _VNTC) -> list[dict]:
    """``n`` articles, half from each audit category, with a title and a body of 600-2,500
    characters, none used anywhere in thoisu; drawn with ``seed`` from the rest in file
    order."""
    used = _used_ids()
    pools: dict[str, list[dict]] = {c: [] for c in AUDIT_CATEGORIES}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for record in map(json.loads, f):
            if (
                record.get("category") in pools
                and record["id"] not in used
                and record.get("title")
                and 600 <= len(record.get("body") or "") <= 2_500
            ):
                pools[record["category"]].append(record)
    rng = random.Random(seed)
    drawn = []
    for category in AUDIT_CATEGORIES:
        drawn += rng.sample(pools[category], n // len(AUDIT_CATEGORIES))
    return drawn


def load_audit(
    path: Path = AUDIT_PATH, batches: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    """The gold articles of ``path`` (of ``batches`` only, for the dyad corpus)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [r for r in rows if batches is None or r.get("batch") in batches]


def _overlap(a: dict | None, b: dict | None) -> bool:
    """Both spans given and overlapping (an actor the sentence does not name has none)."""
    if not (a and b) or None in (a.get("start"), b.get("start")):
        return False
    return bool(a["start"] < b["end"] and b["start"] < a["end"])


def _same_actor(pred: dict | None, gold: dict | None) -> bool:
    """Both absent, or the same phrase (overlapping), or the same actor code."""
    if not pred and not gold:
        return True
    if not pred or not gold:
        return False
    if pred.get("start") is not None and _overlap(pred, gold):
        return True
    return bool(pred.get("code") and gold.get("code") and pred["code"] == gold["code"])


# Speech verbs whose events some annotators coded by what was said (11, 13, ...): for these
# the audit accepts root 01 too (see tests/gold/README_events.md).
_SPEECH_VERBS = frozenset(
    "cho biết|nói|tuyên bố|cho rằng|khẳng định|bình luận|nhận xét|thông báo|phát biểu|"
    "nhấn mạnh|tiết lộ|xác nhận|cáo buộc|chỉ trích|lên án".split("|")
)


def _root_right(predicted: str, gold: dict) -> bool:
    if predicted[:2] == gold["cameo_root"]:
        return True
    return predicted.startswith("01") and gold["trigger"]["text"].lower() in _SPEECH_VERBS


def audit_events(records: Iterable[tuple[dict, list[dict]]]) -> dict[str, Any]:
    """The audit table over ``(gold article, predicted event dicts)`` pairs.

    Every coded fact of thoisu (a CAMEO code, certainty ``asserted`` or ``reported``) is
    checked: *real* when its trigger overlaps a gold event's (any certainty: a real event
    mention, not a false trigger), *a fact* when that gold event is one too; root, source and
    target are judged on real events; *entirely right* is real + root + source + target, of
    all coded facts. Recall: the gold facts that some coded fact of thoisu matches."""
    n = real = fact = root = source = target = entire = 0
    gold_facts = found_facts = 0
    details = []
    for gold, predicted in records:
        facts = [e for e in predicted if e.get("cameo") and e.get("certainty") in _FACTS]
        for event in facts:
            n += 1
            match = next((g for g in gold["events"] if _overlap(g["trigger"], event["trigger"])),
                         None)  # fmt: skip
            row: dict[str, Any] = {"article": gold["id"], "trigger": event["trigger"]["text"],
                                   "cameo": event["cameo"], "real": match is not None}  # fmt: skip
            if match is not None:
                real += 1
                fact += match["certainty"] in _FACTS
                ok_root = _root_right(event["cameo"], match)
                ok_source = _same_actor(event.get("source"), match.get("source"))
                ok_target = _same_actor(event.get("target"), match.get("target"))
                root += ok_root
                source += ok_source
                target += ok_target
                entire += ok_root and ok_source and ok_target
                row.update(gold_cameo=match["cameo"], root=ok_root, source=ok_source,
                           target=ok_target,
                           gold_source=(match.get("source") or {}).get("text"),
                           source_text=(event.get("source") or {}).get("text"),
                           gold_target=(match.get("target") or {}).get("text"),
                           target_text=(event.get("target") or {}).get("text"))  # fmt: skip
            details.append(row)
        for g in gold["events"]:
            if g["certainty"] in _FACTS:
                gold_facts += 1
                found_facts += any(_overlap(g["trigger"], e["trigger"]) for e in facts)

    def share(k: int, of: int) -> float:
        return round(100 * k / of, 1) if of else 0.0

    return {
        "coded_facts": n,
        "real": share(real, n),
        "real_and_fact": share(fact, n),
        "root_right_of_real": share(root, real),
        "source_right_of_real": share(source, real),
        "target_right_of_real": share(target, real),
        "entirely_right": share(entire, n),
        "gold_facts": gold_facts,
        "gold_facts_found": share(found_facts, gold_facts),
        "details": details,
    }


def audit(path: Path = AUDIT_PATH, batches: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Run thoisu on the audit articles (as annotated: the cleaned text) and audit its facts."""
    from ..pipeline import analyze_article
    from ..records import Article

    pairs = []
    for gold in load_audit(path, batches):
        text = gold["text"]
        article = Article(id=gold["id"], title=gold.get("title"), author=None, publisher=None,
                          published=None, url=None, source=gold["id"], lead=None, body=text,
                          text=text)  # fmt: skip
        analysis = analyze_article(article)
        pairs.append((gold, [e.to_dict() for e in analysis.events]))
    return audit_events(pairs)
