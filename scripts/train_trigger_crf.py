"""Train the CRF event trigger detector on BKEE train and score it on BKEE dev.

    python scripts/train_trigger_crf.py                      # writes the shipped model
    python scripts/train_trigger_crf.py -o /tmp/crf.bin --c1 0.1 --c2 0.05

Reads ``../shared/data/bkee/bkee_train_dev.tar.gz``; tokenisation is cached in memory only.
Deterministic: L-BFGS with fixed c1/c2/iterations/minfreq, documents in file order.
Dev is scored twice: plain Viterbi and with the shipped confidence filter
(``detector.MIN_CONFIDENCE``, applied at inference; the model file does not depend on it).
The model inherits BKEE's CC BY-NC 4.0 licence (non-commercial use only).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pycrfsuite

from thoisu.evaluation.bkee import BkeeDocument
from thoisu.evaluation.events import align_labels, evaluate_detector, sentence_gold, tokenized_split
from thoisu.events.detector import (
    DEFAULT_MODEL,
    MIN_CONFIDENCE,
    TriggerDetector,
    sentence_features,
)
from thoisu.records import Sentence

PARAMS = {"c1": 0.15, "c2": 0.01, "max_iterations": 100, "minfreq": 2}


def training_data(
    split: str = "train", annotated_only: bool = False
) -> list[tuple[list[list[str]], list[str]]]:
    """(features, BIO labels) for the non-empty sentences of ``split``.

    ``annotated_only`` keeps the lines with at least one gold event or entity mention: BKEE
    leaves most lines unannotated, so their triggers would be taught as ``O``.
    """
    docs, sentences = tokenized_split(split)
    data = []
    for doc, sents in zip(docs, sentences, strict=True):
        for sentence in sents:
            if annotated_only and not _annotated(doc, sentence):
                continue
            if sentence.tokens:
                labels = align_labels(sentence.tokens, sentence_gold(doc, sentence))
                data.append((sentence_features(sentence.tokens), labels))
    return data


def _annotated(doc: BkeeDocument, sentence: Sentence) -> bool:
    """Whether the line carries any gold annotation (event trigger or entity mention)."""
    spans = [ev.trigger for ev in doc.events] + list(doc.mentions)
    return any(sentence.start <= s.start < sentence.end for s in spans)


def train(
    data: list[tuple[list[list[str]], list[str]]],
    output: Path,
    c1: float,
    c2: float,
    max_iterations: int,
    minfreq: int,
) -> None:
    """Fit an L-BFGS CRF on ``data`` and write it to ``output``."""
    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    for xseq, yseq in data:
        trainer.append(xseq, yseq)
    trainer.set_params(
        {
            "c1": c1,
            "c2": c2,
            "max_iterations": max_iterations,
            "feature.minfreq": minfreq,
            "feature.possible_transitions": True,
        }
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(output))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--c1", type=float, default=PARAMS["c1"])
    parser.add_argument("--c2", type=float, default=PARAMS["c2"])
    parser.add_argument("--max-iterations", type=int, default=PARAMS["max_iterations"])
    parser.add_argument("--minfreq", type=int, default=PARAMS["minfreq"])
    parser.add_argument(
        "--all-lines", action="store_true", help="also train on lines with no annotation at all"
    )
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    data = training_data("train", annotated_only=not args.all_lines)
    t1 = time.perf_counter()
    print(f"train: {len(data)} sentences, tokenised in {t1 - t0:.0f}s", file=sys.stderr)
    train(data, args.output, args.c1, args.c2, args.max_iterations, args.minfreq)
    t2 = time.perf_counter()
    size = args.output.stat().st_size / 1e6
    print(f"trained in {t2 - t1:.0f}s -> {args.output} ({size:.1f} MB)", file=sys.stderr)

    for min_conf, note in (
        (0.0, "plain Viterbi"),
        (MIN_CONFIDENCE, f"min marginal {MIN_CONFIDENCE}"),
    ):
        detector = TriggerDetector.load(args.output, min_confidence=min_conf)
        result = evaluate_detector("dev", detector=detector)
        for level in ("identification", "classification"):
            s = result[level]
            print(f"dev {level} ({note}): P {s['p']:.1f} R {s['r']:.1f} F1 {s['f1']:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
