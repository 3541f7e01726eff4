"""Short, unambiguous sentences: is the CAMEO root right, and are the source and target?

``tests/gold/short_sentences.jsonl`` (320 sentences written for the purpose: active and
passive, appeals and demands with the one addressed, aid "cho" a recipient, meetings "với",
long subjects before the verb, titles and names, Vietnamese bodies, coordinated verbs,
declined comments, and look-alikes that are no interaction at all). Each is analysed as an
article of its own (no publication date). A sentence is right when some coded fact has the
gold root, the gold source and the gold target (an actor is right when the phrases overlap or
the actor codes are the same; both absent is right); a look-alike is right when nothing is
coded. Odd ids are the development half, even ids the held-out half (measured, never tuned on).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from . import GOLD_DIR

__all__ = ["SHORT_PATH", "load_short", "score_short"]

SHORT_PATH = GOLD_DIR / "short_sentences.jsonl"
_FACTS = ("asserted", "reported", "possible")


def load_short(split: str | None = None, path: Path = SHORT_PATH) -> list[dict[str, Any]]:
    """The sentences of ``split`` ("dev": odd ids, "test": even ids, None: all)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    if split is None:
        return rows
    odd = split == "dev"
    return [r for r in rows if (int(r["id"][1:]) % 2 == 1) == odd]


def _actor_right(predicted: dict | None, gold: dict | None, text: str) -> bool:
    if not predicted and not gold:
        return True
    if not predicted or not gold:
        return False
    if gold.get("code") and predicted.get("code") == gold["code"]:
        return True
    start = text.find(gold["text"])
    end = start + len(gold["text"])
    p_start, p_end = predicted.get("start"), predicted.get("end")
    return p_start is not None and start >= 0 and p_start < end and start < p_end


def judge(row: dict, events: list[dict]) -> dict[str, Any]:
    """Whether thoisu's ``events`` (event dicts of the sentence analysed alone) get ``row``
    right, and what went wrong."""
    coded = [e for e in events if e.get("cameo") and e.get("certainty") in _FACTS]
    if row["cameo"] is None:
        return {"right": not coded, "error": "coded a look-alike" if coded else None}
    same_root = [e for e in coded if e["cameo"][:2] == row["cameo"][:2]]
    if not same_root:
        return {"right": False, "error": "root" if coded else "no event"}
    for e in same_root:
        src = _actor_right(e.get("source"), row["source"], row["text"])
        tgt = _actor_right(e.get("target"), row["target"], row["text"])
        if src and tgt:
            return {"right": True, "error": None, "code_right": e["cameo"] == row["cameo"]}
    e = same_root[0]
    src = _actor_right(e.get("source"), row["source"], row["text"])
    reversed_roles = bool(
        row["source"] and row["target"]
        and _actor_right(e.get("source"), row["target"], row["text"])
        and _actor_right(e.get("target"), row["source"], row["text"])
    )  # fmt: skip
    error = "reversed" if reversed_roles else ("source" if not src else "target")
    return {"right": False, "error": error}


def score_short(split: str | None = "dev", path: Path = SHORT_PATH) -> dict[str, Any]:
    """Run thoisu on each sentence of ``split`` and count the right ones, by construction."""
    from ..pipeline import analyze_article
    from ..records import Article

    rows = load_short(split, path)
    right, errors, by_kind, details = 0, Counter(), Counter(), []
    totals = Counter(r["construction"] for r in rows)
    for row in rows:
        text = row["text"]
        article = Article(id=row["id"], title=None, author=None, publisher=None, published=None,
                          url=None, source=row["id"], lead=None, body=text, text=text)  # fmt: skip
        events = [e.to_dict() for e in analyze_article(article).events]
        verdict = judge(row, events)
        right += verdict["right"]
        if verdict["right"]:
            by_kind[row["construction"]] += 1
        else:
            errors[verdict["error"]] += 1
        details.append({"id": row["id"], "text": text, **verdict,
                        "predicted": [(e["trigger"]["text"], e.get("cameo"),
                                       (e.get("source") or {}).get("text"),
                                       (e.get("target") or {}).get("text")) for e in events]})  # fmt: skip
    return {
        "sentences": len(rows), "right": right,
        "by_construction": {k: f"{by_kind[k]}/{n}" for k, n in sorted(totals.items())},
        "errors": dict(errors), "details": details,
    }  # fmt: skip
