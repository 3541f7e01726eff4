"""Readable text output of the command line: an analysis summary and event table cells."""

from __future__ import annotations

from typing import Any

from .records import Analysis


def _actor_text(actor: Any) -> str:
    if actor is None:
        return "?"
    return f"{actor.text} [{actor.code}]" if actor.code else actor.text


def render_summary(analysis: Analysis) -> str:
    """The human-readable summary printed by ``thoisu analyze``."""
    a = analysis.article
    lines = [f"# {a.title or '(no title)'}"]
    meta = [x for x in (a.author, a.publisher, a.published, a.url) if x]
    if meta:
        lines.append("  " + " | ".join(meta))
    lines.append(f"  id {a.id}  source {a.source}")
    lines += [f"  warning: {w}" for w in a.warnings]
    lines.append("")
    lines.append(f"Entities ({len(analysis.entities)}):")
    for e in analysis.entities:
        code = f" {e.code}" if e.code else ""
        qid = f" {e.wikidata}" if e.wikidata else ""
        forms = sorted({m.text for m in e.mentions})
        lines.append(
            f"  {e.type:<4}{e.name}{code}{qid}  <{e.id}>  x{len(e.mentions)}: {', '.join(forms)}"
        )
    lines.append("")
    lines.append(f"Events ({len(analysis.events)}):")
    for ev in analysis.events:
        what = f"{ev.cameo} {ev.cameo_label}" if ev.cameo else (ev.type or "?")
        lines.append(
            f"  [{what}] ({ev.plover or '-'}) trigger «{ev.trigger.text}»  certainty: {ev.certainty}"
        )
        lines.append(f"     who: {_actor_text(ev.source)}  ->  whom: {_actor_text(ev.target)}")
        extra = []
        if ev.location:
            extra.append(f"where: {ev.location.text}")
        if ev.date:
            extra.append(f"when: {readable_date(ev.date)}")
        if ev.quantities:
            extra.append(
                "how many: " + ", ".join(f"{q.value} {q.unit or ''}".strip() for q in ev.quantities)
            )
        if ev.attribution:
            said = f"according to: {_actor_text(ev.attribution.speaker)}"
            if ev.attribution.via:
                said += f" via {_actor_text(ev.attribution.via)}"
            extra.append(said)
        if extra:
            lines.append("     " + "; ".join(extra))
        if ev.en:
            lines.append(f"     in English: {ev.en}")
        lines.append(f"     evidence [{ev.sentence}]: {analysis.sentences[ev.sentence].text}")
    return "\n".join(lines) + "\n"


def actor_cell(actor: dict[str, Any] | None) -> str:
    if not actor:
        return "—"
    return f"{actor['text']} [{actor['code']}]" if actor.get("code") else actor["text"]


def readable_date(value: str | None) -> str:
    """An event date as a person reads it: "2007-03-05", "2007-03", "22/07 (no year)",
    "undated"."""
    if not value:
        return "undated"
    if value.startswith("--"):  # ISO 8601 month and day without a year: --07-22
        month, _, day = value[2:].partition("-")
        return f"{day}/{month} (no year)" if day else f"month {month} (no year)"
    return value[:10]


def reports_note(group: dict[str, Any] | None) -> str:
    """How many articles report the same occurrence, when more than one."""
    if not group or (group.get("articles") or 0) < 2:
        return ""
    sources = group["sources"]
    return f"  x{group['articles']} articles ({sources} source{'s' if sources != 1 else ''})"


def event_header(lang: str = "vi") -> str:
    if lang == "en":
        return f"{'DATE':18} {'CAMEO':5} EVENT [CERTAINTY]  ARTICLE"
    return f"{'DATE':18} {'CAMEO':5} {'TYPE':18} SOURCE -> TARGET  «TRIGGER» [CERTAINTY]  ARTICLE"


def event_line(event: dict[str, Any], lang: str = "vi") -> str:
    """One stored event as a line of text: its Vietnamese actors and trigger, or (``en``)
    its English line; the article it is from and how many articles report it."""
    r = event
    when = readable_date(r.get("date")) if r.get("date") else (r.get("published") or "")[:10]
    when = when or "undated"
    tail = f"[{r.get('certainty')}]  {r.get('article_id', '')}{reports_note(r.get('group'))}"
    if lang == "en":
        what = r.get("en") or (r.get("cameo_label") or r.get("type") or "?")
        return f"{when:18} {r.get('cameo') or '-':5} {what} {tail}"
    kind = r.get("plover") or r.get("type") or ""
    return (
        f"{when:18} {r.get('cameo') or '-':5} {kind:18} {actor_cell(r.get('source'))} -> "
        f"{actor_cell(r.get('target'))}  «{(r.get('trigger') or {}).get('text', '')}» {tail}"
    )
