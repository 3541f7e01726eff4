"""Encode every training sentence once, up to the frozen layers, for the joint fine-tuning.

The encoder's lower layers (1..``--frozen``) stay as shipped; their states, for every subword
piece of every sentence (``<s>`` and ``</s>`` included), are computed here once by the
shipped ONNX graph and cached as float16. ``scripts/train_joint.py`` runs the upper layers
(trainable) and every head over them.

Corpora, each sentence with the spans of its gold (as syllable runs of the sentence):

- ``vlsp``: VLSP 2018 train and dev (``thoisu.entities.vlsp.split_2018``; test is never
  read) and VLSP 2016 dev (trains too): names, outer and nested;
- ``bkee``: BKEE train and dev (test is held back): triggers (ACE types) and arguments;
- ``dyads``: the CAMEO dyad corpus (``data/dyads/dyads.jsonl``; batches 01-03 are dev):
  triggers (CAMEO codes), source / target / location, certainty, non-events;
- ``realis``: ``data/realis_labels.jsonl``, one sentence per labelled candidate.

Event sentences also get what the event heads read as clues: underthesea's words and parts of
speech, and the names the shipped recogniser finds (computed from the shipped layer-6 states).

    python scripts/build_joint_features.py --out build/joint [--corpora vlsp,bkee,dyads,realis]

Resumable: a corpus whose file exists is skipped. About 15 minutes on 2 cores for all.
"""

from __future__ import annotations

import argparse
import json
import pickle
import re
import sys
import time
from pathlib import Path

import numpy as np

from thoisu.encoder.component import align, syllable_spans
from thoisu.encoder.model import Encoded, Encoder
from thoisu.encoder.tokenizer import tokenize_words
from thoisu.entities.recognition import NameRecogniser
from thoisu.nlp import split_sentences, tokenize_sentence
from thoisu.nn import bio_runs, viterbi_batch

REPO = Path(__file__).resolve().parents[1]
FROZEN = 2  # the encoder layers 1..FROZEN stay as shipped
MAX_PIECES = 510
_WORD = re.compile(r"\S+")
DYAD_DEV = ("batch-01", "batch-02", "batch-03")  # annotated twice: the dyad dev split


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run_of(syllables: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """The syllables a character span covers, as (first, last + 1)."""
    inside = [i for i, (a, b) in enumerate(syllables) if a < end and start < b]
    return (inside[0], inside[-1] + 1) if inside else None


# --- corpora -> sentences with character spans --------------------------------------------


def vlsp_sentences() -> list[dict]:
    from thoisu.entities.vlsp import read_2016, read_2018, split_2018

    splits = split_2018(read_2018())
    out = []
    for split, articles in (("train", splits["train"]), ("dev", splits["dev"]),
                            ("train", read_2016())):  # fmt: skip
        for article in articles:
            for start, end in split_sentences(article.text):
                names = [(n.start - start, n.end - start, n.type, n.depth)
                         for n in article.names if n.start >= start and n.end <= end]  # fmt: skip
                out.append({"corpus": "vlsp", "split": split, "doc": article.id,
                            "text": article.text[start:end], "names_gold": names})  # fmt: skip
    return out


def bkee_sentences() -> list[dict]:
    from thoisu.evaluation.bkee import read_split
    from thoisu.evaluation.events import _normalise

    out = []
    for split in ("train", "dev"):
        for doc in read_split(split):
            for start, end in doc.lines:
                norm, starts, ends = _normalise(doc.text[start:end])
                # gold spans are BKEE offsets; map them onto the normalised text
                back = {}
                for i, (a, b) in enumerate(zip(starts, ends, strict=True)):
                    back.setdefault(a, i)
                    back[b] = i + 1

                size = len(norm)

                def span(s: int, e: int, back=back, start=start, n=size) -> tuple[int, int]:
                    return back.get(s - start, 0), back.get(e - start, n)

                events = []
                for ev in doc.events:
                    if not start <= ev.trigger.start < end:
                        continue
                    events.append({
                        "trigger": span(ev.trigger.start, ev.trigger.end), "ace": ev.type,
                        "args": [(role, *span(a.start, a.end)) for role, a in ev.arguments],
                    })  # fmt: skip
                out.append({"corpus": "bkee", "split": split, "doc": doc.id, "text": norm,
                            "bkee_offset": start, "events": events})  # fmt: skip
    return out


# The last dyad batch read (None: all). The shipped models first learned batches 01-30 (run
# 2: ``--dyad-batches 30``), then all of them (run 3; src/thoisu/encoder/models/README.md).
DYAD_LAST_BATCH: int | None = None


def dyad_sentences() -> list[dict]:
    out = []
    path = REPO / "data" / "dyads" / "dyads.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        article = json.loads(line)
        if DYAD_LAST_BATCH is not None and int(article["batch"][6:]) > DYAD_LAST_BATCH:
            continue
        split = "dev" if article["batch"] in DYAD_DEV else "train"
        for k, (start, end) in enumerate(article["sentences"]):

            def rel(value: dict | None, start=start) -> dict | None:
                if not value or value.get("start") is None:
                    return {"span": None, "code": value.get("code")} if value else None
                return {"span": (value["start"] - start, value["end"] - start),
                        "code": value.get("code")}  # fmt: skip

            events = [{"trigger": rel(e["trigger"])["span"], "cameo": e["cameo"],
                       "certainty": e["certainty"], "source": rel(e["source"]),
                       "target": rel(e["target"]), "location": rel(e["location"])}
                      for e in article["events"] if e["sentence"] == k]  # fmt: skip
            non_events = [{"span": (n["start"] - start, n["end"] - start), "kind": n["kind"]}
                          for n in article["non_events"] if n["sentence"] == k]  # fmt: skip
            out.append({"corpus": "dyads", "split": split, "doc": article["id"],
                        "sentence": k, "text": article["text"][start:end], "events": events,
                        "non_events": non_events})  # fmt: skip
    return out


def realis_sentences() -> list[dict]:
    from thoisu.evaluation.events import _normalise

    out = []
    path = REPO / "data" / "realis_labels.jsonl"
    rows = [json.loads(x) for x in path.read_text("utf-8").splitlines()]
    for row in rows:
        norm, starts, _ = _normalise(row["sentence"])
        first = next(i for i, s in enumerate(starts) if s >= row["trigger_start"])
        # dev: the BKEE dev items and every fourth VNTC item (as the first realis model's)
        dev = row["source"] == "bkee-dev" or (row["source"] == "vntc" and row["item"] % 4 == 0)
        out.append({"corpus": "realis", "split": "dev" if dev else "train", "doc": row["doc"],
                    "item": row["item"],
                    "text": norm, "candidate": (first, first + len(row["trigger"])),
                    "label": row["label"], "typed": row.get("type") is not None})  # fmt: skip
    return out


CORPORA = {"vlsp": vlsp_sentences, "bkee": bkee_sentences, "dyads": dyad_sentences,
           "realis": realis_sentences}  # fmt: skip


# --- encoding -----------------------------------------------------------------------------


def encode(sentences: list[dict], encoder: Encoder, recogniser: NameRecogniser) -> list[dict]:
    """Adds ``tokens``, ``syllables``, ``h`` (frozen states of the framed pieces, float16),
    ``align`` (syllable, framed piece) pairs and ``names`` (the shipped recogniser's)."""
    w = encoder.weights
    kept = []
    for s in sentences:
        s["syllables"] = syllable_spans(s["text"])
        s["tokens"] = [s["text"][a:b] for a, b in s["syllables"]]
        words = [(m.start(), m.end()) for m in _WORD.finditer(s["text"])]
        s["_words"] = words
        s["_pieces"] = tokenize_words([[s["text"][a:b] for a, b in words]], w)[0]
        if s["syllables"] and 0 < len(s["_pieces"].ids) <= MAX_PIECES:
            kept.append(s)
    order = sorted(range(len(kept)), key=lambda i: len(kept[i]["_pieces"].ids))
    trans, first, last = (x[0] for x in recogniser._crf)
    for b in range(0, len(order), 64):
        batch = [kept[i] for i in order[b : b + 64]]
        states = encoder._run([s["_pieces"].ids for s in batch])  # [B, T, 2H]: frozen, layer 6
        hidden = w.hidden
        for s, st in zip(batch, states, strict=True):
            p = s.pop("_pieces")
            n = len(p.ids) + 2
            s["h"] = st[:n, :hidden].astype(np.float16)
            rows, cols = [], []
            for j, (word, (a, z)) in enumerate(zip(p.words, p.spans, strict=True)):
                start, end = s["_words"][word][0] + a, s["_words"][word][0] + z
                for i, (x, y) in enumerate(s["syllables"]):
                    if x < end and start < y:
                        rows.append(i)
                        cols.append(j + 1)  # framed: <s> is position 0
            s["align"] = (np.array(rows, np.int32), np.array(cols, np.int32))
            s["_v6"] = align(Encoded(p, st[1 : n - 1, hidden:]), s.pop("_words"), s["syllables"])
        scores, lengths = recogniser.emissions([(s["_v6"], s["tokens"]) for s in batch])
        for s, path in zip(batch, viterbi_batch(scores[:, 0], lengths, trans, first, last),
                           strict=True):  # fmt: skip
            s["names"] = bio_runs([recogniser.labels[k] for k in path])
            del s["_v6"]
        if b % 1280 == 0:
            log(f"  {b + len(batch)}/{len(kept)}")
    log(f"  kept {len(kept)} of {len(sentences)} (the rest empty or over {MAX_PIECES} pieces)")
    return kept


def add_words(sentences: list[dict]) -> None:
    """underthesea's words (start, end, POS) of event sentences, as the NLP stage cuts them."""
    for s in sentences:
        s["words"] = [(t.start, t.end, t.pos) for t in tokenize_sentence(s["text"])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--corpora", default="vlsp,bkee,realis,dyads")
    parser.add_argument("--dyad-batches", type=int, help="read dyad batches 01 to this one")
    args = parser.parse_args()
    global DYAD_LAST_BATCH
    DYAD_LAST_BATCH = args.dyad_batches
    args.out.mkdir(parents=True, exist_ok=True)
    encoder = Encoder((FROZEN, 6), threads=2)
    recogniser = NameRecogniser.load()
    for name in args.corpora.split(","):
        path = args.out / f"{name}.pkl"
        if path.exists():
            log(f"{name}: {path} exists, skipped")
            continue
        started = time.time()
        sentences = CORPORA[name]()
        log(f"{name}: {len(sentences)} sentences")
        sentences = encode(sentences, encoder, recogniser)
        if name != "vlsp":
            add_words(sentences)
        with open(path.with_suffix(".tmp"), "wb") as f:
            pickle.dump({"frozen": FROZEN, "sentences": sentences}, f, protocol=5)
        path.with_suffix(".tmp").rename(path)
        log(f"{name}: {len(sentences)} sentences, {time.time() - started:.0f} s -> {path}")


if __name__ == "__main__":
    main()
