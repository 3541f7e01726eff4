"""Encode BKEE once, for training the event heads (triggers and argument roles).

Each BKEE line is one sentence. It is normalised as thoisu's cleaner normalises text (NFC, one
tone-mark convention), run through the shared encoder (the layers of
``thoisu.encoder.SHARED_LAYERS``), and its syllables are mapped back to BKEE's offsets. Writes,
per split, a pickle of sentences: document id, text, syllable spans (BKEE offsets) and texts,
vectors (float16), the gold triggers and the gold events with their arguments in the line.

    python scripts/build_event_features.py --out build/event-features

About 2 minutes on 2 cores (BKEE train and dev). scripts/train_events.py reads the output.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

import numpy as np

from thoisu.encoder import SHARED_LAYERS
from thoisu.encoder.component import encode_texts
from thoisu.encoder.model import Encoder
from thoisu.evaluation.bkee import read_split
from thoisu.evaluation.events import _normalise


def sentences_of(doc) -> list[dict]:
    out = []
    for start, end in doc.lines:
        norm, starts, ends = _normalise(doc.text[start:end])
        events = [ev for ev in doc.events if start <= ev.trigger.start < end]
        out.append({
            "doc": doc.id, "start": start, "norm": norm, "starts": starts, "ends": ends,
            "triggers": [(ev.trigger.start, ev.trigger.end, ev.type) for ev in events],
            "events": [((ev.trigger.start, ev.trigger.end, ev.type),
                        [(role, a.start, a.end) for role, a in ev.arguments]) for ev in events],
        })  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--layers", default=",".join(map(str, SHARED_LAYERS)),
                        help="encoder layers to keep (default: the shared ones)")  # fmt: skip
    args = parser.parse_args()
    layers = tuple(int(x) for x in args.layers.split(","))
    encoder = Encoder(layers, threads=2)
    args.out.mkdir(parents=True, exist_ok=True)
    for split in ("train", "dev"):
        started = time.time()
        sentences = [s for doc in read_split(split) for s in sentences_of(doc)]
        for i in range(0, len(sentences), 256):
            chunk = sentences[i : i + 256]
            for s, (syllables, vectors) in zip(
                chunk, encode_texts([s["norm"] for s in chunk], encoder), strict=True
            ):
                s["tokens"] = [s["norm"][a:b] for a, b in syllables]
                # back to BKEE's offsets (normalising may merge or split characters)
                s["syllables"] = [(s["start"] + s["starts"][a], s["start"] + s["ends"][b - 1])
                                  for a, b in syllables]  # fmt: skip
                s["vectors"] = vectors.astype(np.float16)
        for s in sentences:
            del s["starts"], s["ends"]
        with open(args.out / f"{split}.pkl", "wb") as f:
            pickle.dump({"layers": layers, "sentences": sentences}, f, protocol=5)
        print(
            f"{split}: {len(sentences)} sentences, {time.time() - started:.0f} s", file=sys.stderr
        )


if __name__ == "__main__":
    main()
