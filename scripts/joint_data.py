"""Training items for the joint fine-tuning (scripts/train_joint.py), from the cached
sentences of scripts/build_joint_features.py: each task's clues and labels, computed with the
same functions the pipeline runs (so training and inference read the same inputs).

Per sentence (``s``): ``ner`` (VLSP: clues and the two name layers), ``trig`` (BKEE: ACE
layer; dyads: CAMEO layer; clues, labels, which layer counts), ``args`` (one item per gold
event: clues, labels, which layers count), ``realis`` (candidates with the set of allowed
labels) and ``codes`` (dyad events: the CAMEO code and the lexicon's code, if any).
"""

from __future__ import annotations

import random

import numpy as np

from thoisu.entities.recognition import LABELS as NER_LABELS
from thoisu.entities.recognition import LAYERS as NER_LAYERS
from thoisu.entities.recognition import syllable_features
from thoisu.events import arguments, realis, triggers
from thoisu.events.codes import cameo_codes
from thoisu.events.lexicon import ace_to_cameo, find_phrases
from thoisu.events.types import FINE_ROLES, ROLE_LABELS, TRIGGER_LABELS, layer_labels

NER_INDEX = {label: i for i, label in enumerate(NER_LABELS)}
TRIGGER_INDEX = {label: i for i, label in enumerate(TRIGGER_LABELS)}
ROLE_INDEX = {label: i for i, label in enumerate(ROLE_LABELS)}
CODES = cameo_codes()  # every CAMEO event code, the code classifier's outputs
CAMEO_LAYER = np.array(layer_labels(TRIGGER_LABELS, 1))  # the labels of the CAMEO CRF
CODE_INDEX = {c: i for i, c in enumerate(CODES)}
CERTAINTY_REALIS = {
    "asserted": ("actual",), "reported": ("actual",), "negated": ("negated",),
    "possible": ("future", "hypothetical"),
}  # fmt: skip
NON_EVENT_REALIS = {"generic": ("generic",), "noun": ("not_event",), "name": ("not_event",),
                    "sports": ("not_event",), "price": ("not_event",), "state": ("not_event",),
                    "other": ("not_event",)}  # fmt: skip
REALIS_TAIL = 1 + len(realis._CUES) + 1  # the realis features after the three mean vectors
# The CAMEO roots a BKEE event of an ACE type can have: its trigger teaches the CAMEO layer
# these roots as a partial label (any of them; the rest of a BKEE sentence stays unlabelled
# for that layer, since BKEE does not annotate statements, appeals and the like). Die and
# Injure count only with an attacker; types with no CAMEO counterpart teach nothing.
ACE_ROOTS = {
    "Attack": ("18", "19"), "Execute": ("18",), "Arrest-jail": ("17",),
    "Charge-indict": ("17",), "Trial-hearing": ("17",), "Fine": ("17",), "Extradite": ("17",),
    "Sentence": ("11",), "Convict": ("11",), "Sue": ("11",), "Release-parole": ("08",),
    "Pardon": ("08",), "Demonstrate": ("14",), "Meet": ("04",), "Phone-write": ("04",),
}  # fmt: skip
_WITH_ATTACKER = {"Die": ("18", "19"), "Injure": ("18", "19")}
# BKEE marks every participant of a meeting or call "Entity": the first is the source, the
# others (after "với", "tiếp" ...) the target, as the dyad corpus reads them
_PARTICIPANTS = frozenset({"Meet", "Phone-write"})


def run_of(syllables: list[tuple[int, int]], span: tuple[int, int] | None):
    """The syllables a character span covers, as (first, last + 1); None if none."""
    if span is None:
        return None
    start, end = span
    inside = [i for i, (a, b) in enumerate(syllables) if a < end and start < b]
    return (inside[0], inside[-1] + 1) if inside else None


def _mark(y: np.ndarray, run: tuple[int, int] | None, label: str, index: dict) -> bool:
    """Write a BIO run into ``y`` unless it overlaps one already there."""
    if run is None or y[run[0] : run[1]].any():
        return False
    y[run[0]] = index[f"B-{label}"]
    y[run[0] + 1 : run[1]] = index[f"I-{label}"]
    return True


def ner_item(s: dict) -> dict:
    y = np.zeros((NER_LAYERS, len(s["tokens"])), np.int64)
    for start, end, kind, depth in sorted(s["names_gold"], key=lambda n: n[3]):
        layer = min(depth, NER_LAYERS - 1)
        _mark(y[layer], run_of(s["syllables"], (start, end)), kind, NER_INDEX)
    return {"clues": syllable_features(s["tokens"]), "y": y}


def _event_clues(s: dict) -> None:
    s["_words"] = triggers.word_clues(s["syllables"], s["words"])
    s["_hits"] = find_phrases([t.lower() for t in s["tokens"]])
    s["_trig_clues"] = triggers.trigger_clues(s["tokens"], s["names"], s["_words"], s["_hits"])


def _lexicon_code(s: dict, run: tuple[int, int]) -> str | None:
    for hit in s["_hits"]:
        if hit.first < run[1] and run[0] < hit.last and hit.entry.cameo:
            return hit.entry.cameo
    return None


def _coarse(event: dict, role: str, start: int) -> str:
    if event["ace"] in _PARTICIPANTS and role == "Entity":
        first = min(a for r, a, _ in event["args"] if r == "Entity")
        return "source" if start == first else "target"
    return FINE_ROLES[role]


def _partial_roots(n: int, s: dict, events: list[dict]) -> np.ndarray | None:
    """(n, labels) allowed CAMEO-layer labels of a BKEE sentence: every label, but the
    trigger of an event whose type has CAMEO roots (:data:`ACE_ROOTS`) is one of those."""
    allowed = np.zeros((n, len(TRIGGER_LABELS)), bool)
    allowed[:, CAMEO_LAYER] = True
    constrained = False
    for ev in events:
        roots = ACE_ROOTS.get(ev["ace"])
        if roots is None and ev["ace"] in _WITH_ATTACKER:
            if any(role in ("Attacker", "Agent") for role, _, _ in ev["args"]):
                roots = _WITH_ATTACKER[ev["ace"]]
        run = run_of(s["syllables"], ev["trigger"])
        if roots is None or run is None:
            continue
        allowed[run[0] : run[1]] = False
        for r in roots:
            allowed[run[0], TRIGGER_INDEX[f"B-CAMEO{r}"]] = True
            allowed[run[0] + 1 : run[1], TRIGGER_INDEX[f"I-CAMEO{r}"]] = True
        constrained = True
    return allowed if constrained else None


def bkee_items(s: dict, rng: random.Random) -> dict:
    _event_clues(s)
    n = len(s["tokens"])
    y = np.zeros((2, n), np.int64)
    mapping = ace_to_cameo()
    args = []
    for ev in s["events"]:
        run = run_of(s["syllables"], ev["trigger"])
        _mark(y[0], run, ev["ace"], TRIGGER_INDEX)
        if run is None:
            continue
        ya = np.zeros((2, n), np.int64)
        for role, a, b in sorted(ev["args"], key=lambda r: r[2] - r[1]):
            if role in FINE_ROLES:
                span = run_of(s["syllables"], (a, b))
                if _mark(ya[1], span, role, ROLE_INDEX):
                    _mark(ya[0], span, _coarse(ev, role, a), ROLE_INDEX)
        code = (mapping.get(ev["ace"]) or (None, None))[0]
        root = code[:2] if code and rng.random() < 0.5 else None
        ace = ev["ace"] if rng.random() >= 0.2 else None
        clues = arguments.argument_clues(s["tokens"], s["names"], s["_words"], run, ace, root,
                                         shared=s["_trig_clues"])  # fmt: skip
        args.append({"clues": clues, "y": ya, "layers": np.array([1.0, 1.0], np.float32)})
    partial = _partial_roots(n, s, s["events"])
    trig = {"clues": s["_trig_clues"], "y": y, "layers": np.array([1.0, 0.0], np.float32)}
    if partial is not None:
        trig["layers"] = np.array([1.0, 1.0], np.float32)
        trig["partial"] = {1: partial}
    return {"trig": trig, "args": args, "realis": [], "codes": []}


def dyad_items(s: dict, rng: random.Random) -> dict:
    _event_clues(s)
    n = len(s["tokens"])
    y = np.zeros((2, n), np.int64)
    args, realis_items, codes = [], [], []
    for ev in s["events"]:
        run = run_of(s["syllables"], ev["trigger"])
        if run is None:
            continue
        _mark(y[1], run, "CAMEO" + ev["cameo"][:2], TRIGGER_INDEX)
        ya = np.zeros((2, n), np.int64)
        spans = [(role, run_of(s["syllables"], (ev[role] or {}).get("span")))
                 for role in ("source", "target", "location")]  # fmt: skip
        for role, span in sorted(spans, key=lambda r: (r[1][1] - r[1][0]) if r[1] else 0):
            _mark(ya[0], span, role, ROLE_INDEX)
        root = ev["cameo"][:2] if rng.random() >= 0.2 else None
        clues = arguments.argument_clues(s["tokens"], s["names"], s["_words"], run, None, root,
                                         shared=s["_trig_clues"])  # fmt: skip
        args.append({"clues": clues, "y": ya, "layers": np.array([1.0, 0.0], np.float32)})
        allowed = CERTAINTY_REALIS.get(ev["certainty"])
        if allowed:
            realis_items.append(_realis_item(s, run, allowed, typed=False))
        codes.append({"run": run, "code": CODE_INDEX[ev["cameo"]],
                      "lexicon": _lexicon_code(s, run)})  # fmt: skip
    for item in s["non_events"]:
        allowed = NON_EVENT_REALIS.get(item["kind"])
        run = run_of(s["syllables"], item["span"])
        if allowed and run is not None:
            realis_items.append(_realis_item(s, run, allowed, typed=False))
    return {
        "trig": {"clues": s["_trig_clues"], "y": y, "layers": np.array([0.0, 1.0], np.float32)},
        "args": args, "realis": realis_items, "codes": codes,
    }  # fmt: skip


def _realis_item(s: dict, run: tuple[int, int], allowed: tuple[str, ...], typed: bool) -> dict:
    dummy = np.zeros((len(s["tokens"]), 1), np.float32)
    tail = realis.realis_features(s["tokens"], dummy, run[0], run[1], typed)[-REALIS_TAIL:]
    mask = np.array([label in allowed for label in realis.LABELS], np.float32)
    return {"run": run, "tail": tail, "allowed": mask}


def realis_corpus_item(s: dict) -> dict:
    run = run_of(s["syllables"], s["candidate"])
    items = [_realis_item(s, run, (s["label"],), s["typed"])] if run else []
    return {"realis": items}


def items_of(s: dict, rng: random.Random) -> dict:
    """The training items of one cached sentence."""
    corpus = s["corpus"]
    if corpus == "vlsp":
        return {"ner": ner_item(s)}
    if corpus == "bkee":
        return bkee_items(s, rng)
    if corpus == "dyads":
        return dyad_items(s, rng)
    return realis_corpus_item(s)
