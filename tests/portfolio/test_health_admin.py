import pytest
from django.contrib.admin import AdminSite
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse

from cmdb.models import BusinessService, ConfigurationItem, ci_models_by_class
from portfolio import health
from portfolio.health import CHECKS, admin_change_url
from tests.factories.cmdb import BusinessServiceFactory, RelationshipFactory, ServerFactory, UserFactory
from tests.factories.offerings import ServiceOfferingFactory

pytestmark = pytest.mark.django_db

# A URLconf with an admin that registers only some CI classes, for the change-link tests
# (`@pytest.mark.urls(__name__)`), independent of what the project's admin registers.
link_test_site = AdminSite(name="admin")
link_test_site.register(BusinessService)
link_test_site.register(ConfigurationItem)
urlpatterns = [
    path("admin/csdm-health/", include("portfolio.health_views")),
    path("admin/", link_test_site.urls),
]


@pytest.fixture
def page_url():
    return reverse("csdm_health:index")


def test_page_lives_under_the_admin():
    assert reverse("csdm_health:index") == "/admin/csdm-health/"


def test_page_renders_every_check_for_staff(admin_client, page_url):
    response = admin_client.get(page_url)
    assert response.status_code == 200
    assert [result.check.key for result in response.context["results"]] == list(CHECKS)


def test_page_uses_the_admin_layout(admin_client, page_url):
    response = admin_client.get(page_url)
    assert "admin/base_site.html" in [template.name for template in response.templates]


def test_page_shows_a_failing_check_with_its_records(admin_client, page_url):
    ServerFactory(name="mail-01")
    content = admin_client.get(page_url).content.decode()
    section = content.split('id="ci_without_relationship"')[1].split("</section>")[0]
    assert 'class="health-badge fail"' in section
    assert "CIs without any relationship (1)" in section
    assert "mail-01" in section


def test_page_says_when_every_check_passes(admin_client, page_url):
    assert "All 10 checks pass." in admin_client.get(page_url).content.decode()


def test_anonymous_users_are_sent_to_the_admin_login(client, page_url):
    response = client.get(page_url)
    assert response.status_code == 302
    assert response.url == f"{reverse('admin:login')}?next={page_url}"


def test_users_who_are_not_staff_are_sent_to_the_admin_login(client, page_url):
    client.force_login(UserFactory(is_staff=False))
    response = client.get(page_url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_records_link_to_their_admin_change_page(admin_client, page_url, monkeypatch):
    server = ServerFactory(name="mail-01")
    monkeypatch.setattr(
        health, "admin_change_url", lambda sys_class_name, pk: f"/change/{sys_class_name}/{pk}/"
    )
    content = admin_client.get(page_url).content.decode()
    assert f'<a href="/change/cmdb_ci_server/{server.pk}/">mail-01</a>' in content


def test_records_without_an_admin_page_are_listed_without_a_link(admin_client, page_url, monkeypatch):
    ServerFactory(name="mail-01")
    monkeypatch.setattr(health, "admin_change_url", lambda sys_class_name, pk: None)
    content = admin_client.get(page_url).content.decode()
    assert "<td>mail-01</td>" in content


def plant_offenders(count):
    for _ in range(count):
        BusinessServiceFactory()
        ServiceOfferingFactory(parent=None)
        first, second = ServerFactory(), ServerFactory()
        RelationshipFactory(parent=first, child=second)
        RelationshipFactory(parent=second, child=first)


def page_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_page_query_count_does_not_grow_with_the_offending_records(admin_client, page_url):
    plant_offenders(1)
    with_few = page_queries(admin_client, page_url)
    plant_offenders(10)
    assert page_queries(admin_client, page_url) == with_few


def test_class_names_map_to_their_django_models():
    assert ci_models_by_class()["cmdb_ci_service_business"] is BusinessService
    assert ci_models_by_class()["service_offering"]._meta.label == "offerings.ServiceOffering"
    assert ci_models_by_class()["cmdb_ci"] is ConfigurationItem


@pytest.mark.urls(__name__)
def test_change_url_is_the_concrete_classs_admin_page():
    assert admin_change_url("cmdb_ci_service_business", 42) == "/admin/cmdb/businessservice/42/change/"


@pytest.mark.urls(__name__)
def test_change_url_of_a_class_without_model_is_the_base_ci_page():
    assert admin_change_url("cmdb_ci_linux_server", 42) == "/admin/cmdb/configurationitem/42/change/"


@pytest.mark.urls(__name__)
def test_change_url_is_none_when_the_class_has_no_admin():
    assert admin_change_url("service_offering", 42) is None


def lone_cis(count):
    ConfigurationItem.objects.bulk_create(
        ConfigurationItem(name=f"lone-{n:05}", sys_class_name="cmdb_ci_server") for n in range(count)
    )


def test_page_is_bounded_and_costs_the_same_queries_for_10_and_10000_offenders(admin_client, page_url):
    lone_cis(10)
    admin_client.get(page_url)
    few = page_queries(admin_client, page_url)
    lone_cis(9990)
    admin_client.get(page_url)

    assert page_queries(admin_client, page_url) == few
    content = admin_client.get(page_url).content.decode()
    assert "CIs without any relationship (10000)" in content
    assert content.count("lone-") == 50
    assert "Records 1–50 of 10000." in content


def test_one_check_pages_through_its_records(admin_client, page_url):
    lone_cis(60)

    content = admin_client.get(page_url, {"check": "ci_without_relationship", "offset": 50}).content.decode()

    assert content.count("lone-") == 10
    assert "lone-00050" in content and "lone-00049" not in content
    assert "Records 51–60 of 60." in content


@pytest.mark.parametrize("params", [{"check": "nope"}, {"offset": "-1"}, {"offset": "x"}])
def test_bad_paging_is_a_400_naming_the_parameter(admin_client, page_url, params):
    response = admin_client.get(page_url, params)
    assert response.status_code == 400
    assert next(iter(params)) in response.content.decode()
