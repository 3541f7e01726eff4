"""The event stage's parts: lexicon, clues, CRF decoding, realis, actors, dates, and the
shipped heads' quality floors on BKEE dev."""

from __future__ import annotations

import numpy as np
import pytest

from thoisu.entities.agents import load_agents
from thoisu.evaluation.events import score_triggers
from thoisu.events import arguments, realis, triggers
from thoisu.events.actors import ActorResolver
from thoisu.events.dates import event_date, find_dates
from thoisu.events.lexicon import find_phrases, lexicon_clues
from thoisu.nn import SequenceTagger, bio_runs, marginals_batch, viterbi
from thoisu.records import Entity, Mention

from .conftest import SHARED

BKEE = SHARED / "data" / "bkee" / "bkee_train_dev.tar.gz"
# Measured on the first 40 BKEE dev documents (bench/eval_events.py --split dev --limit 40):
# trigger classification F1 62.9, argument F1 59.9. Floors: measured - 4 points.
TRIGGER_FLOOR = 62.9 - 4
ARGUMENT_FLOOR = 59.9 - 4


def test_lexicon_longest_phrase_and_blockers() -> None:
    words = "cảnh sát bắt đầu bắt giữ nghi phạm".split()
    hits = find_phrases(words)
    found = {(" ".join(words[h.first : h.last]), h.entry.blocker) for h in hits}
    assert ("bắt đầu", True) in found  # blocks "bắt" inside it
    assert ("bắt giữ", False) in found
    clues = lexicon_clues(hits, len(words))
    assert clues.shape == (len(words), 26)
    giu = next(
        h for h in hits if words[h.first] == "bắt" and h.last - h.first == 2 and not h.entry.blocker
    )
    # B then I of the phrase, and its code's CAMEO root over both syllables
    assert clues[giu.first, :6].sum() == 1 and clues[giu.first + 1, :6].sum() == 1
    root = int(giu.entry.cameo[:2])
    assert clues[giu.first, 6 + root - 1] == clues[giu.first + 1, 6 + root - 1] == 1
    assert clues[giu.first, 6:].sum() == 1


def test_word_clues_follow_the_segmenter() -> None:
    syllables = [(0, 4), (5, 8), (9, 12), (12, 13)]  # "cảnh sát bắt ."
    words = [(0, 8, "N"), (9, 12, "V")]
    clues = triggers.word_clues(syllables, words)
    assert clues.shape == (4, triggers.WORD_CLUES)
    assert clues[0, 0] == 1 and clues[1, 1] == 1  # B and I of "cảnh sát"
    assert clues[2, 0] == 1 and clues[2, 2 + 2] == 1  # a verb
    assert clues[3, 2 + 11] == 1  # in no word


def test_argument_clues_mark_the_trigger_and_its_type() -> None:
    tokens = "Cảnh sát đã bắt giữ ba người".split()
    words = triggers.word_clues([(i, i + 1) for i in range(len(tokens))], [])
    clues = arguments.argument_clues(tokens, [(0, 2, "ORG")], words, (3, 5), "Arrest-jail")
    assert clues.shape == (len(tokens), arguments.CLUES)
    start = 7 + triggers.NAME_CLUES + triggers.WORD_CLUES
    assert clues[3, start] == 1 and clues[4, start + 1] == 1
    assert clues[:, start + 2 + arguments.TYPES.index("Arrest-jail")].all()
    blank = arguments.argument_clues(tokens, [], words, (3, 5), None)
    assert not blank[:, start + 2 : start + 2 + len(arguments.TYPES)].any()
    roots = start + 2 + len(arguments.TYPES)
    assert not blank[:, roots : roots + 20].any()
    rooted = arguments.argument_clues(tokens, [], words, (3, 5), None, "17")
    assert rooted[:, roots + 16].all() and rooted[:, roots : roots + 20].sum() == len(tokens)


def test_each_crf_layer_keeps_to_its_labels() -> None:
    """A two-layer head over one label set: each layer decodes only its own labels."""
    from thoisu.events.types import TRIGGER_LABELS, layer_labels

    ace, cameo = layer_labels(TRIGGER_LABELS, 0), layer_labels(TRIGGER_LABELS, 1)
    assert ace[0] and cameo[0]  # "O" in both
    assert ace[TRIGGER_LABELS.index("B-Attack")] and not cameo[TRIGGER_LABELS.index("B-Attack")]
    assert cameo[TRIGGER_LABELS.index("I-CAMEO11")] and not ace[TRIGGER_LABELS.index("B-CAMEO11")]
    tagger = triggers.default_tagger()
    assert tagger.layers == 2
    rng = np.random.default_rng(1)
    width = 384 * len(tagger.encoder_layers)
    batch = [(rng.normal(size=(9, width)).astype(np.float32) * 3,
              rng.random((9, triggers.CLUES)).astype(np.float32))]  # fmt: skip
    [(first, second)] = tagger.tag_layers(batch, {0})
    assert all(not r.label.startswith("CAMEO") for r in first[0])
    assert all(r.label.startswith("CAMEO") for r in second[0])
    assert tagger.layer_labels[1][0] == "O" and len(tagger.layer_labels[1]) == sum(cameo)
    assert first[1].shape == (9, sum(ace))  # marginals asked for, over the layer's labels
    assert np.allclose(first[1].sum(axis=1), 1.0, atol=1e-4)


def test_bio_runs() -> None:
    labels = ["B-Attack", "I-Attack", "O", "I-Die", "B-Die", "I-Meet"]
    assert bio_runs(labels) == [(0, 2, "Attack"), (3, 4, "Die"), (4, 5, "Die"), (5, 6, "Meet")]


def _logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    top = x.max(axis=axis, keepdims=True)
    return np.squeeze(top, axis=axis) + np.log(np.exp(x - top).sum(axis=axis))


def _log_space_marginals(emissions, transitions, start, end) -> np.ndarray:
    """Textbook forward-backward of one sequence in log space: the oracle."""
    steps = len(emissions)
    alpha, beta = np.empty_like(emissions), np.empty_like(emissions)
    alpha[0] = start + emissions[0]
    for t in range(1, steps):
        alpha[t] = _logsumexp(alpha[t - 1][:, None] + transitions, axis=0) + emissions[t]
    beta[-1] = end
    for t in range(steps - 2, -1, -1):
        beta[t] = _logsumexp(transitions + (emissions[t + 1] + beta[t + 1])[None, :], axis=1)
    return np.exp(alpha + beta - _logsumexp(alpha[-1] + end, axis=0))


def marginals(emissions, transitions, start, end) -> np.ndarray:
    """One sequence through the batched marginals."""
    return marginals_batch(emissions[None], np.array([len(emissions)]), transitions, start, end)[0]


def test_marginals_are_probabilities_and_agree_with_viterbi() -> None:
    rng = np.random.default_rng(0)
    emissions = rng.normal(size=(7, 5)).astype(np.float32)
    transitions = rng.normal(size=(5, 5)).astype(np.float32)
    start, end = rng.normal(size=5).astype(np.float32), rng.normal(size=5).astype(np.float32)
    p = marginals(emissions, transitions, start, end)
    assert np.allclose(p.sum(axis=1), 1.0, atol=1e-5)
    # one position, no transitions: the marginal is the softmax of the scores
    single = marginals(emissions[:1], transitions, start, end)
    scores = start + emissions[0] + end
    assert np.allclose(single[0], np.exp(scores) / np.exp(scores).sum(), atol=1e-5)
    path = viterbi(emissions, transitions, start, end)
    assert len(path) == 7


def test_batched_marginals_equal_one_sequence_at_a_time() -> None:
    rng = np.random.default_rng(1)
    transitions = rng.normal(size=(5, 5)).astype(np.float32)
    start, end = rng.normal(size=5).astype(np.float32), rng.normal(size=5).astype(np.float32)
    lengths = np.array([7, 3, 1, 5])
    padded = np.zeros((4, 7, 5), np.float32)
    sequences = [rng.normal(size=(n, 5)).astype(np.float32) for n in lengths]
    for b, seq in enumerate(sequences):
        padded[b, : len(seq)] = seq
        padded[b, len(seq) :] = 99.0  # padding must not leak into the real positions
    batched = marginals_batch(padded, lengths, transitions, start, end)
    for b, seq in enumerate(sequences):
        one = _log_space_marginals(seq, transitions, start, end)
        assert np.allclose(batched[b, : len(seq)], one, atol=1e-5)


def test_shipped_heads_load_and_tag() -> None:
    trigger_tagger, role_tagger = triggers.default_tagger(), arguments.default_tagger()
    assert isinstance(trigger_tagger, SequenceTagger) and isinstance(role_tagger, SequenceTagger)
    width = 384 * len(trigger_tagger.encoder_layers)
    assert trigger_tagger.tag(
        [(np.zeros((0, width), np.float32), np.zeros((0, triggers.CLUES), np.float32))]
    ) == [[]]
    assert realis.default_classifier() is not None


def test_certainty_from_realis_and_cues() -> None:
    assert realis.certainty("actual", "Nga không", "Nga không ủng hộ.", False, False) == "negated"
    assert realis.certainty("negated", "Nga", "Nga bác bỏ.", False, False) == "negated"
    assert realis.certainty("future", "Mỹ", "Mỹ sẽ gặp Iran.", False, False) == "possible"
    assert realis.certainty("actual", "Iran", "Iran bắt giữ?", False, False) == "question"
    assert realis.certainty("actual", "Iran được cho là đã", "…", True, False) == "reported"
    assert (
        realis.certainty("actual", "Cảnh sát đã", "Cảnh sát đã bắt giữ.", False, False)
        == "asserted"
    )


def test_event_date_stays_in_its_clause() -> None:
    text = "Ngày 5/3, cảnh sát bắt giữ ông A, trong khi ngày 7/3 tòa xét xử ông B."
    dates = find_dates(text, "2020-03-10")
    assert event_date(text, dates, text.index("bắt giữ"), text.index("bắt giữ") + 7) == "2020-03-05"
    assert event_date(text, dates, text.index("xét xử"), text.index("xét xử") + 6) == "2020-03-07"
    assert event_date("Cảnh sát bắt giữ ông A.", [], 9, 16) is None


def test_relative_dates_resolved_against_publication() -> None:
    text = "Cuối tuần trước, tháng trước và năm ngoái"
    found = {text[s:e].lower(): iso for s, e, iso in find_dates(text, "2020-11-04")}  # a Wednesday
    assert found == {"cuối tuần trước": "2020-10-31", "tháng trước": "2020-10", "năm ngoái": "2019"}
    assert find_dates(text, None) == []


def _entity(eid: str, type_: str, kind: str, code: str | None, *mentions, country=None) -> Entity:
    return Entity(eid, eid, None, type_, code, None, [Mention(t, 0, s, s + len(t)) for t, s in mentions],
                  kind, country)  # fmt: skip


def test_actor_resolution_names_agents_and_back_references() -> None:
    # "Cảnh sát Thái Lan bắt giữ ông Somchai. Họ cho biết ông Somchai sẽ bị xét xử."
    thai = _entity("country:THA", "LOC", "country", "THA", ("Thái Lan", 9))
    somchai = _entity("person:somchai", "PER", "person", None, ("Somchai", 30), ("Somchai", 56))
    resolver = ActorResolver([thai, somchai])
    police = resolver.resolve("Cảnh sát Thái Lan", 0, 17, "Agent")
    assert (police.code, police.kind, police.role, police.start, police.end) == (
        "THACOP",
        "nominal",
        "Agent",
        0,
        17,
    )
    person = resolver.resolve("ông Somchai", 26, 37, "Person")
    assert person.entity == "person:somchai" and person.text == "Somchai"
    resolver.acted(police)
    they = resolver.resolve("Họ", 39, 41, "Agent")
    assert they.code == "THACOP" and they.text == "Họ" and they.kind == "pronoun"
    assert ("cảnh", "sát") in load_agents()


def test_score_triggers() -> None:
    gold = [("d", 0, 3, "Attack"), ("d", 5, 8, "Die")]
    s = score_triggers(gold, [("d", 0, 3, "Attack"), ("d", 5, 8, "Attack")])
    assert s["identification"]["f1"] == 100.0
    assert s["classification"]["tp"] == 1


@pytest.fixture(scope="module")
def bkee_dev_sample():
    if not BKEE.exists():
        pytest.skip("BKEE is not available")
    from thoisu.evaluation.events import analyse_split

    return analyse_split("dev", limit=40)


def test_trigger_quality_floor_on_bkee_dev_sample(bkee_dev_sample) -> None:
    from thoisu.evaluation.events import evaluate_pipeline_triggers

    result = evaluate_pipeline_triggers(bkee_dev_sample)
    assert result["classification"]["f1"] >= TRIGGER_FLOOR, result["classification"]


def test_argument_quality_floor_on_bkee_dev_sample(bkee_dev_sample) -> None:
    from thoisu.evaluation.arguments import evaluate_arguments

    result = evaluate_arguments(bkee_dev_sample)
    assert result["all"]["f1"] >= ARGUMENT_FLOOR, result["all"]


def test_batched_viterbi_matches_one_sentence_at_a_time() -> None:
    from thoisu.nn import viterbi_batch

    rng = np.random.default_rng(0)
    for _ in range(20):
        lengths = rng.integers(0, 12, 5)
        emissions = rng.normal(size=(5, max(int(lengths.max()), 1), 7))
        trans, start, end = rng.normal(size=(7, 7)), rng.normal(size=7), rng.normal(size=7)
        paths = viterbi_batch(emissions, lengths, trans, start, end)
        for b, n in enumerate(lengths):
            assert paths[b] == viterbi(emissions[b, :n], trans, start, end)
