"""Vietnamese news publishers: domain table and name canonicalisation (data, not logic)."""

from __future__ import annotations

from urllib.parse import urlsplit

# Registered domain -> publisher name as the publication writes it.
DOMAINS: dict[str, str] = {
    "vnexpress.net": "VnExpress",
    "tuoitre.vn": "Tuổi Trẻ",
    "thanhnien.vn": "Thanh Niên",
    "soha.vn": "Soha",
    "dantri.com.vn": "Dân trí",
    "vietnamnet.vn": "VietNamNet",
    "nld.com.vn": "Người Lao Động",
    "zingnews.vn": "Znews",
    "znews.vn": "Znews",
    "baomoi.com": "Báo Mới",
    "vov.vn": "VOV",
    "vtv.vn": "VTV",
    "nhandan.vn": "Nhân Dân",
    "nhandan.com.vn": "Nhân Dân",
    "qdnd.vn": "Quân đội nhân dân",
    "cand.com.vn": "Công an nhân dân",
    "laodong.vn": "Lao Động",
    "kenh14.vn": "Kenh14",
    "cafef.vn": "CafeF",
    "24h.com.vn": "24h",
    "vietnamplus.vn": "VietnamPlus",
    "baochinhphu.vn": "Báo Chính phủ",
    "chinhphu.vn": "Cổng thông tin điện tử Chính phủ",
    "vtc.vn": "VTC News",
    "tienphong.vn": "Tiền Phong",
    "sggp.org.vn": "Sài Gòn Giải Phóng",
    "plo.vn": "Pháp Luật TP.HCM",
    "baotintuc.vn": "Báo Tin tức",
    "bbc.com/vietnamese": "BBC Tiếng Việt",
    "vneconomy.vn": "VnEconomy",
    "vietnamfinance.vn": "VietnamFinance",
    "kinhtedothi.vn": "Kinh tế & Đô thị",
    "hanoimoi.vn": "Hà Nội Mới",
    "giaoducthoidai.vn": "Giáo dục & Thời đại",
    "suckhoedoisong.vn": "Sức khỏe & Đời sống",
    "afamily.vn": "Afamily",
    "genk.vn": "GenK",
    "ictnews.vietnamnet.vn": "ICTnews",
    "tinhte.vn": "Tinh tế",
    "thesaigontimes.vn": "The Saigon Times",
}

# Other spellings seen in page chrome ("Báo lỗi cho ...", site-name lines, og:site_name).
ALIASES: dict[str, str] = {
    "vnexpress.net": "VnExpress",
    "báo vnexpress": "VnExpress",
    "tuổi trẻ online": "Tuổi Trẻ",
    "tuoi tre online": "Tuổi Trẻ",
    "báo tuổi trẻ": "Tuổi Trẻ",
    "báo thanh niên": "Thanh Niên",
    "soha.vn": "Soha",
    "báo điện tử dân trí": "Dân trí",
    "dân trí": "Dân trí",
    "zing news": "Znews",
    "zingnews": "Znews",
    "báo người lao động": "Người Lao Động",
    "nld": "Người Lao Động",
    "báo nhân dân": "Nhân Dân",
    "báo quân đội nhân dân": "Quân đội nhân dân",
    "báo lao động": "Lao Động",
    "ttxvn/vietnam+": "VietnamPlus",
    "vietnam+": "VietnamPlus",
}

_BY_NAME: dict[str, str] = {name.casefold(): name for name in DOMAINS.values()}
_BY_NAME.update({alias.casefold(): name for alias, name in ALIASES.items()})


def canonical_publisher(name: str | None) -> str | None:
    """Known publisher spelling for ``name`` (case-insensitive), else None."""
    if not name:
        return None
    key = " ".join(name.split()).strip(" .:-|").casefold()
    if key in _BY_NAME:
        return _BY_NAME[key]
    return publisher_from_url(key) if "." in key and " " not in key else None


def publisher_from_url(url: str | None) -> str | None:
    """Publisher for a URL (or bare host) by its domain; subdomains match their parent."""
    if not url:
        return None
    try:
        parts = urlsplit(url if "//" in url else f"//{url}")
        parts.hostname  # noqa: B018 - raises for a malformed host ("http://[::1")
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.lower()
    if f"{host}{path}".startswith("bbc.com/vietnamese"):
        return DOMAINS["bbc.com/vietnamese"]
    labels = host.split(".")
    for i in range(
        len(labels) - 1
    ):  # most specific first: ictnews.vietnamnet.vn, then vietnamnet.vn
        name = DOMAINS.get(".".join(labels[i:]))
        if name:
            return name
    return None


def is_site_name(line: str, extra: tuple[str | None, ...] = ()) -> bool:
    """True if ``line`` is nothing but a publisher's name (page chrome)."""
    key = line.strip(" .:-|").casefold()
    if not key or len(key) > 40:
        return False
    if key in _BY_NAME:
        return True
    return any(e and key == e.casefold() for e in extra)
