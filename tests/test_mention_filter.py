"""The learned mention filter: its features, its decisions, the shipped model, its training."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import thoisu.entities as entities
from thoisu import analyze
from thoisu.entities.mention_filter import (
    DEFAULT_MODEL,
    DIMENSIONS,
    LABELS,
    Candidate,
    MentionFilter,
    candidate_features,
)
from thoisu.entities.typer import feature_index
from thoisu.evaluation import gold_article_ids
from thoisu.evaluation.entities import VNTC_PATH, load_gold

REPO = Path(__file__).resolve().parents[1]
TRAIN = REPO / "data" / "ner_vntc_train.jsonl"


def _candidate(**overrides) -> Candidate:
    fields = dict(
        words=["Kinh", "Đô"],
        before=["cổ", "phiếu"],
        after=["tăng"],
        rule_type="PER",
        kind="person",
        gazetteer=False,
        by_shape=True,
        titled=False,
        pos="Np",
        opens_sentence=False,
        repeats=2,
        typer=("ORG", 0.93),
    )
    fields.update(overrides)
    return Candidate(**fields)


def _biased(label: str, strength: float = 10.0, threshold: float = 0.6) -> MentionFilter:
    """A filter whose only weight pushes every mention towards ``label``."""
    weights = np.zeros((DIMENSIONS, len(LABELS)), dtype=np.float32)
    weights[feature_index(["bias"], DIMENSIONS)[0], LABELS.index(label)] = strength
    return MentionFilter(weights, LABELS, threshold)


def test_features_join_the_rules_clues_with_the_typer_and_the_context():
    feats = candidate_features(_candidate())
    assert "rule=PER&by_shape=True" in feats
    assert "rule=PER&typer=ORG:high" in feats
    assert "before=phiếu" in feats and "before2=cổ phiếu" in feats and "after=tăng" in feats
    untyped = candidate_features(_candidate(rule_type="", typer=None))
    assert "rule=none" in untyped and not any(f.startswith("typer=") for f in untyped)


def test_weights_of_the_wrong_shape_are_refused():
    with pytest.raises(ValueError, match="shape"):
        MentionFilter(np.zeros((10, 4)))


def test_decisions_respect_the_threshold_the_gazetteer_and_the_rules_organisations():
    assert _biased("ORG").decide(_candidate()) == "ORG"
    assert _biased("PER").decide(_candidate()) is None  # agrees with the rules
    assert _biased("NONE").decide(_candidate()) == "NONE"
    # Below the threshold nothing changes (four labels, a weak push: p < 0.6).
    assert _biased("ORG", strength=1.0).decide(_candidate()) is None
    # A gazetteer entry may be dropped ("Anh" the pronoun), never retyped.
    country = _candidate(rule_type="LOC", kind="country", gazetteer=True)
    assert _biased("PER").decide(country) is None
    assert _biased("NONE").decide(country) == "NONE"
    # Probabilities given from outside (the mean over a surface's mentions) are the ones used.
    probs = np.array([0.05, 0.05, 0.85, 0.05])
    assert _biased("NONE").decide(_candidate(), probs) == "ORG"
    # Organisations the rules built from a head word are theirs.
    org = _candidate(rule_type="ORG", kind="org", by_shape=False)
    assert _biased("NONE").decide(org) is None and _biased("PER").decide(org) is None


class _Stub:
    """A stand-in filter with a fixed answer per rule type."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers

    def probabilities(self, candidate: Candidate) -> np.ndarray:
        return np.full(len(LABELS), 1 / len(LABELS))

    def decide(self, candidate: Candidate, probs: np.ndarray | None = None) -> str | None:
        return self.answers.get(candidate.rule_type)


def _types(monkeypatch, stub, text):
    monkeypatch.setattr(entities, "default_filter", lambda: stub)
    return {m.text: e.type for e in analyze(text).entities for m in e.mentions}


def test_the_pipeline_applies_the_decisions(monkeypatch):
    text = "Tin\n\nÔng Lê Văn Tám nói Công an tỉnh Hà Tây đã bắt Trần Quốc Hùng."
    plain = _types(monkeypatch, None, text)
    assert plain["Lê Văn Tám"] == "PER" and plain["Công an tỉnh Hà Tây"] == "ORG"
    retyped = _types(monkeypatch, _Stub({"PER": "ORG"}), text)
    assert retyped["Lê Văn Tám"] == "ORG" and retyped["Trần Quốc Hùng"] == "ORG"
    dropped = _types(monkeypatch, _Stub({"ORG": "NONE"}), text)
    # The organisation goes; the province named inside it stays.
    assert "Công an tỉnh Hà Tây" not in dropped and dropped["Hà Tây"] == "LOC"
    assert dropped["Lê Văn Tám"] == "PER"


def test_shipped_model_loads():
    filt = MentionFilter.load()
    assert filt.labels == LABELS and 0.5 <= filt.threshold <= 1.0
    assert filt.weights.shape == (DIMENSIONS, len(LABELS))
    assert DEFAULT_MODEL.stat().st_size < 1_000_000
    probs = filt.probabilities(_candidate())
    assert probs.shape == (4,) and abs(float(probs.sum()) - 1) < 1e-5


def test_training_articles_are_outside_the_gold():
    rows = load_gold(TRAIN)
    assert len(rows) == 240 and len({r["id"] for r in rows}) == 240
    assert not {r["id"] for r in rows} & gold_article_ids()
    assert all(t in ("PER", "LOC", "ORG") and s for r in rows for t, s in r["entities"])


@pytest.mark.skipif(not VNTC_PATH.exists(), reason="VNTC sample not available")
def test_training_script_writes_a_loadable_model(tmp_path):
    out = tmp_path / "filter.npz"
    run = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "train_mention_filter.py"),
            *("--limit", "10", "--folds", "2", "--epochs", "1", "-o", str(out)),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    assert "held-out F1" in run.stdout and "VNTC dev gold" in run.stdout
    assert MentionFilter.load(out).weights.shape == (DIMENSIONS, len(LABELS))


@pytest.mark.skipif(not VNTC_PATH.exists(), reason="VNTC sample not available")
def test_training_articles_are_the_documented_draw():
    from thoisu.evaluation.entities import draw_exclusions, select_articles

    first = select_articles(seed=4242, per_category=20, size=120, exclude=draw_exclusions(4))
    taken = draw_exclusions(4) | {d["id"] for d in first}
    second = select_articles(seed=4343, per_category=20, size=120, exclude=taken)
    rows = load_gold(TRAIN)
    assert [d["id"] for d in first + second] == [r["id"] for r in rows]
