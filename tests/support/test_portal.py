"""The customer portal: a contact's own account only, status banners and notices, cases."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.models import Case, CaseState
from tests.factories.cmdb import UserFactory
from tests.factories.customers import CaseFactory, InstallBaseItemFactory
from tests.factories.impact import IncidentFactory
from tests.factories.owners import OutageFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def signed_in(client, user):
    client.force_login(user)
    return client


def test_anonymous_visitors_are_asked_to_log_in(client):
    response = client.get(reverse("support:status"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_employees_are_sent_to_the_catalog(client):
    response = signed_in(client, UserFactory()).get(reverse("support:status"))
    assert response.status_code == 302
    assert response.url == reverse("catalog:index")


def test_the_site_root_sends_contacts_to_the_portal_and_employees_to_the_catalog(client, sold):
    assert signed_in(client, sold.acme_contact).get("/").url == reverse("support:status")
    assert signed_in(client, UserFactory()).get("/").url == reverse("catalog:index")


def test_status_page_shows_products_with_commitments_items_and_no_banner_when_all_runs(client, sold):
    from tests.factories.offerings import OfferingCommitmentFactory

    OfferingCommitmentFactory(service_offering=sold.graph.gold, service_commitment__name="99.9% monthly")

    html = signed_in(client, sold.acme_contact).get(reverse("support:status")).content.decode()

    assert "Billing Gold for Acme" in html
    assert "99.9% monthly" in html
    assert "Acme billing tenant" in html
    assert "Operational" in html
    assert 'class="banner' not in html
    assert "Globex payroll" not in html  # another account's installation


def test_an_open_outage_below_an_installation_shows_a_banner(client, sold):
    incident = IncidentFactory(cmdb_ci=sold.graph.server)
    OutageFactory(
        cmdb_ci=sold.graph.server,
        begin=NOW - datetime.timedelta(hours=1),
        end=None,
        short_description="Billing database cluster down",
        task=incident,
    )

    html = signed_in(client, sold.acme_contact).get(reverse("support:status")).content.decode()

    assert 'class="banner outage"' in html
    assert "Service outage: Acme billing tenant" in html
    assert "Billing database cluster down" in html
    assert incident.number in html


def test_an_outage_elsewhere_shows_no_banner(client, sold):
    OutageFactory(cmdb_ci=sold.graph.monitoring, begin=NOW - datetime.timedelta(hours=1), end=None)
    OutageFactory(
        cmdb_ci=sold.graph.server,
        begin=NOW - datetime.timedelta(days=2),
        end=NOW - datetime.timedelta(days=1),
    )

    html = signed_in(client, sold.acme_contact).get(reverse("support:status")).content.decode()

    assert 'class="banner' not in html


def test_a_planned_outage_shows_a_notice_with_its_window(client, sold):
    begin = NOW + datetime.timedelta(days=2)
    OutageFactory(
        cmdb_ci=sold.graph.server,
        type="planned",
        begin=begin,
        end=begin + datetime.timedelta(hours=2),
        short_description="Database upgrade",
    )

    html = signed_in(client, sold.acme_contact).get(reverse("support:status")).content.decode()

    assert 'class="notice"' in html
    assert "Planned maintenance: Acme billing tenant" in html
    assert timezone.localtime(begin).strftime("%b %-d, %Y %H:%M") in html
    assert 'class="banner' not in html


def test_status_page_query_count_does_not_grow_with_installations(client, sold):
    OutageFactory(cmdb_ci=sold.graph.server, begin=NOW - datetime.timedelta(hours=1), end=None)
    client = signed_in(client, sold.acme_contact)
    client.get(reverse("support:status"))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("support:status")).status_code == 200
        return len(queries)

    before = count()
    for _ in range(5):
        InstallBaseItemFactory(account=sold.acme, configuration_item=sold.graph.app_service)
    assert count() == before


@pytest.mark.parametrize("kind", ["case", "product", "item"])
def test_another_accounts_records_are_404(client, sold, kind):
    other_case = CaseFactory(account=sold.globex)
    urls = {
        "case": reverse("support:case", args=[other_case.number]),
        "product": reverse("support:product", args=[sold.dana.sold_products.get().sys_id.hex]),
        "item": reverse("support:item", args=[sold.globex_item.sys_id.hex]),
    }
    assert signed_in(client, sold.acme_contact).get(urls[kind]).status_code == 404


def test_own_records_open(client, sold):
    case = CaseFactory(account=sold.acme)
    client = signed_in(client, sold.acme_contact)
    assert client.get(reverse("support:case", args=[case.number])).status_code == 200
    assert client.get(reverse("support:product", args=[sold.acme_product.sys_id.hex])).status_code == 200
    assert client.get(reverse("support:item", args=[sold.acme_item.sys_id.hex])).status_code == 200
    assert client.get(reverse("support:item", args=["not-a-sys-id"])).status_code == 404


def test_a_contact_opens_a_case_on_a_sold_product(client, sold):
    response = signed_in(client, sold.acme_contact).post(
        reverse("support:case_new"),
        {
            "sold_product": sold.acme_product.sys_id.hex,
            "short_description": "Invoices are late",
            "description": "x",
        },
    )

    case = Case.objects.get(short_description="Invoices are late")
    assert response.url == reverse("support:case", args=[case.number])
    assert (case.account, case.contact, case.sold_product) == (
        sold.acme,
        sold.acme_contact.customercontact,
        sold.acme_product,
    )
    assert case.service_offering == sold.graph.gold and not case.proactive


def test_a_case_on_another_accounts_installation_is_refused(client, sold):
    response = signed_in(client, sold.acme_contact).post(
        reverse("support:case_new"),
        {"install_base_item": sold.globex_item.sys_id.hex, "short_description": "Not mine"},
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Case.objects.exists()


def test_a_case_needs_a_product_or_an_installation(client, sold):
    response = signed_in(client, sold.acme_contact).post(
        reverse("support:case_new"), {"short_description": "Hm"}
    )

    assert "Choose the product or the installation" in response.content.decode()
    assert not Case.objects.exists()


def test_a_resolved_proactive_case_explains_the_outage_and_can_be_reopened(client, sold):
    incident = IncidentFactory(cmdb_ci=sold.graph.server)
    outage = OutageFactory(cmdb_ci=sold.graph.server, begin=NOW - datetime.timedelta(hours=1), end=None)
    case = CaseFactory(
        account=sold.acme,
        proactive=True,
        incident=incident,
        outage=outage,
        state=CaseState.RESOLVED,
        close_notes="Fixed",
    )
    client = signed_in(client, sold.acme_contact)

    html = client.get(reverse("support:case", args=[case.number])).content.decode()
    assert "We opened this case for you" in html
    assert "Reopen this case" in html

    client.post(reverse("support:case_reopen", args=[case.number]))
    case.refresh_from_db()
    assert case.state == CaseState.OPEN
