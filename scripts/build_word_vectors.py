"""Learn word vectors from raw news for the trigger tagger: ``build/word2vec.npz``.

    pip install -e '.[train]'
    python scripts/build_word_vectors.py       # about 12 minutes on 2 cores
    python scripts/train_trigger_tagger.py     # then: the tagger starts from these vectors

Unlabelled text only: the VNTC sample (``../shared/data/vntc``) minus every article of the
project's gold files (``tests/gold/*.jsonl``), plus the BKEE train split's text (never dev).
Each sentence is segmented as the pipeline segments it (NFC, one tone-mark convention,
underthesea's word segmenter), lower-cased, the syllables of a word joined by ``_``.
word2vec (skip-gram, 100 dimensions, gensim) embeds every word seen 3 times or more. The
vectors are a training input only (the tagger fine-tunes them and ships its own copy), so
they stay out of the repository.

Deterministic: one worker thread, fixed seeds and a hash function that does not depend on
``PYTHONHASHSEED``; the same gensim version gives the same vectors.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
import unicodedata
import zlib
from collections.abc import Iterator
from pathlib import Path

from thoisu.evaluation import gold_article_ids

REPO = Path(__file__).resolve().parents[1]
VNTC = REPO.parent / "shared" / "data" / "vntc" / "vntc_sample.jsonl.gz"
OUT = REPO / "build" / "word2vec.npz"


def vntc_sentences(path: Path, exclude: set[str]) -> Iterator[list[str]]:
    """Segmented, lower-cased sentences of the VNTC articles not in ``exclude``."""
    from underthesea import sent_tokenize, word_tokenize

    from thoisu.clean import normalize_tones

    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            if doc["id"] in exclude:
                continue
            text = "\n".join(x for x in (doc.get("title"), doc.get("body")) if x)
            text = normalize_tones(unicodedata.normalize("NFC", text))
            for para in text.split("\n"):
                for sentence in sent_tokenize(para) if para.strip() else []:
                    words = word_tokenize(sentence)
                    if words:
                        yield [w.lower().replace(" ", "_") for w in words]


def bkee_train_sentences() -> Iterator[list[str]]:
    from thoisu.evaluation.events import tokenized_split

    _, sentences = tokenized_split("train")
    for doc in sentences:
        for sentence in doc:
            if sentence.tokens:
                yield [t.text.lower().replace(" ", "_") for t in sentence.tokens]


def _stable_hash(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vntc", type=Path, default=VNTC)
    parser.add_argument("-o", "--output", type=Path, default=OUT)
    args = parser.parse_args(argv)

    import numpy as np
    from gensim.models import Word2Vec

    t0 = time.perf_counter()
    corpus = list(vntc_sentences(args.vntc, gold_article_ids())) + list(bkee_train_sentences())
    words = sum(map(len, corpus))
    print(
        f"{len(corpus)} sentences, {words} words ({time.perf_counter() - t0:.0f}s)", file=sys.stderr
    )
    model = Word2Vec(
        corpus,
        vector_size=100,
        window=5,
        min_count=3,
        sg=1,
        negative=10,
        epochs=8,
        workers=1,
        seed=1,
        hashfxn=_stable_hash,
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    np.savez(
        args.output,
        words=np.array(model.wv.index_to_key),
        vectors=model.wv.vectors.astype(np.float32),
    )
    print(
        f"wrote {args.output}: {len(model.wv)} words ({time.perf_counter() - t0:.0f}s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
