"""Train the realis classifier (thoisu.events.realis) on data/realis_labels.jsonl.

The 1,200 labelled candidates (800 BKEE train triggers, 200 BKEE dev triggers, 200 matches of
thoisu's CAMEO lexicon in VNTC news) are encoded with the shared encoder; dev is the BKEE dev
items and every fourth VNTC item, train the rest. The L2 weight is chosen by 5-fold
cross-validation on train; the model shipped is trained on train only, so that the dev
figures printed stay honest (dev is never used to choose anything).

    python scripts/train_realis.py [--out MODEL.npz]

About a minute on 2 cores. Needs the ``train`` extra (torch). The labels of BKEE sentences
inherit BKEE's licence (CC BY-NC 4.0), and so does the model.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import torch

from thoisu.encoder import SHARED_LAYERS
from thoisu.encoder.component import encode_texts
from thoisu.encoder.model import Encoder
from thoisu.evaluation.events import _normalise
from thoisu.evaluation.metrics import prf
from thoisu.events.realis import DEFAULT_MODEL, LABELS, realis_features

LABELS_PATH = Path(__file__).resolve().parents[1] / "data" / "realis_labels.jsonl"
DECAYS = (1e-3, 3e-3, 1e-2, 3e-2, 1e-1)


def encode(rows: list[dict]) -> np.ndarray:
    encoder = Encoder(SHARED_LAYERS, threads=2)
    texts, spans = [], []
    for r in rows:
        norm, starts, _ = _normalise(r["sentence"])
        # norm offsets of the trigger: the first normalised character from its start on
        a = next(i for i, s in enumerate(starts) if s >= r["trigger_start"])
        b = next((i for i, s in enumerate(starts) if s >= r["trigger_start"] + len(r["trigger"])),
                 len(norm))  # fmt: skip
        texts.append(norm)
        spans.append((a, b))
    out = []
    for i in range(0, len(texts), 128):
        encoded = encode_texts(texts[i : i + 128], encoder)
        for text, (a, b), (syllables, vectors), r in zip(
            texts[i : i + 128], spans[i : i + 128], encoded, rows[i : i + 128], strict=True
        ):
            inside = [k for k, (s, e) in enumerate(syllables) if s < b and a < e]
            tokens = [text[s:e] for s, e in syllables]
            out.append(realis_features(tokens, vectors, inside[0], inside[-1] + 1,
                                       r["type"] is not None))  # fmt: skip
    return np.stack(out)


def fit(x: np.ndarray, y: np.ndarray, decay: float) -> dict[str, np.ndarray]:
    torch.manual_seed(7)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-3
    xs = torch.from_numpy((x - mean) / scale)
    ys = torch.from_numpy(y)
    w = torch.zeros(x.shape[1], len(LABELS), requires_grad=True)
    b = torch.zeros(len(LABELS), requires_grad=True)
    # rarer labels weigh more, so that "negated" is not drowned by "actual"
    counts = np.bincount(y, minlength=len(LABELS)).astype(np.float32)
    weight = torch.from_numpy(np.sqrt(counts.sum() / np.maximum(counts, 1)))
    optimiser = torch.optim.LBFGS([w, b], max_iter=300, line_search_fn="strong_wolfe")

    def closure():
        optimiser.zero_grad()
        loss = torch.nn.functional.cross_entropy(xs @ w + b, ys, weight=weight)
        loss = loss + decay * (w**2).sum()
        loss.backward()
        return loss

    optimiser.step(closure)
    return {"labels": np.array(LABELS), "mean": mean.astype(np.float32),
            "scale": scale.astype(np.float32), "w": w.detach().numpy().astype(np.float32),
            "b": b.detach().numpy().astype(np.float32)}  # fmt: skip


def predict(model: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    return (((x - model["mean"]) / model["scale"]) @ model["w"] + model["b"]).argmax(axis=1)


def report(name: str, gold: np.ndarray, pred: np.ndarray) -> float:
    """Accuracy, per-label F1 and macro F1; returns macro F1."""
    f1s = {}
    for k, label in enumerate(LABELS):
        f1s[label] = prf(int(((pred == k) & (gold == k)).sum()), int((pred == k).sum()),
                         int((gold == k).sum()))["f1"]  # fmt: skip
    macro = float(np.mean(list(f1s.values())))
    keep = np.isin(gold, [0, 1, 2, 3])  # events (not generic / not_event)
    kept = np.isin(pred, [0, 1, 2, 3])
    event = prf(int((keep & kept).sum()), int(kept.sum()), int(keep.sum()))
    print(f"{name}: accuracy {100 * (gold == pred).mean():.1f}, macro F1 {macro:.1f}, "
          f"event-or-not F1 {event['f1']:.1f} (P {event['p']:.1f} R {event['r']:.1f}); "
          + ", ".join(f"{k} {v:.1f}" for k, v in f1s.items()), file=sys.stderr)  # fmt: skip
    return macro


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    args = parser.parse_args()
    rows = [json.loads(line) for line in LABELS_PATH.read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if r["trigger"].strip()]  # BKEE has a few blank "triggers"
    x = encode(rows)
    y = np.array([LABELS.index(r["label"]) for r in rows])
    dev = np.array([r["source"] == "bkee-dev" or (r["source"] == "vntc" and r["item"] % 4 == 0)
                    for r in rows])  # fmt: skip
    xt, yt = x[~dev], y[~dev]
    print(f"train {len(yt)}, dev {int(dev.sum())}: {Counter(r['label'] for r in rows)}",
          file=sys.stderr)  # fmt: skip
    folds = np.arange(len(yt)) % 5
    best = max(
        DECAYS,
        key=lambda d: np.mean([
            report(f"  decay {d} fold {k}", yt[folds == k],
                   predict(fit(xt[folds != k], yt[folds != k], d), xt[folds == k]))
            for k in range(5)
        ]),
    )  # fmt: skip
    model = fit(xt, yt, best)
    print(f"decay {best}", file=sys.stderr)
    report("dev, majority (actual)", y[dev], np.zeros(int(dev.sum()), np.int64))
    report("dev, classifier", y[dev], predict(model, x[dev]))
    vntc = dev & np.array([r["source"] == "vntc" for r in rows])
    report("dev VNTC lexicon matches, classifier", y[vntc], predict(model, x[vntc]))
    np.savez_compressed(args.out, **model)
    print(f"-> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
