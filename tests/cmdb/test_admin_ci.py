"""The CI admin pages: classes, relationships read both ways, clean constraint errors, site titles."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cmdb.admin.relationships import (
    CappedRelationshipFormSet,
    DownstreamRelationshipInline,
    UpstreamRelationshipInline,
)
from cmdb.models import ConfigurationItem, Relationship, RelationshipType
from tests.admin_helpers import add_inline_row, change_form_data, inline_prefix
from tests.factories.cmdb import (
    ApplicationServiceFactory,
    BusinessServiceFactory,
    ConfigurationItemFactory,
    RelationshipFactory,
    ServerFactory,
)

pytestmark = pytest.mark.django_db


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def depends_on():
    return RelationshipType.objects.get(name="Depends on::Used by")


def test_site_header_names_runstage(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert "Runstage administration" in response.content.decode()


def test_base_ci_list_shows_the_class_of_each_ci(admin_client):
    ServerFactory(name="srv-web-01")
    response = admin_client.get(reverse("admin:cmdb_configurationitem_changelist"))
    assert "cmdb_ci_server" in response.content.decode()


def test_base_ci_list_filters_by_class(admin_client):
    ServerFactory(name="srv-web-01")
    BusinessServiceFactory(name="Payroll")
    response = admin_client.get(
        reverse("admin:cmdb_configurationitem_changelist"), {"sys_class_name": "cmdb_ci_server"}
    )
    names = [ci.name for ci in response.context["cl"].result_list]
    assert names == ["srv-web-01"]


def test_base_ci_list_keeps_imported_classes_without_a_subclass(admin_client):
    ConfigurationItemFactory(name="lnx-01", sys_class_name="cmdb_ci_linux_server")
    response = admin_client.get(
        reverse("admin:cmdb_configurationitem_changelist"), {"sys_class_name": "cmdb_ci_linux_server"}
    )
    assert [ci.name for ci in response.context["cl"].result_list] == ["lnx-01"]


def test_search_by_sys_id_finds_the_ci(admin_client):
    server = ServerFactory()
    ServerFactory()
    response = admin_client.get(reverse("admin:cmdb_server_changelist"), {"q": str(server.sys_id)})
    assert list(response.context["cl"].result_list) == [server]


def test_ci_page_reads_upstream_relationships_from_the_parent(admin_client, depends_on):
    database = ServerFactory(name="db-01")
    RelationshipFactory(parent=ApplicationServiceFactory(name="Payroll app"), type=depends_on, child=database)
    response = admin_client.get(change_url(database))
    assert "Payroll app Depends on this CI" in response.content.decode()


def test_ci_page_reads_downstream_relationships_towards_the_child(admin_client, depends_on):
    app = ApplicationServiceFactory(name="Payroll app")
    RelationshipFactory(parent=app, type=depends_on, child=ServerFactory(name="db-01"))
    response = admin_client.get(change_url(app))
    assert "this CI Depends on db-01" in response.content.decode()


def test_ci_page_query_count_does_not_grow_with_relationships(admin_client, django_assert_num_queries):
    app = ApplicationServiceFactory()
    RelationshipFactory(parent=app)
    RelationshipFactory(child=app)
    admin_client.get(change_url(app))  # warm per-process caches (content types)
    with CaptureQueriesContext(connection) as captured:
        admin_client.get(change_url(app))
    with_one_each = len(captured)
    for _ in range(14):
        RelationshipFactory(parent=app)
        RelationshipFactory(child=app)
    with django_assert_num_queries(with_one_each):
        response = admin_client.get(change_url(app))
    assert response.status_code == 200


def test_relationship_admin_refuses_a_duplicate_triple_with_a_form_error(admin_client, depends_on):
    existing = RelationshipFactory(type=depends_on)
    response = admin_client.post(
        reverse("admin:cmdb_relationship_add"),
        {"parent": existing.parent_id, "type": depends_on.pk, "child": existing.child_id},
    )
    assert response.status_code == 200
    assert "These two CIs already have a relationship of this type." in response.content.decode()


def test_relationship_admin_refuses_a_self_relationship_with_a_form_error(admin_client, depends_on):
    server = ServerFactory()
    response = admin_client.post(
        reverse("admin:cmdb_relationship_add"),
        {"parent": server.pk, "type": depends_on.pk, "child": server.pk},
    )
    assert response.status_code == 200
    assert "A CI cannot have a relationship with itself." in response.content.decode()


def test_relationship_admin_saves_a_valid_relationship(admin_client, depends_on):
    parent, child = ApplicationServiceFactory(), ServerFactory()
    admin_client.post(
        reverse("admin:cmdb_relationship_add"),
        {"parent": parent.pk, "type": depends_on.pk, "child": child.pk},
    )
    assert Relationship.objects.filter(parent=parent, type=depends_on, child=child).exists()


def test_downstream_inline_adds_a_relationship(admin_client, depends_on):
    app, server = ApplicationServiceFactory(), ServerFactory()
    page = admin_client.get(change_url(app))
    data = change_form_data(page)
    add_inline_row(
        data, inline_prefix(page, DownstreamRelationshipInline), type=depends_on.pk, child=server.pk
    )
    response = admin_client.post(change_url(app), data)
    assert response.status_code == 302
    assert Relationship.objects.filter(parent=app, type=depends_on, child=server).exists()


def test_downstream_inline_refuses_a_duplicate_triple_with_a_form_error(admin_client, depends_on):
    app, server = ApplicationServiceFactory(), ServerFactory()
    RelationshipFactory(parent=app, type=depends_on, child=server)
    page = admin_client.get(change_url(app))
    data = change_form_data(page)
    add_inline_row(
        data, inline_prefix(page, DownstreamRelationshipInline), type=depends_on.pk, child=server.pk
    )
    response = admin_client.post(change_url(app), data)
    assert response.status_code == 200
    assert "These two CIs already have a relationship of this type." in response.content.decode()


def test_upstream_inline_refuses_a_self_relationship_with_a_form_error(admin_client, depends_on):
    server = ServerFactory()
    page = admin_client.get(change_url(server))
    data = change_form_data(page)
    add_inline_row(
        data, inline_prefix(page, UpstreamRelationshipInline), parent=server.pk, type=depends_on.pk
    )
    response = admin_client.post(change_url(server), data)
    assert response.status_code == 200
    assert "A CI cannot have a relationship with itself." in response.content.decode()
    assert not Relationship.objects.exists()


def test_ci_change_page_saves_without_changes(admin_client):
    server = ServerFactory(name="srv-01", ip_address="10.0.0.1")
    page = admin_client.get(change_url(server))
    response = admin_client.post(change_url(server), change_form_data(page))
    assert response.status_code == 302
    assert ConfigurationItem.objects.get(pk=server.pk).sys_class_name == "cmdb_ci_server"


def test_a_server_added_through_the_admin_records_its_class(admin_client):
    page = admin_client.get(reverse("admin:cmdb_server_add"))
    data = change_form_data(page)
    data.update(name="srv-new-01", ip_address="10.0.0.9")
    response = admin_client.post(reverse("admin:cmdb_server_add"), data)
    assert response.status_code == 302
    assert ConfigurationItem.objects.get(name="srv-new-01").sys_class_name == "cmdb_ci_server"


def bulk_relationships(app, count, depends_on):
    """`count` relationships where `app` is the child (upstream) and `count` where it is the parent."""
    others = ConfigurationItem.objects.bulk_create(
        ConfigurationItem(name=f"peer-{n:05}", sys_class_name="cmdb_ci_server") for n in range(count)
    )
    Relationship.objects.bulk_create(
        [Relationship(parent=other, child=app, type=depends_on) for other in others]
        + [Relationship(parent=app, child=other, type=depends_on) for other in others],
        batch_size=2000,
    )


def test_hub_page_caps_its_relationship_rows_with_the_same_queries_for_10_and_10000(admin_client, depends_on):
    small, hub = ApplicationServiceFactory(), ApplicationServiceFactory()
    bulk_relationships(small, 10, depends_on)
    bulk_relationships(hub, 10_000, depends_on)
    admin_client.get(change_url(small))
    with CaptureQueriesContext(connection) as few:
        admin_client.get(change_url(small))
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(change_url(hub))

    assert len(many) == len(few)
    content = response.content.decode()
    cap = CappedRelationshipFormSet.CAP
    assert content.count("peer-") <= 2 * cap * 3  # `cap` rows per inline; a row names its peer three times
    assert f"Showing the first {cap} of 10000" in content
    assert f"?child__id__exact={hub.pk}" in content and f"?parent__id__exact={hub.pk}" in content
    assert len(response.content) < 1_000_000


def test_link_of_a_capped_inline_lists_the_ci_relationships(admin_client, depends_on):
    hub = ApplicationServiceFactory()
    bulk_relationships(hub, 60, depends_on)

    response = admin_client.get(reverse("admin:cmdb_relationship_changelist") + f"?child__id__exact={hub.pk}")

    assert response.status_code == 200
    assert "60 relationships" in response.content.decode()


def test_capped_hub_page_still_saves(admin_client, depends_on):
    hub = ApplicationServiceFactory(name="hub")
    bulk_relationships(hub, 60, depends_on)
    response = admin_client.get(change_url(hub))
    data = change_form_data(response)
    data["name"] = "hub renamed"

    response = admin_client.post(change_url(hub), data)

    assert response.status_code == 302
    assert ConfigurationItem.objects.get(pk=hub.pk).name == "hub renamed"
    assert Relationship.objects.filter(child=hub).count() == 60
