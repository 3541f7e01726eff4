"""The event audit: thoisu's coded facts checked against hand-annotated news (GDELT-style).

    python bench/eval_audit.py [--events ANALYSES.jsonl] [--details] [--dyad-dev]

Runs thoisu on the 60 articles of tests/gold/events_audit.jsonl (or reads analyses written
by another version: one analysis JSON per line, e.g. from ``thoisu analyze --format json``)
and prints the audit table: coded facts, real events, CAMEO root / source / target right of
the real ones, entirely right, and the share of gold facts found. ``--dyad-dev`` audits the
42 dev articles of the dyad corpus instead (a development figure: they chose the epochs).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from thoisu.evaluation.audit import DYAD_DEV, DYAD_PATH, audit, audit_events, load_audit


def _locate(event: dict, text: str) -> dict:
    """Actor offsets for analyses written before actors carried them: the actor's text
    nearest the trigger."""
    for role in ("source", "target", "location"):
        actor = event.get(role)
        if not actor or actor.get("start") is not None:
            continue
        hits, at = [], text.find(actor["text"])
        while at >= 0:
            hits.append(at)
            at = text.find(actor["text"], at + 1)
        if hits:
            best = min(hits, key=lambda h: abs(h - event["trigger"]["start"]))
            actor["start"], actor["end"] = best, best + len(actor["text"])
    return event


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=Path, help="analyses of the audit articles (JSONL)")
    parser.add_argument("--details", action="store_true", help="print every coded fact")
    parser.add_argument("--dyad-dev", action="store_true", help="the dyad corpus's dev articles")
    args = parser.parse_args()
    if args.events:
        gold = {g["id"]: g for g in load_audit()}
        analyses = [json.loads(line) for line in args.events.read_text("utf-8").splitlines()]
        pairs = [
            (
                gold[a["article"]["id"]],
                [_locate(e, gold[a["article"]["id"]]["text"]) for e in a["events"]],
            )
            for a in analyses
        ]
        result = audit_events(pairs)
    elif args.dyad_dev:
        result = audit(DYAD_PATH, DYAD_DEV)
    else:
        result = audit()
    if args.details:
        for row in result["details"]:
            print(json.dumps(row, ensure_ascii=False))
    print(f"coded facts {result['coded_facts']}; gold facts {result['gold_facts']}, "
          f"found {result['gold_facts_found']}%")  # fmt: skip
    for key in ("real", "real_and_fact", "root_right_of_real", "source_right_of_real",
                "target_right_of_real", "entirely_right"):  # fmt: skip
        print(f"  {key:<22} {result[key]:5.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
