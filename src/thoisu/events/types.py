"""The event types and roles the event heads label: ACE/BKEE types and roles, CAMEO roots.

The trigger tagger has two CRF layers over one label set: layer 0 labels BKEE's 33 ACE event
types (:data:`EVENT_TYPES`), layer 1 the 20 CAMEO roots (the political interactions ACE does
not annotate, learned from the project's dyad corpus). The argument tagger has two CRF layers
too: layer 0 thoisu's roles (source, target, location), layer 1 BKEE's finer roles.
"""

from __future__ import annotations

__all__ = [
    "CAMEO_ROOTS",
    "COARSE_ROLES",
    "EVENT_TYPES",
    "FINE_ROLES",
    "ROLE_LABELS",
    "TRIGGER_LABELS",
    "layer_labels",
]

# The ACE 2005 event types as BKEE writes them ("Arquit" sic, for Acquit).
EVENT_TYPES = frozenset(
    "Attack Transport Die Transfer-ownership Arrest-jail Transfer-money End-position "
    "Declare-bankruptcy Marry Meet Divorce Sentence Injure Pardon Release-parole Elect "
    "Phone-write Demonstrate Trial-hearing Start-org Be-born Execute Extradite Start-position "
    "End-org Sue Nominate Appeal Convict Charge-indict Fine Arquit Merge-org".split()
)
CAMEO_ROOTS = tuple(f"{n:02d}" for n in range(1, 21))

# BKEE/ACE role -> thoisu role: agent-like roles are the source, patient-like ones the
# target, places the location. Other BKEE roles (time, instrument, money, ...) are not read.
FINE_ROLES = {
    "Attacker": "source", "Agent": "source", "Giver": "source", "Seller": "source",
    "Plaintiff": "source", "Prosecutor": "source", "Adjudicator": "source", "Entity": "source",
    "Target": "target", "Victim": "target", "Person": "target", "Recipient": "target",
    "Buyer": "target", "Defendant": "target", "Artifact": "target", "Org": "target",
    "Beneficiary": "target",
    "Place": "location", "Destination": "location", "Origin": "location",
}  # fmt: skip
COARSE_ROLES = ("source", "target", "location")


def _bio(kinds) -> list[str]:
    return [f"{p}-{k}" for k in kinds for p in "BI"]


# "O", then layer 0's labels, then layer 1's
TRIGGER_LABELS = ["O", *_bio(sorted(EVENT_TYPES)), *_bio(f"CAMEO{r}" for r in CAMEO_ROOTS)]
ROLE_LABELS = ["O", *_bio(COARSE_ROLES), *_bio(FINE_ROLES)]


def layer_labels(labels: list[str], layer: int) -> list[bool]:
    """Which of ``labels`` CRF layer ``layer`` of a two-layer event head may use: "O" and
    the labels of that layer (the trigger tagger: ACE types, then CAMEO roots; the argument
    tagger: thoisu's roles, then BKEE's)."""
    second = {"CAMEO" + r for r in CAMEO_ROOTS} | set(FINE_ROLES)
    first_layer = [lab == "O" or lab.partition("-")[2] not in second for lab in labels]
    if layer == 0:
        return first_layer
    return [lab == "O" or not keep for lab, keep in zip(labels, first_layer, strict=True)]
