import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cmdb.models import BusinessCriticality
from offerings.models import OfferingCommitment
from tests.factories.cmdb import BusinessServiceFactory, UserFactory
from tests.factories.offerings import (
    CompanySubscriptionFactory,
    DepartmentSubscriptionFactory,
    GroupSubscriptionFactory,
    LocationSubscriptionFactory,
    OfferingCommitmentFactory,
    ServiceOfferingFactory,
    UserSubscriptionFactory,
)

pytestmark = pytest.mark.django_db

# (factory, subscriber field) for each subscribe-by table.
SUBSCRIPTION_FACTORIES = [
    pytest.param(UserSubscriptionFactory, "user", id="user"),
    pytest.param(CompanySubscriptionFactory, "company", id="company"),
    pytest.param(DepartmentSubscriptionFactory, "department", id="department"),
    pytest.param(LocationSubscriptionFactory, "location", id="location"),
    pytest.param(GroupSubscriptionFactory, "group", id="group"),
]


@pytest.fixture
def owned_service():
    return BusinessServiceFactory(
        owned_by=UserFactory(),
        managed_by=UserFactory(),
        business_criticality=BusinessCriticality.MOST_CRITICAL,
    )


def test_new_offering_takes_owner_from_its_parent(owned_service):
    offering = ServiceOfferingFactory(parent=owned_service)
    offering.refresh_from_db()
    assert offering.owned_by_id == owned_service.owned_by_id


def test_new_offering_takes_managed_by_from_its_parent(owned_service):
    offering = ServiceOfferingFactory(parent=owned_service)
    offering.refresh_from_db()
    assert offering.managed_by_id == owned_service.managed_by_id


def test_new_offering_takes_criticality_from_its_parent(owned_service):
    offering = ServiceOfferingFactory(parent=owned_service)
    offering.refresh_from_db()
    assert offering.business_criticality == BusinessCriticality.MOST_CRITICAL


def test_new_offering_keeps_its_own_owner_managed_by_and_criticality(owned_service):
    owner, manager = UserFactory(), UserFactory()
    offering = ServiceOfferingFactory(
        parent=owned_service,
        owned_by=owner,
        managed_by=manager,
        business_criticality=BusinessCriticality.NOT_CRITICAL,
    )
    offering.refresh_from_db()
    assert (offering.owned_by_id, offering.managed_by_id, offering.business_criticality) == (
        owner.pk,
        manager.pk,
        BusinessCriticality.NOT_CRITICAL,
    )


def test_offering_inherits_only_the_fields_it_lacks(owned_service):
    owner = UserFactory()
    offering = ServiceOfferingFactory(parent=owned_service, owned_by=owner)
    offering.refresh_from_db()
    assert (offering.owned_by_id, offering.managed_by_id) == (owner.pk, owned_service.managed_by_id)


def test_offering_without_parent_inherits_nothing():
    offering = ServiceOfferingFactory(parent=None)
    offering.refresh_from_db()
    assert (offering.owned_by_id, offering.managed_by_id, offering.business_criticality) == (None, None, "")


def test_existing_offering_does_not_inherit_again_on_save(owned_service):
    offering = ServiceOfferingFactory(parent=owned_service)
    offering.owned_by = None
    offering.business_criticality = ""
    offering.save()
    offering.refresh_from_db()
    assert (offering.owned_by_id, offering.business_criticality) == (None, "")


@pytest.mark.parametrize(("factory", "subscriber_field"), SUBSCRIPTION_FACTORIES)
def test_duplicate_subscription_is_refused_by_the_database(factory, subscriber_field):
    first = factory()
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(
            service_offering=first.service_offering, **{subscriber_field: getattr(first, subscriber_field)}
        )


@pytest.mark.parametrize(("factory", "subscriber_field"), SUBSCRIPTION_FACTORIES)
def test_duplicate_subscription_fails_validation_with_a_clear_message(factory, subscriber_field):
    first = factory()
    duplicate = factory.build(
        service_offering=first.service_offering, **{subscriber_field: getattr(first, subscriber_field)}
    )
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert excinfo.value.message_dict["__all__"] == ["This subscriber already subscribes to this offering."]


@pytest.mark.parametrize(("factory", "subscriber_field"), SUBSCRIPTION_FACTORIES)
def test_same_subscriber_may_subscribe_to_another_offering(factory, subscriber_field):
    first = factory()
    second = factory(**{subscriber_field: getattr(first, subscriber_field)})
    assert second.service_offering_id != first.service_offering_id


def test_duplicate_offering_commitment_is_refused_by_the_database():
    first = OfferingCommitmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        OfferingCommitment.objects.create(
            service_offering=first.service_offering, service_commitment=first.service_commitment
        )


def test_duplicate_offering_commitment_fails_validation_with_a_clear_message():
    first = OfferingCommitmentFactory()
    duplicate = OfferingCommitment(
        service_offering=first.service_offering, service_commitment=first.service_commitment
    )
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert excinfo.value.message_dict["__all__"] == ["This offering already carries this commitment."]
