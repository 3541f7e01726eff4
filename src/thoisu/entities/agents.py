"""Agent nouns: words that name an actor without naming it, with their CAMEO actor type.

``data/agents.tsv`` is thoisu's Vietnamese agent dictionary, in the manner of PETRARCH2's
(``Phoenix.agents.txt``, whose English entries and types it follows): "cảnh sát" COP, "tòa
án" JUD, "phiến quân" REB, "ubnd" GOV... An institution found only in Vietnam's system ("ubnd",
"tand", "vksnd", "công an") is flagged: an actor it names is Vietnamese unless another
country is named with it. Read by the entity stage (codes of organisations named by their
head noun: "Công an huyện Gia Lâm") and the event stage (nominal actors: "cảnh sát Thái Lan").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Agent", "agent_head", "load_agents"]

_LONGEST = 6  # syllables of the longest agent phrase matched


@dataclass(frozen=True, slots=True)
class Agent:
    type: str  # CAMEO actor type (CAMEO.type.txt)
    vietnamese: bool  # an institution of Vietnam's system: the country is VNM by default


@cache
def load_agents() -> dict[tuple[str, ...], Agent]:
    """Agent noun syllables (lower case) -> its type."""
    text = resources.files("thoisu.entities").joinpath("data", "agents.tsv").read_text("utf-8")
    table = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            cells = line.split("\t") + ["", ""]
            table[tuple(cells[0].lower().split())] = Agent(
                cells[1].strip(), cells[2].strip() == "vn"
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
