"""Encode the VLSP gold once, for training the name recogniser's head.

Cuts each VLSP 2018 article (and each VLSP 2016 dev sentence) into sentences as the
pipeline does, runs the shared encoder over them (states after several layers, so that the
layer can be chosen on dev), aligns the states to syllables and writes, per split, a pickle
of sentences: text, syllable spans, vectors (float16) and the gold names inside.

    python scripts/build_ner_features.py --out /tmp/ner-features [--layers 4,6,8,12]

About 5 minutes on 2 cores. The output is large (not shipped); scripts/train_ner.py reads it.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

import numpy as np

from thoisu.encoder.component import encode_texts
from thoisu.encoder.model import Encoder
from thoisu.entities.vlsp import GoldArticle, read_2016, read_2018, split_2018
from thoisu.nlp import split_sentences


def sentences_of(article: GoldArticle) -> list[dict]:
    """The article's sentences with the gold names that lie inside each."""
    out = []
    for start, end in split_sentences(article.text):
        names = [n for n in article.names if n.start >= start and n.end <= end]
        out.append({"article": article.id, "start": start, "text": article.text[start:end],
                    "names": [(n.start - start, n.end - start, n.type, n.depth) for n in names]})  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--layers", default="4,6,8,12")
    args = parser.parse_args()
    layers = tuple(int(x) for x in args.layers.split(","))
    encoder = Encoder(layers, threads=2)
    args.out.mkdir(parents=True, exist_ok=True)
    splits = split_2018(read_2018())
    splits["vlsp2016"] = read_2016()
    for name, articles in splits.items():
        started = time.time()
        sentences = [s for a in articles for s in sentences_of(a)]
        lost = sum(len(a.names) for a in articles) - sum(len(s["names"]) for s in sentences)
        for i in range(0, len(sentences), 256):
            chunk = sentences[i : i + 256]
            for s, (syllables, vectors) in zip(
                chunk, encode_texts([s["text"] for s in chunk], encoder), strict=True
            ):
                s["syllables"] = syllables
                s["vectors"] = vectors.astype(np.float16)
        with open(args.out / f"{name}.pkl", "wb") as f:
            pickle.dump({"layers": layers, "sentences": sentences}, f, protocol=5)
        print(f"{name}: {len(articles)} articles, {len(sentences)} sentences, {lost} names across"
              f" sentence ends, {time.time() - started:.0f} s", file=sys.stderr)  # fmt: skip


if __name__ == "__main__":
    main()
