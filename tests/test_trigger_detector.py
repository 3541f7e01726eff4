"""The CRF event trigger detector and the trigger scorer."""

from __future__ import annotations

import pytest

from thoisu.evaluation.events import align_labels, score_triggers
from thoisu.events.detector import (
    DEFAULT_MODEL,
    TriggerDetector,
    decode_labels,
    default_detector,
    sentence_features,
)
from thoisu.records import Sentence, Token

from .conftest import SHARED

# Classification F1 measured on the first 40 BKEE dev documents is 55.8 (shipped model with
# the MIN_CONFIDENCE filter; all 223 dev documents: 53.7); the floor leaves a few points for
# harmless retraining noise.
FIRST40_FLOOR = 53.0


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


def test_features_per_token() -> None:
    tokens = [Token("Cảnh sát", 0, 8, "N"), Token("bắt giữ", 9, 16, "V"), Token("hắn", 17, 20, "P")]
    feats = sentence_features(tokens)
    assert len(feats) == 3
    assert "w=bắt giữ" in feats[1] and "syl=giữ" in feats[1] and "pos=V" in feats[1]
    assert "lex=B" in feats[1]  # "bắt giữ" is in thoisu's trigger lexicon


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
