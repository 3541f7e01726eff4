"""Inference for the learned heads: bidirectional LSTMs and Viterbi decoding.

The heads are trained with PyTorch (the ``train`` extra) and run without it: a BiLSTM with
NumPy (:func:`bilstm`), or as onnxruntime's ``LSTM`` operator (:func:`onnx_lstm_weights`,
:func:`session`), which loops over time steps in C++ and is many times faster on short
sentences. Shared by the trigger tagger and the name recogniser.
"""

from __future__ import annotations

import numpy as np

__all__ = ["bilstm", "onnx_lstm_weights", "reverse_each", "run_bilstm", "session", "viterbi"]


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
