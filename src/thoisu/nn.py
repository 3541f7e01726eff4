"""Inference for the learned heads: bidirectional LSTMs and Viterbi decoding.

The heads are trained with PyTorch (the ``train`` extra) and run without it: a BiLSTM with
NumPy (:func:`bilstm`), or as onnxruntime's ``LSTM`` operator (:func:`onnx_lstm_weights`,
:func:`session`), which loops over time steps in C++ and is many times faster on short
sentences. Shared by the trigger tagger and the name recogniser.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "SequenceTagger",
    "Tagged",
    "bilstm",
    "bio_runs",
    "crf_head_graph",
    "length_batches",
    "marginals_batch",
    "onnx_lstm_weights",
    "reverse_each",
    "run_bilstm",
    "run_head",
    "session",
    "viterbi",
    "viterbi_batch",
]


def bilstm(x: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Both LSTM directions at once over ``x`` (2, B, T, D): direction 0 reads the batch as
    given, direction 1 the sentences reversed within their lengths; ``w_ih`` (2, D, 4H),
    ``w_hh`` (2, H, 4H), ``b`` (2, 1, 4H) are the directions' weights, transposed. PyTorch's
    gate order (i, f, g, o). Steps past a sentence's end only follow it: they never change the
    outputs of its own tokens. Returns (2, B, T, H)."""
    _, batch, steps, _ = x.shape
    hidden = w_hh.shape[1]
    # The input part of every step at once: (2, B, T, 4H).
    projected = np.matmul(x.reshape(2, batch * steps, -1), w_ih).reshape(2, batch, steps, -1)
    projected += b[:, :, None, :]
    h = np.zeros((2, batch, hidden), dtype=x.dtype)
    c = np.zeros((2, batch, hidden), dtype=x.dtype)
    out = np.empty((2, batch, steps, hidden), dtype=x.dtype)
    for t in range(steps):
        gates = projected[:, :, t] + np.matmul(h, w_hh)
        # sigmoid(z) = (1 + tanh(z / 2)) / 2 for the input, forget and output gates at once
        sig = 0.5 + 0.5 * np.tanh(0.5 * gates)
        c = sig[..., hidden : 2 * hidden] * c + sig[..., :hidden] * np.tanh(
            gates[..., 2 * hidden : 3 * hidden]
        )
        h = sig[..., 3 * hidden :] * np.tanh(c)
        out[:, :, t] = h
    return out


def reverse_each(x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Each sentence of the padded batch reversed within its own length (padding stays)."""
    out = x.copy()
    for b, n in enumerate(lengths):
        out[b, :n] = x[b, n - 1 :: -1] if n else x[b, :0]
    return out


def run_bilstm(x: np.ndarray, lengths: np.ndarray, w: dict[str, np.ndarray]) -> np.ndarray:
    """Forward and backward states concatenated (B, T, 2H) for a padded batch ``x``
    (B, T, D), with ``w["w_ih"]``, ``w["w_hh"]``, ``w["w_b"]`` as :func:`bilstm` takes them."""
    both = bilstm(np.stack([x, reverse_each(x, lengths)]), w["w_ih"], w["w_hh"], w["w_b"])
    return np.concatenate([both[0], reverse_each(both[1], lengths)], axis=2)


# Padded positions per run of a head's network. Smaller runs were faster (the LSTM's working
# set stays in cache): the entity and event heads over 150 VNTC articles, in groups of 16
# articles, took 4.5-5.2 s at 4,096, 4.3-5.2 s at 2,048, 4.0-4.9 s at 1,024 (3 runs each).
HEAD_BATCH_TOKENS = 1024


def viterbi(
    emissions: np.ndarray, transitions: np.ndarray, start: np.ndarray, end: np.ndarray
) -> list[int]:
    """The best label sequence of a linear-chain CRF: ``emissions`` (T, L) scores,
    ``transitions`` (L, L) from row to column, ``start``/``end`` (L,) boundary scores."""
    if len(emissions) == 0:
        return []
    score = start + emissions[0]
    back = np.zeros(emissions.shape, dtype=np.int64)
    for t in range(1, len(emissions)):
        total = score[:, None] + transitions
        back[t] = total.argmax(axis=0)
        score = total.max(axis=0) + emissions[t]
    best = [int((score + end).argmax())]
    for t in range(len(emissions) - 1, 0, -1):
        best.append(int(back[t, best[-1]]))
    return best[::-1]


def viterbi_batch(
    emissions: np.ndarray,
    lengths: np.ndarray,
    transitions: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
) -> list[list[int]]:
    """:func:`viterbi` over a padded batch (B, T, L) of sequences of ``lengths``, one NumPy
    step per position rather than per sentence and position."""
    batch, steps, labels = emissions.shape
    if batch == 0 or steps == 0:
        return [[] for _ in range(batch)]
    into = np.ascontiguousarray(transitions.T)  # [to, from]: the max runs over the last axis
    score = start + emissions[:, 0]
    back = np.zeros((batch, steps, labels), dtype=np.int32)
    rows = np.arange(batch * labels)
    shortest = int(np.min(lengths))
    for t in range(1, steps):
        total = (score[:, None, :] + into).reshape(batch * labels, labels)
        best = total.argmax(axis=1)
        back[:, t] = best.reshape(batch, labels)
        reached = total[rows, best].reshape(batch, labels) + emissions[:, t]
        # past the shortest sequence, a sequence that has ended keeps its score
        score = reached if t < shortest else np.where((t < lengths)[:, None], reached, score)
    last = (score + end).argmax(axis=1)
    paths = []
    for b, n in enumerate(lengths):
        if n == 0:
            paths.append([])
            continue
        best = [int(last[b])]
        for t in range(int(n) - 1, 0, -1):
            best.append(int(back[b, t, best[-1]]))
        paths.append(best[::-1])
    return paths


def marginals_batch(
    emissions: np.ndarray,
    lengths: np.ndarray,
    transitions: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
) -> np.ndarray:
    """(B, T, L) marginal probability of each label at each position under the linear-chain
    CRF, for a padded batch (B, T, L) of sequences of ``lengths``: how sure the model is of a
    label it chose. Scaled forward-backward in probability space (float64, each step
    renormalised), so a step is one matrix product for the whole batch; rows past a
    sequence's length are meaningless."""
    batch, steps, _ = emissions.shape
    move = np.exp(transitions - transitions.max()).astype(np.float64)  # a constant per step
    local = np.exp(emissions - emissions.max(axis=2, keepdims=True)).astype(np.float64)
    alpha = np.empty(local.shape)
    beta = np.empty(local.shape)
    alpha[:, 0] = _normalised(np.exp(start - start.max()) * local[:, 0])
    for t in range(1, steps):
        step = _normalised((alpha[:, t - 1] @ move) * local[:, t])
        alpha[:, t] = np.where((t < lengths)[:, None], step, alpha[:, t - 1])
    last = np.exp(end - end.max()).astype(np.float64)
    beta[:, -1] = last
    for t in range(steps - 2, -1, -1):
        step = _normalised((local[:, t + 1] * beta[:, t + 1]) @ move.T)
        beta[:, t] = np.where((t + 1 < lengths)[:, None], step, last)
    joint = alpha * beta
    return (joint / np.maximum(joint.sum(axis=2, keepdims=True), 1e-300)).astype(np.float32)


def _normalised(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(x.sum(axis=-1, keepdims=True), 1e-300)


def bio_runs(labels: list[str]) -> list[tuple[int, int, str]]:
    """BIO labels ("B-PER", "I-PER", "O") -> (first, last + 1, type) runs; an I- that does
    not continue a run of its type starts one."""
    runs: list[tuple[int, int, str]] = []
    open_run: list | None = None
    for i, label in enumerate([*labels, "O"]):
        tag, _, kind = label.partition("-")
        if tag == "I" and open_run is not None and open_run[2] == kind:
            open_run[1] = i + 1
            continue
        if open_run is not None:
            runs.append((open_run[0], open_run[1], open_run[2]))
            open_run = None
        if tag in ("B", "I"):
            open_run = [i, i + 1, kind]
    return runs


def onnx_lstm_weights(
    forward: tuple[np.ndarray, np.ndarray, np.ndarray],
    backward: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A bidirectional PyTorch LSTM's weights as ONNX's ``LSTM`` takes them. Each direction
    is (weight_ih [4H, D], weight_hh [4H, H], bias [4H]: bias_ih + bias_hh) in PyTorch's
    gate order (i, f, g, o); ONNX wants (i, o, f, c) and W [2, 4H, D], R [2, 4H, H],
    B [2, 8H] (input biases, then recurrent ones)."""

    def order(m: np.ndarray) -> np.ndarray:
        i, f, g, o = np.split(m, 4, axis=0)
        return np.concatenate([i, o, f, g], axis=0)

    w = np.stack([order(forward[0]), order(backward[0])]).astype(np.float32)
    r = np.stack([order(forward[1]), order(backward[1])]).astype(np.float32)
    b = np.stack(
        [np.concatenate([order(d[2]), np.zeros_like(d[2])]) for d in (forward, backward)]
    ).astype(np.float32)
    return w, r, b


def session(model: bytes, threads: int = 1):  # -> onnxruntime.InferenceSession
    """An onnxruntime CPU session for a small serialised model, on ``threads`` threads."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def length_batches(lengths: list[int], budget: int) -> list[list[int]]:
    """Indices of sequences of ``lengths`` (empty ones left out), shortest first, cut into
    batches of at most ``budget`` padded positions (a longer sequence goes alone)."""
    order = sorted((i for i, n in enumerate(lengths) if n), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    for i in order:
        if batches and (len(batches[-1]) + 1) * lengths[i] <= budget:
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches


def run_head(head, batch: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """The emissions (B, layers, T, labels) of a :func:`crf_head_graph` session ``head`` for
    sentences given as (vectors (n, D), clues (n, C)), padded, and the sentences' lengths."""
    lengths = np.array([len(v) for v, _ in batch], dtype=np.int32)
    steps = int(lengths.max())
    vectors = np.zeros((len(batch), steps, batch[0][0].shape[1]), np.float32)
    clues = np.zeros((len(batch), steps, batch[0][1].shape[1]), np.float32)
    for b, (v, c) in enumerate(batch):
        vectors[b, : len(v)], clues[b, : len(v)] = v, c
    scores = head.run(["emissions"], {"vectors": vectors, "clues": clues, "lengths": lengths})
    return scores[0], lengths


def crf_head_graph(w: dict[str, np.ndarray], clues: int, name: str) -> bytes:
    """A sequence head (``scripts/heads.py``: projection, tanh, clues appended, bidirectional
    LSTM, one emission layer per CRF) as an ONNX graph: inputs ``vectors`` [B, T, D],
    ``clues`` [B, T, clues], ``lengths`` [B] (int32); output ``emissions`` [B, layers, T,
    labels]. Its weights ``w`` are the ``w_*`` arrays of the exported .npz."""
    from onnx import TensorProto, helper, numpy_helper

    hidden = w["w_hh_f"].shape[1]
    layers, labels = w["w_out"].shape[0], w["w_out"].shape[1]
    lstm_w, lstm_r, lstm_b = onnx_lstm_weights(
        (w["w_ih_f"], w["w_hh_f"], w["w_b_f"]), (w["w_ih_b"], w["w_hh_b"], w["w_b_b"])
    )
    out = np.ascontiguousarray(np.transpose(w["w_out"], (2, 0, 1)).reshape(2 * hidden, -1))
    inits = {
        "proj_w": np.ascontiguousarray(w["w_proj"].T), "proj_b": w["w_proj_b"],
        "lstm_w": lstm_w, "lstm_r": lstm_r, "lstm_b": lstm_b,
        "out_w": out, "out_b": w["w_out_b"].reshape(-1),
        "shape_states": np.array([0, 0, 2 * hidden], dtype=np.int64),
        "shape_scores": np.array([0, 0, layers, labels], dtype=np.int64),
    }  # fmt: skip
    nodes = [
        helper.make_node("MatMul", ["vectors", "proj_w"], ["p0"]),
        helper.make_node("Add", ["p0", "proj_b"], ["p1"]),
        helper.make_node("Tanh", ["p1"], ["p2"]),
        helper.make_node("Concat", ["p2", "clues"], ["x"], axis=-1),
        helper.make_node("Transpose", ["x"], ["x_t"], perm=[1, 0, 2]),  # time first
        helper.make_node("LSTM", ["x_t", "lstm_w", "lstm_r", "lstm_b", "lengths"], ["y"],
                         direction="bidirectional", hidden_size=hidden),  # [T, 2, B, H]
        helper.make_node("Transpose", ["y"], ["y_b"], perm=[2, 0, 1, 3]),
        helper.make_node("Reshape", ["y_b", "shape_states"], ["states"]),  # [B, T, 2H]
        helper.make_node("MatMul", ["states", "out_w"], ["s0"]),
        helper.make_node("Add", ["s0", "out_b"], ["s1"]),
        helper.make_node("Reshape", ["s1", "shape_scores"], ["s2"]),
        helper.make_node("Transpose", ["s2"], ["emissions"], perm=[0, 2, 1, 3]),
    ]  # fmt: skip
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("vectors", TensorProto.FLOAT, ["B", "T", None]),
         helper.make_tensor_value_info("clues", TensorProto.FLOAT, ["B", "T", clues]),
         helper.make_tensor_value_info("lengths", TensorProto.INT32, ["B"])],
        [helper.make_tensor_value_info("emissions", TensorProto.FLOAT, ["B", layers, "T", labels])],
        [numpy_helper.from_array(np.asarray(v), k) for k, v in inits.items()],
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    return model.SerializeToString()


@dataclass(frozen=True, slots=True)
class Tagged:
    """A labelled run over syllables ``first`` to ``last`` (exclusive) of a sentence, with
    the CRF's marginal probability of its labels (that of its least sure syllable)."""

    first: int
    last: int
    label: str
    confidence: float


class SequenceTagger:
    """A CRF head of ``scripts/heads.py`` (the trigger and argument taggers): its network run
    by onnxruntime over sentences given as (vectors, clues), Viterbi decoding in NumPy. A
    head may have several CRF layers over one label set, each restricted to its own labels
    (``layer_labels`` in the model: a boolean mask per layer); each layer is decoded over its
    own labels only (:attr:`layer_labels`), which is what the masked CRF computes, faster."""

    BATCH_TOKENS = HEAD_BATCH_TOKENS

    def __init__(self, model: dict[str, np.ndarray], path: Path, clues: int, name: str) -> None:
        self.path = path
        self.labels = [str(x) for x in model["labels"]]
        self.clues = clues
        # the encoder layers the head reads (thoisu.encoder.component.select_layers)
        self.encoder_layers = tuple(int(x) for x in model.get("encoder_layers", (6,)))
        w = {k: v.astype(np.float32) for k, v in model.items() if k.startswith("w_")}
        self.layers = int(w["w_trans"].shape[0])
        allowed = model.get("layer_labels")
        self._keep = [
            np.flatnonzero(allowed[k]) if allowed is not None else np.arange(len(self.labels))
            for k in range(self.layers)
        ]
        self.layer_labels = [[self.labels[i] for i in keep] for keep in self._keep]
        self._crf = [
            (w["w_trans"][k][np.ix_(keep, keep)], w["w_start"][k][keep], w["w_end"][k][keep])
            for k, keep in enumerate(self._keep)
        ]
        self._session = session(crf_head_graph(w, clues=clues, name=name))
        self._unread = [np.zeros((0, len(keep)), np.float32) for keep in self._keep]

    @classmethod
    def load(cls, path: str | Path, clues: int, name: str) -> SequenceTagger:
        """The head in ``path``; ValueError when it was trained on another encoder."""
        from .encoder.tuned import load_head

        return cls(load_head(path), Path(path), clues, name)

    def tag(
        self, batch: list[tuple[np.ndarray, np.ndarray]], confidence: bool = True, layer: int = 0
    ) -> list[list[Tagged]]:
        """The runs of each sentence given as (vectors (n, D), clues (n, clues)) on CRF
        ``layer``; without ``confidence`` (forward-backward, the costliest step) every run's
        is 1.0."""
        return [found[0][0] for found in self._run(batch, lambda i: False, confidence, (layer,))]

    def tag_layers(
        self, batch: list[tuple[np.ndarray, np.ndarray]], wanted: set[int], confidence: bool = True
    ) -> list[list[tuple[list[Tagged], np.ndarray]]]:
        """The runs of each sentence on every CRF layer at once (one network run): for each
        sentence, a (runs, marginals) pair per layer. Marginals (n, labels of the layer:
        :attr:`layer_labels`) are computed for the sentences ``wanted`` (indices in the
        batch), for those with runs when ``confidence`` is asked (a run's confidence is its
        least sure syllable; 1.0 without), and for those where an earlier layer found runs;
        (0, labels) for the others."""
        return self._run(batch, wanted.__contains__, confidence, tuple(range(self.layers)))

    def _run(
        self, batch: list[tuple[np.ndarray, np.ndarray]], wanted, confidence: bool,
        layers: tuple[int, ...],
    ) -> list[list[tuple[list[Tagged], np.ndarray]]]:  # fmt: skip
        out = [[([], self._unread[layer]) for layer in layers] for _ in batch]
        for chunk in length_batches([len(v) for v, _ in batch], self.BATCH_TOKENS):
            all_scores, lengths = run_head(self._session, [batch[i] for i in chunk])
            for n, layer in enumerate(layers):
                scores = np.ascontiguousarray(all_scores[:, layer][:, :, self._keep[layer]])
                paths = viterbi_batch(scores, lengths, *self._crf[layer])
                labels = self.layer_labels[layer]
                runs = [bio_runs([labels[k] for k in path]) for path in paths]
                # a later layer's marginals also where an earlier one found runs
                needed = [b for b, i in enumerate(chunk) if wanted(i) or (confidence and runs[b])
                          or any(out[i][m][0] for m in range(n))]  # fmt: skip
                sure = None
                if needed:
                    sure = marginals_batch(scores[needed], lengths[needed], *self._crf[layer])
                row = {b: k for k, b in enumerate(needed)}
                for b, i in enumerate(chunk):
                    if b not in row:
                        found = [Tagged(a, e, kind, 1.0) for a, e, kind in runs[b]]
                        out[i][n] = (found, self._unread[layer])
                        continue
                    p = sure[row[b], : lengths[b]]
                    path = paths[b]
                    out[i][n] = ([Tagged(a, e, kind, float(p[np.arange(a, e), path[a:e]].min()))
                                  for a, e, kind in runs[b]], p)  # fmt: skip
        return out
