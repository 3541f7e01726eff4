"""Write the shipped models from a joint fine-tuning run (scripts/train_joint.py --export).

From the epoch with the best mean dev score (or ``--epoch N``):

- ``src/thoisu/encoder/models/tuned_layers.npz``: the tuned encoder layers, 8-bit
  (:func:`thoisu.encoder.tuned.quantize_8bit`);
- ``src/thoisu/entities/models/name_recogniser.npz``: the name recogniser's head;
- ``src/thoisu/events/models/trigger_tagger.npz``, ``argument_tagger.npz``: the event heads,
  with each CRF layer's labels;
- ``src/thoisu/events/models/realis.npz``, ``cameo_coder.npz``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import heads
import numpy as np
import torch

from thoisu.encoder.tuned import DEFAULT_TUNED, LINEARS, quantize_8bit
from thoisu.entities.recognition import DEFAULT_MODEL as NER_MODEL
from thoisu.entities.recognition import LABELS as NER_LABELS
from thoisu.events import arguments, realis, triggers
from thoisu.events.coding import DEFAULT_MODEL as CODER_MODEL
from thoisu.events.types import ROLE_LABELS, TRIGGER_LABELS, layer_labels

SHARED = np.array([6], dtype=np.int64)  # the encoder layer every head reads


def export_best(run: Path, epoch: int | None = None) -> None:
    from train_joint import Joint

    history = json.loads((run / "history.json").read_text())
    if epoch is None:
        epoch = max(history, key=lambda h: h["mean"])["epoch"]
    saved = torch.load(run / f"epoch-{epoch}.pt", map_location="cpu", weights_only=False)
    config = saved["config"]
    model = Joint(config["first"], saved["frozen"])
    model.load_state_dict(saved["model"])
    model.eval()
    export(model)
    print(f"exported epoch {epoch}: {json.dumps(saved['scores'])}", file=sys.stderr)


def export(model) -> None:
    tensors: dict[str, np.ndarray] = {"layers": np.arange(model.upper.first, model.upper.last + 1)}
    for number, layer in zip(range(model.upper.first, model.upper.last + 1), model.upper.layers,
                             strict=True):  # fmt: skip
        prefix = f"l{number - 1}."
        for name in LINEARS:
            linear = getattr(layer, name)
            q, s = quantize_8bit(linear.weight.detach().numpy())
            tensors[prefix + name + ".q8"], tensors[prefix + name + ".s8"] = q, s
            tensors[prefix + name + ".b"] = linear.bias.detach().numpy().astype(np.float32)
        for name in ("aln", "oln"):
            norm = getattr(layer, name)
            tensors[prefix + name + ".w"] = norm.weight.detach().numpy().astype(np.float32)
            tensors[prefix + name + ".b"] = norm.bias.detach().numpy().astype(np.float32)
    digest = hashlib.sha256()
    for key in sorted(tensors):
        digest.update(key.encode())
        digest.update(np.ascontiguousarray(tensors[key]).tobytes())
    tag = np.array(digest.hexdigest()[:16])  # the heads below were trained on these layers
    np.savez_compressed(DEFAULT_TUNED, id=tag, **tensors)
    np.savez_compressed(NER_MODEL, **heads.export(model.ner, NER_LABELS, encoder_layers=SHARED,
                                                  encoder_id=tag))  # fmt: skip
    for head, labels, path in ((model.trig, TRIGGER_LABELS, triggers.DEFAULT_MODEL),
                               (model.role, ROLE_LABELS, arguments.DEFAULT_MODEL)):  # fmt: skip
        masks = np.array([layer_labels(labels, k) for k in range(2)])
        np.savez_compressed(path, **heads.export(head, labels, encoder_layers=SHARED,
                                                 layer_labels=masks, encoder_id=tag))  # fmt: skip
    w = model.realis.weight.detach().numpy().T.astype(np.float32)
    np.savez_compressed(
        realis.DEFAULT_MODEL, labels=np.array(realis.LABELS), w=w,
        b=model.realis.bias.detach().numpy().astype(np.float32),
        mean=np.zeros(w.shape[0], np.float32), scale=np.ones(w.shape[0], np.float32),
        encoder_id=tag,
    )  # fmt: skip
    import joint_data

    np.savez_compressed(
        CODER_MODEL, codes=np.array(joint_data.CODES),
        w=model.coder.weight.detach().numpy().T.astype(np.float32),
        b=model.coder.bias.detach().numpy().astype(np.float32), encoder_id=tag,
    )  # fmt: skip
    for path in (DEFAULT_TUNED, NER_MODEL, triggers.DEFAULT_MODEL, arguments.DEFAULT_MODEL,
                 realis.DEFAULT_MODEL, CODER_MODEL):  # fmt: skip
        print(f"{path}: {path.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
