"""Saves screenshots of the catalog pages to screenshots/ (gitignored) for a look at the product.

Run on its own with `pytest tests/browser/test_screenshots.py`; it also checks that each page
rendered what it should, so a broken page fails instead of producing a broken picture.
"""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from catalog.cart import add_to_cart, get_cart
from catalog.ordering import place_order
from offerings.models import ServiceCommitment
from tests.factories.catalog import (
    CatalogFactory,
    CatalogItemFactory,
    CatalogItemOfferingFactory,
    CategoryFactory,
    ItemVariableFactory,
    VariableChoiceFactory,
)
from tests.factories.cmdb import UserFactory
from tests.factories.offerings import (
    OfferingCommitmentFactory,
    ServiceCommitmentFactory,
    ServiceOfferingFactory,
    UserSubscriptionFactory,
)

SCREENSHOTS = Path(settings.BASE_DIR) / "screenshots"


@pytest.fixture
def shop(transactional_db):
    """A small, realistic catalog: two catalogs, nested categories, priced items, offerings."""
    it = CatalogFactory(title="IT services", description="Hardware, software and access.")
    workplace = CatalogFactory(title="Workplace")
    hardware = CategoryFactory(catalog=it, title="Hardware", order=1)
    laptops = CategoryFactory(catalog=it, parent=hardware, title="Laptops")
    software = CategoryFactory(catalog=it, title="Software", order=2)
    access = CategoryFactory(catalog=it, title="Access", order=3)
    facilities = CategoryFactory(catalog=workplace, title="Facilities")

    laptop = CatalogItemFactory(
        name="Developer laptop",
        short_description="16-inch laptop with 64 GB memory, set up for development.",
        description="Ships with the standard developer image.\n\nThe old device is collected on delivery.",
        category=laptops,
        price="1890.00",
        delivery_time=datetime.timedelta(days=5),
        catalogs=[it],
    )
    memory = ItemVariableFactory(
        catalog_item=laptop, name="memory", question_text="Memory", type="choice", mandatory=True, order=1
    )
    VariableChoiceFactory(question=memory, text="32 GB", value="32", order=1)
    VariableChoiceFactory(question=memory, text="64 GB", value="64", order=2)
    ItemVariableFactory(
        catalog_item=laptop, name="needed_by", question_text="Needed by", type="date", mandatory=True, order=2
    )
    ItemVariableFactory(
        catalog_item=laptop,
        name="docking",
        question_text="Add a docking station",
        type="checkbox",
        order=3,
        help_text="USB-C dock with two display outputs.",
    )
    ItemVariableFactory(
        catalog_item=laptop,
        name="notes",
        question_text="Notes for the technician",
        type="multi_line_text",
        order=4,
    )

    crm = ServiceOfferingFactory(name="CRM Standard", price="35.00", price_unit="per user per month")
    for commitment in (
        ServiceCommitmentFactory(
            name="CRM availability", target_value="99.9", target_unit="%", schedule="24x7"
        ),
        ServiceCommitmentFactory(
            name="P2 response",
            type=ServiceCommitment.Type.RESPONSE_TIME,
            target_value="4",
            target_unit="hours",
            schedule="Mon-Fri 08:00-18:00",
        ),
    ):
        OfferingCommitmentFactory(service_offering=crm, service_commitment=commitment)
    crm_access = CatalogItemFactory(
        name="CRM access",
        short_description="An account on the CRM, with the sales role of your choice.",
        category=software,
        price="0",
        recurring_price="35.00",
        recurring_frequency="monthly",
        available_to_all=True,
        delivery_time=datetime.timedelta(hours=4),
        catalogs=[it],
    )
    CatalogItemOfferingFactory(catalog_item=crm_access, service_offering=crm)
    CatalogItemFactory(
        name="Production access",
        short_description="Time-limited access to production systems.",
        category=access,
        price="0",
        approval_required=True,
        delivery_time=datetime.timedelta(days=1),
        catalogs=[it],
    )
    CatalogItemFactory(
        name="Headset",
        short_description="Noise-cancelling headset for calls.",
        category=hardware,
        price="89.00",
        catalogs=[it],
    )
    CatalogItemFactory(
        name="Standing desk",
        short_description="Electric sit-stand desk, delivered and assembled.",
        category=facilities,
        price="640.00",
        delivery_time=datetime.timedelta(days=10),
        catalogs=[workplace],
    )
    vpn = CatalogItemOfferingFactory(
        catalog_item__name="VPN hardware token",
        catalog_item__short_description="For CRM users who travel.",
        catalog_item__category=access,
        service_offering=crm,
    )
    manager = UserFactory(username="morgan", first_name="Morgan", last_name="Lee")
    user = UserFactory(username="sam", first_name="Sam", last_name="Rivera", manager=manager)
    UserSubscriptionFactory(service_offering=crm, user=user)
    return {"user": user, "manager": manager, "laptop": laptop, "vpn": vpn.catalog_item}


def _shoot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_screenshots_of_the_catalog_pages(live_server, page, log_in, shop):
    for old in SCREENSHOTS.glob("0*.png"):
        old.unlink()
    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto(f"{live_server.url}/accounts/login/")
    _shoot(page, "01-login")

    user = shop["user"]
    log_in(page, user)
    expect(page.get_by_role("link", name="VPN hardware token")).to_be_visible()
    _shoot(page, "02-catalog")

    page.get_by_role("link", name="CRM access").click()
    expect(page.get_by_text("P2 response")).to_be_visible()
    _shoot(page, "03-item-with-offering")

    page.goto(f"{live_server.url}/catalog/")
    page.get_by_role("link", name="Developer laptop").click()
    _shoot(page, "03-item")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    _shoot(page, "04-item-errors")

    page.get_by_label("Memory").select_option(label="64 GB")
    page.get_by_label("Needed by").fill("2030-03-01")
    page.get_by_label("Add a docking station").check()
    page.get_by_role("button", name="Add to cart").click()
    page.goto(f"{live_server.url}/catalog/")
    page.get_by_role("link", name="Production access").click()
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("button", name="Checkout")).to_be_visible()
    _shoot(page, "05-cart")

    page.get_by_role("button", name="Checkout").click()
    expect(page.get_by_text("Waiting for approval").first).to_be_visible()
    _shoot(page, "06-request")

    add_to_cart(user, shop["vpn"], 1, {})
    place_order(get_cart(user), user)
    page.get_by_role("link", name="My requests").first.click()
    _shoot(page, "07-my-requests")

    page.context.clear_cookies()
    log_in(page, shop["manager"])
    page.get_by_role("link", name="Approvals").click()
    expect(page.get_by_role("button", name="Approve")).to_be_visible()
    _shoot(page, "08-approvals")

    assert sorted(path.name for path in SCREENSHOTS.glob("0*.png")) == [
        "01-login.png",
        "02-catalog.png",
        "03-item-with-offering.png",
        "03-item.png",
        "04-item-errors.png",
        "05-cart.png",
        "06-request.png",
        "07-my-requests.png",
        "08-approvals.png",
    ]
