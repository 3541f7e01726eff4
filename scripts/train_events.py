"""Train the event heads on the encoded BKEE (scripts/build_event_features.py).

    python scripts/train_events.py triggers --features build/event-features
    python scripts/train_events.py arguments --features build/event-features

``triggers``: the trigger tagger of :mod:`thoisu.events.triggers` (encoder vectors projected
to 256 values + the tagger's clues, a bidirectional LSTM, one CRF over BIO x 33 BKEE types).
``arguments``: the argument tagger of :mod:`thoisu.events.arguments`, run once per trigger
(the clues mark the trigger and give its type), one CRF over BIO x the BKEE roles thoisu maps
to source, target and location.

Both train on every line of BKEE train; the epoch kept is the one with the best score on
BKEE dev (trigger classification F1; argument F1 on gold triggers). BKEE test is never read.
Deterministic for a given seed and thread count. Needs the ``train`` extra (torch). The
models inherit BKEE's licence (CC BY-NC 4.0).
"""

from __future__ import annotations

import argparse
import pickle
import random
import sys
from pathlib import Path

import heads
import numpy as np

from thoisu.encoder import SHARED_LAYERS
from thoisu.encoder.component import syllable_spans
from thoisu.entities.recognition import NameRecogniser
from thoisu.evaluation.bkee import EVENT_TYPES
from thoisu.evaluation.events import score_triggers
from thoisu.events import arguments, triggers
from thoisu.events.lexicon import find_phrases
from thoisu.nlp import tokenize_sentence
from thoisu.nn import bio_runs, viterbi_batch

TYPES = sorted(EVENT_TYPES)
TRIGGER_LABELS = ["O", *(f"{p}-{t}" for t in TYPES for p in "BI")]
ROLE_LABELS = ["O", *(f"{p}-{r}" for r in arguments.ROLES for p in "BI")]
EPOCHS = {"triggers": 14, "arguments": 14}


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def syllable_run(syllables: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """The syllables a character span covers, as (first, last + 1)."""
    inside = [i for i, (a, b) in enumerate(syllables) if a < end and start < b]
    return (inside[0], inside[-1] + 1) if inside else None


def name_runs(sentences: list[dict], columns: np.ndarray) -> None:
    """Each sentence's outer names, as the shipped recogniser finds them (the tagger reads
    them as clues at run time too)."""
    recogniser = NameRecogniser.load()
    trans, first, last = (x[0] for x in recogniser._crf)
    for i in range(0, len(sentences), 64):
        chunk = [s for s in sentences[i : i + 64] if s["tokens"]]
        batch = [(s["vectors"][:, columns].astype(np.float32), s["tokens"]) for s in chunk]
        scores, lengths = recogniser.emissions(batch)
        paths = viterbi_batch(scores[:, 0], lengths, trans, first, last)
        for s, path in zip(chunk, paths, strict=True):
            s["names"] = bio_runs([recogniser.labels[k] for k in path])


def segmented(features: Path, split: str, sentences: list[dict]) -> list[list[tuple]]:
    """underthesea's words (start, end, part of speech) of each sentence's normalised text,
    as the NLP stage cuts them at run time; cached beside the features."""
    cache = features / f"{split}.words.pkl"
    if cache.exists():
        with open(cache, "rb") as f:
            return pickle.load(f)
    words = [[(t.start, t.end, t.pos) for t in tokenize_sentence(s["norm"])] for s in sentences]
    with open(cache, "wb") as f:
        pickle.dump(words, f)
    return words


def load(features: Path, split: str, layers: tuple[int, ...]) -> list[dict]:
    """The split's sentences, with the vectors of ``layers`` (from those encoded) as
    ``x_enc`` and the recogniser's names (it reads its own layer)."""
    with open(features / f"{split}.pkl", "rb") as f:
        data = pickle.load(f)
    encoded, width = data["layers"], 384
    sentences = [s for s in data["sentences"] if s["tokens"]]

    def columns(keep: tuple[int, ...]) -> np.ndarray:
        return np.concatenate([np.arange(encoded.index(k) * width, (encoded.index(k) + 1) * width)
                               for k in keep])  # fmt: skip

    name_runs(sentences, columns(tuple(NameRecogniser.load().encoder_layers)))
    keep = columns(layers)
    for s, words in zip(sentences, segmented(features, split, sentences), strict=True):
        s["words"] = triggers.word_clues(syllable_spans(s["norm"]), words)
        s["x_enc"] = s.pop("vectors")[:, keep].astype(np.float32)
        s["hits"] = find_phrases([t.lower() for t in s["tokens"]])
    log(f"{split}: {len(sentences)} sentences")
    return sentences


# --- triggers -----------------------------------------------------------------------------


def trigger_data(sentences: list[dict]) -> list[dict]:
    index = {label: i for i, label in enumerate(TRIGGER_LABELS)}
    for s in sentences:
        y = np.zeros((1, len(s["tokens"])), np.int64)
        for start, end, kind in s["triggers"]:
            run = syllable_run(s["syllables"], start, end)
            if run is None or y[0, run[0] : run[1]].any():
                continue
            y[0, run[0]] = index[f"B-{kind}"]
            y[0, run[0] + 1 : run[1]] = index[f"I-{kind}"]
        s["y"] = y
        s["x_feat"] = triggers.trigger_clues(s["tokens"], s["names"], s["words"], s["hits"])
    return sentences


def trigger_score(model: heads.Head, dev: list[dict]) -> float:
    gold = {(s["doc"], a, b, t) for s in dev for a, b, t in s["triggers"]}
    predicted = set()
    for s, (path,) in zip(dev, heads.paths(model, dev), strict=True):
        for first, last, kind in bio_runs([TRIGGER_LABELS[k] for k in path]):
            predicted.add((s["doc"], s["syllables"][first][0], s["syllables"][last - 1][1], kind))
    scores = score_triggers(gold, predicted)
    log(f"  identification {scores['identification']} classification {scores['classification']}")
    return scores["classification"]["f1"]


# --- arguments ----------------------------------------------------------------------------


def argument_data(sentences: list[dict], drop_type: float, seed: int) -> list[dict]:
    """One item per gold event: the sentence seen from its trigger, the event's arguments
    as labels. With probability ``drop_type`` the type clue is left blank (as it is for a
    CAMEO-only trigger at run time)."""
    rng = random.Random(seed)
    index = {label: i for i, label in enumerate(ROLE_LABELS)}
    items = []
    for s in sentences:
        for (start, end, kind), args in s["events"]:
            run = syllable_run(s["syllables"], start, end)
            if run is None:
                continue
            y = np.zeros((1, len(s["tokens"])), np.int64)
            for role, a, b in sorted(args, key=lambda r: r[2] - r[1]):
                if role not in arguments.ROLES:
                    continue
                span = syllable_run(s["syllables"], a, b)
                if span is None or y[0, span[0] : span[1]].any():
                    continue
                y[0, span[0]] = index[f"B-{role}"]
                y[0, span[0] + 1 : span[1]] = index[f"I-{role}"]
            event_type = None if rng.random() < drop_type else kind
            items.append({
                "doc": s["doc"], "syllables": s["syllables"], "x_enc": s["x_enc"], "y": y,
                "x_feat": arguments.argument_clues(s["tokens"], s["names"], s["words"], run,
                                              event_type),
                "gold": {(role, a, b) for role, a, b in args if role in arguments.ROLES},
            })  # fmt: skip
    return items


def argument_score(model: heads.Head, dev: list[dict]) -> float:
    """Argument F1 on gold triggers: a predicted argument is right when it overlaps a gold
    argument of the event with the same thoisu role (source, target, location)."""
    correct = predicted = gold = 0
    fine_correct = 0
    for item, (path,) in zip(dev, heads.paths(model, dev), strict=True):
        gold += len(item["gold"])
        for first, last, role in bio_runs([ROLE_LABELS[k] for k in path]):
            predicted += 1
            a, b = item["syllables"][first][0], item["syllables"][last - 1][1]
            mapped = arguments.ROLES[role]
            hits = [
                r for r, s, e in item["gold"] if s < b and a < e and arguments.ROLES[r] == mapped
            ]
            correct += bool(hits)
            fine_correct += role in hits
    p, r = correct / max(predicted, 1), correct / max(gold, 1)
    f1 = 200 * p * r / max(p + r, 1e-9)
    log(f"  P {100 * p:.1f} R {100 * r:.1f} F1 {f1:.1f} (fine role right {fine_correct})")
    return f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("head", choices=("triggers", "arguments"))
    parser.add_argument("--features", type=Path, required=True)
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--layers", default=",".join(map(str, SHARED_LAYERS)),
                        help="encoder layers the head reads (from those encoded)")  # fmt: skip
    args = parser.parse_args()
    layers = tuple(int(x) for x in args.layers.split(","))
    train, dev = load(args.features, "train", layers), load(args.features, "dev", layers)
    if args.head == "triggers":
        labels, out = TRIGGER_LABELS, args.out or triggers.DEFAULT_MODEL
        train, dev = trigger_data(train), trigger_data(dev)
        score = trigger_score
    else:
        labels, out = ROLE_LABELS, args.out or arguments.DEFAULT_MODEL
        train, dev = argument_data(train, 0.2, 1), argument_data(dev, 0.0, 2)
        score = argument_score
    heads.seed()
    model = heads.Head(train[0]["x_enc"].shape[1], train[0]["x_feat"].shape[1], len(labels))
    best, _ = heads.train(
        model, train, args.epochs or EPOCHS[args.head], lambda m: score(m, dev), log
    )
    np.savez_compressed(out, **heads.export(model, labels, encoder_layers=np.array(layers)))
    log(f"best dev {best:.2f} -> {out}")


if __name__ == "__main__":
    main()
