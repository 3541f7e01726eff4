"""Sentences and tokens stay aligned to the text, whatever underthesea rewrites."""

from __future__ import annotations

from thoisu.nlp import split_sentences, tokenize_sentence


def test_tokens_align_with_old_style_tone_marks():
    text = "Cảnh sát Khánh Hoà bắt giữ thuỷ thủ tàu cá ở Nha Trang."
    tokens = tokenize_sentence(text, 100)
    assert all(text[t.start - 100 : t.end - 100] == t.text for t in tokens)
    # no word is lost after the one underthesea rewrites ("thuỷ" -> "thủy")
    assert [t.text for t in tokens][-3:] == ["ở", "Nha Trang", "."]
    assert any(t.text == "bắt giữ" and t.pos == "V" for t in tokens)


def test_sentences_never_cross_paragraphs():
    text = "Tiêu đề không dấu chấm\n\nCâu một. Câu hai?\nĐoạn mới."
    spans = split_sentences(text)
    pieces = [text[s:e] for s, e in spans]
    assert pieces == ["Tiêu đề không dấu chấm", "Câu một.", "Câu hai?", "Đoạn mới."]
