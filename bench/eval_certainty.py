"""Certainty and attribution accuracy of thoisu on the hand-annotated VNTC sentences.

    python bench/eval_certainty.py [--gold FILE] [--vntc FILE] [--no-mismatches]

Prints thoisu's accuracies next to the majority-class baseline, the certainty confusion
matrix and every mismatch (sentence, gold, predicted). Needs ../shared/data/vntc.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from thoisu.evaluation.certainty import (
    CERTAINTIES,
    GOLD_PATH,
    VNTC_PATH,
    Prediction,
    Scores,
    baseline,
    evaluate,
    score,
    speaker_match,
)


def _pct(x: float) -> str:
    return f"{100 * x:5.1f}%"


def table(system: Scores, base: Scores, base_all: Scores) -> str:
    """The accuracy table: thoisu, baseline on the same sentences, baseline on all."""
    rows = [
        ("", "thoisu", "baseline", "baseline (all)"),
        ("sentences", str(system.total), str(base.total), str(base_all.total)),
        ("with an event", str(system.covered), str(base.covered), str(base_all.covered)),
        ("coverage", _pct(system.coverage), _pct(base.coverage), _pct(base_all.coverage)),
        (
            "certainty accuracy",
            _pct(system.certainty_accuracy),
            _pct(base.certainty_accuracy),
            _pct(base_all.certainty_accuracy),
        ),
        (
            "speaker accuracy",
            _pct(system.speaker_accuracy),
            _pct(base.speaker_accuracy),
            _pct(base_all.speaker_accuracy),
        ),
        (
            "via accuracy",
            _pct(system.via_accuracy),
            _pct(base.via_accuracy),
            _pct(base_all.via_accuracy),
        ),
        (
            "speaker acc. (all sentences)",
            _pct(system.speaker_accuracy_all),
            _pct(base.speaker_accuracy_all),
            _pct(base_all.speaker_accuracy_all),
        ),
    ]
    return "\n".join(f"{a:<30}{b:>10}{c:>10}{d:>16}" for a, b, c, d in rows)


def confusion(s: Scores) -> str:
    """Rows: gold certainty; columns: predicted."""
    short = [c[:8] for c in CERTAINTIES]
    lines = ["gold \\ predicted".ljust(18) + "".join(f"{c:>10}" for c in short)]
    for g in CERTAINTIES:
        lines.append(g.ljust(18) + "".join(f"{s.confusion[(g, p)]:>10}" for p in CERTAINTIES))
    return "\n".join(lines)


def mismatches(predictions: list[Prediction]) -> str:
    """Every sentence where thoisu's event, certainty, speaker or via differs from gold."""
    out = []
    for p in predictions:
        g = p.gold
        if p.found:
            wrong = [
                name
                for name, ok in (
                    ("certainty", p.certainty == g.certainty),
                    ("speaker", speaker_match(g.speaker, p.speaker)),
                    ("via", speaker_match(g.via, p.via)),
                )
                if not ok
            ]
            if not wrong:
                continue
        else:
            wrong = ["no event"]
        out.append(f"- [{', '.join(wrong)}] {g.article_id}\n  {g.sentence}")
        out.append(
            f"  gold: trigger={g.trigger!r} certainty={g.certainty} "
            f"speaker={g.speaker!r} via={g.via!r}"
        )
        if p.found:
            how = "overlaps gold trigger" if p.trigger_matched else "first event of the sentence"
            out.append(
                f"  pred: trigger={p.trigger!r} ({how}) certainty={p.certainty} "
                f"speaker={p.speaker!r} via={p.via!r}"
            )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=GOLD_PATH)
    parser.add_argument("--vntc", type=Path, default=VNTC_PATH)
    parser.add_argument("--no-mismatches", action="store_true")
    args = parser.parse_args(argv)
    if not args.vntc.exists():
        print(f"{args.vntc} not found", file=sys.stderr)
        return 1
    predictions, system, base = evaluate(args.gold, args.vntc)
    base_all = score(baseline([Prediction(p.gold, True) for p in predictions]))
    matched = sum(p.trigger_matched for p in predictions)
    on_trigger = score(p for p in predictions if p.trigger_matched)
    print(f"gold: {args.gold}")
    print(table(system, base, base_all))
    print(
        f"\nevent trigger overlapping the gold trigger: {matched} of {system.covered} "
        "(the others: first event of the sentence)"
    )
    print(
        f"on those {matched}: certainty {_pct(on_trigger.certainty_accuracy)}, "
        f"speaker {_pct(on_trigger.speaker_accuracy)}, via {_pct(on_trigger.via_accuracy)}"
    )
    print("\nbaseline: 'asserted', no speaker, no via; accuracies over sentences with an event")
    print("(baseline (all): the same over every gold sentence)\n")
    print("certainty confusion (thoisu, sentences with an event):")
    print(confusion(system))
    if not args.no_mismatches:
        print("\nmismatches:")
        print(mismatches(predictions))
    return 0


if __name__ == "__main__":
    sys.exit(main())
