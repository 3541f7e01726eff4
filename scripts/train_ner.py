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
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from thoisu.entities.recognition import DEFAULT_MODEL, LABELS, LAYERS, decode, syllable_features

PARAMS = {"proj": 256, "hidden": 128, "dropout": 0.3, "epochs": 14, "batch": 32, "lr": 1e-3,
          "seed": 13}  # fmt: skip
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


class Head(nn.Module):
    def __init__(self, enc_dim: int, feat_dim: int, labels: int) -> None:
        super().__init__()
        p = PARAMS
        self.proj = nn.Linear(enc_dim, p["proj"])
        self.drop = nn.Dropout(p["dropout"])
        self.lstm = nn.LSTM(p["proj"] + feat_dim, p["hidden"], batch_first=True, bidirectional=True)
        self.out = nn.Parameter(torch.randn(LAYERS, labels, 2 * p["hidden"]) * 0.05)
        self.out_b = nn.Parameter(torch.zeros(LAYERS, labels))
        self.trans = nn.Parameter(torch.zeros(LAYERS, labels, labels))
        self.start = nn.Parameter(torch.zeros(LAYERS, labels))
        self.end = nn.Parameter(torch.zeros(LAYERS, labels))

    def emissions(
        self, enc: torch.Tensor, feat: torch.Tensor, lengths: torch.Tensor
    ) -> torch.Tensor:
        x = torch.cat([torch.tanh(self.proj(self.drop(enc))), feat], dim=-1)
        packed = nn.utils.rnn.pack_padded_sequence(
            x, lengths, batch_first=True, enforce_sorted=False
        )
        states, _ = self.lstm(packed)
        states, _ = nn.utils.rnn.pad_packed_sequence(
            states, batch_first=True, total_length=x.shape[1]
        )
        states = self.drop(states)
        return torch.einsum("bth,lkh->bltk", states, self.out) + self.out_b[None, :, None, :]

    def nll(self, scores: torch.Tensor, y: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Negative log-likelihood of the gold labels under each layer's CRF, summed."""
        total = scores.new_zeros(())
        for layer in range(LAYERS):
            e, tags = scores[:, layer], y[:, layer]
            trans, start, end = self.trans[layer], self.start[layer], self.end[layer]
            gold = start[tags[:, 0]] + e[:, 0].gather(1, tags[:, :1]).squeeze(1)
            alpha = start[None] + e[:, 0]
            for t in range(1, e.shape[1]):
                m = mask[:, t]
                step = trans[tags[:, t - 1], tags[:, t]] + e[:, t].gather(
                    1, tags[:, t : t + 1]
                ).squeeze(1)
                gold = gold + step * m
                nxt = torch.logsumexp(alpha[:, :, None] + trans[None] + e[:, t, None, :], dim=1)
                alpha = torch.where(m[:, None] > 0, nxt, alpha)
            last = tags.gather(1, (mask.sum(1).long() - 1)[:, None]).squeeze(1)
            gold = gold + end[last]
            total = total + (torch.logsumexp(alpha + end[None], dim=1) - gold).sum()
        return total


def batches(data: list[dict], size: int, shuffle: random.Random | None):
    order = sorted(range(len(data)), key=lambda i: len(data[i]["tokens"]))
    groups = [order[i : i + size] for i in range(0, len(order), size)]
    if shuffle:
        shuffle.shuffle(groups)
    for group in groups:
        items = [data[i] for i in group]
        n = max(len(s["tokens"]) for s in items)
        enc = np.zeros((len(items), n, items[0]["x_enc"].shape[1]), np.float32)
        feat = np.zeros((len(items), n, items[0]["x_feat"].shape[1]), np.float32)
        y = np.zeros((len(items), LAYERS, n), np.int64)
        mask = np.zeros((len(items), n), np.float32)
        for b, s in enumerate(items):
            k = len(s["tokens"])
            enc[b, :k], feat[b, :k], y[b, :, :k], mask[b, :k] = s["x_enc"], s["x_feat"], s["y"], 1
        yield (
            items,
            torch.from_numpy(enc),
            torch.from_numpy(feat),
            torch.from_numpy(y),
            torch.from_numpy(mask),
        )


def export(model: Head, layers: tuple[int, ...]) -> dict[str, np.ndarray]:
    def t(x: torch.Tensor) -> np.ndarray:
        return x.detach().cpu().numpy().astype(np.float32)

    lstm = model.lstm
    return {
        "encoder_layers": np.array(layers, dtype=np.int64),
        "labels": np.array(LABELS),
        "w_proj": t(model.proj.weight), "w_proj_b": t(model.proj.bias),
        "w_ih_f": t(lstm.weight_ih_l0), "w_hh_f": t(lstm.weight_hh_l0),
        "w_b_f": t(lstm.bias_ih_l0 + lstm.bias_hh_l0),
        "w_ih_b": t(lstm.weight_ih_l0_reverse), "w_hh_b": t(lstm.weight_hh_l0_reverse),
        "w_b_b": t(lstm.bias_ih_l0_reverse + lstm.bias_hh_l0_reverse),
        "w_out": t(model.out), "w_out_b": t(model.out_b),
        "w_trans": t(model.trans), "w_start": t(model.start), "w_end": t(model.end),
    }  # fmt: skip


def span_f1(data: list[dict], predicted: list[list[tuple[int, int, str, int]]]) -> dict[str, float]:
    """Exact (sentence, first, last, type) over both layers, and per type."""
    gold, pred = set(), set()
    for i, (s, names) in enumerate(zip(data, predicted, strict=True)):
        for layer in range(LAYERS):
            for a, b, kind in decode([LABELS[k] for k in s["y"][layer]]):
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


def predict(model: Head, data: list[dict]) -> list[list[tuple[int, int, str, int]]]:
    from thoisu.nn import viterbi

    model.eval()
    out: list = [None] * len(data)
    index = {id(s): i for i, s in enumerate(data)}
    with torch.no_grad():
        for items, enc, feat, _, mask in batches(data, 64, None):
            scores = model.emissions(enc, feat, mask.sum(1).long()).numpy()
            for b, s in enumerate(items):
                n = len(s["tokens"])
                names, outer = [], []
                for layer in range(LAYERS):
                    path = viterbi(scores[b, layer, :n], model.trans[layer].numpy(),
                                   model.start[layer].numpy(), model.end[layer].numpy())  # fmt: skip
                    for a, z, kind in decode([LABELS[k] for k in path]):
                        if layer and not any(
                            x <= a and z <= y and (x, y) != (a, z) for x, y in outer
                        ):
                            continue
                        if layer == 0:
                            outer.append((a, z))
                        names.append((a, z, kind, layer))
                out[index[id(s)]] = names
    model.train()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=Path, required=True)
    parser.add_argument("--layers", default="8", help="encoder layers (from those encoded)")
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--epochs", type=int, default=PARAMS["epochs"])
    parser.add_argument("--no-2016", action="store_true", help="train on VLSP 2018 train only")
    args = parser.parse_args()
    with open(args.features / "dev.pkl", "rb") as f:
        encoded = pickle.load(f)["layers"]
    layers = tuple(int(x) for x in args.layers.split(","))
    keep = [encoded.index(n) for n in layers]
    torch.manual_seed(PARAMS["seed"])
    rng = random.Random(PARAMS["seed"])
    train = load(args.features, "train", keep, 384)
    if not args.no_2016:
        train += load(args.features, "vlsp2016", keep, 384)
    dev = load(args.features, "dev", keep, 384)
    model = Head(train[0]["x_enc"].shape[1], train[0]["x_feat"].shape[1], len(LABELS))
    optimiser = torch.optim.Adam(model.parameters(), lr=PARAMS["lr"])
    best, best_state = -1.0, None
    for epoch in range(1, args.epochs + 1):
        started, total = time.time(), 0.0
        for _, enc, feat, y, mask in batches(train, PARAMS["batch"], rng):
            optimiser.zero_grad()
            loss = model.nll(model.emissions(enc, feat, mask.sum(1).long()), y, mask)
            (loss / len(y)).backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimiser.step()
            total += float(loss.detach())
        scores = span_f1(dev, predict(model, dev))
        print(f"epoch {epoch}: loss {total / len(train):.3f} dev span F1 {scores}"
              f" ({time.time() - started:.0f} s)", file=sys.stderr, flush=True)  # fmt: skip
        if scores["all"] > best:
            best, best_state = scores["all"], export(model, layers)
    assert best_state is not None
    np.savez_compressed(args.out, **best_state)
    print(f"best dev span F1 {best} -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
