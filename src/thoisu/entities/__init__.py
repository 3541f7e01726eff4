"""Entity stage: the names of an article (and the words that refer back to them), each linked
to the canonical entity it names.

- :mod:`.stage`: the stage itself, :func:`recognize` (one article) and :func:`recognize_many`;
- :mod:`.recognition`: the learned recogniser finds the names and their type, to the VLSP
  standard, nested names included (on the shared encoder's vectors);
- :mod:`.rules`: what the gazetteer, titles and organisation heads say each name is (and,
  without the recogniser's model, where the names are);
- :mod:`.names`: the two together, plus nominal actors such as "quân đội Iraq";
- :mod:`.linking`: canonical entities, codes, Wikidata ids, short names to full ones;
- :mod:`.agents`: agent nouns ("công an", "tòa án") and their CAMEO types;
- :mod:`.actor_codes`: codes for organisations named by an agent noun, and from PETRARCH2's
  dictionaries for actors the article names without saying what they are;
- :mod:`.coreference`: "Ông", "nước này" linked back to their entity;
- :mod:`.vlsp`: the VLSP gold the recogniser learns from.
"""

from __future__ import annotations

from ..text import fold
from .coreference import ANAPHORS
from .linking import slugify
from .stage import recognize, recognize_many

__all__ = ["ANAPHORS", "fold", "recognize", "recognize_many", "slugify"]
