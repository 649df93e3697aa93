"""The offering page: commitments and the five subscribe-by kinds inline, at a fixed query cost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from offerings.admin import CompanySubscriptionInline, OfferingCommitmentInline, format_target
from offerings.models import CompanySubscription, OfferingCommitment, ServiceCommitment, ServiceOffering
from tests.admin_helpers import add_inline_row, change_form_data, inline_prefix
from tests.factories.cmdb import BusinessServiceFactory, CompanyFactory, RelationshipFactory
from tests.factories.offerings import (
    CompanySubscriptionFactory,
    DepartmentSubscriptionFactory,
    GroupSubscriptionFactory,
    LocationSubscriptionFactory,
    OfferingCommitmentFactory,
    ServiceCommitmentFactory,
    ServiceOfferingFactory,
    UserSubscriptionFactory,
)

pytestmark = pytest.mark.django_db

ROW_FACTORIES = (
    OfferingCommitmentFactory,
    UserSubscriptionFactory,
    CompanySubscriptionFactory,
    DepartmentSubscriptionFactory,
    LocationSubscriptionFactory,
    GroupSubscriptionFactory,
)


def change_url(offering):
    return reverse("admin:offerings_serviceoffering_change", args=[offering.pk])


def add_one_row_of_each(offering):
    for factory in ROW_FACTORIES:
        factory(service_offering=offering)
    RelationshipFactory(parent=offering)
    RelationshipFactory(child=offering)


def test_offering_page_query_count_does_not_grow_with_inline_rows(admin_client):
    offering = ServiceOfferingFactory()
    add_one_row_of_each(offering)
    admin_client.get(change_url(offering))  # warm per-process caches (content types)
    with CaptureQueriesContext(connection) as captured:
        admin_client.get(change_url(offering))
    with_one_row_each = len(captured)
    for _ in range(14):
        add_one_row_of_each(offering)
    admin_client.get(change_url(offering))  # warm per-process caches (content types)
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(change_url(offering))
    assert response.status_code == 200
    assert len(captured) == with_one_row_each


@pytest.mark.parametrize(
    ("factory", "label"),
    [
        (
            lambda offering: UserSubscriptionFactory(
                service_offering=offering, user__first_name="Jane", user__last_name="Doe"
            ),
            "Jane Doe",
        ),
        (
            lambda offering: CompanySubscriptionFactory(service_offering=offering, company__name="ACME"),
            "ACME",
        ),
        (
            lambda offering: DepartmentSubscriptionFactory(
                service_offering=offering, department__name="Finance dept"
            ),
            "Finance dept",
        ),
        (
            lambda offering: LocationSubscriptionFactory(
                service_offering=offering, location__name="Paris HQ"
            ),
            "Paris HQ",
        ),
        (
            lambda offering: GroupSubscriptionFactory(service_offering=offering, group__name="Payroll team"),
            "Payroll team",
        ),
    ],
    ids=["user", "company", "department", "location", "group"],
)
def test_offering_page_shows_each_kind_of_subscriber(admin_client, factory, label):
    offering = ServiceOfferingFactory()
    factory(offering)
    assert label in admin_client.get(change_url(offering)).content.decode()


def test_offering_page_shows_commitments_with_their_target(admin_client):
    offering = ServiceOfferingFactory()
    OfferingCommitmentFactory(
        service_offering=offering,
        service_commitment__name="Gold availability",
        service_commitment__target_value="99.90",
    )
    content = admin_client.get(change_url(offering)).content.decode()
    assert "Gold availability" in content
    assert "99.9 %" in content


def test_a_commitment_is_added_through_the_offering_page(admin_client):
    offering = ServiceOfferingFactory()
    commitment = ServiceCommitmentFactory()
    page = admin_client.get(change_url(offering))
    data = change_form_data(page)
    add_inline_row(data, inline_prefix(page, OfferingCommitmentInline), service_commitment=commitment.pk)
    response = admin_client.post(change_url(offering), data)
    assert response.status_code == 302
    assert OfferingCommitment.objects.filter(
        service_offering=offering, service_commitment=commitment
    ).exists()


def test_a_duplicate_subscriber_is_refused_with_a_form_error(admin_client):
    offering = ServiceOfferingFactory()
    company = CompanyFactory()
    CompanySubscriptionFactory(service_offering=offering, company=company)
    page = admin_client.get(change_url(offering))
    data = change_form_data(page)
    add_inline_row(data, inline_prefix(page, CompanySubscriptionInline), company=company.pk)
    response = admin_client.post(change_url(offering), data)
    assert response.status_code == 200
    assert "This subscriber already subscribes to this offering." in response.content.decode()
    assert CompanySubscription.objects.count() == 1


def test_business_service_page_lists_its_offerings(admin_client):
    service = BusinessServiceFactory()
    ServiceOfferingFactory(parent=service, name="Payroll for SMEs")
    response = admin_client.get(reverse("admin:cmdb_businessservice_change", args=[service.pk]))
    assert "Payroll for SMEs" in response.content.decode()


def test_business_service_page_query_count_does_not_grow_with_offerings(admin_client):
    service = BusinessServiceFactory()
    ServiceOfferingFactory(parent=service)
    url = reverse("admin:cmdb_businessservice_change", args=[service.pk])
    admin_client.get(url)  # warm per-process caches (content types)
    with CaptureQueriesContext(connection) as captured:
        admin_client.get(url)
    with_one_offering = len(captured)
    for _ in range(14):
        ServiceOfferingFactory(parent=service)
    with CaptureQueriesContext(connection) as captured:
        admin_client.get(url)
    assert len(captured) == with_one_offering


def test_an_offering_added_on_the_business_service_page_belongs_to_it(admin_client):
    service = BusinessServiceFactory()
    url = reverse("admin:cmdb_businessservice_change", args=[service.pk])
    page = admin_client.get(url)
    data = change_form_data(page)
    prefix = next(
        inline.formset.prefix
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is ServiceOffering
    )
    add_inline_row(data, prefix, name="Payroll for SMEs", classification="Business Service", phase="catalog")
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert ServiceOffering.objects.get(name="Payroll for SMEs").parent_id == service.pk


def test_commitment_list_counts_offerings(admin_client):
    commitment = ServiceCommitmentFactory()
    OfferingCommitmentFactory(service_commitment=commitment)
    OfferingCommitmentFactory(service_commitment=commitment)
    response = admin_client.get(reverse("admin:offerings_servicecommitment_changelist"))
    assert [row.offering_count for row in response.context["cl"].result_list] == [2]


def test_commitment_list_filters_by_type(admin_client):
    ServiceCommitmentFactory(name="Four nines", type=ServiceCommitment.Type.AVAILABILITY)
    ServiceCommitmentFactory(name="Sunday night", type=ServiceCommitment.Type.MAINTENANCE_WINDOW)
    response = admin_client.get(
        reverse("admin:offerings_servicecommitment_changelist"), {"type__exact": "maintenance_window"}
    )
    assert [row.name for row in response.context["cl"].result_list] == ["Sunday night"]


def test_a_target_reads_as_people_write_it():
    commitment = ServiceCommitment(target_value="4.0000", target_unit="hours")
    commitment.target_value = commitment._meta.get_field("target_value").to_python(commitment.target_value)
    assert format_target(commitment) == "4 hours"
