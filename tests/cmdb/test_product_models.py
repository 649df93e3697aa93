"""autogenerate_product_models: the right kind per CI class, idempotent, dry run, command and admin action."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cmdb.models import ApplicationModel, ConfigurationItem, ProductModel, ServiceModel, SoftwareModel
from cmdb.services import autogenerate_product_models
from tests.factories.cmdb import (
    ApplicationFactory,
    ApplicationServiceFactory,
    BusinessApplicationFactory,
    BusinessServiceFactory,
    ServerFactory,
    ServiceModelFactory,
    TechnicalServiceFactory,
)
from tests.factories.offerings import ServiceOfferingFactory

pytestmark = pytest.mark.django_db


def model_of(ci):
    """The product model of `ci` as its concrete class."""
    model = ConfigurationItem.objects.get(pk=ci.pk).model
    for subclass in (ServiceModel, ApplicationModel, SoftwareModel):
        if model is not None and model.sys_class_name == subclass._meta.db_table:
            return subclass.objects.get(pk=model.pk)
    return model


@pytest.mark.parametrize(
    ("factory", "expected_class"),
    [
        (BusinessServiceFactory, ServiceModel),
        (TechnicalServiceFactory, ServiceModel),
        (ServiceOfferingFactory, ServiceModel),
        (ApplicationServiceFactory, ApplicationModel),
        (BusinessApplicationFactory, ApplicationModel),
        (lambda: ApplicationFactory(logical=True), SoftwareModel),
        (lambda: ServerFactory(logical=True), ProductModel),
    ],
    ids=["business", "technical", "offering", "app-service", "business-app", "application", "other"],
)
def test_a_logical_ci_gets_a_model_of_the_kind_its_class_calls_for(factory, expected_class):
    ci = factory()
    autogenerate_product_models()
    model = model_of(ci)
    assert type(model) is expected_class
    assert model.sys_class_name == expected_class._meta.db_table


def test_the_model_is_named_after_the_ci():
    ci = BusinessServiceFactory(name="Payroll")
    autogenerate_product_models()
    assert model_of(ci).name == "Payroll model"


def test_a_software_model_row_carries_an_empty_version():
    ci = ApplicationFactory(logical=True)
    autogenerate_product_models()
    assert model_of(ci).version == ""


def test_discovered_cis_are_left_alone():
    server = ServerFactory(logical=False)
    autogenerate_product_models()
    assert ConfigurationItem.objects.get(pk=server.pk).model_id is None


def test_a_ci_that_already_has_a_model_keeps_it():
    existing = ServiceModelFactory(name="Hand made")
    ci = BusinessServiceFactory(model=existing)
    autogenerate_product_models()
    assert ConfigurationItem.objects.get(pk=ci.pk).model_id == existing.pk


def test_an_existing_model_of_the_same_kind_and_name_is_reused():
    existing = ServiceModelFactory(name="Payroll model")
    ci = BusinessServiceFactory(name="Payroll")
    summary = autogenerate_product_models()
    assert ConfigurationItem.objects.get(pk=ci.pk).model_id == existing.pk
    assert summary.created_total == 0
    assert summary.reused == 1


def test_a_model_of_another_kind_with_the_same_name_is_not_reused():
    ProductModel.objects.create(name="Payroll model")
    ci = BusinessServiceFactory(name="Payroll")
    autogenerate_product_models()
    assert type(model_of(ci)) is ServiceModel


def test_two_cis_of_one_kind_and_name_share_one_new_model():
    first, second = BusinessServiceFactory(name="Payroll"), BusinessServiceFactory(name="Payroll")
    summary = autogenerate_product_models()
    assert summary.created_total == 1
    assert model_of(first).pk == model_of(second).pk


def test_a_second_run_creates_nothing():
    BusinessServiceFactory()
    ApplicationFactory(logical=True)
    autogenerate_product_models()
    models_after_first_run = ProductModel.objects.count()
    summary = autogenerate_product_models()
    assert (summary.created_total, summary.linked, ProductModel.objects.count()) == (
        0,
        0,
        models_after_first_run,
    )


def test_the_summary_counts_models_created_per_kind():
    BusinessServiceFactory()
    TechnicalServiceFactory()
    BusinessApplicationFactory()
    summary = autogenerate_product_models()
    assert dict(summary.created) == {"cmdb_service_product_model": 2, "cmdb_application_product_model": 1}


def test_a_dry_run_writes_nothing():
    ci = BusinessServiceFactory()
    autogenerate_product_models(dry_run=True)
    assert (ProductModel.objects.count(), ConfigurationItem.objects.get(pk=ci.pk).model_id) == (0, None)


def test_a_dry_run_lists_the_actions_it_would_take():
    BusinessServiceFactory(name="Payroll")
    summary = autogenerate_product_models(dry_run=True)
    assert summary.actions == [
        "create service model 'Payroll model'",
        "link cmdb_ci_service_business 'Payroll' to service model 'Payroll model'",
    ]


def test_a_run_can_be_narrowed_to_some_cis():
    chosen, other = BusinessServiceFactory(), BusinessServiceFactory()
    autogenerate_product_models(cis=ConfigurationItem.objects.filter(pk=chosen.pk))
    assert ConfigurationItem.objects.get(pk=chosen.pk).model_id is not None
    assert ConfigurationItem.objects.get(pk=other.pk).model_id is None


def test_reading_costs_the_same_whatever_the_number_of_cis(django_assert_num_queries):
    BusinessServiceFactory()
    with CaptureQueriesContext(connection) as captured:
        autogenerate_product_models(dry_run=True)
    with_one_ci = len(captured)
    for _ in range(30):
        BusinessServiceFactory()
        ApplicationFactory(logical=True)
    with django_assert_num_queries(with_one_ci):
        autogenerate_product_models(dry_run=True)


def test_writing_costs_the_same_whatever_the_number_of_cis(django_assert_num_queries):
    BusinessServiceFactory()
    with CaptureQueriesContext(connection) as captured:
        autogenerate_product_models()
    with_one_ci = len(captured)
    for _ in range(30):
        BusinessServiceFactory()
    with django_assert_num_queries(with_one_ci):
        autogenerate_product_models()


def test_the_command_prints_the_summary():
    BusinessServiceFactory()
    out = StringIO()
    call_command("autogenerate_product_models", stdout=out)
    assert "Created 1 product models (1 cmdb_service_product_model); linked 1 CIs" in out.getvalue()


def test_the_command_dry_run_prints_actions_and_writes_nothing():
    BusinessServiceFactory(name="Payroll")
    out = StringIO()
    call_command("autogenerate_product_models", "--dry-run", stdout=out)
    assert "create service model 'Payroll model'" in out.getvalue()
    assert ProductModel.objects.count() == 0


def test_the_admin_action_generates_models_for_the_selection_only(admin_client):
    chosen, other = BusinessServiceFactory(), BusinessServiceFactory()
    admin_client.post(
        reverse("admin:cmdb_businessservice_changelist"),
        {"action": "generate_product_models", "_selected_action": [chosen.pk]},
    )
    assert ConfigurationItem.objects.get(pk=chosen.pk).model_id is not None
    assert ConfigurationItem.objects.get(pk=other.pk).model_id is None


def test_the_admin_action_reports_what_it_did(admin_client):
    chosen = BusinessServiceFactory()
    response = admin_client.post(
        reverse("admin:cmdb_configurationitem_changelist"),
        {"action": "generate_product_models", "_selected_action": [chosen.pk]},
        follow=True,
    )
    messages = [str(message) for message in response.context["messages"]]
    assert messages == [
        "Created 1 product models (1 cmdb_service_product_model); linked 1 CIs (0 to existing models)."
    ]
