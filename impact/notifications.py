"""Telling the people an incident or change affects: once per person per event, in the background.

`notify_affected_people()` records the event and one pending notification per affected person (a
unique row each, so a retry or a double click adds nobody twice), then, once the transaction has
committed, queues background tasks that send the e-mails in batches. Sending locks each row and
skips any that is no longer pending, so a batch run twice, or by two workers, sends nothing twice;
a failure is recorded on the row and the batch is retried later until NOTIFICATION_MAX_ATTEMPTS.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from cmdb.models import User
from impact.models import (
    ChangeRequest,
    Incident,
    Notification,
    NotificationEvent,
    TaskPriority,
    TaskState,
    with_article,
)
from impact.people import people_affected_by_outage_of
from impact.services import task_source_ids

Kind = NotificationEvent.Kind
KINDS_BY_CLASS = {
    Incident: (Kind.STARTED, Kind.UPDATE, Kind.RESOLVED),
    ChangeRequest: (Kind.PLANNED,),
}


@dataclass(frozen=True)
class NotifyResult:
    event: NotificationEvent
    queued: int  # people newly queued for this event
    already_told: int  # people this event had reached or queued before


def is_major(task) -> bool:
    """A major incident (priority 1 - Critical) reaches everybody, opt-outs included."""
    return isinstance(task, Incident) and task.priority == TaskPriority.CRITICAL


def check_notifiable(task, kind, message=""):
    """ValidationError naming the field when this event cannot be told about this task."""
    allowed = KINDS_BY_CLASS.get(type(task), ())
    if kind not in allowed:
        kind_names = ", ".join(choice.value for choice in allowed)
        raise ValidationError(
            {"event": f"{with_article(task._meta.verbose_name).capitalize()} tells: {kind_names}."}
        )
    if kind == Kind.UPDATE and not message.strip():
        raise ValidationError({"message": "Write the update to send."})
    if kind == Kind.RESOLVED and task.state not in (TaskState.RESOLVED, TaskState.CLOSED):
        raise ValidationError({"event": "The incident is not resolved yet."})
    if kind == Kind.PLANNED:
        if not task.start_date or not task.end_date:
            raise ValidationError({"event": "The change has no planned window to tell about."})
        if task.start_date <= timezone.now():
            raise ValidationError({"event": "The planned window has already started."})


def notify_affected_people(task, kind, *, message: str = "", by: User | None = None) -> NotifyResult:
    """Record `kind` for `task` and queue one e-mail to each affected person who has not had it."""
    message = message.strip() if kind == Kind.UPDATE else ""
    check_notifiable(task, kind, message)
    major = is_major(task)
    with transaction.atomic():
        try:
            with transaction.atomic():
                event, _ = NotificationEvent.objects.get_or_create(
                    task=task, kind=kind, message=message, defaults={"major": major, "created_by": by}
                )
        except IntegrityError:  # another request created it between the get and the create
            event = NotificationEvent.objects.get(task=task, kind=kind, message=message)
        people = User.objects.filter(pk__in=affected_person_ids(task)).exclude(email="")
        if not event.major:
            people = people.filter(notify_non_major=True)
        already = set(event.notifications.values_list("person_id", flat=True))
        new_rows = [
            Notification(event=event, person_id=pk)
            for pk in people.values_list("pk", flat=True)
            if pk not in already
        ]
        Notification.objects.bulk_create(new_rows, ignore_conflicts=True)
        transaction.on_commit(lambda: queue_pending(event))
    return NotifyResult(event=event, queued=len(new_rows), already_told=len(already))


def tell_resolution(sender, task, from_state, to_state, **kwargs):
    """An incident whose people were told it started tells them, once, that it is resolved."""
    if sender is not Incident or to_state != TaskState.RESOLVED:
        return
    if task.notification_events.filter(kind=Kind.STARTED).exists():
        notify_affected_people(task, Kind.RESOLVED)


def affected_person_ids(task) -> list[int]:
    return people_affected_by_outage_of(task_source_ids(task)).all_person_ids()


def queue_pending(event):
    """Queue background sends for the event's pending notifications, in batches."""
    from impact.background import send_notifications

    pending = list(
        event.notifications.filter(status=Notification.Status.PENDING).values_list("pk", flat=True)
    )
    size = settings.NOTIFICATION_BATCH_SIZE
    for start in range(0, len(pending), size):
        send_notifications.enqueue(pending[start : start + size])


def send_one(notification_id, tasks_told_about: dict | None = None) -> bool | None:
    """Send one pending notification; True when sent, None when it was not pending (nothing to do).

    The row stays locked while the mail goes out, so a second worker waits and then finds it sent.
    A failure is recorded on the row and raised. `tasks_told_about` ({event pk: what every mail of
    the event says about its task}) lets a batch read the task and its services once, not per person.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("event__task", "person")
            .filter(pk=notification_id, status=Notification.Status.PENDING)
            .first()
        )
        if notification is None:
            return None
        notification.attempts += 1
        try:
            build_email(notification, tasks_told_about).send()
        except Exception as error:
            failure = error
        else:
            notification.mark_sent()
            return True
        # Recorded in the same transaction, which commits: the error is raised only once it is stored.
        last_try = notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
        notification.status = Notification.Status.FAILED if last_try else Notification.Status.PENDING
        notification.last_error = f"{type(failure).__name__}: {failure}"[:2000]
        notification.save(update_fields=["attempts", "status", "last_error", "sys_updated_on"])
    raise failure


def build_email(notification, tasks_told_about: dict | None = None) -> EmailMessage:
    event, person = notification.event, notification.person
    told = tasks_told_about if tasks_told_about is not None else {}
    if event.pk not in told:
        task = _concrete(event.task)
        told[event.pk] = {"task": task, "services": _service_names(task)}
    context = {"event": event, "person": person, **told[event.pk]}
    subject = render_to_string("impact/email/subject.txt", context).strip().replace("\n", " ")
    body = render_to_string(f"impact/email/{event.kind}.txt", context)
    return EmailMessage(subject=subject, body=body, to=[person.email])


def _concrete(task):
    """The incident or change behind a `task` row, for its own fields (caller, planned window)."""
    for model in (Incident, ChangeRequest):
        if task.sys_class_name == model._meta.db_table:
            return model.objects.get(pk=task.pk)
    return task


def _service_names(task):
    return list(task.impacted_services.order_by("name").values_list("name", flat=True)[:10])
