"""Event arguments on BKEE: are thoisu's source / target / location the gold arguments?

thoisu's pipeline is run on each BKEE document (one line = one paragraph). For every gold
event whose trigger overlaps a thoisu event's trigger, the gold arguments are mapped to
thoisu's roles (:data:`thoisu.events.types.FINE_ROLES`: agent-like roles -> source,
patient-like roles -> target, places -> location) and a predicted argument counts as correct
when its phrase (the actor's ``start``..``end``) overlaps a gold argument of the same role.
End to end: every gold argument counts in recall, its trigger found or not; precision counts
the arguments of thoisu's events that overlap a gold trigger (an event BKEE did not annotate
cannot be judged).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ..events.types import FINE_ROLES as ROLE_MAP
from ..records import Analysis
from .bkee import BkeeDocument
from .metrics import prf

__all__ = ["ROLE_MAP", "evaluate_arguments"]


def evaluate_arguments(pairs: Iterable[tuple[BkeeDocument, Analysis]]) -> dict:
    """Precision / recall / F1 of source, target and location against BKEE arguments, over
    (document, thoisu's analysis) pairs (:func:`thoisu.evaluation.events.analyse_split`)."""
    counts: Counter = Counter()
    matched_events = gold_events = 0
    for doc, analysis in pairs:
        for gold in doc.events:
            gold_events += 1
            t = gold.trigger
            event = next(
                (e for e in analysis.events if e.trigger.start < t.end and t.start < e.trigger.end),
                None,
            )
            gold_roles = [(ROLE_MAP[r], span) for r, span in gold.arguments if r in ROLE_MAP]
            for role, _ in gold_roles:
                counts[role, "gold"] += 1  # every gold argument counts, found trigger or not
            if event is None:
                continue
            matched_events += 1
            for role in ("source", "target", "location"):
                actor = getattr(event, role)
                if actor is None or actor.start is None or actor.end is None:
                    continue
                counts[role, "pred"] += 1
                if any(r == role and s.start < actor.end and actor.start < s.end
                       for r, s in gold_roles):  # fmt: skip
                    counts[role, "correct"] += 1
    result: dict = {"gold_events": gold_events, "events_with_trigger_found": matched_events}
    for role in ("source", "target", "location", "all"):
        roles = ("source", "target", "location") if role == "all" else (role,)
        c = sum(counts[r, "correct"] for r in roles)
        p = sum(counts[r, "pred"] for r in roles)
        g = sum(counts[r, "gold"] for r in roles)
        result[role] = prf(c, p, g)
    return result
