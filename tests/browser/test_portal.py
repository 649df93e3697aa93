"""The customer portal in Chromium: a contact sees the outage, opens the proactive case and a new
one, and cannot open another account's case. Set RUNSTAGE_SCREENS to a folder to also save
screenshots of the portal's status page and of the incident page listing impacted customers."""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from customers.models import Case
from impact.customers import open_proactive_cases_for
from tests.browser.conftest import PASSWORD
from tests.factories.cmdb import UserFactory
from tests.factories.customers import CaseFactory
from tests.factories.impact import IncidentFactory
from tests.factories.offerings import OfferingCommitmentFactory
from tests.factories.owners import OutageFactory

SCREENS = os.environ.get("RUNSTAGE_SCREENS")


@pytest.fixture
def outage(transactional_db, sold):
    incident = IncidentFactory(cmdb_ci=sold.graph.server, short_description="Billing database cluster down")
    OutageFactory(
        cmdb_ci=sold.graph.server,
        task=incident,
        begin=timezone.now() - datetime.timedelta(minutes=40),
        end=None,
        short_description="The billing database cluster is down; invoices cannot be created.",
    )
    OfferingCommitmentFactory(
        service_offering=sold.graph.gold,
        service_commitment__name="Billing Gold availability",
        service_commitment__type="availability",
        service_commitment__target_value="99.9",
        service_commitment__target_unit="%",
        service_commitment__schedule="24x7",
    )
    open_proactive_cases_for(incident)
    return incident


def sign_in(page, live_server, username, lands_on):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}{lands_on}")


def save(page, name):
    if SCREENS:
        Path(SCREENS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENS) / name), full_page=True)


def test_contact_sees_the_outage_opens_the_proactive_case_and_a_new_one(live_server, page, sold, outage):
    sold.acme_contact.set_password(PASSWORD)
    sold.acme_contact.save()
    other_case = CaseFactory(account=sold.globex, short_description="Globex's own")

    sign_in(page, live_server, "pat.acme", "/support/")

    banner = page.get_by_role("alert")
    expect(banner).to_contain_text("Service outage: Acme billing tenant")
    expect(banner).to_contain_text("invoices cannot be created")
    expect(page.get_by_text("Billing Gold availability")).to_be_visible()
    save(page, "portal-status-outage-banner.png")

    proactive = Case.objects.get(account=sold.acme, incident=outage)
    page.get_by_role("link", name=proactive.number).click()
    expect(page.get_by_role("heading", name=proactive.number)).to_be_visible()
    expect(page.get_by_text("We opened this case for you")).to_be_visible()
    expect(page.get_by_role("listitem").get_by_role("link", name="Acme billing tenant")).to_be_visible()

    page.get_by_role("link", name="Open a case").first.click()
    page.get_by_label("Product").select_option(label="Billing Gold for Acme")
    page.get_by_label("Subject").fill("Invoices from yesterday are missing")
    page.get_by_label("Details").fill("Three invoices did not arrive.")
    page.get_by_role("button", name="Open case").click()

    new_case = Case.objects.get(short_description="Invoices from yesterday are missing")
    expect(page.get_by_role("heading", name=new_case.number)).to_be_visible()
    assert new_case.contact_id == sold.acme_contact.pk and new_case.sold_product == sold.acme_product

    response = page.goto(f"{live_server.url}/support/cases/{other_case.number}/")
    assert response.status == 404


def test_incident_page_lists_the_impacted_customers(live_server, page, sold, outage):
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    sign_in(page, live_server, "boss", "/catalog/")

    page.goto(f"{live_server.url}/admin/impact/incident/{outage.pk}/change/")

    table = page.locator("table.impacted-customers")
    expect(table).to_contain_text("Acme Retail")
    expect(table).to_contain_text("Globex")
    expect(table).to_contain_text("Dana Home")
    expect(table).not_to_contain_text("Bystander")
    page.locator("fieldset.impacted-parties").scroll_into_view_if_needed()
    save(page, "incident-admin-impacted-customers.png")
