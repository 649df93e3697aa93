"""The standard relationship types every Runstage instance starts with.

Where ServiceNow's own sys_id for a type is known it is used, so that exported relationships
round-trip unchanged; the others get a stable sys_id derived from the name. Either way an
imported `cmdb_rel_type` with the same name is merged into the local one by the importer.
"""

import uuid

RUNSTAGE_NAMESPACE = uuid.UUID("6f1d8a52-3f4e-4c1a-9d0b-52756e737461")

# (name, propagates impact, ServiceNow sys_id or None)
STANDARD_RELATIONSHIP_TYPES = (
    ("Depends on::Used by", True, "1a9cb166f1571100a92eb60da2bce5c5"),
    ("Contains::Contained by", True, "55c95bf6c0a8010e0118ec7056ebc54d"),
    ("Consumes::Consumed by", True, "41008aa6ef32010098d5925495c0fb94"),
    ("Runs on::Runs", True, None),
    ("Hosted on::Hosts", True, None),
    ("Uses::Used by", True, None),
    ("Members::Member of", True, None),
    ("Cluster of::Cluster", True, None),
    ("Virtualized by::Virtualizes", True, None),
    ("Provided by::Provides", True, None),
    ("Connects to::Connected by", False, None),
    ("Sends data to::Receives data from", False, None),
    ("Backs up::Backed up by", False, None),
    ("Located in::Houses", False, None),
    ("Managed by::Manages", False, None),
)


def standard_sys_id(name, known_sys_id):
    if known_sys_id:
        return uuid.UUID(known_sys_id)
    return uuid.uuid5(RUNSTAGE_NAMESPACE, f"cmdb_rel_type:{name}")
