"""Agent nouns: words that name an actor without naming it, with their CAMEO actor type.

``data/agents.tsv`` is thoisu's Vietnamese agent dictionary, in the manner of PETRARCH2's
(``Phoenix.agents.txt``, whose English entries and types it follows): "cảnh sát" COP, "tòa
án" JUD, "phiến quân" REB, "ubnd" GOV... An institution found only in Vietnam's system ("ubnd",
"tand", "vksnd", "công an") is flagged: an actor it names is Vietnamese unless another
country is named with it. Read by the entity stage (codes of organisations named by their
head noun: "Công an huyện Gia Lâm") and the event stage (nominal actors: "cảnh sát Thái Lan").
Each agent also has an English name in GDELT's style ("công an" POLICE, "binh lính" SOLDIERS):
:func:`english_name`, for English event lines and GDELT actor names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources

__all__ = ["Agent", "agent_head", "english_name", "load_agents"]

_LONGEST = 6  # syllables of the longest agent phrase matched
# Words before an agent noun that say how many or which of them, not who ("các", "hai",
# "nhóm", "bọn"): skipped by english_name, as the event stage skips them.
_SKIPPED = frozenset(
    "các những nhiều một mấy hai ba bốn năm sáu bảy tám chín mười vài cả gần khoảng hơn trên "
    "chừng chục trăm ngàn nghìn vạn triệu mọi nhóm bọn đám toán lũ tốp chính băng đoàn giới "
    "phía".split()
)
# Two-word ones, skipped whole: "toàn bộ binh sĩ" is not "bộ binh" (infantry) + "sĩ".
_SKIPPED_PAIRS = frozenset({"toàn bộ", "tất cả", "một số", "hàng chục", "hàng trăm",
                            "hàng nghìn", "hàng ngàn", "hàng triệu"})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Agent:
    type: str  # CAMEO actor type (CAMEO.type.txt)
    vietnamese: bool  # an institution of Vietnam's system: the country is VNM by default
    # English name, upper case ("POLICE"); not compared: "ubnd" and "ủy ban nhân dân" are
    # one agent whatever their English names
    english: str = field(default="", compare=False)


@cache
def load_agents() -> dict[tuple[str, ...], Agent]:
    """Agent noun syllables (lower case) -> its type."""
    text = resources.files("thoisu.entities").joinpath("data", "agents.tsv").read_text("utf-8")
    table = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            cells = line.split("\t") + ["", "", "", ""]
            table[tuple(cells[0].lower().split())] = Agent(
                cells[1].strip(), cells[2].strip() == "vn", cells[4].strip()
            )
    return table


def agent_head(lowered: str) -> tuple[Agent, int] | None:
    """The agent noun opening a lower-cased phrase, and its length in syllables."""
    words = lowered.split()
    agents = load_agents()
    for n in range(min(_LONGEST, len(words)), 0, -1):
        agent = agents.get(tuple(words[:n]))
        if agent is not None:
            return agent, n
    return None


# Words before an agent noun that make it plural ("các nhà nghiên cứu": researchers), and
# English nouns that have no plural of their own ("POLICE", "STAFF").
_PLURAL_MARKERS = (
    frozenset(
        "các những nhiều mấy hai ba bốn sáu bảy tám chín mười vài chục trăm ngàn nghìn vạn "
        "triệu".split()
    )
    | _SKIPPED_PAIRS
)
_UNCOUNTED = frozenset("POLICE STAFF PERSONNEL PEOPLE MILITARY PUBLIC CLERGY MEDIA MILITIA".split())


def english_name(text: str) -> str | None:
    """The English name (upper case, "POLICE") of the agent noun opening an actor phrase
    ("các chiến sĩ công an tỉnh Nghệ An", "hai binh lính Mỹ"), after the words that count or
    group them, in the plural when they make it one ("các nhà nghiên cứu": "RESEARCHERS";
    "5 nghi phạm": "SUSPECTS"); None when no agent noun opens it."""
    words = text.lower().split()
    plural = False
    while words:
        pair = " ".join(words[:2])
        if pair in _SKIPPED_PAIRS:
            plural = plural or pair in _PLURAL_MARKERS
            words = words[2:]
            continue
        head = agent_head(" ".join(words[:_LONGEST]))
        if head is not None:
            english = head[0].english
            return (_plural(english) if plural else english) or None
        if words[0] not in _SKIPPED and not words[0][:1].isdigit():
            return None
        plural = plural or words[0] in _PLURAL_MARKERS or _many(words[0])
        words = words[1:]
    return None


def _many(word: str) -> bool:
    """A number over one ("5", "1.200", "3,5")."""
    digits = word.replace(".", "").replace(",", "")
    return digits.isdigit() and int(digits) > 1


def _plural(english: str) -> str:
    """An upper-case English noun phrase with its last word in the plural: "RESEARCHER" ->
    "RESEARCHERS", "MINISTRY" -> "MINISTRIES", "POLICEMAN" -> "POLICEMEN"; a word already
    plural or uncounted ("POLICE", "AUTHORITIES") is kept."""
    if not english:
        return english
    *rest, last = english.split(" ")
    if last in _UNCOUNTED or last.endswith("S") and not last.endswith(("SS", "US")):
        return english
    if last.endswith("MAN"):
        last = last[:-3] + "MEN"
    elif last.endswith("PERSON"):
        last = last[:-6] + "PEOPLE"
    elif last.endswith("CHILD"):
        last += "REN"
    elif last.endswith("Y") and last[-2:-1] not in "AEIOU":
        last = last[:-1] + "IES"
    elif last.endswith(("SS", "SH", "CH", "X", "US")):
        last += "ES"
    else:
        last += "S"
    return " ".join([*rest, last])
