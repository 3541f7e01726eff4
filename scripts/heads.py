"""Training for thoisu's sequence heads (the heads of scripts/train_joint.py).

A head reads a sentence's syllables: each one's encoder vector (projected, tanh) and some
clues, a one-layer bidirectional LSTM, then one linear-chain CRF per label layer. PyTorch,
CPU; the weights are exported in the form :func:`thoisu.nn.crf_head_graph` runs.

Each training sentence is a dict with ``x_enc`` (n, D) float32, ``x_feat`` (n, F) float32 and
``y`` (layers, n) label ids.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator

import numpy as np
import torch
from torch import nn

PARAMS = {"proj": 256, "hidden": 128, "dropout": 0.3, "batch": 32, "lr": 1e-3, "seed": 13}


class Head(nn.Module):
    def __init__(self, enc_dim: int, feat_dim: int, labels: int, layers: int = 1) -> None:
        super().__init__()
        p = PARAMS
        self.layers = layers
        self.proj = nn.Linear(enc_dim, p["proj"])
        self.drop = nn.Dropout(p["dropout"])
        self.lstm = nn.LSTM(p["proj"] + feat_dim, p["hidden"], batch_first=True, bidirectional=True)
        self.out = nn.Parameter(torch.randn(layers, labels, 2 * p["hidden"]) * 0.05)
        self.out_b = nn.Parameter(torch.zeros(layers, labels))
        self.trans = nn.Parameter(torch.zeros(layers, labels, labels))
        self.start = nn.Parameter(torch.zeros(layers, labels))
        self.end = nn.Parameter(torch.zeros(layers, labels))

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
        for layer in range(self.layers):
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


def batches(data: list[dict], size: int, shuffle: random.Random | None) -> Iterator[tuple]:
    order = sorted(range(len(data)), key=lambda i: len(data[i]["x_enc"]))
    groups = [order[i : i + size] for i in range(0, len(order), size)]
    if shuffle:
        shuffle.shuffle(groups)
    for group in groups:
        items = [data[i] for i in group]
        n = max(len(s["x_enc"]) for s in items)
        layers = items[0]["y"].shape[0]
        enc = np.zeros((len(items), n, items[0]["x_enc"].shape[1]), np.float32)
        feat = np.zeros((len(items), n, items[0]["x_feat"].shape[1]), np.float32)
        y = np.zeros((len(items), layers, n), np.int64)
        mask = np.zeros((len(items), n), np.float32)
        for b, s in enumerate(items):
            k = len(s["x_enc"])
            enc[b, :k], feat[b, :k], y[b, :, :k], mask[b, :k] = s["x_enc"], s["x_feat"], s["y"], 1
        yield items, *map(torch.from_numpy, (enc, feat, y, mask))


def export(model: Head, labels: list[str], **extra: np.ndarray) -> dict[str, np.ndarray]:
    def t(x: torch.Tensor) -> np.ndarray:
        return x.detach().cpu().numpy().astype(np.float32)

    lstm = model.lstm
    return {
        **extra,
        "labels": np.array(labels),
        "w_proj": t(model.proj.weight), "w_proj_b": t(model.proj.bias),
        "w_ih_f": t(lstm.weight_ih_l0), "w_hh_f": t(lstm.weight_hh_l0),
        "w_b_f": t(lstm.bias_ih_l0 + lstm.bias_hh_l0),
        "w_ih_b": t(lstm.weight_ih_l0_reverse), "w_hh_b": t(lstm.weight_hh_l0_reverse),
        "w_b_b": t(lstm.bias_ih_l0_reverse + lstm.bias_hh_l0_reverse),
        "w_out": t(model.out), "w_out_b": t(model.out_b),
        "w_trans": t(model.trans), "w_start": t(model.start), "w_end": t(model.end),
    }  # fmt: skip


def paths(model: Head, data: list[dict]) -> list[list[list[int]]]:
    """The Viterbi label path of each layer of each sentence."""
    from thoisu.nn import viterbi

    model.eval()
    out: list = [None] * len(data)
    index = {id(s): i for i, s in enumerate(data)}
    with torch.no_grad():
        for items, enc, feat, _, mask in batches(data, 64, None):
            scores = model.emissions(enc, feat, mask.sum(1).long()).numpy()
            for b, s in enumerate(items):
                n = len(s["x_enc"])
                out[index[id(s)]] = [
                    viterbi(scores[b, layer, :n], model.trans[layer].numpy(),
                            model.start[layer].numpy(), model.end[layer].numpy())
                    for layer in range(model.layers)
                ]  # fmt: skip
    model.train()
    return out


def seed() -> None:
    """Seed torch, so that a head's initial weights and dropout are the same each run."""
    torch.manual_seed(PARAMS["seed"])


def train(
    model: Head,
    data: list[dict],
    epochs: int,
    score: Callable[[Head], float],
    log: Callable[[str], None],
) -> tuple[float, dict]:
    """Adam over ``epochs``; returns the best ``score(model)`` (on dev) and that epoch's
    state dict, loaded into ``model``. Call :func:`seed` before building the model."""
    rng = random.Random(PARAMS["seed"])
    optimiser = torch.optim.Adam(model.parameters(), lr=PARAMS["lr"])
    best, best_state = -1.0, None
    for epoch in range(1, epochs + 1):
        started, total = time.time(), 0.0
        for _, enc, feat, y, mask in batches(data, PARAMS["batch"], rng):
            optimiser.zero_grad()
            loss = model.nll(model.emissions(enc, feat, mask.sum(1).long()), y, mask)
            (loss / len(y)).backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimiser.step()
            total += float(loss.detach())
        value = score(model)
        log(
            f"epoch {epoch}: loss {total / len(data):.3f} dev {value:.2f}"
            f" ({time.time() - started:.0f} s)"
        )
        if value > best:
            best = value
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    assert best_state is not None
    model.load_state_dict(best_state)
    return best, best_state
