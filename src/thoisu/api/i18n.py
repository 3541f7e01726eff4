"""The dashboard's two languages: Vietnamese (the default) and English.

The choice comes from ``?lang=`` or the ``thoisu_lang`` cookie that ``/ui/lang`` sets.
Labels are looked up by key with :func:`label`; a key without an English text falls back
to the Vietnamese one. Event lines in English are the events' own ``en`` field (built from
their codes, never machine-translated).
"""

from __future__ import annotations

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
}


def language(request: Request) -> str:
    """The page's language: ``?lang=``, else the cookie, else Vietnamese."""
    for value in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if value in LANGUAGES:
            return value
    return "vi"


def label(key: str, lang: str, **values: object) -> str:
    vi, en = LABELS.get(key, (key, key))
    text = en if lang == "en" and en else vi
    return text.format(**values) if values else text
