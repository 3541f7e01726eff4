"""How many actors of coded facts carry a CAMEO actor code, on news thoisu never learned from.

    python bench/eval_actor_codes.py [--split dev|test] [--n 150] [--sample 100] [--out FILE]

Draws ``--n`` VNTC articles of the news categories (seed 2412) that are in no gold file, no
training data (the dyad corpus included) and not the bundled sample; analyses them; counts,
over the sources and targets of coded facts (a CAMEO code, neither negated nor a question),
the share with an actor code, by kind (name, nominal, pronoun); and writes a random sample of
coded actors with their sentence, for checking the codes by hand (``--out``).

``--split dev`` is the draw the actor resolver was tuned on: a development figure. ``--split
test`` is 150 others, disjoint from it, for a held-out figure. Both are fixed by id in
``actor_code_draws.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from collections import Counter
from pathlib import Path

from thoisu.clean import clean
from thoisu.evaluation import gold_article_ids
from thoisu.pipeline import analyze_article
from thoisu.records import RawDocument

REPO = Path(__file__).resolve().parents[1]
VNTC = REPO.parent / "shared" / "data" / "vntc" / "vntc_sample.jsonl.gz"
CATEGORIES = ("Thế giới", "Chính trị - Xã hội", "Pháp luật")


DRAWS = Path(__file__).with_name("actor_code_draws.json")


def unseen_articles(n: int, split: str = "dev") -> list[dict]:
    """The articles of ``split``: the ids fixed in ``actor_code_draws.json`` (drawn once,
    seed 2412 for dev, 2413 for test, from the articles no gold file, training set or sample
    held then), so that later training data cannot change the draw; other ``n`` redraw."""
    with gzip.open(VNTC, "rt", encoding="utf-8") as f:
        records = {r["id"]: r for r in map(json.loads, f)}
    fixed = json.loads(DRAWS.read_text(encoding="utf-8"))[split]
    if n == len(fixed):
        return [records[i] for i in fixed]
    used = gold_article_ids()
    for name in ("ner_vntc_train.jsonl", "realis_labels.jsonl", "dyads/dyads.jsonl"):
        for line in (REPO / "data" / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            used.add(row.get("id") or row.get("doc"))
    with gzip.open(REPO / "samples" / "vntc-world-politics.jsonl.gz", "rt", encoding="utf-8") as f:
        used |= {json.loads(line)["id"] for line in f}
    pool = [r for r in records.values() if r.get("category") in CATEGORIES
            and r["id"] not in used and r.get("title")
            and 400 <= len(r.get("body") or "") <= 2_500]  # fmt: skip
    return random.Random(2412 if split == "dev" else 2413).sample(pool, n)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--n", type=int, default=150)
    parser.add_argument("--sample", type=int, default=100)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    counts: Counter = Counter()
    coded_actors = []
    for record in unseen_articles(args.n, args.split):
        article = clean(RawDocument(source=record["id"], title=record.get("title"),
                                    body=record["body"]))  # fmt: skip
        analysis = analyze_article(article)
        for event in analysis.events:
            if not event.cameo or event.certainty in ("negated", "question"):
                continue
            sentence = analysis.sentences[event.sentence].text
            for role, actor in (("source", event.source), ("target", event.target)):
                if actor is None:
                    continue
                kind = actor.kind or "other"
                counts[("all", role)] += 1
                counts[(kind, role)] += 1
                if actor.code:
                    counts[("all", role, "coded")] += 1
                    counts[(kind, role, "coded")] += 1
                    coded_actors.append({
                        "article": record["id"], "role": role, "text": actor.text,
                        "code": actor.code, "kind": kind, "trigger": event.trigger.text,
                        "cameo": event.cameo, "sentence": sentence, "title": article.title,
                    })  # fmt: skip
    for kind in ("all", "name", "nominal", "pronoun", "other"):
        parts = []
        for role in ("source", "target"):
            n, k = counts[(kind, role)], counts[(kind, role, "coded")]
            if n:
                parts.append(f"{role} {k}/{n} ({100 * k / n:.1f}%)")
        if parts:
            print(f"{kind:<8} " + ", ".join(parts))
    both = counts[("all", "source")] + counts[("all", "target")]
    coded = counts[("all", "source", "coded")] + counts[("all", "target", "coded")]
    print(f"sources and targets of coded facts with an actor code: {coded}/{both} "
          f"({100 * coded / max(both, 1):.1f}%)")  # fmt: skip
    if args.out:
        sample = random.Random(7).sample(coded_actors, min(args.sample, len(coded_actors)))
        args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in sample),
                            encoding="utf-8")  # fmt: skip
        print(f"{len(sample)} coded actors -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
