"""Train the name typer (``thoisu.entities.typer``) and score it on BKEE dev.

    python scripts/train_name_typer.py [--names build/vntc_names.json]   # NumPy; ~7 minutes

Training examples, two sources:

1. BKEE train's named mentions (capitalised PER, ORG, GPE, LOC, FAC; GPE and FAC count as
   LOC, as in thoisu), with the two syllables on each side in their line;
2. raw VNTC news minus every article of the project's gold files (``tests/gold``): the names
   that thoisu's rules type with evidence (gazetteer, title, kinship, place or organisation
   word; never a name typed by its look, nor a street: streets are named after people), at
   most ``--per-name`` examples of one name so that "Việt Nam" does not drown the rest.

Multinomial logistic regression over hashed features, Adagrad, L2, fixed seed and order:
the same data give the same file. BKEE dev is used only to report typing accuracy. The model
inherits BKEE's CC BY-NC 4.0 licence.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from thoisu.entities.typer import (
    CONTEXT_SYLLABLES,
    DEFAULT_MODEL,
    DIMENSIONS,
    TYPES,
    feature_index,
    fit_softmax,
    name_features,
)
from thoisu.evaluation import gold_article_ids
from thoisu.evaluation.entities import NAME_TYPER_VNTC_ARTICLES

REPO = Path(__file__).resolve().parents[1]
VNTC = REPO.parent / "shared" / "data" / "vntc" / "vntc_sample.jsonl.gz"
_BKEE_TYPES = {"PER": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}
_SYLLABLE = re.compile(r"\w+(?:[-‐'’.]\w+)*")  # as thoisu.entities splits syllables

_STREETS = frozenset({"đường", "phố"})
Example = tuple[list[str], list[str], list[str], str]


def bkee_examples(split: str) -> list[Example]:
    from thoisu.evaluation.bkee import read_split

    out = []
    for doc in read_split(split):
        for m in doc.mentions:
            if m.label not in _BKEE_TYPES or not m.text[:1].isupper():
                continue
            line = next((s, e) for s, e in doc.lines if s <= m.start < e)
            syls = [
                (x.group(), line[0] + x.start(), line[0] + x.end())
                for x in _SYLLABLE.finditer(doc.text[line[0] : line[1]])
            ]
            inside = [i for i, (_, s, e) in enumerate(syls) if m.start <= s and e <= m.end]
            if not inside:
                continue
            a, b, n = inside[0], inside[-1] + 1, CONTEXT_SYLLABLES
            out.append(
                (
                    [w for w, _, _ in syls[a:b]],
                    [w for w, _, _ in syls[max(0, a - n) : a]],
                    [w for w, _, _ in syls[b : b + n]],
                    _BKEE_TYPES[m.label],
                )
            )
    return out


def vntc_examples(limit: int, per_name: int) -> list[Example]:
    from thoisu.clean import clean
    from thoisu.entities import typed_names
    from thoisu.nlp import segment
    from thoisu.records import RawDocument

    held_out = gold_article_ids()
    seen: Counter[str] = Counter()
    out: list[Example] = []
    done = 0
    with gzip.open(VNTC, "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["id"] in held_out:
                continue
            text = "\n\n".join(x for x in (row["title"], row["body"]) if x)
            article = clean(RawDocument(source=row["id"], text=text, title=row["title"]))
            for ex in typed_names(article, segment(article)):
                if ex[3] == "LOC" and ex[1] and ex[1][-1].lower() in _STREETS:
                    continue  # streets are named after people: no lesson about places
                key = " ".join(ex[0])
                if seen[key] < per_name:
                    seen[key] += 1
                    out.append(ex)
            done += 1
            if done % 500 == 0:
                print(f"  VNTC {done} articles, {len(out)} names", file=sys.stderr)
            if done >= limit:
                break
    return out


def train(
    examples: list[Example], epochs: int, lr: float, l2: float, seed: int, context: bool
) -> np.ndarray:
    rows = [feature_index(name_features(w, b, a, context)) for w, b, a, _ in examples]
    gold = [TYPES.index(t) for *_, t in examples]
    return fit_softmax(
        rows, gold, len(TYPES), DIMENSIONS, epochs, lr, l2, seed,
        log=lambda line: print(line, file=sys.stderr),
    )  # fmt: skip


def accuracy(weights: np.ndarray, examples: list[Example], context: bool) -> dict[str, float]:
    from thoisu.entities.typer import NameTyper

    typer = NameTyper(weights, TYPES, context)
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for w, b, a, t in examples:
        total[t] += 1
        right[t] += typer.predict(w, b, a)[0] == t
    out = {t: 100 * right[t] / total[t] for t in TYPES if total[t]}
    out["all"] = 100 * sum(right.values()) / sum(total.values())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_MODEL)
    parser.add_argument(
        "--articles", type=int, default=NAME_TYPER_VNTC_ARTICLES, help="VNTC articles to read"
    )
    parser.add_argument("--per-name", type=int, default=5)
    parser.add_argument(
        "--names", type=Path, help="JSON file of the VNTC examples: written once, then reused"
    )
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--lr", type=float, default=0.2)
    parser.add_argument("--l2", type=float, default=1e-4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--no-context", dest="context", action="store_false", help="spelling features only"
    )
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    bkee = bkee_examples("train")
    if args.names and args.names.is_file():
        vntc = [tuple(x) for x in json.loads(args.names.read_text(encoding="utf-8"))]
    else:
        vntc = vntc_examples(args.articles, args.per_name) if args.articles else []
        if args.names:
            args.names.write_text(json.dumps(vntc, ensure_ascii=False), encoding="utf-8")
    print(
        f"examples: BKEE train {len(bkee)}, VNTC {len(vntc)} "
        f"({Counter(t for *_, t in bkee + vntc)}; {time.perf_counter() - t0:.0f} s)",
        file=sys.stderr,
    )
    weights = train(bkee + vntc, args.epochs, args.lr, args.l2, args.seed, args.context)
    dev = bkee_examples("dev")
    scores = accuracy(weights, dev, args.context)
    print("BKEE dev typing accuracy: " + ", ".join(f"{k} {v:.1f}" for k, v in scores.items()))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.output, weights=weights, types=np.array(TYPES), context=np.array(args.context)
    )
    print(f"wrote {args.output} ({args.output.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
