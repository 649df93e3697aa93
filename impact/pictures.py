"""The picture of a task's impact: from its CIs up to the business services they reach."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.safestring import SafeString

from core.graph_svg import Layout, PictureNode, layered_graph_svg
from impact.engine import ImpactResult
from impact.services import (
    APPLICATION_SERVICE,
    BUSINESS_SERVICE,
    SERVICE_OFFERING,
    TECHNICAL_SERVICE,
)

# Beyond this many business services the picture stops being readable; the rest are counted.
MAX_DRAWN_SERVICES = 40
LAYOUT = Layout(
    box_width=190, box_height=34, gap_between_layers=60, gap_within_layer=14, margin=12, columns=True
)

CLASS_LABELS = {
    BUSINESS_SERVICE: "business service",
    SERVICE_OFFERING: "offering",
    APPLICATION_SERVICE: "application service",
    TECHNICAL_SERVICE: "technical service",
    "cmdb_ci_business_app": "business application",
    "cmdb_ci_appl": "application",
    "cmdb_ci_server": "server",
    "cmdb_ci_db_instance": "database",
}
CLASS_STYLES = {
    BUSINESS_SERVICE: "business",
    SERVICE_OFFERING: "offering",
    APPLICATION_SERVICE: "service",
    TECHNICAL_SERVICE: "service",
}


@dataclass(frozen=True)
class ImpactPicture:
    svg: SafeString
    service_count: int
    hidden_service_count: int


def impact_picture(result: ImpactResult) -> ImpactPicture | None:
    """The impact `result` from its sources up to the business services they reach, as inline SVG.

    Only CIs on the shortest paths from a source to a business service are drawn, in columns by
    depth, with one edge per step of those paths; None when there is no source.
    """
    if not result.source_ids:
        return None
    service_count = result.count_of_class(BUSINESS_SERVICE)
    # A hub's result is lazy: only the drawn services (and their paths) are fetched.
    drawn_services = result.of_class(BUSINESS_SERVICE, limit=MAX_DRAWN_SERVICES)

    node_ids = set(result.source_ids)
    steps = set()
    for service in drawn_services:
        path = result.path(service.id)
        node_ids.update(path)
        steps.update(zip(path, path[1:], strict=False))

    drawn = sorted((result.impacted[pk] for pk in node_ids), key=lambda ci: (ci.depth, ci.name, ci.id))
    nodes = [
        PictureNode(
            key=ci.id,
            name=ci.name,
            kind=CLASS_LABELS.get(ci.sys_class_name, ci.sys_class_name),
            layer=ci.depth,
            title=f"{ci.name} ({CLASS_LABELS.get(ci.sys_class_name, ci.sys_class_name)}, depth {ci.depth})",
            style="source" if ci.depth == 0 else CLASS_STYLES.get(ci.sys_class_name, "ci"),
            url=reverse("admin:cmdb_configurationitem_change", args=[ci.id]),
        )
        for ci in drawn
    ]
    svg = layered_graph_svg(
        nodes,
        sorted(steps),
        LAYOUT,
        css_class="impact-graph-svg",
        title="Impact graph",
        description="From the task's CIs (left) up to the business services they impact (right).",
        arrow_id="impact-arrow",
    )
    return ImpactPicture(
        svg=svg, service_count=service_count, hidden_service_count=service_count - len(drawn_services)
    )
