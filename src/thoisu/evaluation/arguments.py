"""Event arguments on BKEE: are thoisu's source / target / location the gold arguments?

thoisu's event stage is run on each BKEE document (one line = one paragraph). For every gold
event whose trigger overlaps a thoisu event's trigger, the gold arguments are mapped to
thoisu's roles (ACE agent-like roles -> source, patient-like roles -> target, places ->
location) and a predicted argument counts as correct when its mention overlaps a gold
argument of the same role. thoisu only fills roles with named entities, while BKEE also marks
nominal arguments ("người dân"), so recall is bounded well below 100.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ..records import Event
from .bkee import BkeeDocument, read_split
from .metrics import prf

__all__ = ["ROLE_MAP", "evaluate_arguments"]

# BKEE/ACE role -> thoisu role.
ROLE_MAP = {
    "Attacker": "source",
    "Agent": "source",
    "Giver": "source",
    "Seller": "source",
    "Plaintiff": "source",
    "Prosecutor": "source",
    "Adjudicator": "source",
    "Entity": "source",
    "Target": "target",
    "Victim": "target",
    "Person": "target",
    "Recipient": "target",
    "Buyer": "target",
    "Defendant": "target",
    "Artifact": "target",
    "Org": "target",
    "Beneficiary": "target",
    "Place": "location",
    "Destination": "location",
    "Origin": "location",
}


def _predicted_spans(event: Event, analysis) -> dict[str, tuple[int, int]]:
    """Role -> the mention span of the actor filling it, in the event's sentence."""
    spans = {}
    for role in ("source", "target", "location"):
        actor = getattr(event, role)
        if actor is None or actor.entity is None:
            continue
        for ent in analysis.entities:
            if ent.id != actor.entity:
                continue
            for m in ent.mentions:
                if m.sentence == event.sentence and m.text == actor.text:
                    spans[role] = (m.start, m.end)
    return spans


def evaluate_arguments(docs: Iterable[BkeeDocument] | None = None, split: str = "dev") -> dict:
    """Precision / recall / F1 of source, target and location against BKEE arguments."""
    from ..pipeline import analyze_article

    counts: Counter = Counter()
    matched_events = gold_events = 0
    for doc in docs if docs is not None else read_split(split):
        analysis = analyze_article(doc.as_article())
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
            predicted = _predicted_spans(event, analysis)
            for role, (start, end) in predicted.items():
                counts[role, "pred"] += 1
                if any(r == role and s.start < end and start < s.end for r, s in gold_roles):
                    counts[role, "correct"] += 1
    result: dict = {"gold_events": gold_events, "events_with_trigger_found": matched_events}
    for role in ("source", "target", "location", "all"):
        roles = ("source", "target", "location") if role == "all" else (role,)
        c = sum(counts[r, "correct"] for r in roles)
        p = sum(counts[r, "pred"] for r in roles)
        g = sum(counts[r, "gold"] for r in roles)
        result[role] = prf(c, p, g)
    return result
