"""The learned name typer: its features, the shipped model, and where the rules let it decide."""

from __future__ import annotations

import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

import thoisu.entities as entities
from thoisu import analyze
from thoisu.entities.typer import (
    DEFAULT_MODEL,
    DIMENSIONS,
    TYPES,
    NameTyper,
    feature_index,
    name_features,
)
from thoisu.evaluation.bkee import default_archive

REPO = Path(__file__).resolve().parents[1]


def test_features_cover_spelling_and_context():
    feats = name_features(["Sankei", "Shimbun"], ["theo", "tờ"], ["cho", "biết"])
    assert "name=sankei shimbun" in feats
    assert "trigram=<sa" in feats and "trigram=un>" in feats
    assert "before=tờ" in feats and "before2=theo tờ" in feats and "after=cho" in feats
    assert "vietnamese=False" in feats
    assert "vietnamese=True" in name_features(["Hồ", "Học", "Lãm"], [], [])
    assert "before=<s>" in name_features(["Hà"], [], [])
    spelling = name_features(["Sankei", "Shimbun"], ["tờ"], ["cho"], context=False)
    assert not any(f.startswith(("before", "after")) for f in spelling)


def test_feature_hashing_is_stable_across_processes():
    # crc32, not hash(): the shipped weights must index the same rows in every process.
    assert feature_index(["bias"])[0] == zlib.crc32(b"bias") % DIMENSIONS


def test_weights_of_the_wrong_shape_are_refused():
    with pytest.raises(ValueError, match="shape"):
        NameTyper(np.zeros((10, 3)))


def test_shipped_model_types_unseen_names():
    typer = NameTyper.load()
    assert typer.types == TYPES
    assert typer.predict(["Yomiuri", "Shimbun"], ["theo", "tờ"], ["cho", "biết"])[0] == "ORG"
    assert typer.predict(["Nguyễn", "Văn", "Bình"], ["ông"], ["cho", "biết"])[0] == "PER"
    assert typer.predict(["Kandahar"], ["ở"], [])[0] == "LOC"
    probs = typer.probabilities(["Kandahar"], ["ở"], [])
    assert probs.shape == (3,) and abs(float(probs.sum()) - 1) < 1e-5


class _Always:
    """A stand-in typer that always answers one type, sure of it."""

    def __init__(self, etype: str) -> None:
        self.etype = etype

    def predict(self, words, before, after):
        return self.etype, 1.0


def _types(monkeypatch, typer, text):
    monkeypatch.setattr(entities, "default_typer", lambda: typer)
    monkeypatch.setattr(entities, "default_filter", lambda: None)  # the rules and typer alone
    return {m.text: e.type for e in analyze(text).entities for m in e.mentions}


def test_rules_keep_their_types_and_the_typer_fills_the_gaps(monkeypatch):
    text = "Tin\n\nÔng Lê Văn Tám gặp Trần Quốc Hùng tại Hà Nội. Cổ phiếu Kinh Đô tăng, theo Barie."
    without = _types(monkeypatch, None, text)
    with_loc = _types(monkeypatch, _Always("LOC"), text)
    # A title, a place word or the gazetteer decide; so does the look of a Vietnamese name.
    for name in ("Lê Văn Tám", "Trần Quốc Hùng", "Hà Nội"):
        assert with_loc[name] == without[name]
    # An untyped name of two syllables goes to the typer.
    assert without.get("Kinh Đô") not in ("PER", "LOC", "ORG")
    assert with_loc["Kinh Đô"] == "LOC"
    # A lone proper noun is dropped by the rules (no title, no place word) but typed by a
    # sure typer.
    assert "Barie" not in without and with_loc["Barie"] == "LOC"


def test_an_unsure_typer_leaves_names_untyped(monkeypatch):
    class Unsure(_Always):
        def predict(self, words, before, after):
            return "ORG", entities.TYPER_CONFIDENCE - 0.01

    types = _types(monkeypatch, Unsure("ORG"), "Tin\n\nCổ phiếu Kinh Đô tăng mạnh hôm qua.")
    assert types.get("Kinh Đô") not in ("PER", "LOC", "ORG")


@pytest.mark.skipif(not default_archive().exists(), reason="BKEE archive not available")
def test_training_script_writes_a_loadable_model(tmp_path):
    out = tmp_path / "typer.npz"
    run = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "train_name_typer.py"),
            "--articles",
            "0",
            "--epochs",
            "1",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    assert "BKEE dev typing accuracy" in run.stdout
    typer = NameTyper.load(out)
    assert typer.weights.shape == (DIMENSIONS, len(TYPES))
    assert DEFAULT_MODEL.stat().st_size < 5_000_000
