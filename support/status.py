"""Service status of a customer's install base: which current or planned outages reach each item.

An outage reaches an install base item when its CI is the item's CI or one the item's CI depends on
(along the same propagating edges the impact engine walks). The walk goes down once from all the
items' CIs to find the candidate outages, then up once per candidate outage (there are few) to see
which items it reaches; the cost does not grow with the number of items.
"""

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from core.sql import id_in
from impact.engine import dependencies_of, impacted_by
from impact.models import Outage

# How far ahead a planned outage is announced.
PLANNED_NOTICE = datetime.timedelta(days=14)


@dataclass
class ItemStatus:
    item: object  # customers.models.InstallBaseItem
    current: list = field(default_factory=list)  # open outages and degradations reaching the item
    planned: list = field(default_factory=list)  # planned outages to come (or under way) reaching it

    @property
    def state(self):
        if any(outage.type == Outage.Type.OUTAGE for outage in self.current):
            return "outage"
        if self.current:
            return "degraded"
        if self.planned:
            return "planned"
        return "operational"


def install_base_status(items, now: datetime.datetime | None = None) -> list[ItemStatus]:
    """One ItemStatus per install base item, in the order given."""
    now = now or timezone.now()
    statuses = [ItemStatus(item) for item in items]
    ci_ids = {item.configuration_item_id for item in items if item.configuration_item_id}
    if not ci_ids:
        return statuses
    below = dependencies_of(ci_ids)
    happening = Q(begin__lte=now) & (Q(end__isnull=True) | Q(end__gt=now))
    coming = Q(type=Outage.Type.PLANNED, begin__gt=now, begin__lte=now + PLANNED_NOTICE)
    quote = connection.ops.quote_name
    condition, params = id_in(f"{quote(Outage._meta.db_table)}.{quote('cmdb_ci_id')}", below, connection)
    candidates = (
        Outage.objects.filter(happening | coming)
        .extra(where=[condition], params=params)
        .select_related("cmdb_ci")
        .order_by("begin")
    )
    for outage in candidates:
        reached = impacted_by([outage.cmdb_ci_id]).impacted.keys()
        for status in statuses:
            if status.item.configuration_item_id in reached:
                planned = outage.type == Outage.Type.PLANNED
                (status.planned if planned else status.current).append(outage)
    return statuses
