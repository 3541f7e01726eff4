"""Train the BiLSTM event trigger tagger on BKEE train and score it on BKEE dev.

    pip install -e '.[train]'   # gensim and PyTorch (a CPU build is enough: torch==2.13.0)
    python scripts/build_word_vectors.py     # once: build/word2vec.npz from raw VNTC news
    python scripts/train_trigger_tagger.py   # about 6 minutes on 2 cores; writes the model

Reads ``../shared/data/bkee/bkee_train_dev.tar.gz`` (train to learn, dev only to report) and
``build/word2vec.npz``. Every line of BKEE train is a training sentence, including the many
lines BKEE leaves unannotated: the tagger learns how sparse BKEE's annotation is, which keeps
its precision up on dev, where every line is scored.

The model is written as a NumPy ``.npz`` (vocabularies and weights) that
``thoisu.events.detector`` runs without PyTorch; before writing, the script checks that the
NumPy forward pass gives PyTorch's probabilities. Fixed seeds and the same thread count give
the same model for a given PyTorch version. The model inherits BKEE's CC BY-NC 4.0 licence
(non-commercial use only).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from thoisu.evaluation.events import align_labels, evaluate_detector, sentence_gold, tokenized_split
from thoisu.events.detector import (
    DEFAULT_MODEL,
    MAX_SYLLABLES,
    MIN_CONFIDENCE,
    TriggerDetector,
    token_inputs,
)

REPO = Path(__file__).resolve().parents[1]
VECTORS = REPO / "build" / "word2vec.npz"
PARAMS = {
    "epochs": 9,
    "hidden": 128,
    "batch": 32,
    "lr": 1e-3,
    "dropout": 0.5,
    "syllable_dim": 50,
    "pos_dim": 20,
    "shape_dim": 5,
    "lexicon_dim": 20,
    "min_syllable_count": 2,
    "seed": 0,
}


def training_sentences(split: str = "train") -> list[tuple[list, list[str]]]:
    """(tokens, BIO labels) of every non-empty line of ``split``."""
    docs, sentences = tokenized_split(split)
    return [
        (s.tokens, align_labels(s.tokens, sentence_gold(doc, s)))
        for doc, sents in zip(docs, sentences, strict=True)
        for s in sents
        if s.tokens
    ]


def vocabularies(data, vector_words: list[str], min_syllable_count: int) -> dict[str, list[str]]:
    """Index 0 is padding, 1 unknown; then values in a deterministic order."""
    syllables: Counter[str] = Counter()
    pos, lexicon, labels = set(), set(), set()
    for tokens, y in data:
        inp = token_inputs(tokens)
        syllables.update(s for syls in inp.syllables for s in syls)
        pos.update(inp.pos)
        lexicon.update(inp.lexicon)
        labels.update(y)
    head = ["<pad>", "<unk>"]
    return {
        "words": head + vector_words,
        "syllables": head + sorted(s for s, c in syllables.items() if c >= min_syllable_count),
        "pos": head + sorted(pos),
        "lexicon": head + sorted(lexicon),
        "labels": ["O"] + sorted(labels - {"O"}),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--vectors", type=Path, default=VECTORS)
    parser.add_argument("--epochs", type=int, default=PARAMS["epochs"])
    parser.add_argument("--seed", type=int, default=PARAMS["seed"])
    args = parser.parse_args(argv)
    if not args.vectors.is_file():
        parser.error(f"{args.vectors} not found: run scripts/build_word_vectors.py first")

    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    p = PARAMS
    t0 = time.perf_counter()
    data = training_sentences("train")
    with np.load(args.vectors) as vec:
        vector_words, vectors = [str(w) for w in vec["words"]], vec["vectors"]
    vocab = vocabularies(data, vector_words, p["min_syllable_count"])
    index = {k: {v: i for i, v in enumerate(vals)} for k, vals in vocab.items()}
    print(f"train: {len(data)} sentences ({time.perf_counter() - t0:.0f}s)", file=sys.stderr)

    def encode(tokens):
        inp = token_inputs(tokens)
        syls = [[index["syllables"].get(s, 1) for s in ss] for ss in inp.syllables]
        return (
            [index["words"].get(w, 1) for w in inp.words],
            [s + [0] * (MAX_SYLLABLES - len(s)) for s in syls],
            [index["pos"].get(x, 1) for x in inp.pos],
            inp.shapes,
            [index["lexicon"].get(x, 1) for x in inp.lexicon],
        )

    encoded = [(encode(tokens), [index["labels"][y] for y in ys]) for tokens, ys in data]

    class Tagger(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            word = np.zeros((len(vocab["words"]), vectors.shape[1]), dtype=np.float32)
            word[1] = np.random.normal(0, 0.1, vectors.shape[1])
            word[2:] = vectors
            self.word = nn.Embedding.from_pretrained(
                torch.tensor(word), freeze=False, padding_idx=0
            )
            self.syllable = nn.Embedding(len(vocab["syllables"]), p["syllable_dim"], padding_idx=0)
            self.pos = nn.Embedding(len(vocab["pos"]), p["pos_dim"], padding_idx=0)
            self.shape = nn.Embedding(5, p["shape_dim"])
            self.lexicon = nn.Embedding(len(vocab["lexicon"]), p["lexicon_dim"], padding_idx=0)
            width = vectors.shape[1] + p["syllable_dim"] + p["pos_dim"]
            width += p["shape_dim"] + p["lexicon_dim"]
            self.drop = nn.Dropout(p["dropout"])
            self.lstm = nn.LSTM(width, p["hidden"], batch_first=True, bidirectional=True)
            self.out = nn.Linear(2 * p["hidden"], len(vocab["labels"]))

        def forward(self, words, syllables, pos, shapes, lexicon, lengths):
            x = torch.cat(
                [
                    self.word(words),
                    self.syllable(syllables).sum(2),
                    self.pos(pos),
                    self.shape(shapes),
                    self.lexicon(lexicon),
                ],
                dim=-1,
            )
            packed = pack_padded_sequence(
                self.drop(x), lengths, batch_first=True, enforce_sorted=False
            )
            h, _ = self.lstm(packed)
            h, _ = pad_packed_sequence(h, batch_first=True, total_length=words.shape[1])
            return self.out(self.drop(h))

    def batch(items):
        steps = max(len(e[0]) for e in items)

        def pad(seq, fill):
            return seq + [fill] * (steps - len(seq))

        return (
            torch.tensor([pad(e[0], 0) for e in items]),
            torch.tensor([pad(e[1], [0] * MAX_SYLLABLES) for e in items]),
            torch.tensor([pad(e[2], 0) for e in items]),
            torch.tensor([pad(e[3], 0) for e in items]),
            torch.tensor([pad(e[4], 0) for e in items]),
            torch.tensor([len(e[0]) for e in items]),
        )

    model = Tagger()
    optimiser = torch.optim.Adam(model.parameters(), lr=p["lr"])
    loss_fn = nn.CrossEntropyLoss(ignore_index=-1)
    order = list(range(len(encoded)))
    for epoch in range(args.epochs):
        model.train()
        random.shuffle(order)
        total = 0.0
        for k in range(0, len(order), p["batch"]):
            chunk = [encoded[i] for i in order[k : k + p["batch"]]]
            inputs = batch([e for e, _ in chunk])
            steps = inputs[0].shape[1]
            gold = torch.tensor([y + [-1] * (steps - len(y)) for _, y in chunk])
            scores = model(*inputs)
            loss = loss_fn(scores.reshape(-1, scores.shape[-1]), gold.reshape(-1))
            optimiser.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimiser.step()
            total += loss.item()
        print(
            f"epoch {epoch + 1}: loss {total:.1f} ({time.perf_counter() - t0:.0f}s)",
            file=sys.stderr,
        )

    model.eval()
    state = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    arrays = {f"vocab_{k}": np.array(v) for k, v in vocab.items() if k != "labels"}
    arrays["labels"] = np.array(vocab["labels"])
    arrays.update(
        w_word=state["word.weight"].astype(np.float16),  # the bulk of the file: halved
        w_syllable=state["syllable.weight"],
        w_pos=state["pos.weight"],
        w_shape=state["shape.weight"],
        w_lexicon=state["lexicon.weight"],
        w_ih_f=state["lstm.weight_ih_l0"],
        w_hh_f=state["lstm.weight_hh_l0"],
        w_b_f=state["lstm.bias_ih_l0"] + state["lstm.bias_hh_l0"],
        w_ih_b=state["lstm.weight_ih_l0_reverse"],
        w_hh_b=state["lstm.weight_hh_l0_reverse"],
        w_b_b=state["lstm.bias_ih_l0_reverse"] + state["lstm.bias_hh_l0_reverse"],
        w_out=state["out.weight"],
        w_out_b=state["out.bias"],
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.output, **arrays)

    # The NumPy forward pass must reproduce PyTorch's (with the float16 word vectors).
    detector = TriggerDetector.load(args.output, min_confidence=0.0)
    with torch.no_grad():
        model.word.weight.copy_(torch.tensor(arrays["w_word"].astype(np.float32)))
        sample = [tokens for tokens, _ in data[:64]]
        expected = torch.softmax(model(*batch([encode(t) for t in sample])), -1).numpy()
    for b, probs in enumerate(detector.probabilities(sample)):
        diff = np.abs(probs - expected[b, : len(probs)]).max()
        if diff > 1e-4:
            print(f"error: NumPy and PyTorch disagree by {diff:.2g}", file=sys.stderr)
            return 1
    size = args.output.stat().st_size / 1e6
    print(f"wrote {args.output} ({size:.1f} MB, {time.perf_counter() - t0:.0f}s)", file=sys.stderr)

    for min_conf in (0.0, MIN_CONFIDENCE):
        result = evaluate_detector("dev", detector=TriggerDetector.load(args.output, min_conf))
        for level in ("identification", "classification"):
            s = result[level]
            print(
                f"dev {level} (min probability {min_conf}): P {s['p']:.1f} R {s['r']:.1f} F1 {s['f1']:.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
