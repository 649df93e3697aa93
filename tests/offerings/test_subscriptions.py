import pytest

from offerings.services import subscriptions_for
from tests.factories.cmdb import (
    CompanyFactory,
    DepartmentFactory,
    GroupMembershipFactory,
    LocationFactory,
    UserFactory,
)
from tests.factories.offerings import (
    CompanySubscriptionFactory,
    DepartmentSubscriptionFactory,
    GroupSubscriptionFactory,
    LocationSubscriptionFactory,
    ServiceOfferingFactory,
    UserSubscriptionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    department = DepartmentFactory()
    return UserFactory(company=department.company, department=department, location=LocationFactory())


def subscribed_names(user):
    return sorted(subscriptions_for(user).values_list("name", flat=True))


def test_user_subscribes_through_their_own_row(user):
    offering = UserSubscriptionFactory(user=user).service_offering
    assert list(subscriptions_for(user)) == [offering]


def test_user_subscribes_through_their_company(user):
    offering = CompanySubscriptionFactory(company=user.company).service_offering
    assert list(subscriptions_for(user)) == [offering]


def test_user_subscribes_through_their_department(user):
    offering = DepartmentSubscriptionFactory(department=user.department).service_offering
    assert list(subscriptions_for(user)) == [offering]


def test_user_subscribes_through_their_location(user):
    offering = LocationSubscriptionFactory(location=user.location).service_offering
    assert list(subscriptions_for(user)) == [offering]


def test_user_subscribes_through_a_group_they_belong_to(user):
    group = GroupMembershipFactory(user=user).group
    offering = GroupSubscriptionFactory(group=group).service_offering
    assert list(subscriptions_for(user)) == [offering]


def test_offerings_without_a_route_to_the_user_are_left_out(user):
    UserSubscriptionFactory(user=UserFactory())
    CompanySubscriptionFactory(company=CompanyFactory())
    DepartmentSubscriptionFactory(department=DepartmentFactory(company=user.company))
    LocationSubscriptionFactory(location=LocationFactory())
    GroupSubscriptionFactory()  # a group the user is not a member of
    ServiceOfferingFactory()  # no subscribers at all
    assert subscribed_names(user) == []


def test_user_without_company_department_or_location_still_gets_their_own_rows():
    loner = UserFactory()
    CompanySubscriptionFactory()
    offering = UserSubscriptionFactory(user=loner).service_offering
    assert list(subscriptions_for(loner)) == [offering]


def test_offering_reached_through_several_routes_is_listed_once(user):
    offering = UserSubscriptionFactory(user=user).service_offering
    CompanySubscriptionFactory(service_offering=offering, company=user.company)
    LocationSubscriptionFactory(service_offering=offering, location=user.location)
    assert list(subscriptions_for(user)) == [offering]


def plant_subscriptions_on_every_route(user, count):
    for _ in range(count):
        UserSubscriptionFactory(user=user)
        CompanySubscriptionFactory(company=user.company)
        DepartmentSubscriptionFactory(department=user.department)
        LocationSubscriptionFactory(location=user.location)
        GroupSubscriptionFactory(group=GroupMembershipFactory(user=user).group)


@pytest.mark.parametrize("count", [1, 10])
def test_subscriptions_take_one_query_whatever_the_number_of_rows(user, count, django_assert_num_queries):
    plant_subscriptions_on_every_route(user, count)
    with django_assert_num_queries(1):
        offerings = list(subscriptions_for(user))
    assert len(offerings) == 5 * count
