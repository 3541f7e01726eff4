"""Tests for thoisu.clean: normalisation, chrome removal, metadata and ids."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from thoisu.clean import CleanError, article_id, clean, normalize_date, normalize_text
from thoisu.clean.normalize import normalize_tones
from thoisu.ingest import read_paths
from thoisu.records import RawDocument

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SOHA = SHARED / "examples" / "soha-nato-iraq.txt"


def first_doc(path: Path) -> RawDocument:
    doc = next(iter(read_paths([str(path)])))
    assert isinstance(doc, RawDocument)
    return doc


# --- normalisation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "old,new",
    [
        ("hoà", "hòa"),
        ("hoá học", "hóa học"),
        ("Hoả hoạn", "Hỏa hoạn"),
        ("xoã", "xõa"),
        ("hoạ sĩ", "họa sĩ"),
        ("khoẻ", "khỏe"),
        ("thuỷ", "thủy"),
        ("Uỷ ban", "Ủy ban"),
        ("huỷ bỏ", "hủy bỏ"),
        ("HOÀ BÌNH", "HÒA BÌNH"),
        ("oà khóc", "òa khóc"),
    ],
)
def test_tones_move_to_the_main_vowel(old: str, new: str) -> None:
    assert normalize_text(old) == new


@pytest.mark.parametrize(
    "word",
    ["hoàn", "thuyền", "khoảng", "quý", "Quỳnh", "quỹ", "thuở", "giữa", "khuỷu", "ngoài", "hòa"],
)
def test_tones_left_alone(word: str) -> None:
    assert normalize_tones(word) == word


def test_normalize_text_nfc_and_whitespace() -> None:
    decomposed = unicodedata.normalize("NFD", "Hà Nội")
    messy = f"  {decomposed}\u00a0\u00a0mùa\tthu\u200b \r\n\r\n\r\n\r\nĐoạn hai  "
    assert normalize_text(messy) == "Hà Nội mùa thu\n\nĐoạn hai"
    assert normalize_text(normalize_text(messy)) == normalize_text(messy)


@pytest.mark.parametrize(
    "raw,iso",
    [
        ("2024-02-26", "2024-02-26"),
        ("2024-02-26T08:30:00Z", "2024-02-26T08:30:00+00:00"),
        ("Mon, 26 Feb 2024 08:30:00 +0700", "2024-02-26T08:30:00+07:00"),
        ("Thứ hai, 26/2/2024, 08:30 (GMT+7)", "2024-02-26T08:30:00+07:00"),
        ("26/02/2024", "2024-02-26"),
        ("ngày 26 tháng 2 năm 2024", "2024-02-26"),
        ("31/2/2024", None),
        ("hôm qua", None),
    ],
)
def test_normalize_date(raw: str, iso: str | None) -> None:
    assert normalize_date(raw) == iso


# --- plain text pages ------------------------------------------------------------------


def test_reference_soha_article() -> None:
    if not SOHA.exists():
        pytest.skip("shared examples not available")
    article = clean(first_doc(SOHA))
    assert article.title == "Quân đội NATO tính đường đột phá lực lượng tại Iraq?"
    assert article.author == "An Bình"
    assert article.publisher == "Soha"
    assert article.lead is not None and article.lead.startswith("NATO được cho là")
    for chrome in ("Đường dây nóng", "Báo lỗi", "Vui lòng", "An Bình |"):
        assert chrome not in article.body
        assert chrome not in article.text
    assert not article.body.endswith("Soha")
    assert "Theo lệnh của ông Trump" in article.body
    assert article.body.endswith("người đã đến Baghdad vào ngày 3/1.")
    assert "\n\n" not in article.body
    assert article.text.startswith(article.title + "\n\n" + article.lead + "\n\n")
    assert article.source == str(SOHA)
    assert article.language == "vi"


def test_plain_text_chrome_credit_and_site_name() -> None:
    article = clean(first_doc(FIXTURES / "plain-with-credit.txt"))
    assert article.title == "Hàn Quốc và Nhật Bản nhất trí tăng cường hợp tác an ninh"
    assert article.author == "Minh Khôi"
    assert article.publisher == "Soha"
    assert article.credit == "Theo Yonhap, Kyodo"
    assert article.lead is not None and article.lead.startswith("Ngoại trưởng hai nước")
    assert article.body == (
        "Hai bên thảo luận về tình hình bán đảo Triều Tiên và chuỗi cung ứng khu vực.\n"
        "Theo kế hoạch, cuộc đối thoại tiếp theo sẽ diễn ra tại Tokyo vào mùa thu."
    )


@pytest.mark.parametrize(
    "line,credit",
    [
        ("Theo Reuters", "Theo Reuters"),
        ("(Theo VnExpress)", "Theo VnExpress"),
        ("Theo AFP, CNN", "Theo AFP, CNN"),
        ("Nguồn: TTXVN", "Nguồn: TTXVN"),
    ],
)
def test_credit_lines(line: str, credit: str) -> None:
    text = f"Tiêu đề\n\nĐoạn mở đầu.\n\nThân bài một.\n\nThân bài hai.\n\n{line}\n"
    article = clean(RawDocument(source="t", text=text))
    assert article.credit == credit
    assert article.body == "Thân bài một.\nThân bài hai."


def test_content_sentences_are_not_credits_or_chrome() -> None:
    body = [
        "Theo lệnh của ông Trump, quân đội Mỹ rút khỏi căn cứ.",
        "Đường dây nóng của Bộ Y tế đã nhận hơn 1.000 cuộc gọi trong ngày.",
        "Bình luận của ông về vụ việc được nhiều người chú ý.",
        "theo kế hoạch",
    ]
    text = "Tiêu đề\n\nMở đầu.\n\n" + "\n\n".join(body)
    article = clean(RawDocument(source="t", text=text))
    assert article.body == "\n".join(body)
    assert article.credit is None


def test_explicit_fields_win() -> None:
    raw = RawDocument(
        source="t",
        text="Tiêu đề\n\nAn Bình |\n\nMở đầu.\n\nThân bài.\n\nBáo lỗi cho Soha",
        publisher="Trí Thức",
        author="Người Viết",
        published="26/02/2024",
        url="https://soha.vn/x.htm",
    )
    article = clean(raw)
    assert (article.publisher, article.author, article.published) == (
        "Trí Thức",
        "Người Viết",
        "2024-02-26",
    )
    assert article.body == "Thân bài."


def test_publisher_from_url() -> None:
    text = "Tiêu đề\n\nMở đầu.\n\nThân bài."
    cases = {
        "https://vnexpress.net/a.html": "VnExpress",
        "https://www.tuoitre.vn/b.htm": "Tuổi Trẻ",
        "https://znews.vn/c.html": "Znews",
        "https://thethao.dantri.com.vn/d.htm": "Dân trí",
        "https://example.com/e": None,
    }
    for url, publisher in cases.items():
        assert clean(RawDocument(source="t", text=text, url=url)).publisher == publisher


# --- HTML ----------------------------------------------------------------------------


def test_html_page() -> None:
    article = clean(first_doc(FIXTURES / "vnexpress-like.html"))
    assert article.title == "Hà Nội mở thêm tuyến buýt điện nối sân bay Nội Bài"
    assert article.author == "Minh Anh"
    assert article.publisher == "VnExpress"
    assert article.published == "2024-02-26T08:30:00+07:00"
    assert article.url is not None and article.url.startswith("https://vnexpress.net/")
    assert article.lead is not None and article.lead.startswith("Từ ngày 1/3")
    assert article.body.startswith("Sở Giao thông Vận tải Hà Nội")
    assert "Nguyễn Văn Hòa" in article.body
    assert article.title not in article.body  # the repeated headline is dropped
    for chrome in ("Chia sẻ", "Tin liên quan", "©", "Đường dây nóng", "Trang chủ", "26/2/2024"):
        assert chrome not in article.text


def test_html_without_article_text() -> None:
    page = "<html><head><title>x</title></head><body><nav>Trang chủ</nav></body></html>"
    with pytest.raises(CleanError, match="HTML page with no article text"):
        clean(RawDocument(source="t", html=page))


def test_feed_entries_clean() -> None:
    articles = [clean(d) for d in read_paths([str(FIXTURES / "feed.rss")])]  # type: ignore[arg-type]
    assert [a.publisher for a in articles] == ["Tuổi Trẻ", "Tuổi Trẻ"]
    assert articles[0].body.startswith("Cây cầu đi bộ dài 400 m nối hai bờ sông Hàn")
    assert articles[0].category == "Thời sự"
    assert articles[1].body.startswith("Liên Bộ Công Thương")
    [atom] = [clean(d) for d in read_paths([str(FIXTURES / "feed.atom")])]  # type: ignore[arg-type]
    assert atom.body.endswith("viện trợ khẩn cấp.") and atom.publisher == "Thanh Niên"


# --- structured records ------------------------------------------------------------------


def test_vntc_record_keeps_lead_none() -> None:
    raw = RawDocument(
        source="c.jsonl:3",
        title="Iran có thể phóng thích thuỷ thủ Anh",
        body="Hãng thông tấn Cộng hoà Hồi giáo hôm nay cho biết.\nĐoạn thứ hai.\nÝ kiến của bạn",
        publisher="VnExpress",
        category="Thế giới",
        external_id="vntc-1",
    )
    article = clean(raw)
    assert article.title == "Iran có thể phóng thích thủy thủ Anh"
    assert article.lead is None
    assert article.body == "Hãng thông tấn Cộng hòa Hồi giáo hôm nay cho biết.\nĐoạn thứ hai."
    assert article.text == article.title + "\n\n" + article.body
    assert (article.category, article.external_id, article.source) == (
        "Thế giới",
        "vntc-1",
        "c.jsonl:3",
    )


def test_record_with_lead_and_related_links() -> None:
    raw = RawDocument(
        source="r",
        title="Tiêu đề",
        lead="Sapo của bài.",
        body="Sapo của bài.\nThân bài.\nNgọc Sơn (theo AFP)\nBài cũ liên quan đến vụ việc(14/01/2005)",
    )
    article = clean(raw)
    assert article.lead == "Sapo của bài."
    assert article.body == "Thân bài."
    assert (article.author, article.credit) == ("Ngọc Sơn", "Theo AFP")


@pytest.mark.parametrize(
    "raw",
    [
        RawDocument(source="e"),
        RawDocument(source="e", title="Chỉ có tiêu đề"),
        RawDocument(source="e", body="Chia sẻ\nBáo lỗi cho Soha\nHotline: 0912 345 678"),
    ],
)
def test_empty_article(raw: RawDocument) -> None:
    with pytest.raises(CleanError, match="empty article"):
        clean(raw)


# --- ids ----------------------------------------------------------------------------------


def test_article_id_is_stable(tmp_path: Path) -> None:
    text = (FIXTURES / "plain-with-credit.txt").read_text(encoding="utf-8")
    a = tmp_path / "a.txt"
    b = tmp_path / "sub" / "copy.txt"
    b.parent.mkdir()
    a.write_text(text, encoding="utf-8")
    b.write_text(text.replace("\n", "\r\n"), encoding="utf-8")
    one, two = (clean(d) for d in read_paths([str(a), str(b)]))  # type: ignore[arg-type]
    assert one.id == two.id
    assert one.source != two.source
    assert len(one.id) == 17 and one.id[0] == "a" and int(one.id[1:], 16) >= 0
    assert article_id("Bài báo", None) == article_id("Bài báo", None)
    assert article_id("Bài báo", "https://vnexpress.net/a") != article_id("Bài báo", None)
    assert article_id("Hoà bình", None) == article_id("Hòa bình", None)
