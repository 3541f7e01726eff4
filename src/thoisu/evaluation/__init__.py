"""Evaluation harness: scores thoisu against gold data (BKEE events and entities,
hand-annotated certainty and attribution) next to baselines, with the same code.

Nothing here is used by the pipeline; it reads gold data from ``../shared/data`` or the repo.
"""
