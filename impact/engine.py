"""The impact engine: the only code that walks the CMDB graph.

INTERFACE AGREED WITH THE API AUTHOR (impact/api, impact/services) -- keep these names and shapes;
you may add, not change. Bodies below are placeholders for the engine author to replace.
"""

import uuid
from dataclasses import dataclass

HARD_MAX_DEPTH = 25  # settings.IMPACT_MAX_DEPTH (default 10) is the default depth


@dataclass(frozen=True, slots=True)
class ImpactedCI:
    id: int  # cmdb_ci primary key
    sys_id: uuid.UUID
    name: str
    sys_class_name: str
    depth: int  # 0 for a source
    via: int | None  # pk of the CI one step closer to a source on one shortest path (None for sources)
    parent_id: int | None  # for service offerings: pk of the parent service (else None)


@dataclass(frozen=True, slots=True)
class Subscriber:
    id: int
    sys_id: uuid.UUID
    name: str
    user_name: str = ""  # only for users


@dataclass
class ImpactResult:
    source_ids: list[int]
    impacted: dict[int, ImpactedCI]  # every impacted CI, sources included, by pk
    max_depth: int
    # keys "companies", "departments", "locations", "groups", "users"; each sorted by name
    subscribers: dict[str, list[Subscriber]]

    def of_class(self, *sys_class_names) -> list[ImpactedCI]:
        """Impacted CIs of these classes, sorted by (depth, name)."""
        raise NotImplementedError

    def path(self, ci_id) -> list[int]:
        """pks from a source to ci_id, inclusive."""
        raise NotImplementedError

    def path_sys_ids(self, ci_id) -> list[str]:
        """The same path as 32-hex sys_ids."""
        raise NotImplementedError


def impacted_by(ci_ids, max_depth=None) -> ImpactResult:
    """Walk upward: child -> parent along relationships whose type propagates impact, and offering -> its
    parent service. Business services are cmdb_ci_service_business, offerings service_offering,
    application services cmdb_ci_service_auto, technical services cmdb_ci_service_technical.
    Subscribers are those of every impacted offering (sources included), each once."""
    raise NotImplementedError


def dependencies_of(ci_ids, max_depth=None) -> dict[int, int]:
    """Walk downward (reverse edges: parent -> child along propagating types, service -> its offerings);
    pk -> smallest depth, the given CIs at depth 0. Used by availability: which CIs below a service can
    take it down."""
    raise NotImplementedError
