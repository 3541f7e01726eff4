"""Warm start for the joint fine-tuning: the heads begin from the ones thoisu shipped before
(trained on the frozen encoder's layer-6 states, which the tuned layers start from), so that
tuning starts where the frozen system stood rather than from random heads.

Each saved head (the .npz of ``scripts/heads.py``'s export) is copied into the new head by
label name; an input column the new head has and the old did not (the argument tagger's
CAMEO root clue) starts at zero; a label the old head lacked starts from random (the CAMEO
root layer) or, for thoisu's coarse roles, from the mean of the fine roles they group. The
realis classifier's standardisation is folded into its weights.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from thoisu.events import arguments
from thoisu.events.types import FINE_ROLES


def _copy_lstm(head, old: dict[str, np.ndarray], columns: np.ndarray | None = None) -> None:
    """The projection and BiLSTM; ``columns``: for each old input column, its new index."""
    lstm = head.lstm
    t = lambda a: torch.from_numpy(np.asarray(a, np.float32))  # noqa: E731
    with torch.no_grad():
        head.proj.weight.copy_(t(old["w_proj"]))
        head.proj.bias.copy_(t(old["w_proj_b"]))
        for suffix, direction in (("f", ""), ("b", "_reverse")):
            w_ih = old[f"w_ih_{suffix}"]
            target = getattr(lstm, f"weight_ih_l0{direction}")
            if columns is None:
                target.copy_(t(w_ih))
            else:
                target.zero_()
                target[:, columns] = t(w_ih)
            getattr(lstm, f"weight_hh_l0{direction}").copy_(t(old[f"w_hh_{suffix}"]))
            getattr(lstm, f"bias_ih_l0{direction}").copy_(t(old[f"w_b_{suffix}"]))
            getattr(lstm, f"bias_hh_l0{direction}").zero_()


def _copy_crf(head, layer: int, old: dict, old_layer: int, new_labels: list[str],
              sources: dict[str, list[str]]) -> None:  # fmt: skip
    """CRF layer ``layer`` from the old head's ``old_layer``: each new label from the mean of
    the old labels ``sources`` gives it (by default itself)."""
    old_index = {str(lab): i for i, lab in enumerate(old["labels"])}
    rows = {}
    for k, label in enumerate(new_labels):
        found = [old_index[s] for s in sources.get(label, [label]) if s in old_index]
        if found:
            rows[k] = found
    t = lambda a: torch.from_numpy(np.asarray(a, np.float32))  # noqa: E731
    with torch.no_grad():
        for k, found in rows.items():
            head.out[layer, k] = t(old["w_out"][old_layer][found].mean(0))
            head.out_b[layer, k] = float(old["w_out_b"][old_layer][found].mean())
            head.start[layer, k] = float(old["w_start"][old_layer][found].mean())
            head.end[layer, k] = float(old["w_end"][old_layer][found].mean())
            for j, other in rows.items():
                block = old["w_trans"][old_layer][np.ix_(found, other)]
                # the best pairing: B-source -> I-source as B-Attacker -> I-Attacker, not the
                # mean over all pairs (B-Attacker -> I-Victim is forbidden)
                head.trans[layer, k, j] = float(block.max())


def warm_start(model, folder: Path) -> list[str]:
    """Load what the old heads in ``folder`` give; returns what was loaded."""
    from thoisu.entities.recognition import LABELS as NER_LABELS
    from thoisu.events.types import ROLE_LABELS, TRIGGER_LABELS

    def load(name: str) -> dict[str, np.ndarray] | None:
        path = folder / f"{name}.npz"
        if not path.exists():
            return None
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}

    done = []
    old = load("name_recogniser")
    if old is not None:
        _copy_lstm(model.ner, old)
        for layer in range(2):
            _copy_crf(model.ner, layer, old, layer, NER_LABELS, {})
        done.append("names")
    old = load("trigger_tagger")
    if old is not None:
        # the old clues are the new ones' first columns (the lexicon's roots were appended)
        _copy_lstm(model.trig, old, np.arange(old["w_ih_f"].shape[1]))
        _copy_crf(model.trig, 0, old, 0, TRIGGER_LABELS, {})
        done.append("triggers (ACE layer)")
    old = load("argument_tagger")
    if old is not None:
        width = model.role.proj.out_features
        shared = width + arguments.SHARED + 2 + len(arguments.TYPES)
        new_in = model.role.lstm.weight_ih_l0.shape[1]
        columns = np.concatenate([np.arange(shared), np.arange(new_in - 3, new_in)])
        _copy_lstm(model.role, old, columns)
        coarse = {}
        for fine, role in FINE_ROLES.items():
            for p in "BI":
                coarse.setdefault(f"{p}-{role}", []).append(f"{p}-{fine}")
        _copy_crf(model.role, 0, old, 0, ROLE_LABELS, coarse)
        _copy_crf(model.role, 1, old, 0, ROLE_LABELS, {})
        done.append("arguments")
    old = load("realis")
    if old is not None:
        w = old["w"] / old["scale"][:, None]
        b = old["b"] - (old["mean"] / old["scale"]) @ old["w"]
        with torch.no_grad():
            model.realis.weight.copy_(torch.from_numpy(w.T.astype(np.float32)))
            model.realis.bias.copy_(torch.from_numpy(b.astype(np.float32)))
        done.append("realis")
    return done
