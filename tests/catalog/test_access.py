import pytest
from django.urls import reverse

from catalog.access import can_order, orderable_items
from tests.factories.catalog import CatalogItemFactory, CatalogItemOfferingFactory
from tests.factories.cmdb import CompanyFactory, UserFactory
from tests.factories.offerings import CompanySubscriptionFactory, UserSubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribers_only():
    """An item ordered through an offering, orderable only by that offering's subscribers."""
    return CatalogItemOfferingFactory(catalog_item__name="VPN token")


def test_item_open_to_everyone_is_orderable_by_any_user():
    item = CatalogItemFactory(available_to_all=True)
    assert can_order(UserFactory(), item)


def test_subscribers_only_item_is_not_orderable_by_a_non_subscriber(subscribers_only):
    assert not can_order(UserFactory(), subscribers_only.catalog_item)


def test_subscribers_only_item_is_orderable_by_a_direct_subscriber(subscribers_only):
    user = UserFactory()
    UserSubscriptionFactory(service_offering=subscribers_only.service_offering, user=user)
    assert can_order(user, subscribers_only.catalog_item)


def test_subscribers_only_item_is_orderable_through_the_users_company(subscribers_only):
    company = CompanyFactory()
    CompanySubscriptionFactory(service_offering=subscribers_only.service_offering, company=company)
    assert can_order(UserFactory(company=company), subscribers_only.catalog_item)


def test_inactive_item_is_orderable_by_nobody():
    item = CatalogItemFactory(available_to_all=True, active=False)
    assert not can_order(UserFactory(), item)


def test_inactive_item_is_not_orderable_by_its_subscribers(subscribers_only):
    user = UserFactory()
    UserSubscriptionFactory(service_offering=subscribers_only.service_offering, user=user)
    subscribers_only.catalog_item.active = False
    subscribers_only.catalog_item.save()
    assert not can_order(user, subscribers_only.catalog_item)


def test_item_neither_open_nor_linked_to_an_offering_is_orderable_by_nobody():
    item = CatalogItemFactory(available_to_all=False)
    assert not can_order(UserFactory(), item)


def test_orderable_items_lists_an_item_once_when_subscribed_through_two_offerings():
    link = CatalogItemOfferingFactory()
    second = CatalogItemOfferingFactory(catalog_item=link.catalog_item)
    user = UserFactory()
    UserSubscriptionFactory(service_offering=link.service_offering, user=user)
    UserSubscriptionFactory(service_offering=second.service_offering, user=user)
    assert list(orderable_items(user)) == [link.catalog_item]


def test_catalog_page_hides_subscribers_only_item_from_non_subscriber(client, subscribers_only):
    client.force_login(UserFactory())
    response = client.get(reverse("catalog:index"))
    assert "VPN token" not in response.content.decode()


def test_item_page_is_404_for_non_subscriber(client, subscribers_only):
    client.force_login(UserFactory())
    response = client.get(reverse("catalog:item", args=[subscribers_only.catalog_item.sys_id.hex]))
    assert response.status_code == 404


def test_item_page_opens_after_subscribing(client, subscribers_only):
    user = UserFactory()
    client.force_login(user)
    UserSubscriptionFactory(service_offering=subscribers_only.service_offering, user=user)
    response = client.get(reverse("catalog:item", args=[subscribers_only.catalog_item.sys_id.hex]))
    assert response.status_code == 200


def test_catalog_page_lists_subscribers_only_item_after_subscribing(client, subscribers_only):
    user = UserFactory()
    UserSubscriptionFactory(service_offering=subscribers_only.service_offering, user=user)
    client.force_login(user)
    response = client.get(reverse("catalog:index"))
    assert "VPN token" in response.content.decode()


def test_item_page_is_404_for_inactive_item(client):
    item = CatalogItemFactory(active=False)
    client.force_login(UserFactory())
    assert client.get(reverse("catalog:item", args=[item.sys_id.hex])).status_code == 404


def test_ordering_a_forbidden_item_by_post_is_404(client, subscribers_only):
    client.force_login(UserFactory())
    url = reverse("catalog:item", args=[subscribers_only.catalog_item.sys_id.hex])
    response = client.post(url, {"quantity": 1, "action": "add"})
    assert response.status_code == 404
