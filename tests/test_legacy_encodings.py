"""Legacy Vietnamese encodings: table coverage, round trips, detection and refusals."""

from __future__ import annotations

import gzip
import json
import random
import time
import unicodedata
from importlib import resources
from pathlib import Path

import pytest

from thoisu.ingest.legacy import (
    LEGACY_ENCODINGS,
    LegacyDecodeError,
    decode_as,
    decode_legacy,
    encode_legacy,
)

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "vntc-world-politics.jsonl.gz"

# The 134 Vietnamese letters with diacritics, built from the alphabet rather than the tables.
_TONES = ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
_VOWELS = "a ă â e ê i o ô ơ u ư y".split()
LOWER = sorted(
    {unicodedata.normalize("NFC", v + t) for v in _VOWELS for t in ("", *_TONES)} - set("aeiouy")
    | {"đ"}
)
LETTERS = LOWER + [c.upper() for c in LOWER]
TCVN3_UPPER = set("ĂÂÊÔƠƯĐ")  # the only uppercase letters with diacritics VN3 has

# Real paragraphs. Dân trí, 2020-10-01, from the Underthesea News Corpus (GPL-3.0), ids
# unc-news_education_001 and _004; VnExpress, from the VNTC corpus (MIT), ids
# vntc-train-KD_VNE_(2662)-5182 and vntc-test-TG_VNE_T_(3731)-8534.
PARAGRAPHS = [
    "Trường đại học giàu nhất thế giới đã trở nên giàu có hơn. Hôm thứ 3 vừa qua, Đại học "
    "Harvard công bố lợi nhuận đầu tư là 7,3% trong năm tài chính vừa qua, ngay cả khi các cơ "
    "sở giáo dục đại học “ít giàu” hơn đang khao khát một gói cứu trợ của liên bang và một số "
    "đang phải đấu tranh để tồn tại.",
    "Tại buổi họp báo ngày 30/9, trao đổi với báo chí về sai phạm của trường ĐH Kinh doanh & "
    "Công nghệ Hà Nội, bà Nguyễn Thu Thủy – Quyền Vụ trưởng Vụ Giáo dục đại học cho biết, khi "
    "nhận được phản ánh thông tin sai phạm của trường ĐH Kinh doanh và Công nghệ Hà Nội, Bộ "
    "GD&ĐT đã có công văn yêu cầu trường báo cáo các hoạt động liên quan đến đào tạo.",
    "Hứng chịu thảm họa nhiều nhất chính là các hãng lữ hành du lịch. Cổ phiếu của các công ty "
    "này giảm mạnh khi các nhà phân tích thống kê thiệt hại gây ra từ những đợt sóng thần ở Sri "
    "Lanka, Ấn Độ, Thái Lan, Indonesia và Malaysia. Cổ phiếu của hãng hàng không Thái Lan Thai "
    "Airways giảm tới 3,5%, khiến chỉ số chứng khoán toàn quốc sụt 1,5%.",
    "Đối với người Công giáo, việc được linh mục ban thánh thể là rất quan trọng. Nhưng ở Bắc "
    "Mỹ, cứ 1.300 giáo dân mới có một linh mục. Còn tại Nam Mỹ, tỷ lệ này là 7.000. Tại nhiều "
    "nơi, các linh mục chỉ xuất hiện mỗi tháng một lần cho lễ Mixa.",
]

ENGLISH = (
    "The committee\u2019s report, published on Tuesday, said that the new rules \u201cwill "
    "not be enough\u201d to stop the decline. Officials in London and Paris declined to comment "
    "on the findings, which were based on interviews with more than 200 people."
)
FRENCH = (
    "Le gouvernement a présenté mercredi un projet de loi très attendu sur l\u2019énergie. "
    "Selon le ministre, la réforme permettra de réduire la facture des ménages dès l\u2019été "
    "prochain, mais l\u2019opposition dénonce un texte « déjà dépassé » et peu ambitieux."
)
GERMAN = (
    "Die Bundesregierung hat am Mittwoch einen Gesetzentwurf vorgelegt. Nach Angaben des "
    "Ministeriums sollen die Änderungen schon im nächsten Frühjahr in Kraft treten; Kritiker "
    "halten die Maßnahmen für übereilt."
)


def tcvn3_expected(text: str) -> str:
    """TCVN3 has no uppercase toned letters: they come back lowercase."""
    return "".join(
        c.lower() if c in LETTERS and c.isupper() and c not in TCVN3_UPPER else c for c in text
    )


def expected(text: str, encoding: str) -> str:
    return tcvn3_expected(text) if encoding == "tcvn3" else text


def cp1258_precomposed(text: str) -> bytes:
    """Windows-1258 as a codec writes it: a precomposed byte where cp1258 has one."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            out += encode_legacy(char, "windows-1258")
    return out


def test_alphabet_has_134_letters() -> None:
    assert len(LOWER) == 67 and len(set(LETTERS)) == 134


@pytest.mark.parametrize("name,rows", [("vni", 134), ("tcvn3", 74)])
def test_tables_are_well_formed_and_cite_sources(name: str, rows: int) -> None:
    text = resources.files("thoisu.ingest").joinpath("data", f"{name}.tsv").read_text("utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert any("Source:" in line for line in header)
    assert any("Cross-checked" in line for line in header)
    table = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            raw, char, name_ = line.split("\t")
            assert unicodedata.name(char) == name_
            assert char == unicodedata.normalize("NFC", char)
            table[bytes.fromhex(raw)] = char
    assert len(table) == rows == len(set(table.values()))
    assert set(table.values()) <= set(LETTERS)


@pytest.mark.parametrize("encoding", LEGACY_ENCODINGS)
def test_every_letter_round_trips(encoding: str) -> None:
    encoded = {letter: encode_legacy(letter, encoding) for letter in LETTERS}
    for letter, raw in encoded.items():
        assert raw and not raw.isascii(), letter
        assert decode_as(raw, encoding) == expected(letter, encoding), (letter, raw)
    distinct = len(set(encoded.values()))
    assert distinct == (74 if encoding == "tcvn3" else 134)


def test_letters_round_trip_inside_words() -> None:
    for encoding in LEGACY_ENCODINGS:
        for letter in LETTERS:
            word = f"x{letter}nh {letter}"
            assert decode_as(encode_legacy(word, encoding), encoding) == expected(word, encoding)


def test_windows_1258_precomposed_and_combining_forms_agree() -> None:
    text = "Thủ tướng Việt Nam: à á è é ì í ò ó ù ú ý ỳ"
    assert decode_as(cp1258_precomposed(text), "windows-1258") == text
    assert decode_as(encode_legacy(text, "windows-1258"), "windows-1258") == text
    assert encode_legacy("à", "windows-1258") == b"a\xcc"  # base + combining grave


@pytest.mark.parametrize("encoding", LEGACY_ENCODINGS)
@pytest.mark.parametrize("index", range(len(PARAGRAPHS)))
def test_detects_news_paragraphs(encoding: str, index: int) -> None:
    text = PARAGRAPHS[index]
    data = encode_legacy(text, encoding)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert decode_legacy(data) == (expected(text, encoding), encoding)


def test_detects_precomposed_windows_1258() -> None:
    for text in PARAGRAPHS:
        assert decode_legacy(cp1258_precomposed(text)) == (text, "windows-1258")


def test_hand_typed_vni() -> None:
    # Typed as VNI bytes shown in cp1252, from data/vni.tsv: "ä" (E4) circumflex + dot below,
    # "ø" (F8) grave, "õ" (F5) tilde, "û" (FB) hook, "ó" (F3) ĩ, "Ñ" (D1) Đ, "ö" (F6) ư,
    # "ï" (EF) dot below, "ù" (F9) acute, "ô" (F4) ơ, "á" (E1) circumflex + acute,
    # "ü" (FC) breve + tilde; uppercase marks are 0x20 lower ("Û" DB, "Â" C2).
    typed = (
        "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam\r\n"
        "Ñoäc laäp - Töï do - Haïnh phuùc\r\n"
        "UÛY BAN NHAÂN DAÂN THAØNH PHOÁ ÑAØ NAÜNG\r\n"
        "Thuû töôùng yeâu caàu caùc boä, ngaønh khaån tröông baùo caùo Quoác hoäi.\r\n"
    )
    text, encoding = decode_legacy(typed.encode("cp1252"))
    assert encoding == "vni"
    assert text == (
        "Cộng hòa xã hội chủ nghĩa Việt Nam\r\n"
        "Độc lập - Tự do - Hạnh phúc\r\n"
        "ỦY BAN NHÂN DÂN THÀNH PHỐ ĐÀ NẴNG\r\n"
        "Thủ tướng yêu cầu các bộ, ngành khẩn trương báo cáo Quốc hội.\r\n"
    )


def test_vni_tolerates_nonstandard_pairs() -> None:
    # An uppercase vowel with a lowercase mark, a toned "i" and "y" written as base + mark.
    assert decode_as("Aûnh höôûng, kyø thi, ñieàu trò, yù kieán, tyï".encode("cp1252"), "vni") == (
        "Ảnh hưởng, kỳ thi, điều trị, ý kiến, tỵ"
    )
    assert decode_as(b"i\xf8 y\xef", "vni") == "ì ỵ"


def test_hand_typed_tcvn3() -> None:
    # The ABC header line, from data/tcvn3.tsv: é (E9) ộ, µ (B5) à, · (B7) ã, ñ (F1) ủ,
    # Ü (DC) ĩ, Ö (D6) ệ, § (A7) Đ, Ë (CB) ậ, ù (F9) ự, ¹ (B9) ạ, ó (F3) ú.
    typed = "Céng hoµ x· héi chñ nghÜa ViÖt Nam\n§éc lËp - Tù do - H¹nh phóc\n"
    assert decode_legacy(typed.encode("latin-1")) == (
        "Cộng hoà xã hội chủ nghĩa Việt Nam\nĐộc lập - Tự do - Hạnh phúc\n",
        "tcvn3",
    )


@pytest.mark.parametrize("text", [ENGLISH, FRENCH, GERMAN])
def test_rejects_western_text(text: str) -> None:
    data = text.encode("cp1252")
    with pytest.raises(LegacyDecodeError, match=r"closest: (Windows-1258|VNI|TCVN3), \d+%"):
        decode_legacy(data)
    with pytest.raises(LegacyDecodeError):
        decode_legacy(text.encode("latin-1", errors="replace"))


@pytest.mark.parametrize("size", [16, 100, 1000, 20_000])
def test_rejects_random_bytes(size: int) -> None:
    rng = random.Random(size)
    for _ in range(20):
        with pytest.raises(LegacyDecodeError, match=r"closest: (Windows-1258|VNI|TCVN3)"):
            decode_legacy(rng.randbytes(size))


def test_error_is_a_value_error_and_names_the_reason() -> None:
    with pytest.raises(ValueError) as info:
        decode_legacy(ENGLISH.encode("cp1252"))
    message = str(info.value)
    assert message.startswith("not UTF-8, and not readable as Windows-1258, VNI or TCVN3")
    assert "Vietnamese syllables" in message


def test_encode_refuses_what_it_cannot_write() -> None:
    with pytest.raises(ValueError, match="unknown legacy encoding"):
        encode_legacy("a", "viscii")
    with pytest.raises(ValueError, match="unknown legacy encoding"):
        decode_as(b"a", "viscii")
    for encoding in LEGACY_ENCODINGS:
        with pytest.raises(ValueError, match="cannot be written"):
            encode_legacy("Hà Nội 河内", encoding)


def _sample_paragraphs(limit: int) -> list[str]:
    out = []
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as fh:
        for line in fh:
            out += [p for p in json.loads(line)["body"].split("\n") if len(p) >= 80]
            if len(out) >= limit:
                break
    return out[:limit]


@pytest.mark.parametrize("encoding", LEGACY_ENCODINGS)
def test_detection_on_sample_paragraphs(encoding: str) -> None:
    right = tried = 0
    for text in _sample_paragraphs(150):
        try:
            data = encode_legacy(text, encoding)
        except ValueError:
            continue
        if data.isascii():
            continue  # valid UTF-8: never handed to decode_legacy
        tried += 1
        try:
            right += decode_legacy(data) == (expected(text, encoding), encoding)
        except LegacyDecodeError:
            pass
    assert tried >= 140 and right >= tried - 1, (right, tried)


def test_fast_on_100_kb() -> None:
    text = "\n".join(_sample_paragraphs(400))
    data = encode_legacy(text, "vni")[:100_000]
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        decode_legacy(data)
        timings.append(time.perf_counter() - start)
    assert min(timings) < 0.15, timings  # ~15 ms on a laptop core; slack for a busy CI
