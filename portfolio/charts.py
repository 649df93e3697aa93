"""Charts drawn on the server as inline SVG, readable without JavaScript.

Every chart carries a <title> and <desc> for screen readers, labelled axes, and a <title> tooltip on
each mark with its exact value; the pages add a data table with the same numbers as a fallback.
"""

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.graph_svg import Layout, PictureNode, layered_graph_svg

# Candidate lower bounds of an availability axis: the highest one below every value is used, so a
# service that hovers around 99.9 % is not drawn as a row of identical full bars.
AVAILABILITY_FLOORS = (99.9, 99.5, 99.0, 98.0, 95.0, 90.0, 80.0, 50.0, 0.0)


@dataclass(frozen=True)
class Bar:
    """One bar: its axis label, its value (None: no data) and the tooltip that states it exactly."""

    label: str
    value: float | None
    tooltip: str
    tone: str = ""  # "ok", "bad" or "" (neutral); a CSS class of the bar


@dataclass(frozen=True)
class Axis:
    """A value axis from low to high with labelled ticks."""

    low: float
    high: float
    ticks: tuple
    unit: str = ""

    def fraction(self, value):
        span = self.high - self.low
        return 0.0 if span <= 0 else min(max((value - self.low) / span, 0.0), 1.0)

    def tick_label(self, value):
        if value == int(value) or self.high - self.low >= 5:
            return f"{value:g}{self.unit}"
        return f"{value:.2f}".rstrip("0") + self.unit


def availability_axis(values, target=None):
    """A percent axis that ends at 100 and starts at the highest floor below every value and target."""
    known = [value for value in values if value is not None]
    if target is not None:
        known.append(float(target))
    lowest = min(known, default=100.0)
    low = next(floor for floor in AVAILABILITY_FLOORS if floor < lowest or floor == 0.0)
    step = (100.0 - low) / 4
    return Axis(low=low, high=100.0, ticks=tuple(low + step * i for i in range(5)), unit=" %")


def count_axis(values):
    """An axis of whole counts from 0 with at most 5 ticks, high enough for the largest value."""
    top = max([value for value in values if value is not None], default=0)
    step = max(1, math.ceil(top / 4))
    high = max(step * 4, 1) if top > 4 else max(top, 1)
    step = 1 if high <= 4 else step
    return Axis(low=0.0, high=float(high), ticks=tuple(float(t) for t in range(0, int(high) + 1, step)))


def bar_chart(bars, axis, *, title, description, reference=None, reference_label="", width=640, height=230):
    """An SVG bar chart; `reference` draws a dashed line at that value (a commitment target)."""
    left, right, top, bottom = 56, 12, 14, 34
    plot_width, plot_height = width - left - right, height - top - bottom
    slot = plot_width / max(len(bars), 1)
    bar_width = max(min(slot * 0.62, 40), 2)

    def y_of(value):
        return top + plot_height * (1 - axis.fraction(value))

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
    ]
    for tick in axis.ticks:
        y = y_of(tick)
        parts.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(axis.tick_label(tick))}</text>"
        )
    for index, bar in enumerate(bars):
        centre = left + slot * (index + 0.5)
        parts.append(
            f'<text class="label" x="{centre:.1f}" y="{height - bottom + 18}" text-anchor="middle">'
            f"{escape(bar.label)}</text>"
        )
        if bar.value is None:
            parts.append(
                f'<g class="mark none"><title>{escape(bar.tooltip)}</title>'
                f'<text x="{centre:.1f}" y="{top + plot_height - 4}" text-anchor="middle">–</text></g>'
            )
            continue
        y = y_of(bar.value)
        bar_height = max(top + plot_height - y, 1.5 if bar.value > axis.low else 0)
        parts.append(
            f'<g class="mark {escape(bar.tone)}"><title>{escape(bar.tooltip)}</title>'
            f'<rect x="{centre - bar_width / 2:.1f}" y="{top + plot_height - bar_height:.1f}" '
            f'width="{bar_width:.1f}" height="{bar_height:.1f}" rx="2"/></g>'
        )
    if reference is not None:
        y = y_of(float(reference))
        parts.append(
            f'<g class="reference"><title>{escape(reference_label)}</title>'
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text x="{width - right - 4}" y="{y - 5:.1f}" text-anchor="end">'
            f"{escape(reference_label)}</text></g>"
        )
    baseline = top + plot_height
    parts.append(f'<line class="axis" x1="{left}" x2="{width - right}" y1="{baseline}" y2="{baseline}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above


def format_percent(value, digits=3):
    return "no data" if value is None else f"{value:.{digits}f} %"


def format_minutes(value):
    """Minutes as people read them: "0 min", "43 min", "2 h 05 min", "3 d 4 h"."""
    if value is None:
        return "–"
    total = round(abs(value))
    sign = "−" if value < 0 and total else ""
    days, rest = divmod(total, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {mins:02d} min"
    return f"{sign}{mins} min"


def availability_chart(months, target=None):
    """Monthly availability bars, green when at or above the target, red below it."""
    values = [month.availability_percent for month in months]
    bars = []
    for month, value in zip(months, values, strict=True):
        tone = "" if value is None or target is None else ("ok" if value >= float(target) else "bad")
        tooltip = (
            f"{month.label}: {format_percent(value)} available, "
            f"{format_minutes(month.figures.downtime_minutes)} down"
        )
        bars.append(Bar(month.short_label, value, tooltip, tone))
    reference_label = f"target {float(target):g} %" if target is not None else ""
    return bar_chart(
        bars,
        availability_axis(values, target),
        title="Availability per month",
        description=f"Availability of the last {len(months)} months, oldest first.",
        reference=target,
        reference_label=reference_label,
    )


def incidents_chart(weeks):
    """Weekly counts of incidents impacting the service."""
    bars = [
        Bar(week.short_label, week.count, f"Week {week.label}: {week.count} incident(s)", "neutral")
        for week in weeks
    ]
    return bar_chart(
        bars,
        count_axis([week.count for week in weeks]),
        title="Incidents per week",
        description=f"Incidents impacting the service opened in each of the last {len(weeks)} weeks.",
    )


@dataclass(frozen=True)
class GraphNode:
    """A CI in the dependency picture."""

    pk: int
    name: str
    class_label: str
    depth: int
    tone: str = ""  # "bad" (open outage), "warn" (outage in the window) or ""


DEPENDENCY_LAYOUT = Layout(
    box_width=150,
    box_height=44,
    gap_between_layers=46,
    gap_within_layer=14,
    label_length=20,
    max_per_layer=7,
    min_width=320,
)
OUTAGE_STATUS = {"bad": "open outage", "warn": "outage this year"}


def dependency_picture(nodes, edges):
    """CIs in rows by depth (the service on top); lines for the edges between drawn CIs.

    A row with more CIs than the layout's `max_per_layer` shows the first ones and a "+N more" box.
    """
    ordered = sorted(nodes, key=lambda node: (node.depth, node.tone != "bad", node.name.lower()))
    boxes = [
        PictureNode(
            key=node.pk,
            name=node.name,
            kind=node.class_label,
            layer=node.depth,
            title=f"{node.name} ({node.class_label}, depth {node.depth}, "
            f"{OUTAGE_STATUS.get(node.tone, 'no recent outage')})",
            style=node.tone,
        )
        for node in ordered
    ]
    return layered_graph_svg(
        boxes,
        edges,
        DEPENDENCY_LAYOUT,
        css_class="chart dependencies",
        title="What the service depends on",
        description="The service on top and, one row per level below it, every CI whose outage reaches it.",
    )
