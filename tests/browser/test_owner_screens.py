"""Screenshots of the owner pages (/portfolio/ and a service page) into screenshots/ (gitignored).

Builds a year of sample data — a portfolio tree, services with offerings and 99.9 % commitments,
the application services and servers below them, outages of every kind, incidents and initiatives —
then checks each page shows what it should before it takes the picture. Run on its own with
`pytest tests/browser/test_owner_screens.py`.
"""

import datetime
import random
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from cmdb.models import RelationshipType
from impact.models import Incident, Outage
from impact.services import create_task
from portfolio.models import Initiative
from tests.factories.cmdb import (
    ApplicationServiceFactory,
    BusinessServiceFactory,
    DatabaseInstanceFactory,
    GroupFactory,
    RelationshipFactory,
    ServerFactory,
    UserFactory,
)
from tests.factories.offerings import (
    OfferingCommitmentFactory,
    ServiceOfferingFactory,
    UserSubscriptionFactory,
)
from tests.factories.owners import InitiativeFactory, OutageFactory
from tests.factories.portfolio import PortfolioNodeFactory

SCREENSHOTS = Path(settings.BASE_DIR) / "screenshots"
CAUSES = ["Disk full", "Certificate expired", "Patching", "Memory leak"]

# (portfolio path, service, offerings) of the sample portfolio.
SERVICES = [
    (("Corporate", "Human resources"), "Payroll", ["Payroll Gold", "Payroll Standard"]),
    (("Corporate", "Human resources"), "Recruiting", ["Recruiting Standard"]),
    (("Corporate", "Finance"), "General ledger", ["Ledger Enterprise"]),
    (("Corporate", "Finance"), "Expense claims", ["Expenses Self-service"]),
    (
        ("Customer", "Digital channels"),
        "Online banking",
        ["Online banking Retail", "Online banking Business"],
    ),
    (("Customer", "Digital channels"), "Mobile app", ["Mobile app Retail"]),
    (("Customer", "Contact centre"), "Customer telephony", ["Telephony 24x7"]),
    (("Workplace",), "Email and calendar", ["Email Standard"]),
]


@pytest.fixture
def year_of_data(transactional_db):
    """The sample portfolio with a year of outages and twelve weeks of incidents; returns Payroll."""
    rng = random.Random(7)
    now = timezone.now()
    depends_on = RelationshipType.objects.get(name="Depends on::Used by")
    runs_on = RelationshipType.objects.get(name="Runs on::Runs")
    owner = UserFactory(username="olivia", first_name="Olivia", last_name="Owens")
    others = [UserFactory(first_name=name, last_name="Smith") for name in ("Sam", "Ana", "Raj")]
    support = GroupFactory(name="Service desk L2")
    nodes = {}
    for path, *_ in SERVICES:
        parent = None
        for depth in range(len(path)):
            key = path[: depth + 1]
            if key not in nodes:
                nodes[key] = PortfolioNodeFactory(
                    name=key[-1], parent=parent, node_type="portfolio" if depth == 0 else "category"
                )
            parent = nodes[key]
    shared_db = DatabaseInstanceFactory(name="pg-cluster-01")
    services = {}
    for index, (path, name, offering_names) in enumerate(SERVICES):
        service = BusinessServiceFactory(
            name=name,
            portfolio=nodes[path],
            owned_by=owner if index % 3 == 0 else others[index % 3],
            support_group=support,
            business_criticality="1 - most critical" if index < 3 else "2 - somewhat critical",
        )
        services[name] = service
        app = ApplicationServiceFactory(name=f"{name.lower().replace(' ', '-')}-prod")
        servers = [ServerFactory(name=f"srv-{name[:4].lower()}-{n:02d}") for n in (1, 2)]
        for server in servers:
            RelationshipFactory(parent=app, child=server, type=runs_on)
        RelationshipFactory(parent=app, child=shared_db, type=depends_on)
        for offering_name in offering_names:
            offering = ServiceOfferingFactory(name=offering_name, parent=service)
            target = "99.95" if "Gold" in offering_name else "99.9"
            RelationshipFactory(parent=offering, child=app, type=depends_on)
            if name != "Recruiting":  # one service left without subscribers: a data problem to see
                UserSubscriptionFactory(service_offering=offering, user=others[index % 3])
            OfferingCommitmentFactory(
                service_offering=offering,
                service_commitment__name=f"{target} % monthly",
                service_commitment__target_value=target,
                service_commitment__period="monthly",
            )
        for month in range(12):
            for _ in range(rng.randint(0, 2)):
                begin = now - datetime.timedelta(
                    days=30 * month + rng.randint(1, 28), hours=rng.randint(0, 23)
                )
                kind = rng.choice(
                    [Outage.Type.OUTAGE, Outage.Type.OUTAGE, Outage.Type.DEGRADATION, "planned"]
                )
                OutageFactory(
                    cmdb_ci=rng.choice([app, *servers]),
                    type=kind,
                    begin=begin,
                    end=begin + datetime.timedelta(minutes=rng.choice([12, 25, 40, 75, 180])),
                    short_description=rng.choice(
                        ["Disk full", "Certificate expired", "Patching", "Memory leak"]
                    ),
                )
        for week in range(12):
            for _ in range(rng.randint(0, 3)):
                create_task(
                    Incident,
                    short_description=rng.choice(["Slow responses", "Login fails", "Batch job failed"]),
                    cmdb_ci=rng.choice(servers),
                    opened_at=now - datetime.timedelta(weeks=week, hours=rng.randint(0, 100)),
                )
    payroll = services["Payroll"]
    OutageFactory(
        cmdb_ci=ServerFactory._meta.model.objects.get(name="srv-onli-01"),
        begin=now - datetime.timedelta(minutes=35),
        end=None,
        short_description="Kernel panic after firmware update",
    )
    InitiativeFactory(
        service=payroll,
        title="Second site for payroll-prod",
        owner=owner,
        state=Initiative.State.IN_PROGRESS,
        target_date=(now + datetime.timedelta(days=60)).date(),
        expected_benefit="Cuts monthly downtime from server failures to under 10 minutes.",
    )
    InitiativeFactory(
        service=payroll,
        title="Automate certificate renewal",
        owner=others[0],
        state=Initiative.State.APPROVED,
        target_date=(now + datetime.timedelta(days=21)).date(),
        expected_benefit="No more outages from expired certificates (3 in the last year).",
    )
    InitiativeFactory(
        service=payroll, title="Move batch runs off business hours", state=Initiative.State.DONE
    )
    UserFactory(username="admin", first_name="Ada", last_name="Admin", is_staff=True, is_superuser=True)
    return payroll


def test_owner_pages_screenshots(page, live_server, log_in, year_of_data):
    SCREENSHOTS.mkdir(exist_ok=True)
    from cmdb.models import User

    log_in(page, User.objects.get(username="admin"))
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/portfolio/")
    expect(page.get_by_role("heading", name="Service portfolio")).to_be_visible()
    expect(page.get_by_text("Online banking", exact=True)).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "owner-portfolio.png"), full_page=True)

    page.get_by_role("link", name="Payroll", exact=True).click()
    expect(page.get_by_role("heading", name="Availability per month")).to_be_visible()
    expect(page.locator("svg.chart .mark rect").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "owner-service.png"), full_page=True)
