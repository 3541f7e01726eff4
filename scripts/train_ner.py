"""Train the name recogniser's head on the encoded VLSP gold (scripts/build_ner_features.py).

The head: the encoder's syllable vectors (states after the layers chosen with ``--layers``,
concatenated) projected to 256 values, the 21 clues of ``syllable_features``, a one-layer
bidirectional LSTM (2 x 128) and two linear-chain CRFs (outer names, nested names). Trained
with Adam on VLSP 2018 train (+ VLSP 2016 dev sentences); the epoch kept is the one with the
best span F1 on VLSP 2018 dev. Test is never read here.

    python scripts/train_ner.py --features /tmp/ner-features [--layers 8] [--out MODEL.npz]

Deterministic for a given seed and thread count (torch on the CPU). Needs the ``train``
extra (torch). The model inherits the VLSP terms: research use.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

import heads
import numpy as np

from thoisu.entities.recognition import DEFAULT_MODEL, LABELS, LAYERS, syllable_features
from thoisu.nn import bio_runs

EPOCHS = 16
_LABEL = {label: i for i, label in enumerate(LABELS)}


def load(features: Path, name: str, keep: list[int], width: int) -> list[dict]:
    with open(features / f"{name}.pkl", "rb") as f:
        data = pickle.load(f)
    columns = np.concatenate([np.arange(k * width, (k + 1) * width) for k in keep])
    out = []
    for s in data["sentences"]:
        if not s["syllables"]:
            continue
        tokens = [s["text"][a:b] for a, b in s["syllables"]]
        s["tokens"] = tokens
        s["x_enc"] = s["vectors"][:, columns].astype(np.float32)
        s["x_feat"] = syllable_features(tokens)
        s["y"] = labels_of(s)
        del s["vectors"]
        out.append(s)
    return out


def labels_of(sentence: dict) -> np.ndarray:
    """(LAYERS, n) label ids: layer 0 the outermost names, layer 1 those nested in them
    (a depth-2 name joins layer 1 when it does not overlap a depth-1 one)."""
    starts = [a for a, _ in sentence["syllables"]]
    ends = [b for _, b in sentence["syllables"]]
    y = np.zeros((LAYERS, len(starts)), np.int64)
    for start, end, kind, depth in sorted(sentence["names"], key=lambda n: n[3]):
        first = next((i for i, e in enumerate(ends) if e > start), None)
        last = next((i for i in range(len(starts) - 1, -1, -1) if starts[i] < end), None)
        if first is None or last is None or last < first:
            continue
        layer = min(depth, LAYERS - 1)
        if y[layer, first : last + 1].any():
            continue
        y[layer, first] = _LABEL[f"B-{kind}"]
        y[layer, first + 1 : last + 1] = _LABEL[f"I-{kind}"]
    return y


def span_f1(data: list[dict], predicted: list[list[tuple[int, int, str, int]]]) -> dict[str, float]:
    """Exact (sentence, first, last, type) over both layers, and per type."""
    gold, pred = set(), set()
    for i, (s, names) in enumerate(zip(data, predicted, strict=True)):
        for layer in range(LAYERS):
            for a, b, kind in bio_runs([LABELS[k] for k in s["y"][layer]]):
                gold.add((i, a, b, kind))
        for a, b, kind, _ in names:
            pred.add((i, a, b, kind))
    out = {}
    for kind in (None, "PER", "LOC", "ORG", "MISC"):
        g = {x for x in gold if kind in (None, x[3])}
        p = {x for x in pred if kind in (None, x[3])}
        tp = len(g & p)
        prec, rec = tp / max(len(p), 1), tp / max(len(g), 1)
        out[kind or "all"] = round(200 * prec * rec / max(prec + rec, 1e-9), 2)
    return out


def predict(model: heads.Head, data: list[dict]) -> list[list[tuple[int, int, str, int]]]:
    """Names of each sentence (first, last + 1, type, layer); an inner name must lie inside
    an outer one."""
    out = []
    for layers in heads.paths(model, data):
        names, outer = [], []
        for layer, path in enumerate(layers):
            for a, z, kind in bio_runs([LABELS[k] for k in path]):
                if layer and not any(x <= a and z <= y and (x, y) != (a, z) for x, y in outer):
                    continue
                if layer == 0:
                    outer.append((a, z))
                names.append((a, z, kind, layer))
        out.append(names)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=Path, required=True)
    parser.add_argument("--layers", default="8", help="encoder layers (from those encoded)")
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--no-2016", action="store_true", help="train on VLSP 2018 train only")
    args = parser.parse_args()
    with open(args.features / "dev.pkl", "rb") as f:
        encoded = pickle.load(f)["layers"]
    layers = tuple(int(x) for x in args.layers.split(","))
    keep = [encoded.index(n) for n in layers]
    train = load(args.features, "train", keep, 384)
    if not args.no_2016:
        train += load(args.features, "vlsp2016", keep, 384)
    dev = load(args.features, "dev", keep, 384)
    heads.seed()
    model = heads.Head(train[0]["x_enc"].shape[1], train[0]["x_feat"].shape[1], len(LABELS),
                       layers=LAYERS)  # fmt: skip

    def score(model: heads.Head) -> float:
        scores = span_f1(dev, predict(model, dev))
        print(f"  dev span F1 {scores}", file=sys.stderr, flush=True)
        return scores["all"]

    best, _ = heads.train(model, train, args.epochs, score,
                          lambda line: print(line, file=sys.stderr, flush=True))  # fmt: skip
    best_state = heads.export(model, LABELS, encoder_layers=np.array(layers, dtype=np.int64))
    np.savez_compressed(args.out, **best_state)
    print(f"best dev span F1 {best} -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
