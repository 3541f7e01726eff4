"""Event arguments on BKEE dev: thoisu's source / target / location vs gold arguments.

python bench/eval_arguments.py [--limit N]
"""

from __future__ import annotations

import argparse
from itertools import islice

from thoisu.evaluation.arguments import evaluate_arguments
from thoisu.evaluation.bkee import read_split


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=["train", "dev"])
    parser.add_argument("--limit", type=int, default=None, help="first N documents only")
    args = parser.parse_args()
    docs = islice(read_split(args.split), args.limit)
    result = evaluate_arguments(docs)
    print(
        f"BKEE {args.split}: {result['gold_events']} gold events, "
        f"{result['events_with_trigger_found']} with a thoisu event on the trigger"
    )
    print(f"{'role':10} {'P':>6} {'R':>6} {'F1':>6}   correct/predicted/gold")
    for role in ("source", "target", "location", "all"):
        r = result[role]
        print(
            f"{role:10} {r['p']:6.1f} {r['r']:6.1f} {r['f1']:6.1f}   "
            f"{r['tp']}/{r['pred']}/{r['gold']}"
        )


if __name__ == "__main__":
    main()
