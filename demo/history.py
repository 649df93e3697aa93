"""A year of operations history for the demo company: outages, incidents, changes, initiatives.

Used by demo/generate.py, which passes in its tables and its organisation data. Deterministic: a
seeded random generator and fixed dates. The history ends on a fixed day (HISTORY_END) rather than
on the day the generator runs, so that the committed JSON files do not change from one run to the
next; `load_demo` moves it to end in the week it is loaded (keep its HISTORY_END equal to this one).
It starts a month more than a year before its end so that, moved to any day, the twelve calendar
months the owner pages show are full (see demo/README.md).

What a service page shows comes from these rows: availability per month from the outages of the
CIs below a service (planned ones are not down time), incidents per week from the impacted services
(`task_cmdb_ci_service`) of each incident. Those impacted services are computed here the way the
impact engine computes them (up along relationships of propagating types, and from an offering to
its parent service), so that a refresh in Runstage finds nothing to change.
"""

import random
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

HISTORY_START = datetime(2025, 11, 1, tzinfo=UTC)
HISTORY_END = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
SEED = 20261127

# The services whose year is told in detail: 1-3 unplanned outages or degradations a month on their
# application services, application servers and databases.
MAJOR_SERVICES = (
    "quote-and-buy",
    "self-service",
    "motor-claims",
    "motor-insurance",
    "contact-centre",
    "premium-billing",
)
# Random events per major service and month; the share of them that are outages (the rest are
# degradations) and how long they last, in minutes. Short outages keep most months within a 99.9 %
# commitment; the breaches come from unlucky months and from the scripted events.
EVENTS_A_MONTH = (1, 1, 1, 2, 2, 3)
OUTAGE_SHARE = 0.6
OUTAGE_MINUTES = ((8, 15), (15, 30), (30, 45))
OUTAGE_MINUTES_WEIGHTS = (85, 13, 2)
DEGRADATION_MINUTES = (20, 240)
DEGRADATIONS_WITH_INCIDENT = 0.5
MAX_INCIDENTS_A_WEEK = 3
# Servers patched in the monthly planned window (second Sunday), one after the other.
PATCHED_SERVERS = (
    ("lnx-pgdb-01", (2, 0), 40),
    ("lnx-pgdb-02", (2, 50), 40),
    ("win-dc-01", (3, 0), 35),
    ("win-dc-02", (3, 45), 35),
)
SERVICE_DESK = ("isabel.moreno", "kevin.obrien")
INCIDENT_MANAGER = "raj.patel"
# The change advisory board: the sys_user_group impact's data migration seeds (same sys_id), its
# members, and its decisions: (change key, approver, state, comments, decided at).
CHANGE_ADVISORY_BOARD = "5f0c6b2e8a3d4c1f9b7e2a6d4c8e1f30"
CAB_MEMBERS = ("raj.patel", "yuki.tanaka")
CHANGE_APPROVALS = (
    ("pg-16", "raj.patel", "requested", "", None),
    ("pg-16", "yuki.tanaka", "approved", "Node-by-node plan and rollback reviewed.",
     datetime(2026, 11, 24, 9, 0, tzinfo=UTC)),
    ("quote-engine-k8s", "raj.patel", "requested", "", None),
    ("quote-engine-k8s", "yuki.tanaka", "requested", "", None),
    ("portal-frontend", "yuki.tanaka", "rejected",
     "Same night as the second portal server (5-6 December): pick another night.",
     datetime(2026, 11, 25, 10, 0, tzinfo=UTC)),
    ("portal-frontend", "raj.patel", "not_required", "", datetime(2026, 11, 25, 10, 0, tzinfo=UTC)),
    ("archive-storage", "raj.patel", "approved", "", datetime(2026, 11, 18, 9, 0, tzinfo=UTC)),
    ("archive-storage", "yuki.tanaka", "approved", "", datetime(2026, 11, 18, 9, 30, tzinfo=UTC)),
)  # fmt: skip

# ServiceNow task states and priorities as Runstage stores them (impact.models.TaskState/TaskPriority).
NEW, IN_PROGRESS, RESOLVED, CLOSED = 1, 2, 6, 7
AUTHORIZE, SCHEDULED = 11, 12
CANCELED, ASSESS, IMPLEMENT, REVIEW = 8, 10, 13, 14
CRITICAL, HIGH, MODERATE, LOW = 1, 2, 3, 4

CI_KINDS = {
    "cmdb_ci_service_auto": "service",
    "cmdb_ci_appl": "application",
    "cmdb_ci_server": "server",
    "cmdb_ci_db_instance": "database",
}
IMPACTED_SERVICE_TABLES = ("cmdb_ci_service_business", "service_offering")
CI_TABLES = (
    "cmdb_ci",
    "cmdb_ci_server",
    "cmdb_ci_db_instance",
    "cmdb_ci_appl",
    "cmdb_ci_service_auto",
    "cmdb_ci_business_app",
    "cmdb_ci_service_business",
    "cmdb_ci_service_technical",
    "service_offering",
)

OUTAGE_CAUSES = {
    "service": (
        "{name} returns HTTP 503 to every user",
        "{name} login fails after a configuration push",
        "{name} health check failing, traffic drained from the pool",
    ),
    "application": (
        "{name} ran out of heap memory and stopped",
        "{name} hung on a thread deadlock and was restarted",
        "{name} failed to start after a deployment, rolled back",
    ),
    "server": (
        "{name} unresponsive: root file system full",
        "{name} rebooted unexpectedly (kernel panic)",
        "{name} lost its storage paths",
    ),
    "database": (
        "{name}: connection pool exhausted",
        "{name}: blocking locks after a long-running report",
        "{name}: archive log area full, writes suspended",
    ),
}
DEGRADATION_CAUSES = {
    "service": (
        "{name} slow: pages take more than 5 seconds",
        "{name} intermittent errors for some users",
    ),
    "application": (
        "{name} long garbage-collection pauses",
        "{name} thread pool near its limit, requests queueing",
    ),
    "server": (
        "{name} CPU saturated by a runaway process",
        "{name} high disk latency",
    ),
    "database": (
        "{name} slow queries after statistics went stale",
        "{name} replication lag above 10 minutes",
    ),
}

# key: (service, title, state, target date, expected benefit)
INITIATIVES = {
    "qb-certificates": (
        "quote-and-buy",
        "Automate TLS certificate renewal for the Quote Engine",
        "done",
        date(2026, 5, 31),
        "No more outages from expired certificates (3 h 05 min lost in March 2026).",
    ),
    "qb-active-active": (
        "quote-and-buy",
        "Run the Quote Engine active-active across LDN1 and FRA1",
        "in_progress",
        date(2027, 3, 31),
        "An application server or data-centre failure no longer stops quoting.",
    ),
    "qb-page-speed": (
        "quote-and-buy",
        "Quote pages in under 2 seconds",
        "proposed",
        date(2027, 6, 30),
        "Fewer abandoned quotes: conversion up by an estimated 3 %.",
    ),
    "ss-upload": (
        "self-service",
        "Resilient document upload for the Customer Portal",
        "approved",
        date(2027, 2, 28),
        "Uploads survive slow back ends; fewer calls to the contact centre.",
    ),
    "ss-synthetic": (
        "self-service",
        "Synthetic monitoring of the customer journeys",
        "done",
        date(2026, 4, 30),
        "Outages detected by monitoring within 2 minutes instead of by customers.",
    ),
    "mc-pooling": (
        "motor-claims",
        "Connection pooling for the Claims Hub database",
        "in_progress",
        date(2027, 1, 31),
        "No more Claims Hub outages from an exhausted connection pool.",
    ),
    "mc-scanning": (
        "motor-claims",
        "Retire the legacy document scanning interface",
        "cancelled",
        date(2026, 9, 30),
        "Cancelled: the scanning vendor extended support until 2028.",
    ),
    "mi-dr-tests": (
        "motor-insurance",
        "Disaster-recovery test of the Policy Administration System twice a year",
        "approved",
        date(2027, 4, 30),
        "A proven 4-hour recovery time instead of an assumed one.",
    ),
    "mi-rolling-patches": (
        "motor-insurance",
        "Rolling patches for the Oracle policy database",
        "proposed",
        date(2027, 9, 30),
        "Patching without a policy-system outage.",
    ),
    "cc-failover-drill": (
        "contact-centre",
        "CRM failover runbook and a quarterly drill",
        "done",
        date(2026, 6, 30),
        "Time to restore the CRM down from about an hour to under 20 minutes.",
    ),
    "cc-callback": (
        "contact-centre",
        "Call-back queue while the CRM is down",
        "in_progress",
        date(2026, 12, 31),
        "Customers are called back instead of waiting on hold during CRM outages.",
    ),
    "pb-batch-window": (
        "premium-billing",
        "Move the billing batch out of business hours",
        "done",
        date(2026, 3, 31),
        "No more slow billing screens during the month-end run.",
    ),
    "pb-oracle-capacity": (
        "premium-billing",
        "More Oracle capacity for the month-end billing run",
        "approved",
        date(2027, 2, 28),
        "Month-end billing finishes 2 hours earlier.",
    ),
}


@dataclass
class Event:
    """Something that happened to one CI: an outage record and, usually, the incident behind it."""

    ci: str
    type: str  # outage, degradation or planned
    begin: datetime
    end: datetime | None
    description: str
    service: str | None = None  # the major service whose CIs it hit (the incident's caller owns it)
    priority: int | None = None
    with_incident: bool = True
    incident_key: str = ""


@dataclass
class Change:
    """A change request, with the planned outages it records."""

    key: str
    title: str
    description: str
    type: str
    state: int
    priority: int
    cmdb_ci: str
    affected: list
    start: datetime
    end: datetime
    group: str
    assignee: str
    opened_by: str
    outages: list = field(default_factory=list)


def second_sunday(year, month):
    first = date(year, month, 1)
    first_sunday = first + timedelta(days=(6 - first.weekday()) % 7)
    return first_sunday + timedelta(days=7)


def months_of_history():
    """(year, month) of every month the history covers, oldest first."""
    year, month = HISTORY_START.year, HISTORY_START.month
    months = []
    while (year, month) <= (HISTORY_END.year, HISTORY_END.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def week_of(moment):
    """(ISO year, ISO week) of a moment."""
    return moment.isocalendar()[:2]


def at(day, hour, minute):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


class OperationsHistory:
    """Adds the history rows to `tables` (demo/generate.py's Tables), from its CMDB rows."""

    def __init__(self, tables, *, applications, business_services, groups, propagating_types):
        self.t = tables
        self.applications = applications
        self.business_services = business_services
        self.group_members = {key: members for key, (_name, _manager, _parent, members) in groups.items()}
        self.group_by_sys_id = {tables.sys_id("sys_user_group", key): key for key in groups}
        self.rng = random.Random(SEED)
        self.change_numbers = {}  # Change.key -> its CHG number
        self.cis = {row["sys_id"]: (table, row) for table in CI_TABLES for row in self.t.rows.get(table, ())}
        self.parents = self.upward_edges(propagating_types)

    # --- the graph, as the impact engine walks it ------------------------------------------

    def upward_edges(self, propagating_types):
        """{CI sys_id: sys_ids impact flows to}: child -> parent, offering -> parent service."""
        parents = {}
        for row in self.t.rows["cmdb_rel_ci"]:
            if row["type"] in propagating_types:
                parents.setdefault(row["child"], set()).add(row["parent"])
        for row in self.t.rows["service_offering"]:
            if row["parent"]:
                parents.setdefault(row["sys_id"], set()).add(row["parent"])
        return parents

    def impacted_services(self, sources):
        """Business services and offerings reached upward from `sources`, sorted by sys_id."""
        seen, queue = set(sources), deque(sources)
        while queue:
            for parent in self.parents.get(queue.popleft(), ()):
                if parent not in seen:
                    seen.add(parent)
                    queue.append(parent)
        return sorted(ci for ci in seen if self.cis[ci][0] in IMPACTED_SERVICE_TABLES)

    def parents_of(self, ci):
        return sorted(self.parents.get(ci, ()))

    # --- CIs of a service --------------------------------------------------------------------

    def name(self, ci):
        return self.cis[ci][1]["name"]

    def kind(self, ci):
        table, row = self.cis[ci]
        if table == "cmdb_ci":
            return "server" if "server" in row.get("sys_class_name", "") else "service"
        return CI_KINDS[table]

    def support_group(self, ci):
        return self.group_by_sys_id.get(self.cis[ci][1].get("support_group", ""), "it-support")

    def service_cis(self, service):
        """(CI sys_id, weight) for the production CIs a major service runs on."""
        weighted = {}
        for application in self.business_services[service][4]:
            host, database = self.applications[application][3], self.applications[application][4]
            weighted[self.t.sys_id("cmdb_ci_service_auto", f"appsvc:{application}")] = 4
            weighted[self.t.sys_id("cmdb_ci_appl", f"appl:{application}:1")] = 3
            weighted[self.t.sys_id("cmdb_ci_server", f"server:{host}-app-01")] = 2
            if database:
                weighted[self.t.sys_id("cmdb_ci_db_instance", f"db:{database}")] = 1
        return sorted(weighted.items())

    # --- building ----------------------------------------------------------------------------

    def build(self):
        events = self.events()
        changes = self.changes()
        incidents = [event for event in events if event.with_incident]
        for number, event in enumerate(incidents, start=10001):
            event.incident_key = f"INC{number:07d}"
            self.add_incident(event)
        for event in events:
            self.add_outage(f"{event.ci}:{event.begin:%Y%m%d%H%M}", event, self.incident_sys_id(event))
        for number, change in enumerate(sorted(changes, key=lambda change: change.start), start=30001):
            self.add_change(f"CHG{number:07d}", change)
            self.change_numbers[change.key] = f"CHG{number:07d}"
        self.add_change_management(start=30001 + len(changes))
        self.add_initiatives()

    # --- change management (issue 15) -----------------------------------------------------------
    # Numbered after the history's changes so that theirs stay as they were.

    def add_change_management(self, start):
        """Changes in every state of the normal workflow, the change advisory board and its approvals:
        a change that conflicts with another in the same night, one whose window would breach a 99.9 %
        commitment, and approvals waiting for raj.patel."""
        board = CHANGE_ADVISORY_BOARD
        self.t.add_with_sys_id(
            "sys_user_group",
            board,
            name="Change advisory board",
            description="Approves normal changes at Authorize.",
            manager=self.t.sys_id("sys_user", INCIDENT_MANAGER),
            email="cab@halvard.example",
        )
        for member in CAB_MEMBERS:
            self.t.add(
                "sys_user_grmember",
                f"cab:{member}",
                user=self.t.sys_id("sys_user", member),
                group=board,
            )
        for number, change in enumerate(self.change_management_changes(), start=start):
            self.add_change(f"CHG{number:07d}", change)
            self.change_numbers[change.key] = f"CHG{number:07d}"
        for key, approver, state, comments, decided_at in CHANGE_APPROVALS:
            change = self.t.sys_id("change_request", self.change_numbers[key])
            self.t.add(
                "sysapproval_approver",
                f"{key}:{approver}:{state}",
                sysapproval=change,
                approver=self.t.sys_id("sys_user", approver),
                group=board,
                state=state,
                comments=comments,
                decided_at=decided_at,
            )

    def change_management_changes(self):
        def appsvc(key):
            return self.t.sys_id("cmdb_ci_service_auto", f"appsvc:{key}")

        def change(key, title, description, state, priority, ci, start, hours, group, assignee, opened_by):
            return Change(
                key, title, description, "normal", state, priority, ci, [ci], start,
                start + timedelta(hours=hours), group, assignee, opened_by,
            )  # fmt: skip

        balancer = self.t.sys_id("cmdb_ci", "ci:lb-core-01")
        return [
            change(
                "claims-hub-8.2", "Upgrade the Claims Hub to release 8.2",
                "Vendor release with the new fraud-referral screen; being written up, not yet assessed.",
                NEW, MODERATE, appsvc("claims-hub"), datetime(2027, 1, 24, 2, 0, tzinfo=UTC), 2,
                "claims-apps", "chloe.evans", "lucy.green",
            ),
            change(
                "portal-frontend", "Customer Portal front-end release 2026.12",
                "New quote summary pages. Rejected once by the board: it shares the night of 5-6 December "
                "with the second portal server.",
                ASSESS, MODERATE, appsvc("portal"), datetime(2026, 12, 6, 0, 0, tzinfo=UTC), 1.5,
                "digital-apps", "felix.braun", "julia.romano",
            ),
            change(
                "quote-engine-k8s", "Re-platform the Quote Engine onto the new Kubernetes cluster",
                "Cut-over with the Quote Engine down for the whole window: four hours would use more than "
                "the month's 99.9 % allowance of Online Quote & Buy.",
                AUTHORIZE, HIGH, appsvc("quote-engine"), datetime(2026, 12, 19, 22, 0, tzinfo=UTC), 4,
                "digital-apps", "felix.braun", "julia.romano",
            ),
            change(
                "claims-db-credentials", "Rotate the database credentials of the Claims Hub",
                "Yearly rotation; the application restarts once with the new secret.",
                IMPLEMENT, LOW, appsvc("claims-hub"), datetime(2026, 11, 27, 2, 30, tzinfo=UTC), 0.5,
                "claims-apps", "lucy.green", "chloe.evans",
            ),
            change(
                "archive-storage", "Enlarge the storage of the Document Archive",
                "Done in the window; waiting for the post-implementation review.",
                REVIEW, LOW, appsvc("documents"), datetime(2026, 11, 22, 2, 0, tzinfo=UTC), 0.5,
                "corporate-apps", "zoe.adams", "sam.whitaker",
            ),
            change(
                "lb-pair", "Replace lb-core-01 with a new load-balancer pair",
                "Canceled: the vendor extended support of the current unit by two years.",
                CANCELED, MODERATE, balancer, datetime(2027, 2, 14, 1, 0, tzinfo=UTC), 3,
                "network", "erik.johansson", "erik.johansson",
            ),
        ]  # fmt: skip

    def events(self):
        """Scripted and random events, oldest first, with at most MAX_INCIDENTS_A_WEEK incidents a week.

        A random event that would raise an incident in a week that has its share already is left out.
        """
        scripted = self.scripted_events()
        incidents_per_week = Counter(week_of(event.begin) for event in scripted if event.with_incident)
        kept = []
        for event in sorted(self.random_events(), key=lambda event: event.begin):
            if event.with_incident:
                if incidents_per_week[week_of(event.begin)] >= MAX_INCIDENTS_A_WEEK:
                    continue
                incidents_per_week[week_of(event.begin)] += 1
            kept.append(event)
        return sorted(kept + scripted, key=lambda event: event.begin)

    def random_events(self):
        events = []
        for year, month in months_of_history():
            for service in MAJOR_SERVICES:
                cis, weights = zip(*self.service_cis(service), strict=True)
                for _ in range(self.rng.choice(EVENTS_A_MONTH)):
                    ci = self.rng.choices(cis, weights)[0]
                    begin = self.random_moment(year, month)
                    events.append(self.random_event(ci, begin, service))
        return [event for event in events if event.end <= HISTORY_END]

    def random_moment(self, year, month):
        last_day = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
        if (year, month) == (HISTORY_END.year, HISTORY_END.month):
            last_day = HISTORY_END.day - 1
        day = date(year, month, self.rng.randint(1, last_day))
        return at(day, self.rng.randint(6, 21), self.rng.randint(0, 59))

    def random_event(self, ci, begin, service):
        if self.rng.random() < OUTAGE_SHARE:
            low, high = self.rng.choices(OUTAGE_MINUTES, OUTAGE_MINUTES_WEIGHTS)[0]
            cause, kind = self.rng.choice(OUTAGE_CAUSES[self.kind(ci)]), "outage"
            with_incident = True
        else:
            low, high = DEGRADATION_MINUTES
            cause, kind = self.rng.choice(DEGRADATION_CAUSES[self.kind(ci)]), "degradation"
            with_incident = self.rng.random() < DEGRADATIONS_WITH_INCIDENT
        end = begin + timedelta(minutes=self.rng.randint(low, high))
        return Event(ci, kind, begin, end, cause.format(name=self.name(ci)), service, None, with_incident)

    def scripted_events(self):
        """Stories told on purpose: a breached 99.9 %, a shared-database failure, an open one."""
        quote_engine = self.t.sys_id("cmdb_ci_service_auto", "appsvc:quote-engine")
        database = self.t.sys_id("cmdb_ci_db_instance", "db:pg")
        portal = self.t.sys_id("cmdb_ci_service_auto", "appsvc:portal")
        return [
            Event(
                quote_engine,
                "outage",
                datetime(2026, 3, 12, 7, 52, tzinfo=UTC),
                datetime(2026, 3, 12, 10, 57, tzinfo=UTC),
                "Quote Engine PROD unavailable: the TLS certificate of its front end expired",
                "quote-and-buy",
                CRITICAL,
            ),
            Event(
                database,
                "outage",
                datetime(2026, 7, 21, 13, 5, tzinfo=UTC),
                datetime(2026, 7, 21, 13, 33, tzinfo=UTC),
                "pg-shared-prd: failover to the standby stalled",
                "motor-claims",
                CRITICAL,
            ),
            Event(
                portal,
                "degradation",
                datetime(2026, 11, 26, 21, 40, tzinfo=UTC),
                None,
                "Customer Portal PROD slow: document uploads time out",
                "self-service",
                HIGH,
            ),
        ]

    def changes(self):
        changes = [self.patching_change(year, month) for year, month in months_of_history()]
        changes.append(self.patching_change(2026, 12))  # the next window, not yet run
        quote_engine = self.t.sys_id("cmdb_ci_service_auto", "appsvc:quote-engine")
        database = self.t.sys_id("cmdb_ci_db_instance", "db:pg")
        portal = self.t.sys_id("cmdb_ci_service_auto", "appsvc:portal")
        balancer = self.t.sys_id("cmdb_ci", "ci:lb-core-01")
        firmware = Change(
            "lb-firmware",
            "Firmware upgrade of the core load balancer lb-core-01",
            "Vendor security advisory; traffic fails over to the standby unit during the upgrade.",
            "normal",
            CLOSED,
            MODERATE,
            balancer,
            [balancer],
            datetime(2026, 6, 21, 2, 0, tzinfo=UTC),
            datetime(2026, 6, 21, 3, 0, tzinfo=UTC),
            "network",
            "erik.johansson",
            "erik.johansson",
        )
        firmware.outages.append(
            Event(
                balancer,
                "planned",
                datetime(2026, 6, 21, 2, 10, tzinfo=UTC),
                datetime(2026, 6, 21, 2, 35, tzinfo=UTC),
                "Planned: lb-core-01 firmware upgrade",
                with_incident=False,
            )
        )
        return [
            *changes,
            firmware,
            Change(
                "qe-certificate",
                "Emergency: renew the TLS certificate of the Quote Engine front end",
                "The certificate expired at 07:50 and every quote request fails; renew and deploy it.",
                "emergency",
                CLOSED,
                CRITICAL,
                quote_engine,
                [quote_engine],
                datetime(2026, 3, 12, 9, 45, tzinfo=UTC),
                datetime(2026, 3, 12, 11, 0, tzinfo=UTC),
                "digital-apps",
                "julia.romano",
                INCIDENT_MANAGER,
            ),
            Change(
                "portal-second-server",
                "Add a second application server to the Customer Portal",
                "One application server carries all portal traffic; add a second one behind lb-core-01.",
                "normal",
                SCHEDULED,
                MODERATE,
                portal,
                [portal],
                datetime(2026, 12, 5, 22, 0, tzinfo=UTC),
                datetime(2026, 12, 6, 2, 0, tzinfo=UTC),
                "digital-apps",
                "felix.braun",
                "julia.romano",
            ),
            Change(
                "pg-16",
                "Upgrade pg-shared-prd to PostgreSQL 16",
                "PostgreSQL 15 support ends in 2027; upgrade the shared cluster node by node.",
                "normal",
                AUTHORIZE,
                HIGH,
                database,
                [database, *self.hosts_of(database)],
                datetime(2027, 1, 17, 2, 0, tzinfo=UTC),
                datetime(2027, 1, 17, 6, 0, tzinfo=UTC),
                "dba",
                "olga.ivanova",
                "olga.ivanova",
            ),
        ]

    def hosts_of(self, ci):
        """The servers `ci` runs on (children of its relationships)."""
        return sorted(
            row["child"]
            for row in self.t.rows["cmdb_rel_ci"]
            if row["parent"] == ci and self.cis[row["child"]][0] == "cmdb_ci"
        )

    def patching_change(self, year, month):
        sunday = second_sunday(year, month)
        servers = [
            (self.t.sys_id("cmdb_ci", f"server:{name}"), name, start, length)
            for name, start, length in PATCHED_SERVERS
        ]
        window_start, window_end = at(sunday, 2, 0), at(sunday, 6, 0)
        done = window_end <= HISTORY_END
        change = Change(
            f"patching:{year}-{month:02d}",
            f"Monthly OS patching of the shared database and domain controller servers ({sunday:%B %Y})",
            "Standard change: servers are patched and rebooted one at a time inside the Sunday window.",
            "standard",
            CLOSED if done else SCHEDULED,
            LOW,
            servers[0][0],
            [server for server, *_ in servers],
            window_start,
            window_end,
            "linux",
            "anna.novak",
            "stefan.wolf",
        )
        if done:
            for server, name, (hour, minute), length in servers:
                begin = at(sunday, hour, minute)
                change.outages.append(
                    Event(
                        server,
                        "planned",
                        begin,
                        begin + timedelta(minutes=length),
                        f"Planned: {name} patched and rebooted",
                        with_incident=False,
                    )
                )
        return change

    # --- rows --------------------------------------------------------------------------------

    def incident_sys_id(self, event):
        return self.t.sys_id("incident", event.incident_key) if event.with_incident else ""

    def add_incident(self, event):
        service = self.business_services[event.service]
        group = self.support_group(event.ci)
        members = self.group_members.get(group) or [INCIDENT_MANAGER]
        priority = event.priority or self.incident_priority(event, service[3])
        detected = event.begin + timedelta(minutes=self.rng.randint(2, 9))
        state, closed_at = self.incident_state(event)
        restored = f"Service restored at {event.end:%H:%M} UTC." if event.end else "Still being worked on."
        incident = self.t.add(
            "incident",
            event.incident_key,
            sys_class_name="incident",
            number=event.incident_key,
            short_description=event.description,
            description=f"Detected at {detected:%H:%M} UTC. {restored}",
            state=state,
            priority=priority,
            cmdb_ci=event.ci,
            opened_by=self.t.sys_id(
                "sys_user", INCIDENT_MANAGER if priority == CRITICAL else self.rng.choice(SERVICE_DESK)
            ),
            assigned_to=self.t.sys_id("sys_user", self.rng.choice(members)),
            assignment_group=self.t.sys_id("sys_user_group", group),
            opened_at=detected,
            closed_at=closed_at,
            caller=self.t.sys_id("sys_user", service[2]),
        )
        self.add_task_scope("incident", event.incident_key, incident, event.ci, self.affected_by(event.ci))

    @staticmethod
    def incident_priority(event, criticality):
        if event.type != "outage":
            return MODERATE
        long = event.end - event.begin >= timedelta(minutes=45)
        return CRITICAL if long and criticality == 1 else HIGH if criticality <= 2 else MODERATE

    @staticmethod
    def incident_state(event):
        """Closed three days after resolution; resolved until then; in progress while it lasts."""
        if event.end is None:
            return IN_PROGRESS, None
        closed_at = event.end + timedelta(days=3)
        return (CLOSED, closed_at) if closed_at <= HISTORY_END else (RESOLVED, None)

    def affected_by(self, ci):
        """The CI and, for infrastructure, the CIs resting directly on it."""
        if self.kind(ci) in ("server", "database"):
            return [ci, *self.parents_of(ci)]
        return [ci]

    def add_task_scope(self, table, key, task, ci, affected):
        for affected_ci in affected:
            self.t.add("task_ci", f"{table}:{key}:{affected_ci}", task=task, ci_item=affected_ci)
        for service in self.impacted_services({ci, *affected}):
            self.t.add(
                "task_cmdb_ci_service",
                f"{table}:{key}:{service}",
                task=task,
                cmdb_ci_service=service,
                manually_added=False,
            )

    def add_outage(self, key, event, task):
        self.t.add(
            "cmdb_ci_outage",
            key,
            cmdb_ci=event.ci,
            type=event.type,
            begin=event.begin,
            end=event.end,
            short_description=event.description,
            task=task,
        )

    def add_change(self, number, change):
        closed = change.state in (CLOSED, CANCELED)
        task = self.t.add(
            "change_request",
            number,
            sys_class_name="change_request",
            number=number,
            short_description=change.title,
            description=change.description,
            state=change.state,
            priority=change.priority,
            cmdb_ci=change.cmdb_ci,
            opened_by=self.t.sys_id("sys_user", change.opened_by),
            assigned_to=self.t.sys_id("sys_user", change.assignee),
            assignment_group=self.t.sys_id("sys_user_group", change.group),
            opened_at=min(change.start - timedelta(days=7), HISTORY_END - timedelta(days=1))
            if change.type != "emergency"
            else change.start - timedelta(minutes=20),
            closed_at=change.end + timedelta(days=1) if closed else None,
            type=change.type,
            start_date=change.start,
            end_date=change.end,
        )
        self.add_task_scope("change_request", number, task, change.cmdb_ci, change.affected)
        for index, outage in enumerate(change.outages):
            self.add_outage(f"{number}:{index}", outage, task)

    def add_initiatives(self):
        for key, (service, title, state, target, benefit) in INITIATIVES.items():
            owner = self.business_services[service][2]
            self.t.add(
                "service_improvement_initiative",
                key,
                service=self.t.sys_id("cmdb_ci_service_business", f"bs:{service}"),
                title=title,
                description=f"Raised in the {self.business_services[service][0]} service review.",
                owner=self.t.sys_id("sys_user", owner),
                state=state,
                target_date=target,
                expected_benefit=benefit,
            )
