"""Every admin page of cmdb, portfolio and offerings: lists cost the same with 1 or 20 rows, forms render."""

import datetime
import itertools

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cmdb import models as cmdb_models
from impact import models as impact_models
from offerings import models as offering_models
from portfolio import models as portfolio_models
from tests.factories import cmdb as cmdb_factories
from tests.factories import offerings as offering_factories
from tests.factories.portfolio import PortfolioNodeFactory

ADMIN_APPS = ("cmdb", "portfolio", "offerings")
_sequence = itertools.count(1)


def ci_references():
    """Every foreign key a CI list page may show, filled, so a missing select_related shows up."""
    return {
        "owned_by": cmdb_factories.UserFactory(),
        "managed_by": cmdb_factories.UserFactory(),
        "support_group": cmdb_factories.GroupFactory(),
        "company": cmdb_factories.CompanyFactory(),
        "location": cmdb_factories.LocationFactory(),
        "department": cmdb_factories.DepartmentFactory(),
        "model": cmdb_factories.ProductModelFactory(),
    }


def service_references():
    return {**ci_references(), "portfolio": PortfolioNodeFactory(), "vendor": cmdb_factories.CompanyFactory()}


def make_outage():
    begin = timezone.now() - datetime.timedelta(days=next(_sequence))
    return impact_models.Outage.objects.create(
        cmdb_ci=cmdb_factories.ServerFactory(), begin=begin, end=begin + datetime.timedelta(hours=1)
    )


def make_initiative():
    return portfolio_models.Initiative.objects.create(
        service=cmdb_factories.BusinessServiceFactory(),
        title=f"Initiative {next(_sequence)}",
        owner=cmdb_factories.UserFactory(),
    )


# One row, with its references filled, of every model that has an admin.
ROW_BUILDERS = {
    cmdb_models.User: lambda: cmdb_factories.UserFactory(
        company=cmdb_factories.CompanyFactory(),
        department=cmdb_factories.DepartmentFactory(),
        location=cmdb_factories.LocationFactory(),
    ),
    cmdb_models.Group: lambda: cmdb_factories.GroupFactory(
        manager=cmdb_factories.UserFactory(), parent=cmdb_factories.GroupFactory()
    ),
    cmdb_models.GroupMembership: cmdb_factories.GroupMembershipFactory,
    cmdb_models.Company: lambda: cmdb_factories.CompanyFactory(parent=cmdb_factories.CompanyFactory()),
    cmdb_models.Location: lambda: cmdb_factories.LocationFactory(
        parent=cmdb_factories.LocationFactory(), company=cmdb_factories.CompanyFactory()
    ),
    cmdb_models.Department: lambda: cmdb_factories.DepartmentFactory(
        parent=cmdb_factories.DepartmentFactory(), dept_head=cmdb_factories.UserFactory()
    ),
    cmdb_models.NumberCounter: lambda: cmdb_models.NumberCounter.objects.create(prefix=f"T{next(_sequence)}"),
    cmdb_models.ConfigurationItem: lambda: cmdb_factories.ConfigurationItemFactory(**ci_references()),
    cmdb_models.Service: lambda: cmdb_factories.ServiceFactory(**service_references()),
    cmdb_models.BusinessService: lambda: cmdb_factories.BusinessServiceFactory(**service_references()),
    cmdb_models.TechnicalService: lambda: cmdb_factories.TechnicalServiceFactory(**service_references()),
    cmdb_models.ApplicationService: lambda: cmdb_factories.ApplicationServiceFactory(**service_references()),
    cmdb_models.BusinessApplication: lambda: cmdb_factories.BusinessApplicationFactory(**ci_references()),
    cmdb_models.Application: lambda: cmdb_factories.ApplicationFactory(**ci_references()),
    cmdb_models.Server: lambda: cmdb_factories.ServerFactory(**ci_references()),
    cmdb_models.DatabaseInstance: lambda: cmdb_factories.DatabaseInstanceFactory(**ci_references()),
    cmdb_models.RelationshipType: lambda: cmdb_factories.RelationshipTypeFactory(
        name=f"Feeds {next(_sequence)}::Fed by"
    ),
    cmdb_models.Relationship: cmdb_factories.RelationshipFactory,
    cmdb_models.ProductModel: lambda: cmdb_factories.ProductModelFactory(
        manufacturer=cmdb_factories.CompanyFactory()
    ),
    cmdb_models.ApplicationModel: lambda: cmdb_factories.ApplicationModelFactory(
        manufacturer=cmdb_factories.CompanyFactory()
    ),
    cmdb_models.ServiceModel: lambda: cmdb_factories.ServiceModelFactory(
        manufacturer=cmdb_factories.CompanyFactory()
    ),
    cmdb_models.SoftwareModel: lambda: cmdb_factories.SoftwareModelFactory(
        manufacturer=cmdb_factories.CompanyFactory()
    ),
    impact_models.Outage: make_outage,
    portfolio_models.PortfolioNode: lambda: PortfolioNodeFactory(
        parent=PortfolioNodeFactory(), owner=cmdb_factories.UserFactory()
    ),
    portfolio_models.Initiative: make_initiative,
    offering_models.ServiceOffering: lambda: offering_factories.ServiceOfferingFactory(
        **service_references()
    ),
    offering_models.ServiceCommitment: offering_factories.ServiceCommitmentFactory,
    offering_models.OfferingCommitment: offering_factories.OfferingCommitmentFactory,
    offering_models.UserSubscription: offering_factories.UserSubscriptionFactory,
    offering_models.CompanySubscription: offering_factories.CompanySubscriptionFactory,
    offering_models.DepartmentSubscription: offering_factories.DepartmentSubscriptionFactory,
    offering_models.LocationSubscription: offering_factories.LocationSubscriptionFactory,
    offering_models.GroupSubscription: offering_factories.GroupSubscriptionFactory,
}

ADMIN_MODELS = sorted(ROW_BUILDERS, key=lambda model: model._meta.label)


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_every_model_of_the_three_apps_has_an_admin():
    from django.apps import apps

    models = {model for app in ADMIN_APPS for model in apps.get_app_config(app).get_models()}
    missing = {model._meta.label for model in models if model not in admin.site._registry}
    assert missing == set()


def test_every_admin_model_has_a_row_builder_here():
    registered = {model for model in admin.site._registry if model._meta.app_label in ADMIN_APPS}
    assert registered - set(ROW_BUILDERS) == set()


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda model: model._meta.label)
def test_list_page_query_count_does_not_grow_with_rows(admin_client, model):
    url = admin_url(model, "changelist")
    ROW_BUILDERS[model]()
    admin_client.get(url)  # warm per-process caches (content types)
    with_one_row = count_queries(admin_client, url)
    for _ in range(19):
        ROW_BUILDERS[model]()
    assert count_queries(admin_client, url) == with_one_row


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda model: model._meta.label)
def test_change_page_renders_with_bounded_queries(admin_client, django_assert_max_num_queries, model):
    obj = ROW_BUILDERS[model]()
    with django_assert_max_num_queries(40):
        response = admin_client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda model: model._meta.label)
def test_add_page_renders_with_bounded_queries(admin_client, django_assert_max_num_queries, model):
    with django_assert_max_num_queries(20):
        response = admin_client.get(admin_url(model, "add"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "model",
    [model for model in ADMIN_MODELS if hasattr(model, "sys_id")],
    ids=lambda model: model._meta.label,
)
def test_change_page_shows_the_sys_id_as_32_hex_characters(admin_client, model):
    obj = ROW_BUILDERS[model]()
    response = admin_client.get(admin_url(model, "change", obj.pk))
    assert obj.sys_id.hex in response.content.decode()
