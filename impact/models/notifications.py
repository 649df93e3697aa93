"""Telling the affected people: what was said about a task, and to whom it went, each person once."""

from django.db import models
from django.utils import timezone

from core.models import SysIdModel


class NotificationEvent(SysIdModel):
    """Something to tell the people a task affects: it started, an update, resolved, a planned window."""

    class Kind(models.TextChoices):
        STARTED = "started", "Started"
        UPDATE = "update", "Update"
        RESOLVED = "resolved", "Resolved"
        PLANNED = "planned", "Planned window"

    task = models.ForeignKey("Task", on_delete=models.CASCADE, related_name="notification_events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.TextField(blank=True, help_text="What the manager wrote, for an update.")
    # Major incidents reach everybody; the others skip the people who opted out (User.notify_non_major).
    major = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        "cmdb.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "notification_event"
        ordering = ["sys_created_on", "pk"]
        constraints = [
            # Told once per event: a second "notify" of the same event (a retry, a double click) finds it.
            models.UniqueConstraint(
                fields=["task", "kind", "message"],
                name="notification_event_once",
                violation_error_message="These people were already told this.",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.task}"


class Notification(SysIdModel):
    """One e-mail to one person about one event; unique per (event, person), so nobody is told twice."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    event = models.ForeignKey(NotificationEvent, on_delete=models.CASCADE, related_name="notifications")
    person = models.ForeignKey("cmdb.User", on_delete=models.CASCADE, related_name="notifications")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "notification"
        ordering = ["event", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"],
                name="notification_once_per_person",
                violation_error_message="This person was already told about this event.",
            )
        ]

    def __str__(self):
        return f"{self.event} to {self.person}"

    def mark_sent(self):
        self.status, self.sent_at, self.last_error = self.Status.SENT, timezone.now(), ""
        self.save(update_fields=["status", "sent_at", "last_error", "attempts", "sys_updated_on"])
