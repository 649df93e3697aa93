"""The impact app's ServiceNow tables: tasks (incidents, changes), affected CIs, impacted services, outages.

Tasks form a class family like CIs do: `task` is the base table and `incident` and `change_request`
extend it, so a task row keeps its class in `sys_class_name` and a reference to a task (an outage's,
an affected CI's) finds incidents and changes alike. Imported tasks keep their numbers; the number
counters are then moved past the highest number imported, so that the next incident or change
created here never collides with one that came in. Imported impacted services are taken as they
come (a ServiceNow export lists them); `refresh_impacted_services` recomputes them on request.
"""

from cmdb.models import next_number
from cmdb.models.numbers import highest_number as highest_task_number
from cmdb.models.numbers import move_counter_past
from cmdb.servicenow.spec import TableSpec, field_map
from impact.models import AffectedCI, ChangeApproval, ChangeRequest, ImpactedService, Incident, Outage, Task

TASK_CLASSES = (Task, Incident, ChangeRequest)
TASK_FIELDS = field_map(
    "number",
    "short_description",
    "description",
    "state",
    "priority",
    "cmdb_ci",
    "opened_by",
    "assigned_to",
    "assignment_group",
    "opened_at",
    "closed_at",
)


def highest_number(prefix):
    """The numeric part of the highest task number `<prefix><digits>`, or None when there is none."""
    return highest_task_number(Task._base_manager.all(), prefix)


def number_unnumbered_tasks():
    """Give imported tasks that came without a number one of their class's numbers."""
    prefixes = {model._meta.db_table: model.NUMBER_PREFIX for model in TASK_CLASSES}
    for pk, class_name in Task._base_manager.filter(number="").values_list("pk", "sys_class_name"):
        number = next_number(prefixes.get(class_name, Task.NUMBER_PREFIX))
        Task._base_manager.filter(pk=pk).update(number=number)


def settle_task_numbers():
    """After a task import: counters past every imported number, then numbers for tasks without one."""
    for prefix in sorted({model.NUMBER_PREFIX for model in TASK_CLASSES}):
        highest = highest_number(prefix)
        if highest is not None:
            move_counter_past(prefix, highest)
    number_unnumbered_tasks()


TABLES = [
    TableSpec(Task, TASK_FIELDS, after_load=settle_task_numbers, ordering=("number", "sys_id")),
    TableSpec(
        Incident,
        TASK_FIELDS | field_map("caller"),
        after_load=settle_task_numbers,
        ordering=("number", "sys_id"),
    ),
    TableSpec(
        ChangeRequest,
        TASK_FIELDS | field_map("type", "start_date", "end_date", "approval_group"),
        after_load=settle_task_numbers,
        ordering=("number", "sys_id"),
    ),
    TableSpec(AffectedCI, field_map("task", ci_item="ci")),
    TableSpec(
        ChangeApproval,
        field_map("approver", "group", "state", "comments", "decided_at", sysapproval="change"),
        ordering=("change__number", "approver__username", "sys_id"),
    ),
    TableSpec(ImpactedService, field_map("task", "manually_added", cmdb_ci_service="service")),
    # An outage may name the incident or change that records it (its `task`): tasks load first.
    TableSpec(
        Outage,
        field_map("cmdb_ci", "type", "begin", "end", "short_description", "task"),
        ordering=("begin", "sys_id"),
    ),
]
