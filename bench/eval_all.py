"""Every quality evaluation in one run: events and arguments, names (VLSP and the VNTC gold),
certainty/attribution.

    python bench/eval_all.py

Prints each table in turn (a few minutes on 2 cores); copy the figures of a release into
docs/quality.md.
"""

from __future__ import annotations

import runpy
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
STEPS = (
    "eval_events.py",
    "eval_audit.py",
    "eval_vlsp.py",
    "eval_entities.py",
    "eval_certainty.py",
)


def main() -> None:
    for step in STEPS:
        start = time.perf_counter()
        print(f"\n===== {step} =====", flush=True)
        sys.argv = [step]
        try:
            runpy.run_path(str(BENCH / step), run_name="__main__")
        except SystemExit as exc:  # a step's `sys.exit(main())` must not end the run
            if exc.code not in (None, 0):
                raise
        print(f"({time.perf_counter() - start:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
