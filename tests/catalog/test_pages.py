import pytest
from django.urls import reverse

from catalog.cart import add_to_cart, get_cart
from catalog.models import CartItem, Request
from catalog.ordering import place_order
from tests.factories.catalog import CatalogItemFactory, CategoryFactory
from tests.factories.cmdb import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "2f1d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b"


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def _order(user, count):
    for _ in range(count):
        add_to_cart(user, CatalogItemFactory(), 1, {})
    return place_order(get_cart(user), user)


def test_catalog_page_needs_login(client):
    response = client.get(reverse("catalog:index"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_login_page_renders_with_the_project_layout(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200 and b"runstage.css" in response.content


def test_catalog_page_shows_item_name_description_and_price(logged_in, item):
    content = logged_in.get(reverse("catalog:index")).content.decode()
    assert "Laptop" in content and "Order laptop" in content and "$1,200.00" in content


def test_catalog_search_filters_items(logged_in, item):
    CatalogItemFactory(name="Printer toner")
    content = logged_in.get(reverse("catalog:index"), {"q": "toner"}).content.decode()
    assert "Printer toner" in content and "Laptop" not in content


def test_catalog_category_filter_includes_subcategories(logged_in):
    hardware = CategoryFactory(title="Hardware")
    laptops = CategoryFactory(title="Laptops", catalog=hardware.catalog, parent=hardware)
    CatalogItemFactory(name="Thinkpad", category=laptops)
    CatalogItemFactory(name="Office chair")
    content = logged_in.get(reverse("catalog:index"), {"category": hardware.sys_id.hex}).content.decode()
    assert "Thinkpad" in content and "Office chair" not in content


def test_catalog_unknown_category_is_404(logged_in):
    assert logged_in.get(reverse("catalog:index"), {"category": "nope"}).status_code == 404


def test_item_page_shows_the_variables_as_a_form(logged_in, laptop_with_questions):
    content = logged_in.get(reverse("catalog:item", args=[laptop_with_questions.sys_id.hex])).content.decode()
    assert "Screen size" in content and "16 inch" in content and 'type="date"' in content


def test_add_to_cart_from_the_item_page(logged_in, user, laptop_with_questions):
    url = reverse("catalog:item", args=[laptop_with_questions.sys_id.hex])
    data = {"quantity": 2, "var_size": "14", "var_needed_by": "2030-02-01", "token": TOKEN, "action": "add"}
    response = logged_in.post(url, data)
    assert response.status_code == 302 and CartItem.objects.get().quantity == 2


def test_item_page_shows_the_fields_own_errors_and_creates_nothing(logged_in, laptop_with_questions):
    url = reverse("catalog:item", args=[laptop_with_questions.sys_id.hex])
    data = {
        "quantity": 1,
        "var_size": "99",
        "var_needed_by": "not a date",
        "var_monitors": "x",
        "action": "order",
    }
    content = logged_in.post(url, data).content.decode()
    assert "Select a valid choice." in content and "Enter a valid date." in content
    assert "Enter a whole number." in content
    assert not Request.objects.exists() and not CartItem.objects.exists()


def test_order_now_redirects_to_the_new_request(logged_in, item):
    url = reverse("catalog:item", args=[item.sys_id.hex])
    response = logged_in.post(url, {"quantity": 1, "token": TOKEN, "action": "order"})
    assert response["Location"] == reverse("catalog:request", args=[Request.objects.get().number])


def test_order_now_posted_twice_creates_one_request(logged_in, item):
    url = reverse("catalog:item", args=[item.sys_id.hex])
    data = {"quantity": 1, "token": TOKEN, "action": "order"}
    logged_in.post(url, data)
    logged_in.post(url, data)
    assert Request.objects.count() == 1


def test_checkout_posted_twice_creates_one_request(logged_in, user, item):
    add_to_cart(user, item, 1, {})
    version = get_cart(user).version
    first = logged_in.post(reverse("catalog:checkout"), {"version": version})
    second = logged_in.post(reverse("catalog:checkout"), {"version": version})
    assert Request.objects.count() == 1 and first["Location"] == second["Location"]


def test_cart_line_quantity_update(logged_in, user, item):
    line = add_to_cart(user, item, 1, {})
    logged_in.post(reverse("catalog:cart_line", args=[line.sys_id.hex]), {"quantity": 4, "action": "update"})
    line.refresh_from_db()
    assert line.quantity == 4


def test_cart_line_remove(logged_in, user, item):
    line = add_to_cart(user, item, 1, {})
    logged_in.post(reverse("catalog:cart_line", args=[line.sys_id.hex]), {"action": "remove"})
    assert not CartItem.objects.exists()


def test_someone_elses_cart_line_is_404(logged_in, item):
    line = add_to_cart(UserFactory(), item, 1, {})
    response = logged_in.post(reverse("catalog:cart_line", args=[line.sys_id.hex]), {"action": "remove"})
    assert response.status_code == 404 and CartItem.objects.exists()


def test_request_page_shows_state_stage_answers_and_price(
    logged_in, user, laptop_with_questions, good_answers
):
    add_to_cart(user, laptop_with_questions, 1, good_answers)
    placed = place_order(get_cart(user), user)
    content = logged_in.get(reverse("catalog:request", args=[placed.number])).content.decode()
    assert placed.items.get().number in content and "Request approved" in content
    assert "16 inch" in content and "$1,200.00" in content


def test_someone_elses_request_is_404(logged_in, item):
    other = UserFactory()
    add_to_cart(other, item, 1, {})
    placed = place_order(get_cart(other), other)
    assert logged_in.get(reverse("catalog:request", args=[placed.number])).status_code == 404


def test_manager_approves_from_the_approvals_page(client, manager, waiting_item):
    client.force_login(manager)
    client.post(reverse("catalog:decide", args=[waiting_item.number]), {"decision": "approve"})
    waiting_item.refresh_from_db()
    assert waiting_item.approval == "approved"


def test_reject_without_reason_is_refused_on_the_approvals_page(client, manager, waiting_item):
    client.force_login(manager)
    client.post(reverse("catalog:decide", args=[waiting_item.number]), {"decision": "reject", "reason": ""})
    waiting_item.refresh_from_db()
    assert waiting_item.approval == "requested"


def test_someone_else_cannot_decide_from_the_approvals_page(client, waiting_item):
    client.force_login(UserFactory())
    response = client.post(reverse("catalog:decide", args=[waiting_item.number]), {"decision": "approve"})
    assert response.status_code == 404


def _count_queries(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url_name", ["catalog:index", "catalog:cart"])
def test_catalog_and_cart_query_counts_do_not_grow_with_items(
    logged_in, user, url_name, django_assert_max_num_queries
):
    url = reverse(url_name)
    category = CategoryFactory()
    add_to_cart(user, CatalogItemFactory(category=category), 1, {})
    with_one = _count_queries(logged_in, url, django_assert_max_num_queries, 20)
    for _ in range(14):
        add_to_cart(user, CatalogItemFactory(category=CategoryFactory()), 1, {})
    assert _count_queries(logged_in, url, django_assert_max_num_queries, with_one) == with_one


def test_requests_page_query_count_does_not_grow_with_requests(
    logged_in, user, django_assert_max_num_queries
):
    url = reverse("catalog:requests")
    _order(user, 1)
    with_one = _count_queries(logged_in, url, django_assert_max_num_queries, 20)
    for _ in range(14):
        _order(user, 2)
    assert _count_queries(logged_in, url, django_assert_max_num_queries, with_one) == with_one


def test_request_page_query_count_does_not_grow_with_items(logged_in, user, django_assert_max_num_queries):
    small, large = _order(user, 1), _order(user, 15)
    with_one = _count_queries(
        logged_in, reverse("catalog:request", args=[small.number]), django_assert_max_num_queries, 20
    )
    url = reverse("catalog:request", args=[large.number])
    assert _count_queries(logged_in, url, django_assert_max_num_queries, with_one) == with_one


def test_approvals_page_query_count_does_not_grow_with_waiting_items(
    client, user, manager, approval_item, django_assert_max_num_queries
):
    client.force_login(manager)
    add_to_cart(user, approval_item, 1, {})
    place_order(get_cart(user), user)
    with_one = _count_queries(client, reverse("catalog:approvals"), django_assert_max_num_queries, 20)
    for _ in range(14):
        add_to_cart(user, approval_item, 1, {})
    place_order(get_cart(user), user)
    assert (
        _count_queries(client, reverse("catalog:approvals"), django_assert_max_num_queries, with_one)
        == with_one
    )


def test_item_page_query_count_does_not_grow_with_offerings(logged_in, user, django_assert_max_num_queries):
    from tests.factories.catalog import CatalogItemOfferingFactory, ItemVariableFactory
    from tests.factories.offerings import OfferingCommitmentFactory

    item = CatalogItemFactory()
    url = reverse("catalog:item", args=[item.sys_id.hex])
    OfferingCommitmentFactory(service_offering=CatalogItemOfferingFactory(catalog_item=item).service_offering)
    ItemVariableFactory(catalog_item=item)
    with_one = _count_queries(logged_in, url, django_assert_max_num_queries, 20)
    for _ in range(14):
        link = CatalogItemOfferingFactory(catalog_item=item)
        OfferingCommitmentFactory(service_offering=link.service_offering)
        ItemVariableFactory(catalog_item=item)
    assert _count_queries(logged_in, url, django_assert_max_num_queries, with_one) == with_one
