"""Admin lists of huge tables count by the planner's estimate, and cost the same at 10 and 10,000 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cmdb.models import ConfigurationItem, Relationship
from core import paginators
from tests.factories.cmdb import RelationshipTypeFactory

pytestmark = pytest.mark.django_db


def plant(count, depends_on):
    cis = ConfigurationItem.objects.bulk_create(
        ConfigurationItem(name=f"ci-{n:05}", sys_class_name="cmdb_ci_server") for n in range(count + 1)
    )
    Relationship.objects.bulk_create(
        (Relationship(parent=cis[0], child=ci, type=depends_on) for ci in cis[1:]), batch_size=2000
    )


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize(
    "url_name", ["admin:cmdb_relationshiptype_changelist", "admin:cmdb_relationship_changelist"]
)
def test_relationship_lists_cost_the_same_queries_for_10_and_10000_rows(admin_client, url_name):
    depends_on = RelationshipTypeFactory(name="Depends on::Used by")
    plant(10, depends_on)
    url = reverse(url_name)
    admin_client.get(url)
    few, _ = queries(admin_client, url)
    plant(9990, depends_on)

    many, content = queries(admin_client, url)

    assert many == few
    assert len(content) < 1_000_000


def test_relationship_type_list_counts_exactly_on_a_small_table(admin_client):
    depends_on = RelationshipTypeFactory(name="Depends on::Used by")
    plant(12, depends_on)

    _, content = queries(admin_client, reverse("admin:cmdb_relationshiptype_changelist"))

    assert '<td class="field-relationship_count">12</td>' in content


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's")
def test_huge_tables_are_counted_by_the_planner_estimate(admin_client, monkeypatch):
    depends_on = RelationshipTypeFactory(name="Depends on::Used by")
    plant(300, depends_on)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cmdb_ci; ANALYZE cmdb_rel_ci")
    monkeypatch.setattr(paginators, "ESTIMATE_ABOVE", 100)

    with CaptureQueriesContext(connection) as captured:
        _, content = queries(admin_client, reverse("admin:cmdb_relationshiptype_changelist"))
    _, ci_list = queries(admin_client, reverse("admin:cmdb_configurationitem_changelist"))

    assert '<td class="field-relationship_count">~300</td>' in content
    assert not any("COUNT(" in query["sql"].upper() and "cmdb_rel_ci" in query["sql"] for query in captured)
    assert "301 configuration items" in ci_list
