"""The dashboard's two languages: Vietnamese (the default) and English.

The choice comes from ``?lang=`` or the ``thoisu_lang`` cookie that ``/ui/lang`` sets.
Labels are looked up by key with :func:`label`; a key without an English text falls back
to the Vietnamese one. Event lines in English are the events' own ``en`` field (built from
their codes, never machine-translated).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request

LANGUAGES = ("vi", "en")
COOKIE = "thoisu_lang"

LABELS: dict[str, tuple[str, str]] = {
    # navigation
    "nav.search": ("Tìm kiếm", "Search"),
    "nav.events": ("Sự kiện", "Events"),
    "nav.entities": ("Thực thể", "Entities"),
    "nav.feeds": ("Nguồn theo dõi", "Feeds"),
    "nav.watches": ("Cảnh báo", "Watches"),
    "footer": (
        "thoisu — mỗi dữ kiện dẫn về câu văn gốc. Mã sự kiện theo CAMEO và PLOVER.",
        "thoisu — every fact points back to its sentence. Events coded in CAMEO and PLOVER.",
    ),
    # the events explorer
    "events.title": ("Sự kiện", "Events"),
    "f.actor": ("Tác nhân", "Actor"),
    "f.counterpart": ("Đối tác", "Counterpart"),
    "f.source": ("Nguồn", "Source"),
    "f.target": ("Đích", "Target"),
    "f.location": ("Nơi", "Location"),
    "f.certainty": ("Mức chắc chắn", "Certainty"),
    "f.min_certainty": ("Chắc chắn ít nhất", "At least"),
    "f.q": ("Từ khóa trong bài", "Words in the article"),
    "f.since": ("Từ ngày", "Since"),
    "f.until": ("Đến ngày", "Until"),
    "f.by": ("Xếp chồng theo", "Stack by"),
    "f.interval": ("Mỗi cột là", "Each bar is a"),
    "f.order": ("Thứ tự", "Order"),
    "f.newest": ("mới nhất trước", "newest first"),
    "f.oldest": ("cũ nhất trước", "oldest first"),
    "f.unit": ("Đếm", "Count"),
    "f.groups": ("mỗi sự việc", "occurrences"),
    "f.mentions": ("mỗi lần đưa tin", "reports"),
    "f.submit": ("Lọc", "Filter"),
    "timeline": ("Dòng thời gian", "Timeline"),
    "occurrences": ("sự việc", "occurrences"),
    "reports": ("lần đưa tin", "reports"),
    "undated": ("không có ngày", "undated"),
    "out_of_range": ("có ngày ngoài khoảng 1800 – nay", "dated outside 1800 – now"),
    "earlier": ("sự kiện sớm hơn không hiển thị", "earlier events not shown"),
    "later": ("sự kiện muộn hơn không hiển thị", "later events not shown"),
    "show_all": ("xem toàn bộ", "show all"),
    "list": ("Danh sách", "List"),
    "csv": ("tải CSV", "download CSV"),
    "next": ("Trang sau →", "Next page →"),
    "no_events": ("Không có sự kiện nào phù hợp.", "No event matches."),
    "col.date": ("Ngày", "Date"),
    "col.who": ("Ai", "Who"),
    "col.what": ("Làm gì", "Did what"),
    "col.whom": ("Với ai", "To whom"),
    "col.where": ("Ở đâu", "Where"),
    "col.event": ("Sự kiện", "Event"),
    "col.evidence": ("Câu gốc", "Evidence (Vietnamese)"),
    "reported_by": (
        "được {a} bài từ {s} nguồn đưa tin",
        "reported by {a} articles from {s} sources",
    ),
    # watches
    "watches.title": ("Cảnh báo", "Watches"),
    "watches.intro": (
        "Mỗi cảnh báo là một bộ lọc sự kiện được lưu: các dữ kiện mới phù hợp được đánh dấu"
        " khi lưu, và có nguồn tin Atom cho mọi trình đọc tin.",
        "Each watch is a saved event filter: new matching facts are marked as they are stored,"
        " and its Atom feed makes any feed reader an alert client.",
    ),
    "watch.name": ("Tên", "Name"),
    "watch.filters": ("Bộ lọc", "Filters"),
    "watch.last": ("Lần khớp gần nhất", "Last match"),
    "watch.feed": ("Nguồn tin Atom", "Atom feed"),
    "watch.create": ("Theo dõi bộ lọc này", "Watch these filters"),
    "watch.create_hint": (
        "Lưu các bộ lọc hiện tại thành một cảnh báo",
        "Save the current filters as a watch",
    ),
    "watch.none": ("Chưa có cảnh báo nào.", "No watch yet."),
    "watch.matches": ("Các sự việc khớp, mới nhất trước", "Matching occurrences, newest first"),
    "watch.remove": ("Xóa cảnh báo", "Remove the watch"),
    # dyads
    "dyad.title": ("Quan hệ theo thời gian", "A relationship over time"),
    "dyad.goldstein": ("Điểm Goldstein trung bình", "Mean Goldstein score"),
    "dyad.link": ("quan hệ", "dyad"),
    "quad.1": ("hợp tác bằng lời", "verbal cooperation"),
    "quad.2": ("hợp tác thực chất", "material cooperation"),
    "quad.3": ("xung đột bằng lời", "verbal conflict"),
    "quad.4": ("xung đột thực chất", "material conflict"),
    "no_dated": ("Không có sự kiện nào có ngày", "No dated event"),
    # search and articles
    "search.placeholder": (
        "Tìm bài báo — gõ có dấu hoặc không dấu: dam phan, Iraq, huấn luyện",
        "Search the articles, with or without diacritics: dam phan, Iraq, huấn luyện",
    ),
    "search.words": ("Từ khóa", "Words"),
    "search.go": ("Tìm", "Search"),
    "search.publisher": ("Báo", "Publisher"),
    "search.category": ("Chuyên mục", "Section"),
    "search.unfilter": ("× bỏ lọc", "× all"),
    "search.found": ("{n} bài phù hợp với", "{n} articles match"),
    "search.latest": ("Bài mới nhất · {n} bài", "Latest articles · {n} in all"),
    "search.filtered": ("(đã lọc)", "(filtered)"),
    "search.none": ("Không có bài nào phù hợp.", "No article matches."),
    "untitled": ("(không tiêu đề)", "(untitled)"),
    "article": ("Bài báo", "Article"),
    "article.source": ("nguồn", "source"),
    "article.legend": ("rê chuột hoặc chạm để xem mã", "hover or tap to see the codes"),
    "article.json": ("Bản ghi JSON", "JSON record"),
    "legend.event": ("sự kiện", "event"),
    "col.sentence": ("Câu", "Sentence"),
    "col.trigger": ("Từ khóa", "Trigger"),
    "col.when": ("Khi nào", "When"),
    "col.howmany": ("Bao nhiêu", "How many"),
    "col.according": ("Theo ai", "According to"),
    "col.certainty": ("Mức chắc chắn", "Certainty"),
    "sentence.n": ("câu {n}", "sentence {n}"),
    "via": ("qua", "via"),
    "confidence": ("độ tin cậy", "confidence"),
    # entities
    "entities.title": ("Thực thể", "Entities"),
    "entities.placeholder": (
        "Tên, mã hoặc id: Mỹ, NATO, Trump",
        "Name, code or id: Mỹ, NATO, Trump",
    ),
    "entities.name": ("Tên thực thể", "Entity name"),
    "entities.type": ("Loại", "Type"),
    "entities.any_type": ("mọi loại", "any type"),
    "entities.none": ("Không có thực thể nào phù hợp.", "No entity matches."),
    "col.name": ("Tên", "Name"),
    "col.type": ("Loại", "Type"),
    "col.code": ("Mã CAMEO", "CAMEO code"),
    "col.articles": ("Số bài", "Articles"),
    "col.mentions": ("Số lần nhắc", "Mentions"),
    "entity.counts": ("{a} bài, {m} lần nhắc", "{a} articles, {m} mentions"),
    "entity.events": ("các sự kiện", "its events"),
    "entity.mentions_over_time": (
        "Số bài nhắc đến theo thời gian",
        "Articles mentioning it over time",
    ),
    "entity.undated": ("{n} bài không có ngày", "{n} undated articles"),
    "entity.out_of_range": (
        "{n} bài có ngày ngoài khoảng 1800 – nay",
        "{n} dated outside 1800 – now",
    ),
    "entity.events_over_time": ("Sự kiện theo thời gian", "Events over time"),
    "entity.by_root": ("xếp chồng theo gốc CAMEO", "stacked by CAMEO root"),
    "entity.counterparts": ("Đối tác hàng đầu", "Top counterparts"),
    "entity.counterparts_note": (
        "ai tác động lên ai; độ dày = số sự kiện",
        "who acts on whom; width = number of events",
    ),
    "col.counterpart": ("Đối tác", "Counterpart"),
    "col.acts_on": ("tác động lên đối tác", "acts on it"),
    "col.acted_on": ("bị đối tác tác động", "acted on by it"),
    "col.main_types": ("Loại sự kiện chính", "Main event types"),
    "entity.articles": ("Bài báo", "Articles"),
    "times": ("{n} lần", "{n} times"),
    "type.PER": ("người", "person"),
    "type.ORG": ("tổ chức", "organisation"),
    "type.LOC": ("địa danh", "place"),
    "type.MISC": ("khác", "other"),
    "cert.asserted": ("khẳng định", "asserted"),
    "cert.reported": ("được cho là / theo nguồn tin", "reported"),
    "cert.possible": ("có thể", "possible"),
    "cert.negated": ("phủ định / chưa xảy ra", "negated / did not happen"),
    "cert.question": ("câu hỏi", "question"),
    # followed feeds
    "feeds.title": ("Nguồn theo dõi", "Followed feeds"),
    "feeds.checked": ("Kiểm tra lần cuối", "Last checked"),
    "feeds.changed": ("Thay đổi lần cuối", "Last changed"),
    "feeds.status": ("Trạng thái", "Status"),
    "feeds.items": ("Mục", "Items"),
    "feeds.stored": ("Bài đã lưu", "Stored"),
    "feeds.errors": ("Lỗi", "Errors"),
    "feeds.rounds": ("Lượt", "Rounds"),
    "feeds.none": ("Chưa theo dõi nguồn nào:", "No feed followed yet:"),
    "feeds.pages": ("Trang đã tải", "Pages fetched"),
    "feeds.any_status": ("mọi trạng thái", "any status"),
    "feeds.at": ("Lúc", "At"),
    "feeds.article": ("Bài", "Article"),
    "feeds.no_pages": ("Không có trang nào.", "No page."),
    # charts
    "chart.mentioning": ("bài báo nhắc đến", "articles mentioning it"),
    "chart.articles_over_time": ("Số bài báo theo thời gian", "Articles over time"),
    "chart.events_by_root": (
        "Sự kiện theo thời gian, theo gốc CAMEO",
        "Events over time, by CAMEO root",
    ),
    "net.network": ("Mạng quan hệ của", "Counterparts of"),
    "net.none": ("Chưa có sự kiện với đối tác nào", "No event with a counterpart yet"),
    "net.events": ("sự kiện", "events"),
    "net.acted_on": ("bị tác động", "acted on"),
    "net.acts": ("tác động", "acting"),
}


def language(request: Request) -> str:
    """The page's language: ``?lang=``, else the cookie, else Vietnamese."""
    for value in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if value in LANGUAGES:
            return value
    return "vi"


def entity_name(entity: Mapping[str, Any], lang: str) -> str:
    """An entity's name as a page in ``lang`` shows it: its English (canonical) name in
    English, its Vietnamese one where it has one in Vietnamese."""
    shown = entity.get("name") if lang == "en" else entity.get("name_vi")
    return shown or entity.get("name") or ""


def label(key: str, lang: str, **values: object) -> str:
    vi, en = LABELS.get(key, (key, key))
    text = en if lang == "en" and en else vi
    return text.format(**values) if values else text
