"""manage.py load_demo: import the demo company and print how to log in and where to go."""

import datetime
import os
import secrets
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group as PermissionGroup
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cmdb.models import BusinessService, ConfigurationItem, User
from cmdb.servicenow.importer import ImportFailure, import_folder
from cmdb.servicenow.timeshift import ShiftedFields, shifted_copy, weeks_to_today

DEMO_FOLDER = Path(settings.BASE_DIR) / "demo"
PASSWORD_FILE = Path(settings.BASE_DIR) / ".runstage-admin-password"
PASSWORD_ENV = "RUNSTAGE_ADMIN_PASSWORD"
# username: (role shown in the welcome, is_staff, is_superuser)
PERSONAS = {
    "emma.clark": ("catalog user (Claims Handler)", False, False),
    "david.morgan": ("her manager (Head of Claims)", False, False),
    "sofia.berg": ("service owner (Online Quote & Buy, Customer Self-Service)", True, False),
    "raj.patel": ("incident manager (Major Incident Manager), chairs the change advisory board", True, False),
    "anouk.devries": ("customer contact (Brightwater Retail): the support portal", False, False),
}
# Permission groups seeded by data migrations that the staff personas work through.
PERSONA_GROUPS = {
    "sofia.berg": ("Service owners",),
    "raj.patel": ("Incident managers", "Change advisory board"),
}
# The persona whose pending change approvals the welcome lists.
CHANGE_APPROVER = "raj.patel"

# The day the generated history ends (demo/history.py's HISTORY_END; a test keeps the two equal),
# and every field of the demo files that holds a date (a test checks that none is missing).
HISTORY_END = datetime.datetime(2026, 11, 27, 3, 0, tzinfo=datetime.UTC)
HISTORY_FIELDS = {
    "cmdb_ci_outage": ShiftedFields(datetimes=("begin", "end")),
    "incident": ShiftedFields(datetimes=("opened_at", "closed_at")),
    "change_request": ShiftedFields(
        datetimes=("opened_at", "closed_at", "start_date", "end_date"), texts=("short_description",)
    ),
    "service_improvement_initiative": ShiftedFields(dates=("target_date",), texts=("expected_benefit",)),
    "sysapproval_approver": ShiftedFields(datetimes=("decided_at",)),
    "sn_customerservice_case": ShiftedFields(datetimes=("opened_at", "resolved_at")),
    "sn_install_base_sold_product": ShiftedFields(dates=("start_date", "end_date")),
}
# A service whose year of history holds a breached 99.9 % commitment (March 2026): a telling page.
HISTORY_EXAMPLE_SERVICE = "Online Quote & Buy"
# A shared database server that most application services depend on: a telling impact example.
IMPACT_EXAMPLE_CI = "lnx-pgdb-01"


def demo_password():
    """RUNSTAGE_ADMIN_PASSWORD, or the password generated on the first run and kept in a file."""
    password = os.environ.get(PASSWORD_ENV, "").strip()
    if password:
        return password
    if PASSWORD_FILE.exists():
        stored = PASSWORD_FILE.read_text(encoding="utf-8").strip()
        if stored:
            return stored
    password = secrets.token_urlsafe(12)
    PASSWORD_FILE.write_text(password + "\n", encoding="utf-8")
    PASSWORD_FILE.chmod(0o600)
    return password


def ensure_accounts(password):
    """The `admin` superuser and the demo personas, all with `password` and active."""
    users = {user.username: user for user in User.objects.filter(username__in=[*PERSONAS, "admin"])}
    missing = sorted(set(PERSONAS) - set(users))
    if missing:
        raise CommandError(f"The demo data lacks the personas {', '.join(missing)}.")
    if "admin" not in users:
        users["admin"] = User(username="admin", email="admin@halvard.example")
    accounts = {"admin": ("superuser", True, True), **PERSONAS}
    for username, (_role, is_staff, is_superuser) in accounts.items():
        user = users[username]
        wanted = (is_staff, is_superuser, True)
        current = (user.is_staff, user.is_superuser, user.is_active)
        # Re-hashing an unchanged password would write on every run and log everyone out.
        if user.pk and current == wanted and user.check_password(password):
            continue
        user.is_staff, user.is_superuser, user.is_active = wanted
        user.set_password(password)
        user.save()
    ensure_persona_groups(users)


def ensure_persona_groups(users):
    """Put each staff persona in the permission group of its role (adding an existing member is a no-op)."""
    wanted = {name for names in PERSONA_GROUPS.values() for name in names}
    groups = {group.name: group for group in PermissionGroup.objects.filter(name__in=wanted)}
    missing = sorted(wanted - set(groups))
    if missing:
        raise CommandError(
            f"The permission groups {', '.join(missing)} are missing: run `manage.py migrate`."
        )
    for username, group_names in PERSONA_GROUPS.items():
        users[username].groups.add(*(groups[name] for name in group_names))


class Command(BaseCommand):
    help = "Import the demo company from demo/ (idempotent) and set up the admin and demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="host shown in the welcome links")
        parser.add_argument("--port", default="8000", help="port shown in the welcome links")
        parser.add_argument(
            "--as-generated",
            action="store_true",
            help="load the history on its generated dates instead of moving it to end this week",
        )

    def handle(self, host, port, verbosity, as_generated=False, **options):
        shift = datetime.timedelta(0) if as_generated else weeks_to_today(HISTORY_END, timezone.now())
        try:
            with transaction.atomic(), tempfile.TemporaryDirectory(prefix="runstage-demo-") as folder:
                result = import_folder(shifted_copy(DEMO_FOLDER, Path(folder), HISTORY_FIELDS, shift))
                password = demo_password()
                ensure_accounts(password)
        except ImportFailure as error:
            raise CommandError(f"The demo data did not load: {error}") from error
        if verbosity > 1:
            for line in result.summary_lines():
                self.stdout.write(line)
        created = sum(counts.created for counts in result.tables.values())
        updated = sum(counts.updated for counts in result.tables.values())
        self.stdout.write(f"Demo data: {created} rows created, {updated} updated, the rest unchanged.")
        self.stdout.write(
            f"Its year of history ends on {(HISTORY_END + shift).date():%Y-%m-%d}"
            f" (moved {shift.days // 7} weeks from the generated {HISTORY_END.date():%Y-%m-%d})."
        )
        self.stdout.write(self.welcome(f"http://{host}:{port}", password))

    def welcome(self, base, password):
        source = (
            "from $" + PASSWORD_ENV
            if os.environ.get(PASSWORD_ENV, "").strip()
            else f"kept in {PASSWORD_FILE.name}"
        )
        example = (
            ConfigurationItem.objects.filter(name=IMPACT_EXAMPLE_CI).values_list("sys_id", flat=True).first()
        )
        lines = [
            "",
            self.style.SUCCESS("Runstage is ready with Halvard Insurance Group, a fictional insurer."),
            f"  Admin (service owners):  {base}/admin/",
            f"  Request catalog:         {base}/catalog/",
            f"  Service portfolio:       {base}/portfolio/",
            f"  Customer portal:         {base}/support/  (as anouk.devries)",
            f"  API documentation:       {base}/api/docs/",
            "",
            f"Logins (password for all: {password}  -- {source}):",
            "  admin            superuser",
        ]
        lines += [f"  {username:<16} {role}" for username, (role, _, _) in PERSONAS.items()]
        if example:
            lines += [
                "",
                f"What does an outage of the shared database server {IMPACT_EXAMPLE_CI} impact?",
                f"  {base}/api/v1/impact/?ci={example.hex}",
            ]
        service = (
            BusinessService.objects.filter(name=HISTORY_EXAMPLE_SERVICE)
            .values_list("sys_id", flat=True)
            .first()
        )
        if service:
            lines += [
                "",
                f"A year of outages, incidents and a breached 99.9 % commitment: {HISTORY_EXAMPLE_SERVICE}",
                f"  {base}{reverse('portfolio:service', args=[service.hex])}",
            ]
        lines += self.pending_approvals(base)
        return "\n".join(lines)

    def pending_approvals(self, base):
        """Where CHANGE_APPROVER finds the changes waiting for their approval (the admin's filter)."""
        url = reverse("admin:impact_changerequest_changelist") + "?awaiting_my_approval=yes"
        return [
            "",
            f"Changes waiting for {CHANGE_APPROVER}'s approval (log in as {CHANGE_APPROVER}):",
            f"  {base}{url}",
        ]
