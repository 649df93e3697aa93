import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.cart import add_to_cart, get_cart
from catalog.models import RequestState, State
from catalog.ordering import order_now, place_order
from tests.factories.catalog import CatalogItemFactory, CatalogItemOfferingFactory, ItemVariableFactory

pytestmark = pytest.mark.django_db


def _act(admin_client, action, item):
    return admin_client.post(
        reverse("admin:catalog_requesteditem_changelist"),
        {"action": action, "_selected_action": [item.pk]},
        follow=True,
    )


def test_deliver_action_closes_the_item_and_its_request(admin_client, ordered_item):
    _act(admin_client, "deliver_item", ordered_item)
    ordered_item.refresh_from_db()
    assert ordered_item.state == State.CLOSED_COMPLETE
    assert ordered_item.request.request_state == RequestState.CLOSED_COMPLETE


def test_start_work_action_is_refused_while_approval_is_pending(admin_client, waiting_item):
    response = _act(admin_client, "start_work", waiting_item)
    waiting_item.refresh_from_db()
    assert waiting_item.state == State.OPEN
    assert "cannot be worked on" in response.content.decode()


def test_skip_action_closes_the_request_incomplete(admin_client, ordered_item):
    _act(admin_client, "skip_item", ordered_item)
    ordered_item.refresh_from_db()
    assert ordered_item.request.request_state == RequestState.CLOSED_INCOMPLETE


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:catalog_catalog_changelist",
        "admin:catalog_category_changelist",
        "admin:catalog_catalogitem_changelist",
        "admin:catalog_request_changelist",
        "admin:catalog_requesteditem_changelist",
    ],
)
def test_admin_lists_render(admin_client, ordered_item, url_name):
    assert admin_client.get(reverse(url_name)).status_code == 200


def test_item_change_page_shows_variable_and_offering_inlines(admin_client):
    item = CatalogItemFactory()
    ItemVariableFactory(catalog_item=item, question_text="Cost center")
    content = admin_client.get(reverse("admin:catalog_catalogitem_change", args=[item.pk])).content.decode()
    assert "Cost center" in content and "offerings this item orders" in content.lower()


def test_request_change_page_shows_its_items(admin_client, ordered_item):
    url = reverse("admin:catalog_request_change", args=[ordered_item.request.pk])
    assert ordered_item.number in admin_client.get(url).content.decode()


def _query_count(admin_client, url):
    admin_client.get(url)  # warm per-process caches (content types)
    with CaptureQueriesContext(connection) as captured:
        assert admin_client.get(url).status_code == 200
    return len(captured)


def test_item_page_query_count_does_not_grow_with_inline_rows(admin_client):
    item = CatalogItemFactory()
    url = reverse("admin:catalog_catalogitem_change", args=[item.pk])
    CatalogItemOfferingFactory(catalog_item=item)
    ItemVariableFactory(catalog_item=item)
    with_one_row_each = _query_count(admin_client, url)
    for _ in range(5):
        CatalogItemOfferingFactory(catalog_item=item)
        ItemVariableFactory(catalog_item=item)
    assert _query_count(admin_client, url) == with_one_row_each


def test_request_page_query_count_does_not_grow_with_its_items(admin_client, user):
    request = order_now(user, CatalogItemFactory(available_to_all=True), 1, {}, uuid.uuid4())
    url = reverse("admin:catalog_request_change", args=[request.pk])
    with_one_item = _query_count(admin_client, url)
    cart = get_cart(user)
    for _ in range(5):
        add_to_cart(user, CatalogItemFactory(available_to_all=True))
    larger = place_order(cart, user)
    assert (
        _query_count(admin_client, reverse("admin:catalog_request_change", args=[larger.pk])) == with_one_item
    )


def test_item_list_finds_an_item_by_sys_id(admin_client):
    item = CatalogItemFactory()
    CatalogItemFactory()
    response = admin_client.get(reverse("admin:catalog_catalogitem_changelist"), {"q": item.sys_id.hex})
    assert list(response.context["cl"].result_list) == [item]
