"""The migrations that give catalog and subscription fields plain English names keep every row."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from catalog.models import CatalogItem, CatalogItemOffering, Category, ItemVariable
from offerings.models import CompanySubscription, UserSubscription
from tests.factories.catalog import CatalogItemOfferingFactory, CategoryFactory, ItemVariableFactory
from tests.factories.offerings import CompanySubscriptionFactory, UserSubscriptionFactory

BEFORE = [("catalog", "0002_approval_label"), ("offerings", "0001_initial")]
LATEST = None  # every app's latest migration


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_rows_survive_the_renames_both_ways():
    category = CategoryFactory()
    link = CatalogItemOfferingFactory(catalog_item__category=category)
    link.catalog_item.catalogs.set([category.catalog])
    variable = ItemVariableFactory(catalog_item=link.catalog_item)
    user_subscription = UserSubscriptionFactory()
    company_subscription = CompanySubscriptionFactory()

    old = migrate(BEFORE)
    assert (
        old.get_model("catalog", "Category").objects.get(pk=category.pk).sc_catalog_id == category.catalog_id
    )
    old_item = old.get_model("catalog", "CatalogItem").objects.get(pk=link.catalog_item_id)
    assert list(old_item.sc_catalogs.values_list("pk", flat=True)) == [category.catalog_id]
    assert (
        old.get_model("catalog", "CatalogItemOffering").objects.get(pk=link.pk).sc_cat_item_id
        == link.catalog_item_id
    )
    assert (
        old.get_model("catalog", "ItemVariable").objects.get(pk=variable.pk).cat_item_id
        == link.catalog_item_id
    )
    old_user_subscription = old.get_model("offerings", "UserSubscription").objects.get(
        pk=user_subscription.pk
    )
    assert old_user_subscription.sys_user_id == user_subscription.user_id
    old_company_subscription = old.get_model("offerings", "CompanySubscription").objects.get(
        pk=company_subscription.pk
    )
    assert old_company_subscription.core_company_id == company_subscription.company_id

    migrate(LATEST)
    assert Category.objects.get(pk=category.pk).catalog_id == category.catalog_id
    assert list(CatalogItem.objects.get(pk=link.catalog_item_id).catalogs.all()) == [category.catalog]
    assert CatalogItemOffering.objects.get(pk=link.pk).catalog_item_id == link.catalog_item_id
    assert ItemVariable.objects.get(pk=variable.pk).catalog_item_id == link.catalog_item_id
    assert UserSubscription.objects.get(pk=user_subscription.pk).user_id == user_subscription.user_id
    assert (
        CompanySubscription.objects.get(pk=company_subscription.pk).company_id
        == company_subscription.company_id
    )
