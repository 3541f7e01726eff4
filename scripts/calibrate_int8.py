"""Find the input channels the int8 encoder multiplies apart (float32): for each linear
layer, the channels whose largest value is far above the others'.

    python scripts/calibrate_int8.py [--sentences 400] [--ratio 6] [--top 4]

Runs the shipped encoder (``nbits``) over sentences of thoisu's VLSP 2018 training split
(never a dev or test article), records the largest absolute value of each input channel
of each linear layer, and keeps, per layer, at most ``--top`` channels whose largest value
is over ``--ratio`` times the median channel's. Writes
``src/thoisu/encoder/models/int8_calibration.json`` with the tuned layers' fingerprint: the
int8 encoder (``thoisu.encoder.graph.MATMULS``) uses the file only with those layers.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "src/thoisu/encoder/models/int8_calibration.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=400)
    parser.add_argument("--ratio", type=float, default=6.0)
    parser.add_argument("--top", type=int, default=4)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    import onnxruntime as ort

    from thoisu.encoder.component import SHARED_LAYERS
    from thoisu.encoder.graph import build_graph
    from thoisu.encoder.model import Encoder
    from thoisu.entities.vlsp import read_2018, split_2018
    from thoisu.nlp import split_sentences

    sentences: list[list[str]] = []
    for article in split_2018(read_2018())["train"]:
        for start, end in split_sentences(article.text):
            sentences.append(article.text[start:end].split())
        if len(sentences) >= args.sentences:
            break
    sentences = sentences[: args.sentences]
    encoder = Encoder(SHARED_LAYERS, matmul="nbits")
    graph = build_graph(encoder.weights, SHARED_LAYERS, tuned=encoder.tuned, tap_inputs=True)
    session = ort.InferenceSession(graph, providers=["CPUExecutionProvider"])
    taps = [o.name for o in session.get_outputs() if o.name.startswith("in:")]
    largest: dict[str, np.ndarray] = {}

    class Recorder:  # stands in for the encoder's session: records, then answers as it would
        def run(self, outputs: list[str], feeds: dict) -> list[np.ndarray]:
            results = session.run(outputs + taps, feeds)
            real = feeds["mask"] > 0  # padding is not text
            for name, values in zip(taps, results[len(outputs) :], strict=True):
                top = np.abs(values[real]).max(axis=0)
                largest[name] = np.maximum(largest.get(name, top), top)
            return results[: len(outputs)]

    encoder.session = Recorder()  # type: ignore[assignment]
    encoder.encode(sentences)
    outliers = {}
    for name, top in sorted(largest.items()):
        order = np.argsort(top)[::-1][: args.top]
        picked = [int(i) for i in order if top[i] > args.ratio * np.median(top)]
        if picked:
            outliers[name.removeprefix("in:")] = sorted(picked)
            print(f"{name[3:]:6} {', '.join(f'{i}: {top[i]:.1f}' for i in picked)}"
                  f" (median {np.median(top):.2f})")  # fmt: skip
    args.out.write_text(
        json.dumps(
            {
                "encoder_id": encoder.tuned.id if encoder.tuned else "",
                "source": f"{len(sentences)} sentences of the VLSP 2018 training split",
                "ratio": args.ratio,
                "top": args.top,
                "outliers": outliers,
            },
            indent=1,
        )
        + "\n"
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
