"""Charts of the dashboard as inline SVG, drawn on the server.

No JavaScript and no third-party asset: a page with a chart works offline, prints, and can
be tested by reading its markup. Every bar and node carries a ``<title>`` (the browser's
tooltip) with its exact count. All text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from .i18n import LABELS

__all__ = ["stacked_bars", "score_lines", "ego_network", "palette"]

# Colour-blind-safe qualitative palette (Okabe-Ito, then Tol's muted), cycled.
_PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
    "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255",
    "#AA4499", "#661100", "#6699CC", "#888888",
)  # fmt: skip


def palette(keys: Sequence[str]) -> dict[str, str]:
    """A stable colour per key, in the given order."""
    return {k: _PALETTE[i % len(_PALETTE)] for i, k in enumerate(keys)}


def stacked_bars(
    periods: Sequence[str],
    series: dict[str, Sequence[int]],
    *,
    labels: dict[str, str] | None = None,
    title: str = "",
    width: int = 860,
    height: int = 260,
    colours: dict[str, str] | None = None,
    empty: str = "Không có sự kiện nào có ngày",
) -> Markup:
    """A stacked bar chart: one bar per period, one coloured segment per series key
    (coloured as :func:`palette` gives them, for a legend drawn beside the chart, unless
    ``colours`` fixes them).

    ``labels`` names the keys in the tooltips ("19" -> "19 FIGHT"); ``empty`` is said
    when there is nothing to draw.
    """
    labels = labels or {}
    keys = [k for k in series if any(series[k])]
    colours = colours or palette(keys)
    totals = [sum(series[k][i] for k in keys) for i in range(len(periods))]
    top = max(totals, default=0)
    left, right, upper, lower = 44, 8, 12, 26
    plot_w, plot_h = width - left - right, height - upper - lower
    out = [
        f'<svg class="chart stacked" viewBox="0 0 {width} {height}" role="img"'
        f' aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    if title:
        out.append(f"<title>{escape(title)}</title>")
    if not periods or top == 0:
        out.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" class="empty">'
            f"{escape(empty)}</text></svg>"
        )
        return Markup("".join(out))
    step = _nice_step(top)
    y_max = step * math.ceil(top / step)
    for tick in range(0, y_max + 1, step):
        y = upper + plot_h - plot_h * tick / y_max
        out.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    slot = plot_w / len(periods)
    bar = max(1.0, slot * 0.8)
    every = max(1, math.ceil(len(periods) / 12))  # at most ~12 period labels
    for i, period in enumerate(periods):
        x = left + i * slot + (slot - bar) / 2
        y = upper + plot_h
        for k in keys:
            n = series[k][i]
            if not n:
                continue
            h = plot_h * n / y_max
            y -= h
            name = labels.get(k, k) or "(không mã)"
            out.append(
                f'<rect class="seg" data-key="{escape(k)}" x="{x:.1f}" y="{y:.1f}"'
                f' width="{bar:.1f}" height="{h:.1f}" fill="{colours[k]}">'
                f"<title>{escape(period)} · {escape(name)}: {n}</title></rect>"
            )
        if i % every == 0:
            out.append(
                f'<text class="axis" x="{x + bar / 2:.1f}" y="{upper + plot_h + 14}"'
                f' text-anchor="middle">{escape(period)}</text>'
            )
    out.append("</svg>")
    return Markup("".join(out))


def score_lines(
    periods: Sequence[str],
    lines: dict[str, Sequence[float | None]],
    *,
    colours: dict[str, str],
    title: str = "",
    width: int = 860,
    height: int = 180,
    low: float = -10.0,
    high: float = 10.0,
) -> Markup:
    """Lines of a score per period on a fixed scale (the Goldstein scale, -10 to +10,
    zero marked): one per key, broken where a period has no score; a dot per value with
    its exact figure as the tooltip."""
    left, right, upper, lower = 44, 8, 10, 22
    plot_w, plot_h = width - left - right, height - upper - lower
    out = [
        f'<svg class="chart lines" viewBox="0 0 {width} {height}" role="img"'
        f' aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    if title:
        out.append(f"<title>{escape(title)}</title>")

    def y_of(value: float) -> float:
        return upper + plot_h * (high - value) / (high - low)

    for tick in (low, low / 2, 0.0, high / 2, high):
        y = y_of(tick)
        out.append(
            f'<line class="grid{" zero" if tick == 0 else ""}" x1="{left}" x2="{width - right}"'
            f' y1="{y:.1f}" y2="{y:.1f}"/><text class="axis" x="{left - 6}" y="{y + 4:.1f}"'
            f' text-anchor="end">{f"{tick:+g}" if tick else "0"}</text>'
        )
    slot = plot_w / max(1, len(periods))
    every = max(1, math.ceil(len(periods) / 12))
    for i, period in enumerate(periods):
        if i % every == 0:
            out.append(
                f'<text class="axis" x="{left + (i + 0.5) * slot:.1f}" y="{upper + plot_h + 14}"'
                f' text-anchor="middle">{escape(period)}</text>'
            )
    for key, values in lines.items():
        colour = colours.get(key, "#000")
        run: list[str] = []
        for i, value in enumerate([*values, None]):
            if value is None:
                if len(run) > 1:
                    out.append(
                        f'<polyline fill="none" stroke="{colour}" stroke-width="2"'
                        f' points="{" ".join(run)}"/>'
                    )
                run = []
                continue
            x, y = left + (i + 0.5) * slot, y_of(max(low, min(high, value)))
            run.append(f"{x:.1f},{y:.1f}")
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}" data-key="{escape(key)}">'
                f"<title>{escape(periods[i])} · {escape(key)}: {value:+.2f}</title></circle>"
            )
    out.append("</svg>")
    return Markup("".join(out))


def _nice_step(top: int) -> int:
    """A round tick step giving about four grid lines."""
    raw = max(1, top / 4)
    magnitude = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * magnitude:
            return int(m * magnitude) or 1
    return int(10 * magnitude)


# The network's texts, by default in Vietnamese (the dashboard's ``net.*`` labels); the
# dashboard passes its page's language.
NETWORK_WORDS = {
    k: LABELS[f"net.{k}"][0] for k in ("network", "none", "events", "acted_on", "acts")
}


def ego_network(
    center: dict,
    counterparts: Sequence[dict],
    links: Sequence[dict] = (),
    *,
    href: str = "{id}",
    size: int = 520,
    words: dict[str, str] | None = None,
) -> Markup:
    """An actor (``center``: ``id``, ``name``) and its counterparts around it, as a graph.
    ``words``: its texts in another language (the keys of :data:`NETWORK_WORDS`).

    Each counterpart dict: ``entity``, ``name``, ``as_target`` (events in which the center
    acts on it), ``as_source`` (it acts on the center), ``total``. Edge width grows with the
    number of events, arrows show who acts on whom; ``links`` (``source``, ``target``,
    ``count``) adds the edges between counterparts. ``href`` is a format string for node
    links (``{id}`` is the entity id).
    """
    w = {**NETWORK_WORDS, **(words or {})}
    c = size / 2
    ring = size / 2 - 70
    out = [
        f'<svg class="chart network" viewBox="0 0 {size} {size}" role="img"'
        f' aria-label="{escape(w["network"])} {escape(center.get("name", ""))}"'
        ' xmlns="http://www.w3.org/2000/svg">'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9"'
        ' markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"'
        ' class="arrowhead"/></marker></defs>'
    ]
    if not counterparts:
        out.append(
            f'<circle class="node center" cx="{c}" cy="{c}" r="22"/>'
            f'<text class="label" x="{c}" y="{c + 40}" text-anchor="middle">'
            f"{escape(center.get('name', ''))}</text>"
            f'<text class="empty" x="{c}" y="{c + 70}" text-anchor="middle">'
            f"{escape(w['none'])}</text></svg>"
        )
        return Markup("".join(out))
    top = max(cp["total"] for cp in counterparts)
    pos = {center["id"]: (c, c)}
    n = len(counterparts)
    for i, cp in enumerate(counterparts):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        pos[cp["entity"]] = (c + ring * math.cos(angle), c + ring * math.sin(angle))

    def radius(count: int) -> float:
        return 7 + 13 * math.sqrt(count / top)

    totals = {cp["entity"]: cp["total"] for cp in counterparts}

    def edge(a: str, b: str, count: int, cls: str, tip: str) -> None:
        (x1, y1), (x2, y2) = pos[a], pos[b]
        dx, dy = x2 - x1, y2 - y1
        dist = math.hypot(dx, dy) or 1
        # stop at the node's rim, and bend a little so that A->B and B->A do not overlap
        r2 = 24 if b == center["id"] else radius(totals.get(b, top)) + 3
        ex, ey = x2 - dx / dist * r2, y2 - dy / dist * r2
        mx, my = (x1 + ex) / 2 - dy / dist * 12, (y1 + ey) / 2 + dx / dist * 12
        w = 1 + 5 * count / top
        out.append(
            f'<path class="edge {cls}" d="M{x1:.1f},{y1:.1f} Q{mx:.1f},{my:.1f} {ex:.1f},{ey:.1f}"'
            f' stroke-width="{w:.1f}" marker-end="url(#arrow)"><title>{escape(tip)}</title></path>'
        )

    name = center.get("name", center["id"])
    for link in links:
        if (
            link["source"] in pos
            and link["target"] in pos
            and center["id"] not in (link["source"], link["target"])
        ):
            edge(link["source"], link["target"], link["count"], "side",
                 f"{link['source']} → {link['target']}: {link['count']} {w['events']}")  # fmt: skip
    for cp in counterparts:
        other = cp.get("name") or cp["entity"]
        if cp["as_target"]:
            edge(center["id"], cp["entity"], cp["as_target"], "out",
                 f"{name} → {other}: {cp['as_target']} {w['events']}")  # fmt: skip
        if cp["as_source"]:
            edge(cp["entity"], center["id"], cp["as_source"], "in",
                 f"{other} → {name}: {cp['as_source']} {w['events']}")  # fmt: skip
    out.append(
        f'<circle class="node center" cx="{c}" cy="{c}" r="22"><title>{escape(name)}</title>'
        f'</circle><text class="label center" x="{c}" y="{c + 38}" text-anchor="middle">'
        f"{escape(_short(name))}</text>"
    )
    for cp in counterparts:
        x, y = pos[cp["entity"]]
        other = cp.get("name") or cp["entity"]
        r = radius(cp["total"])
        below = y >= c
        ty = y + r + 13 if below else y - r - 6
        link_to = escape(href.format(id=cp["entity"]))
        out.append(
            f'<a href="{link_to}"><circle class="node type-{escape(cp.get("type") or "X")}"'
            f' cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"><title>{escape(other)}: {cp["total"]}'
            f" {escape(w['events'])} ({cp['as_target']} {escape(w['acted_on'])},"
            f" {cp['as_source']} {escape(w['acts'])})</title>"
            f'</circle><text class="label" x="{x:.1f}" y="{ty:.1f}" text-anchor="middle">'
            f"{escape(_short(other))}</text></a>"
        )
    out.append("</svg>")
    return Markup("".join(out))


def _short(name: str, size: int = 22) -> str:
    return name if len(name) <= size else name[: size - 1] + "…"
