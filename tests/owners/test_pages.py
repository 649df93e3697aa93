"""The owner pages: who sees what, what the service page shows, and what it costs."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from impact.models import ImpactedService, Incident
from portfolio.models import Initiative
from tests.factories.cmdb import BusinessServiceFactory, UserFactory
from tests.factories.owners import InitiativeFactory, OutageFactory
from tests.factories.portfolio import PortfolioNodeFactory

pytestmark = pytest.mark.django_db


def service_url(service):
    return reverse("portfolio:service", args=[service.sys_id_hex])


def months_ago(count, day=10, hour=8):
    """A moment `count` calendar months before this one, on a fixed day and hour."""
    now = timezone.now()
    index = now.year * 12 + now.month - 1 - count
    return datetime.datetime(index // 12, index % 12 + 1, day, hour, tzinfo=datetime.UTC)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("portfolio:index"))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_anonymous_visitor_cannot_open_a_service_page(client, stack):
    response = client.get(service_url(stack["service"]))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_owner_sees_own_service_in_the_portfolio(owner_client, stack):
    node = PortfolioNodeFactory(name="Human resources")
    stack["service"].portfolio = node
    stack["service"].save()
    response = owner_client.get(reverse("portfolio:index"))
    assert "Payroll" in response.content.decode() and "Human resources" in response.content.decode()


def test_owner_does_not_see_other_peoples_services(owner_client, stack):
    BusinessServiceFactory(name="Trading desk", owned_by=UserFactory())
    response = owner_client.get(reverse("portfolio:index"))
    assert "Trading desk" not in response.content.decode()


def test_owner_cannot_open_someone_elses_service_page(owner_client):
    other = BusinessServiceFactory(name="Trading desk", owned_by=UserFactory())
    assert owner_client.get(service_url(other)).status_code == 404


def test_staff_see_every_service(admin_client, stack):
    BusinessServiceFactory(name="Trading desk", owned_by=UserFactory())
    content = admin_client.get(reverse("portfolio:index")).content.decode()
    assert "Trading desk" in content and "Payroll" in content


def test_staff_can_filter_to_their_own_services(admin_client, admin_user):
    BusinessServiceFactory(name="Trading desk", owned_by=UserFactory())
    BusinessServiceFactory(name="Admin console", owned_by=admin_user)
    content = admin_client.get(reverse("portfolio:index"), {"mine": "1"}).content.decode()
    assert "Admin console" in content and "Trading desk" not in content


def test_service_with_an_open_outage_is_marked_down_in_the_tree(owner_client, stack):
    OutageFactory(cmdb_ci=stack["server"], begin=timezone.now() - datetime.timedelta(minutes=5), end=None)
    content = owner_client.get(reverse("portfolio:index")).content.decode()
    assert "1 open outage(s)" in content


def test_tree_query_count_does_not_grow_with_services_or_nodes(admin_client, stack):
    def count():
        with CaptureQueriesContext(connection) as queries:
            admin_client.get(reverse("portfolio:index"))
        return len(queries)

    count()  # the first request builds the impact graph and prepares its statements
    few = count()
    for index in range(10):
        node = PortfolioNodeFactory(name=f"Node {index}")
        BusinessServiceFactory(portfolio=node, owned_by=UserFactory())
    assert count() == few


def test_service_page_shows_this_months_commitment(owner_client, stack):
    content = owner_client.get(service_url(stack["service"])).content.decode()
    assert "99.9 % monthly" in content and "On track" in content


def test_availability_chart_shows_the_month_of_an_outage(owner_client, stack):
    begin = months_ago(2)
    OutageFactory(cmdb_ci=stack["server"], begin=begin, end=begin + datetime.timedelta(hours=2))
    content = owner_client.get(service_url(stack["service"])).content.decode()
    assert f"{begin:%b %Y}: " in content and "2 h 00 min down" in content


def test_incident_chart_counts_incidents_impacting_the_service(owner_client, stack):
    incident = Incident.objects.create(short_description="Payslips fail", opened_at=timezone.now())
    ImpactedService.objects.create(task=incident, service=stack["service"], manually_added=True)
    content = owner_client.get(service_url(stack["service"])).content.decode()
    assert "1 incident(s)" in content


def test_service_page_lists_initiatives(owner_client, stack):
    InitiativeFactory(service=stack["service"], title="Move payroll to a second site")
    content = owner_client.get(service_url(stack["service"])).content.decode()
    assert "Move payroll to a second site" in content


def test_dependency_picture_shows_the_server_below(owner_client, stack):
    content = owner_client.get(service_url(stack["service"])).content.decode()
    assert "srv-payroll-01" in content and "depth 3" in content


def test_service_page_query_count_does_not_grow_with_outages(owner_client, stack):
    def count():
        with CaptureQueriesContext(connection) as queries:
            response = owner_client.get(service_url(stack["service"]))
        assert response.status_code == 200
        return len(queries)

    OutageFactory(cmdb_ci=stack["server"], begin=months_ago(1), end=months_ago(1, hour=9))
    count()  # builds the in-memory impact graph, once per graph version
    one = count()
    for month in range(12):
        for day in (3, 13, 23):
            ci = stack["app"] if day == 13 else stack["server"]
            OutageFactory(cmdb_ci=ci, begin=months_ago(month, day), end=months_ago(month, day, hour=9))
        InitiativeFactory(service=stack["service"], state=Initiative.State.APPROVED)
    assert count() == one


def test_service_page_of_an_offering_shows_its_own_commitment(admin_client, stack):
    content = admin_client.get(service_url(stack["offering"])).content.decode()
    assert "99.9 % monthly" in content


def test_unknown_sys_id_is_not_found(admin_client):
    assert admin_client.get("/portfolio/services/not-a-sys-id/").status_code == 404


def index_queries(client, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("portfolio:index"), params)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_portfolio_is_paged_with_the_same_queries_for_10_and_10000_services(admin_client, monkeypatch):
    from portfolio import overview

    monkeypatch.setattr(overview, "PORTFOLIO_PAGE_SIZE", 10)
    node = PortfolioNodeFactory(name="Everything")
    BusinessServiceFactory.create_batch(10, portfolio=node)
    index_queries(admin_client)
    few, _ = index_queries(admin_client)
    BusinessServiceFactory.create_batch(9990, portfolio=node)

    many, content = index_queries(admin_client)
    _, second_page = index_queries(admin_client, page=2)

    assert many == few
    assert "Services 1–10 of 10000" in content and "Services 11–20 of 10000" in second_page
    assert content.count('class="svc"') == 10
    assert "10000 services" in content  # the node counts every page
