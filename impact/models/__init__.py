from impact.models.notifications import Notification, NotificationEvent
from impact.models.outages import Outage
from impact.models.tasks import (
    FINAL_STATES,
    AffectedCI,
    ChangeApproval,
    ChangeRequest,
    ImpactedService,
    Incident,
    Task,
    TaskPriority,
    TaskState,
    with_article,
)

__all__ = [
    "FINAL_STATES",
    "AffectedCI",
    "ChangeApproval",
    "ChangeRequest",
    "ImpactedService",
    "Incident",
    "Notification",
    "NotificationEvent",
    "Outage",
    "Task",
    "TaskPriority",
    "TaskState",
    "with_article",
]
