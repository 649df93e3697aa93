import re

import pytest
from playwright.sync_api import expect

from catalog.models import Request
from offerings.models import UserSubscription
from tests.factories.catalog import (
    CatalogItemFactory,
    CatalogItemOfferingFactory,
    ItemVariableFactory,
    VariableChoiceFactory,
)
from tests.factories.cmdb import UserFactory


@pytest.fixture
def laptop(transactional_db):
    item = CatalogItemFactory(name="Developer laptop", short_description="A 16-inch laptop", price="1500.00")
    size = ItemVariableFactory(
        catalog_item=item, name="memory", question_text="Memory", type="choice", mandatory=True, order=1
    )
    VariableChoiceFactory(question=size, text="32 GB", value="32", order=1)
    VariableChoiceFactory(question=size, text="64 GB", value="64", order=2)
    ItemVariableFactory(
        catalog_item=item, name="needed_by", question_text="Needed by", type="date", mandatory=True, order=2
    )
    ItemVariableFactory(catalog_item=item, name="justification", question_text="Why do you need it", order=3)
    return item


def test_new_user_logs_in_orders_an_item_and_sees_the_request(live_server, page, log_in, laptop):
    user = UserFactory(username="newcomer")
    log_in(page, user)

    page.get_by_role("link", name="Developer laptop").click()
    page.get_by_label("Memory").select_option(label="64 GB")
    page.get_by_label("Needed by").fill("2030-03-01")
    page.get_by_label("Why do you need it").fill("Building the new portal")
    page.get_by_role("button", name="Order now").click()

    number = Request.objects.get(requested_for=user).number
    expect(page.get_by_role("heading", name=number)).to_be_visible()
    expect(page.get_by_text("64 GB")).to_be_visible()
    page.get_by_role("link", name="My requests").first.click()
    expect(page.get_by_role("link", name=number)).to_be_visible()


def test_a_missing_required_answer_shows_the_error_and_orders_nothing(live_server, page, log_in, laptop):
    log_in(page, UserFactory())
    page.goto(f"{live_server.url}/catalog/item/{laptop.sys_id.hex}/")
    page.get_by_label("Needed by").fill("2030-03-01")
    page.get_by_role("button", name="Order now").click()

    expect(page.get_by_text("This field is required.")).to_be_visible()
    assert not Request.objects.exists()


def test_cart_with_two_items_checks_out_into_one_request(live_server, page, log_in, transactional_db):
    user = UserFactory()
    CatalogItemFactory(name="Headset", price="80.00")
    CatalogItemFactory(name="Second monitor", price="220.00")
    log_in(page, user)

    for name in ("Headset", "Second monitor"):
        page.goto(f"{live_server.url}/catalog/")
        page.get_by_role("link", name=name).click()
        page.get_by_role("button", name="Add to cart").click()
        expect(page.get_by_text(f"{name} was added to your cart.")).to_be_visible()
    page.get_by_label("Quantity of Headset").fill("2")
    page.get_by_role("row", name=re.compile("Headset")).get_by_role("button", name="Update").click()
    expect(page.get_by_text("$380.00")).to_be_visible()
    page.get_by_role("button", name="Checkout").click()

    request = Request.objects.get(requested_for=user)
    expect(page.get_by_role("heading", name=request.number)).to_be_visible()
    assert request.items.count() == 2 and str(request.price) == "380.00"


def test_manager_approves_an_item_ordered_by_their_report(
    live_server, browser, page, log_in, transactional_db
):
    manager = UserFactory(username="boss", first_name="Bea", last_name="Boss")
    report = UserFactory(username="report", manager=manager)
    CatalogItemFactory(name="Production access", approval_required=True)

    log_in(page, report)
    page.get_by_role("link", name="Production access").click()
    page.get_by_role("button", name="Order now").click()
    expect(page.get_by_text("Waiting for approval")).to_be_visible()
    ritm = Request.objects.get(requested_for=report).items.get()

    manager_page = browser.new_context(base_url=live_server.url).new_page()
    log_in(manager_page, manager)
    manager_page.get_by_role("link", name="Approvals").click()
    manager_page.get_by_role("button", name="Approve").click()
    expect(manager_page.get_by_text(f"{ritm.number} approved.")).to_be_visible()

    page.reload()
    expect(page.get_by_text("Request approved").first).to_be_visible()
    manager_page.context.close()


def test_subscribers_only_item_appears_once_the_user_subscribes(live_server, page, log_in, transactional_db):
    link = CatalogItemOfferingFactory(catalog_item__name="VPN hardware token")
    user = UserFactory()
    log_in(page, user)
    expect(page.get_by_role("link", name="VPN hardware token")).to_have_count(0)
    response = page.goto(f"{live_server.url}/catalog/item/{link.catalog_item.sys_id.hex}/")
    assert response.status == 404

    UserSubscription.objects.create(service_offering=link.service_offering, user=user)
    page.goto(f"{live_server.url}/catalog/")
    page.get_by_role("link", name="VPN hardware token").click()
    expect(page.get_by_role("heading", name="VPN hardware token")).to_be_visible()
