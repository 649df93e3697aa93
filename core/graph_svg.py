"""Layered graph pictures as inline SVG: boxes in layers (rows or columns), lines between them.

One renderer for every picture of the CMDB graph (an incident's impact, a service's dependencies):
callers decide which nodes and edges to draw and in which order; this module places them and writes
the markup, escaping every text it is given.
"""

from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class PictureNode:
    """A box: `layer` decides its row (or column); `style` is its CSS class; `url` makes it a link."""

    key: object
    name: str
    kind: str
    layer: int
    title: str
    style: str = ""
    url: str = ""


@dataclass(frozen=True)
class Layout:
    """Sizes, in SVG units, and whether layers run across (columns, left to right) or down (rows)."""

    box_width: int
    box_height: int
    gap_between_layers: int
    gap_within_layer: int
    margin: int = 10
    columns: bool = False
    label_length: int = 26
    max_per_layer: int | None = None
    min_width: int = 0


def _short(name, limit):
    return name if len(name) <= limit else name[: limit - 1] + "…"


def layered_graph_svg(
    nodes: list[PictureNode],
    edges: list[tuple[object, object]],
    layout: Layout,
    *,
    css_class: str,
    title: str,
    description: str = "",
    arrow_id: str = "",
) -> SafeString:
    """The SVG of `nodes` in layers and `edges` (pairs of node keys) between drawn nodes.

    Nodes keep the order given within their layer. A layer with more than `layout.max_per_layer`
    nodes shows the first ones and a "+N more" box. With `arrow_id`, edges end in an arrow head.
    """
    layers = {}
    for node in nodes:
        layers.setdefault(node.layer, []).append(node)
    shown_counts = [
        min(len(row), layout.max_per_layer + 1) if layout.max_per_layer else len(row)
        for row in layers.values()
    ]
    widest = max(shown_counts, default=1)
    along = layout.box_width if layout.columns else layout.box_height
    across = layout.box_height if layout.columns else layout.box_width
    extent_along = (
        2 * layout.margin + len(layers) * (along + layout.gap_between_layers) - layout.gap_between_layers
    )
    extent_across = 2 * layout.margin + widest * (across + layout.gap_within_layer) - layout.gap_within_layer
    width, height = (extent_along, extent_across) if layout.columns else (extent_across, extent_along)
    width = max(width, layout.min_width)

    boxes, anchors = [], {}
    for index, layer in enumerate(sorted(layers)):
        row = layers[layer]
        shown = row[: layout.max_per_layer] if layout.max_per_layer else row
        hidden = len(row) - len(shown)
        count = len(shown) + (1 if hidden else 0)
        start = layout.margin
        if not layout.columns:  # rows are centred; columns start at the top
            start = (width - (count * (across + layout.gap_within_layer) - layout.gap_within_layer)) / 2
        position_along = layout.margin + index * (along + layout.gap_between_layers)
        for slot, node in enumerate([*shown, None] if hidden else shown):
            offset = start + slot * (across + layout.gap_within_layer)
            x, y = (position_along, offset) if layout.columns else (offset, position_along)
            if node is None:
                boxes.append(_more_box(x, y, layout, hidden, layer))
                continue
            anchors[node.key] = (x, y)
            boxes.append(_box(node, x, y, layout))

    lines = [
        _edge(anchors[a], anchors[b], layout, arrow_id) for a, b in edges if a in anchors and b in anchors
    ]
    defs = (
        f'<defs><marker id="{escape(arrow_id)}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7"'
        f' markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"></path></marker></defs>'
        if arrow_id
        else ""
    )
    svg = (
        f'<svg class="{escape(css_class)}" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}"'
        f' height="{height:.0f}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        + (f"<desc>{escape(description)}</desc>" if description else "")
        + defs
        + "".join(line for line in lines if line)
        + "".join(boxes)
        + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every interpolated text is escaped above


def _rect(x, y, layout):
    size = f'width="{layout.box_width}" height="{layout.box_height}"'
    return f'<rect x="{x:.1f}" y="{y:.1f}" {size} rx="5"></rect>'


def _box(node, x, y, layout):
    rect = _rect(x, y, layout) + (
        f'<text class="name" x="{x + 9:.1f}" y="{y + layout.box_height * 0.42:.1f}">'
        f"{escape(_short(node.name, layout.label_length))}</text>"
        f'<text class="kind" x="{x + 9:.1f}" y="{y + layout.box_height * 0.8:.1f}">{escape(node.kind)}</text>'
    )
    group = (
        f'<g class="node {escape(node.style)}" data-layer="{node.layer}">'
        f"<title>{escape(node.title)}</title>{rect}</g>"
    )
    return f'<a href="{escape(node.url)}">{group}</a>' if node.url else group


def _more_box(x, y, layout, hidden, layer):
    return (
        f'<g class="node more"><title>{hidden} more at depth {layer}</title>'
        + _rect(x, y, layout)
        + f'<text class="name" x="{x + layout.box_width / 2:.1f}" y="{y + layout.box_height * 0.6:.1f}"'
        f' text-anchor="middle">+{hidden} more</text></g>'
    )


def _edge(start, end, layout, arrow_id):
    """A line from the box at `start` to the box at `end`, between their facing sides."""
    (x1, y1), (x2, y2) = start, end
    w, h = layout.box_width, layout.box_height
    if layout.columns:
        if x1 == x2:
            return ""
        (x1, y1), (x2, y2) = (
            ((x1 + w, y1 + h / 2), (x2, y2 + h / 2)) if x1 < x2 else ((x1, y1 + h / 2), (x2 + w, y2 + h / 2))
        )
    else:
        if y1 == y2:
            return ""
        (x1, y1), (x2, y2) = (
            ((x1 + w / 2, y1 + h), (x2 + w / 2, y2)) if y1 < y2 else ((x1 + w / 2, y1), (x2 + w / 2, y2 + h))
        )
    marker = f' marker-end="url(#{escape(arrow_id)})"' if arrow_id else ""
    return f'<line class="edge" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"{marker}></line>'
