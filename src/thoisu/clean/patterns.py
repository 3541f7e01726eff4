"""Line patterns for page chrome, bylines and credits (data, kept apart from the logic).

Every pattern is matched with ``fullmatch`` against one stripped line, so a pattern can
only remove a line that is *entirely* chrome, never a content sentence that happens to
start with the same words.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

# Lines removed wherever they occur.
CHROME: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, _I)
    for p in (
        # hotlines: "Đường dây nóng: 0943 113 999", "Hotline: 0912.345.678"
        r"(đường dây nóng|hotline)\s*:?\s*[\d .+()\-/]{6,40}",
        # error-report and comment forms
        r"báo lỗi(\s+cho\s+.{1,60})?",
        r"\*?\s*vui lòng (nhập|điền|chọn|đăng nhập|gõ).{0,150}",
        r"\*?\s*(gửi|gửi bình luận|gửi ý kiến|gửi bài|email|e-mail|họ tên|họ và tên|tên của bạn"
        r"|số điện thoại|điện thoại|nội dung|hủy|hủy bỏ|đăng nhập|đăng ký|đóng|ok)\s*:?\s*\*?",
        r"(ý kiến|bình luận) của bạn.{0,40}",
        r"(bạn đọc|độc giả) (gửi|bình luận).{0,60}",
        # sharing, navigation, related-article headings
        r"(chia sẻ|chia sẻ bài viết|share|facebook|twitter|zalo|linkedin|telegram|in bài|print"
        r"|lưu|lưu bài|lưu bài viết|bình luận|bình luận \(\d+\)|\d+ bình luận|ý kiến|ý kiến bạn đọc"
        r"|tin liên quan|bài liên quan|tin cùng chuyên mục|tin cùng chủ đề|tin khác|các tin khác"
        r"|tin mới|tin mới nhất|tin nổi bật|đọc thêm|đọc nhiều|xem thêm|xem tiếp"
        r"|có thể bạn quan tâm"
        r"|trang chủ|quay lại|trở lại|về đầu trang|lên đầu trang|theo dõi chúng tôi|từ khóa|tags?"
        r"|chủ đề|video|ảnh|mới nhất|nổi bật)\s*:?",
        r"(xem thêm|đọc thêm|tin liên quan|bài liên quan|xem tiếp|từ khóa|tags?)\s*:\s*.{1,200}",
        r"(>>|»|>)\s*(xem thêm|đọc thêm|xem tiếp|tin liên quan).{0,200}",
        r"theo dõi .{1,60} trên (google news|facebook|zalo|youtube|tiktok|telegram).{0,60}",
        # copyright and licence footers
        r"(©|\(c\)|copyright\b).{0,200}",
        r"bản quyền\s+(thuộc|©|\(c\)|\d{4}).{0,200}",
        r"(giấy phép|ghi rõ nguồn|không được (sao chép|sử dụng lại)).{0,200}"
        r"(bttt|gp-|nguồn|phát hành lại|website|bằng văn bản).{0,120}",
    )
)

# "Báo lỗi cho Soha": the named site is a publisher hint.
ERROR_REPORT = re.compile(r"báo lỗi\s+cho\s+(?P<site>.{1,60}?)\s*[.:]?", _I)

# Related-article links left at the end of corpus texts: "Tiêu đề bài khác(14/01/2005)".
RELATED_LINK = re.compile(r"[^.!?]{8,200}?\S\(\d{1,2}/\d{1,2}(/\d{2,4})?\)")

# A short source line: "Theo Reuters", "Theo AFP, CNN", "(Theo VnExpress)", "Nguồn: TTXVN".
# Case-sensitive on purpose: a source is a name ("Theo Reuters"), while content reads
# "Theo lệnh của ...", "theo kế hoạch ...".
CREDIT = re.compile(
    r"[(\[]?\s*(?:[Tt]heo|THEO|[Nn]guồn|NGUỒN)\s*:?\s+(?P<src>[^()\[\]]{1,70}?)\s*[)\]]?\s*\.?"
)
# "M.C. (theo BBC)", "Ngọc Sơn (theo AFP, Xinhua)": author, then credit.
AUTHOR_CREDIT = re.compile(
    r"(?P<author>[^()]{2,40}?)\s*\(\s*(?:[Tt]heo|[Nn]guồn)\s*:?\s*(?P<src>[^()]{1,60}?)\s*\)\.?"
)

# Bylines directly under the title: "An Bình |", "| An Bình", "An Bình | 10/02/2020",
# "Tác giả: An Bình".
BYLINE: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?P<name>[^|]{2,60}?)\s*\|\s*(?P<rest>[^|]{0,60})"),
    re.compile(r"\|\s*(?P<name>[^|]{2,60}?)\s*\|?"),
    re.compile(
        r"(?:tác giả|bài|bài và ảnh|bài, ảnh|bài/ảnh|phóng viên|pv)\s*:\s*(?P<name>.{2,60})", _I
    ),
)

# Names: at most six words, each capitalised (a particle like "Thị" is capitalised too).
NAME = re.compile(r"(?:[^\W\d_][\w.'-]*)(?:\s+[^\W\d_][\w.'-]*){0,5}")
