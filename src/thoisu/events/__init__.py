"""Event stage: who did what to whom, where, when, coded in CAMEO and PLOVER.

- :mod:`.extraction`: the stage itself, over an article's sentences and entities;
- :mod:`.triggers`: the learned trigger tagger (BKEE types) on the shared encoder;
- :mod:`.lexicon`: the Vietnamese CAMEO trigger lexicon (``data/triggers.tsv``);
- :mod:`.realis`: is it an event that happened (actual, future, hypothetical, negated,
  generic, not an event), and its certainty;
- :mod:`.arguments`: the learned argument tagger (source, target, location);
- :mod:`.actors`: argument phrases as actors: names, nominal actors, back-references;
- :mod:`.attribution`: who says it, through whom;
- :mod:`.dates`, :mod:`.quantities`: when, how many;
- :mod:`.codes`: the CAMEO, PLOVER and GDELT tables.
"""

from __future__ import annotations

from .extraction import extract_events, extract_events_many
from .lexicon import TriggerEntry, load_triggers

__all__ = ["TriggerEntry", "extract_events", "extract_events_many", "load_triggers"]
