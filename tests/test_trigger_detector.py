"""The learned event trigger tagger and the trigger scorer."""

from __future__ import annotations

import numpy as np
import pytest

from thoisu.evaluation.events import align_labels, score_triggers
from thoisu.events.detector import (
    DEFAULT_MODEL,
    TriggerDetector,
    decode_labels,
    default_detector,
    token_inputs,
)
from thoisu.records import Sentence, Token

from .conftest import SHARED

# Classification F1 measured on the first 40 BKEE dev documents is 58.9 (shipped tagger with
# the MIN_CONFIDENCE filter; all 223 dev documents: 56.7); the floor leaves a few points for
# retraining noise (seeds move the full-dev figure by about +-1).
FIRST40_FLOOR = 56.0


def _sentence(text: str, offset: int = 100) -> Sentence:
    from thoisu.nlp import tokenize_sentence

    return Sentence(0, offset, offset + len(text), text, tokenize_sentence(text, offset))


@pytest.fixture(scope="module")
def detector() -> TriggerDetector:
    if not DEFAULT_MODEL.is_file():
        pytest.skip("no shipped model")
    return TriggerDetector.load()


def test_default_detector_loads() -> None:
    assert DEFAULT_MODEL.is_file()
    assert isinstance(default_detector(), TriggerDetector)


def test_missing_model_raises(tmp_path) -> None:
    with pytest.raises(FileNotFoundError):
        TriggerDetector.load(tmp_path / "nothing.bin")


@pytest.mark.parametrize(
    ("text", "trigger", "etype"),
    [
        ("Phiến quân đã tấn công một đồn cảnh sát ở miền bắc nước này .", "tấn công", "Attack"),
        ("Cảnh sát đã bắt giữ ba nghi phạm tại Hà Nội hôm qua .", "bắt giữ", "Arrest-jail"),
    ],
)
def test_detects_simple_triggers(
    detector: TriggerDetector, text: str, trigger: str, etype: str
) -> None:
    sentence = _sentence(text)
    found = {(t.text, t.type) for t in detector.detect(sentence)}
    assert (trigger, etype) in found
    for t in detector.detect(sentence):  # absolute offsets index the sentence text
        assert sentence.text[t.start - sentence.start : t.end - sentence.start] == t.text


def test_empty_sentence(detector: TriggerDetector) -> None:
    assert detector.detect(Sentence(0, 0, 0, "", [])) == []


def test_inputs_per_token() -> None:
    tokens = [
        Token("Cảnh sát", 0, 8, "N"),
        Token("bắt giữ", 9, 16, "V"),
        Token("NATO", 17, 21, "Np"),
    ]
    inp = token_inputs(tokens)
    assert inp.words == ["cảnh_sát", "bắt_giữ", "nato"]
    assert inp.syllables[1] == ["bắt", "giữ"] and inp.pos == ["N", "V", "Np"]
    assert inp.shapes == [2, 3, 1]
    assert inp.lexicon[1].startswith("B|")  # "bắt giữ" is in thoisu's trigger lexicon


def test_batch_and_single_sentences_agree(detector: TriggerDetector) -> None:
    # Padding in a batch must not change a sentence's probabilities (both directions).
    short = _sentence("Cảnh sát bắt giữ hắn .").tokens
    long = _sentence("Phiến quân đã tấn công một đồn cảnh sát ở miền bắc nước này hôm qua .").tokens
    together = detector.probabilities([short, long, []])
    alone = [detector.probabilities([t])[0] for t in (short, long)]
    assert together[2].shape == (0, len(detector.labels_))
    for a, b in zip(together[:2], alone, strict=True):
        assert np.abs(a - b).max() < 1e-5
        assert np.allclose(a.sum(axis=1), 1.0, atol=1e-5)


def test_align_and_decode_round_trip() -> None:
    tokens = [Token("Họ", 0, 2, "P"), Token("bị", 3, 5, "V"), Token("bắt giữ", 6, 13, "V")]
    labels = align_labels(tokens, [(6, 13, "Arrest-jail")])
    assert labels == ["O", "O", "B-Arrest-jail"]
    assert decode_labels(tokens, labels) == [(6, 13, "Arrest-jail")]
    # A gold trigger over two tokens; a stray I- starts a new trigger.
    labels = align_labels(tokens, [(3, 13, "Arrest-jail")])
    assert labels == ["O", "B-Arrest-jail", "I-Arrest-jail"]
    assert decode_labels(tokens, labels) == [(3, 13, "Arrest-jail")]
    assert decode_labels(tokens, ["I-Die", "O", "I-Attack"]) == [(0, 2, "Die"), (6, 13, "Attack")]


def test_score_triggers() -> None:
    gold = [("d", 0, 5, "Attack"), ("d", 10, 15, "Die"), ("e", 0, 3, "Meet"), ("e", 0, 3, "Meet")]
    pred = [("d", 0, 5, "Attack"), ("d", 10, 15, "Attack"), ("e", 4, 6, "Meet")]
    s = score_triggers(gold, pred)
    # 3 distinct gold triggers; spans (d,0,5) and (d,10,15) found; types right for one.
    assert s["identification"]["tp"] == 2
    assert s["identification"]["p"] == pytest.approx(200 / 3)
    assert s["identification"]["r"] == pytest.approx(200 / 3)
    assert s["classification"]["tp"] == 1
    assert s["classification"]["p"] == pytest.approx(100 / 3)
    assert s["classification"]["f1"] == pytest.approx(100 / 3)
    assert s["per_type"]["Attack"]["p"] == pytest.approx(50.0)
    assert s["per_type"]["Attack"]["r"] == pytest.approx(100.0)
    assert s["per_type"]["Die"]["f1"] == 0.0
    assert score_triggers([], [])["classification"]["f1"] == 0.0


def test_quality_floor_on_bkee_dev_sample() -> None:
    from thoisu.evaluation.events import evaluate_detector

    if not (SHARED / "data" / "bkee" / "bkee_train_dev.tar.gz").exists():
        pytest.skip("BKEE is not available")
    result = evaluate_detector("dev", limit=40)
    assert result["classification"]["f1"] >= FIRST40_FLOOR
