"""Background work of the impact app, run as Django Tasks (`manage.py db_worker` in production).

Arguments are plain ids, so a task can wait in the database queue and survive a worker restart.
"""

import datetime

from django.utils import timezone
from django_tasks import default_task_backend, task

from impact import notifications

RETRY_DELAY = datetime.timedelta(minutes=2)


class NotificationsFailed(Exception):
    """Some e-mails of a batch could not be sent; they are retried (see the notifications' rows)."""


@task()
def send_notifications(notification_ids: list[int]) -> dict:
    """Send a batch of pending notifications; a failed one is retried later, the batch reports it."""
    sent, failed, tasks_told_about = 0, [], {}
    for notification_id in notification_ids:
        try:
            sent += bool(notifications.send_one(notification_id, tasks_told_about))
        except Exception:  # recorded on the notification's row by send_one
            failed.append(notification_id)
    if failed:
        retry = notifications.Notification.objects.filter(
            pk__in=failed, status=notifications.Notification.Status.PENDING
        ).values_list("pk", flat=True)
        retry = list(retry)
        if retry and default_task_backend.supports_defer:
            send_notifications.using(run_after=timezone.now() + RETRY_DELAY).enqueue(retry)
        raise NotificationsFailed(
            f"{len(failed)} of {len(notification_ids)} e-mails failed; {len(retry)} retried."
        )
    return {"sent": sent}


@task()
def refresh_impacted_services_in_background(task_id: int) -> int:
    """Recompute a task's impacted services; for walks too large to make a person wait for."""
    from impact.models import Task
    from impact.services import refresh_impacted_services

    refreshed = Task.objects.get(pk=task_id)
    refresh_impacted_services(refreshed)
    return refreshed.impacted_services.count()
