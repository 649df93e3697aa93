"""The demo's request catalog: it imports, prices items like their offerings, and the catalog user
persona (emma.clark) sees what demo/README.md says she sees, on both databases."""

import json
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from catalog.access import orderable_items
from catalog.approvals import approvals_for, approve
from catalog.fulfilment import deliver_item, start_work
from catalog.models import Catalog, CatalogItem, ItemVariable, VariableType
from catalog.ordering import order_now
from cmdb.models import User
from cmdb.servicenow.importer import import_folder

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "demo"
CATALOG_TABLES = (
    "sc_catalog",
    "sc_category",
    "sc_cat_item",
    "sc_cat_item_subscribe_mtom",
    "item_option_new",
    "question_choice",
)
# What demo/README.md ("Catalog") says emma.clark may order right after load_demo.
EMMA_SUBSCRIBED = {
    "Motor Claims – Gold seat",  # company Halvard Life, and her own subscription
    "Home Claims – Silver seat",  # group Claims Super Users
    "Travel Claims – claim referral",  # her own subscription
    "Claims Payments – UK payment approver",  # company Halvard Life
    "Motor Insurance – Gold servicing seat",
    "Life Insurance – UK policy enquiry access",
    "Customer Contact Centre – Gold agent seat",
}
OPEN_TO_EVERYONE = {
    "Subscribe to Fraud Screening",
    "Subscribe to Commercial Underwriting",
    "Subscribe to Mobile Insurance App",
    "Subscribe to Complaints Handling",
    "Standard laptop",
    "Additional monitor",
    "Software installation",
    "Claims Hub administrator access",
    "Production database access",
}
EMMA_DOES_NOT_SEE = {
    "Fraud Screening – analyst seat",
    "Claims Payments – Germany payment approver",
    "Online Quote & Buy – Germany campaign slot",
    "Mobile Insurance App – test device enrolment",
    "Linux server",
    "Managed PostgreSQL database",
}


@pytest.fixture
def demo():
    return import_folder(DEMO)


@pytest.fixture
def emma(demo):
    return User.objects.get(username="emma.clark")


def demo_rows(table):
    return json.loads((DEMO / f"{table}.json").read_text())["result"]


def orderable_names(user):
    return set(orderable_items(user).values_list("name", flat=True))


def order_and_deliver(user, item_name, answers):
    """`user` orders the item; their manager approves it if it needs approval; it is delivered."""
    item = CatalogItem.objects.get(name=item_name)
    request = order_now(user, item, 1, answers, token=uuid.uuid4())
    requested = request.items.get()
    if item.approval_required:
        approve(requested, user.manager)
    start_work(requested)
    return deliver_item(requested)


def test_demo_imports_every_catalog_row(demo):
    assert {table: demo.tables[table].created for table in CATALOG_TABLES} == {
        table: len(demo_rows(table)) for table in CATALOG_TABLES
    }
    assert CatalogItem.objects.count() == len(EMMA_SUBSCRIBED | OPEN_TO_EVERYONE | EMMA_DOES_NOT_SEE)


def test_demo_has_two_catalogs_with_two_levels_of_categories(demo):
    catalogs = {
        catalog.title: sorted(
            (category.title, [child.title for child in category.children.all()])
            for category in catalog.categories.filter(parent__isnull=True)
        )
        for catalog in Catalog.objects.all()
    }
    assert set(catalogs) == {"Service catalog", "IT services"}
    assert ("Insurance operations", ["Claims", "Policy & underwriting"]) in catalogs["Service catalog"]
    assert ("Workplace", ["Hardware", "Software"]) in catalogs["IT services"]


def test_every_demo_item_is_listed_in_its_category_catalog(demo):
    placed = {
        (item.name, tuple(c.title for c in item.catalogs.all()), item.category.catalog.title)
        for item in CatalogItem.objects.prefetch_related("catalogs").select_related("category__catalog")
    }
    assert all(catalogs == (category_catalog,) for _name, catalogs, category_catalog in placed)


def test_demo_items_ask_questions_of_every_type(demo):
    types = set(ItemVariable.objects.values_list("type", flat=True))
    assert types == set(VariableType.values)
    assert ItemVariable.objects.filter(mandatory=True).exists()
    assert not ItemVariable.objects.filter(type=VariableType.CHOICE, choices__isnull=True).exists()


def test_demo_items_cost_what_their_offerings_cost(demo):
    for item in CatalogItem.objects.filter(service_offerings__isnull=False).prefetch_related(
        "service_offerings"
    ):
        offering = item.service_offerings.get()
        offering_price = offering.price or Decimal("0")
        if offering.price_unit.endswith("per month"):
            assert (item.price, item.recurring_price, item.recurring_frequency) == (
                0,
                offering_price,
                "monthly",
            )
        else:
            assert (item.price, item.recurring_price) == (offering_price, None), item.name


def test_demo_has_items_that_need_manager_approval(demo):
    assert {"Production database access", "Subscribe to Fraud Screening"} <= set(
        CatalogItem.objects.filter(approval_required=True).values_list("name", flat=True)
    )


def test_emma_may_order_the_open_items_and_those_of_her_subscriptions(emma):
    assert orderable_names(emma) == EMMA_SUBSCRIBED | OPEN_TO_EVERYONE


def test_emma_may_not_order_items_of_offerings_she_does_not_subscribe_to(emma):
    assert not orderable_names(emma) & EMMA_DOES_NOT_SEE


def test_every_subscribers_only_item_emma_misses_has_subscribers(demo, emma):
    """Each of them is orderable by somebody: the demo's hidden items are hidden from her, not from all."""
    for name in EMMA_DOES_NOT_SEE:
        item = CatalogItem.objects.get(name=name)
        assert any(item in orderable_items(user) for user in User.objects.all()), name


def test_delivered_subscription_opens_the_subscribers_only_item(emma):
    """The README's story: Subscribe to Fraud Screening, david.morgan approves, it is delivered."""
    order_and_deliver(emma, "Subscribe to Fraud Screening", {"justification": "I screen motor claims."})

    assert "Fraud Screening – analyst seat" in orderable_names(emma)


def test_subscription_without_approval_opens_its_item_once_delivered(emma):
    order_and_deliver(emma, "Subscribe to Mobile Insurance App", {})

    assert "Mobile Insurance App – test device enrolment" in orderable_names(emma)


def test_subscription_waits_for_david_morgans_approval(emma):
    item = CatalogItem.objects.get(name="Subscribe to Fraud Screening")

    request = order_now(emma, item, 1, {"justification": "Motor fraud."}, token=uuid.uuid4())

    waiting = request.items.get()
    assert waiting.approver.username == "david.morgan"
    assert list(approvals_for(User.objects.get(username="david.morgan"))) == [waiting]
    assert "Fraud Screening – analyst seat" not in orderable_names(emma)


def test_emma_sees_her_items_on_the_catalog_page(emma, client):
    client.force_login(emma)

    page = client.get(reverse("catalog:index")).content.decode()

    assert all(name in page for name in ("Motor Claims – Gold seat", "Subscribe to Fraud Screening"))
    assert "Fraud Screening – analyst seat" not in page


def test_catalog_page_filters_demo_items_by_catalog(emma, client):
    client.force_login(emma)
    it_services = Catalog.objects.get(title="IT services")

    page = client.get(reverse("catalog:index"), {"catalog": it_services.sys_id.hex}).content.decode()

    assert "Standard laptop" in page
    assert "Motor Claims – Gold seat" not in page
