"""Telling the affected people: one e-mail per person per event, through a real SMTP server and worker."""

import datetime
import socket
import threading
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from impact import notifications
from impact.background import NotificationsFailed, send_notifications
from impact.models import ImpactedService, Notification, NotificationEvent, TaskPriority, TaskState
from impact.services import refresh_impacted_services_soon
from tests.api.helpers import client_for, user_with_perms
from tests.factories.cmdb import BusinessServiceFactory
from tests.factories.impact import ChangeRequestFactory, IncidentFactory

Kind = NotificationEvent.Kind
EVERYONE = {f"{name}@example.com" for name in ("alice", "bob", "carol", "erin", "frank", "grace")}


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.messages.append((recipient, message_from_bytes(envelope.content)["Subject"]))
        return "250 Message accepted for delivery"

    def recipients(self, subject_start=""):
        return sorted(to for to, subject in self.messages if subject.startswith(subject_start))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback, with Django's SMTP backend pointed at it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()


@pytest.fixture
def incident(world):
    return IncidentFactory(cmdb_ci=world["server"], short_description="Payroll is down")


@pytest.mark.django_db
def test_each_person_gets_one_mail_per_event_and_a_retry_sends_nothing_again(
    smtp, incident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = notifications.notify_affected_people(incident, Kind.STARTED)
    assert (first.queued, first.already_told) == (6, 0)
    assert smtp.recipients() == sorted(EVERYONE)

    with django_capture_on_commit_callbacks(execute=True):
        again = notifications.notify_affected_people(incident, Kind.STARTED)
    assert (again.queued, again.already_told) == (0, 6)
    # Re-running the batches themselves (a worker retrying a task) sends nothing either.
    send_notifications.call(list(Notification.objects.values_list("pk", flat=True)))
    assert len(smtp.messages) == 6

    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_affected_people(incident, Kind.UPDATE, message="Failover in progress.")
    assert smtp.recipients(f"[{incident.number}] Update") == sorted(EVERYONE)
    assert len(smtp.messages) == 12


@pytest.mark.django_db
def test_resolving_a_notified_incident_tells_everybody_once(
    smtp, incident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_affected_people(incident, Kind.STARTED)
    with django_capture_on_commit_callbacks(execute=True):
        incident.set_state(TaskState.RESOLVED, save=True)
    assert smtp.recipients(f"[{incident.number}] Resolved") == sorted(EVERYONE)
    with django_capture_on_commit_callbacks(execute=True):
        incident.set_state(TaskState.IN_PROGRESS, save=True)
        incident.set_state(TaskState.RESOLVED, save=True)
    assert len(smtp.recipients(f"[{incident.number}] Resolved")) == 6


@pytest.mark.django_db
def test_people_who_opted_out_get_no_mail_about_a_non_major_incident(
    smtp, world, incident, django_capture_on_commit_callbacks
):
    world["erin"].notify_non_major = False
    world["erin"].save()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_affected_people(incident, Kind.STARTED)
    assert smtp.recipients() == sorted(EVERYONE - {"erin@example.com"})

    major = IncidentFactory(cmdb_ci=world["server"], priority=TaskPriority.CRITICAL)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_affected_people(major, Kind.STARTED)
    assert smtp.recipients(f"[{major.number}]") == sorted(EVERYONE)


@pytest.mark.django_db
def test_a_failed_send_is_recorded_and_sent_once_when_the_server_is_back(settings, incident):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    notifications.notify_affected_people(incident, Kind.STARTED)  # queued on commit: not run here
    ids = list(Notification.objects.values_list("pk", flat=True))
    with pytest.raises(NotificationsFailed):
        send_notifications.call(ids)
    assert set(Notification.objects.values_list("status", "attempts")) == {(Notification.Status.PENDING, 1)}
    assert "ConnectionRefusedError" in Notification.objects.first().last_error

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=settings.EMAIL_PORT)
    controller.start()
    try:
        send_notifications.call(ids)
        send_notifications.call(ids)
    finally:
        controller.stop()
    assert inbox.recipients() == sorted(EVERYONE)
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.SENT}


@pytest.mark.django_db(transaction=True)  # the worker claims and finishes tasks in transactions of its own
def test_a_worker_stopped_mid_queue_and_restarted_sends_every_mail_exactly_once(settings, world):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.NOTIFICATION_BATCH_SIZE = 1
    incident = IncidentFactory(cmdb_ci=world["server"])
    notifications.notify_affected_people(incident, Kind.STARTED)
    assert DBTaskResult.objects.ready().count() == 6
    assert mail.outbox == []

    def worker(**options):
        return Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            worker_id="test-worker",
            excluded_queue_names=[],
            **options,
        )

    worker(max_tasks=2).run()  # stops after two batches, four still queued
    assert len(mail.outbox) == 2
    assert DBTaskResult.objects.ready().count() == 4
    worker(max_tasks=None).run()  # a new worker finishes the queue
    assert sorted(message.to[0] for message in mail.outbox) == sorted(EVERYONE)
    assert DBTaskResult.objects.ready().count() == 0
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


@pytest.mark.django_db
def test_the_api_notifies_once_and_names_a_bad_event(world, incident, django_capture_on_commit_callbacks):
    client = client_for(user_with_perms("impact.change_incident", "impact.view_incident"))
    url = reverse("impact-api:incident-notify", args=[incident.number])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"event": "started"}, format="json")
    assert response.status_code == 202
    assert response.json() == {"event": "started", "queued": 6, "already_told": 0}
    assert len(mail.outbox) == 6
    assert client.post(url, {"event": "started"}, format="json").json()["already_told"] == 6
    refused = client.post(url, {"event": "planned"}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"event": ["An incident tells: started, update, resolved."]}
    assert client.post(url, {"event": "update"}, format="json").json() == {
        "message": ["Write the update to send."]
    }


@pytest.mark.django_db
def test_a_change_tells_its_planned_window_only_before_it_starts(world):
    start = timezone.now() + datetime.timedelta(days=2)
    change = ChangeRequestFactory(
        cmdb_ci=world["server"], start_date=start, end_date=start + datetime.timedelta(hours=2)
    )
    assert notifications.notify_affected_people(change, Kind.PLANNED).queued == 6
    change.start_date = timezone.now() - datetime.timedelta(minutes=5)
    with pytest.raises(notifications.ValidationError, match="already started"):
        notifications.notify_affected_people(change, Kind.PLANNED)


@pytest.mark.django_db
def test_a_task_on_a_hub_refreshes_its_impacted_services_in_the_background(
    settings, world, django_capture_on_commit_callbacks
):
    incident = IncidentFactory(cmdb_ci=world["server"])
    assert refresh_impacted_services_soon(incident) == (2, 0)  # the offering and its business service
    settings.IMPACT_BACKGROUND_REFRESH_ABOVE = 2
    ImpactedService.objects.create(task=incident, service=BusinessServiceFactory(name="Stale"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert refresh_impacted_services_soon(incident) is None
    assert len(callbacks) == 1  # the background task, run at once by the test suite's backend
    assert "Stale" not in set(incident.impacted_services.values_list("name", flat=True))
    assert incident.impacted_services.count() == 2


@pytest.mark.django_db
def test_a_person_opts_out_of_non_major_notifications_on_their_profile(client, world):
    client.force_login(world["erin"])
    page = client.get(reverse("profile"))
    assert page.status_code == 200
    assert "Major incidents are always told" in page.content.decode()
    response = client.post(reverse("profile"), {})  # the box unticked
    assert response.status_code == 302
    world["erin"].refresh_from_db()
    assert world["erin"].notify_non_major is False


@pytest.mark.django_db
def test_a_batch_reads_its_incident_and_services_once_whatever_the_number_of_people(incident):
    notifications.notify_affected_people(incident, Kind.STARTED)  # queued on commit: not sent here
    with CaptureQueriesContext(connection) as captured:
        send_notifications.call(list(Notification.objects.values_list("pk", flat=True)))
    assert len(mail.outbox) == 6
    reads = [query["sql"] for query in captured.captured_queries if query["sql"].startswith("SELECT")]
    assert sum('FROM "incident"' in sql for sql in reads) == 1
    assert sum('FROM "cmdb_ci_service"' in sql for sql in reads) == 1
