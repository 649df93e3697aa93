"""id_in(): one condition for a set of ids of any size, on both databases."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmdb.models import ConfigurationItem
from core.sql import id_in, in_subquery, sys_id_in
from tests.factories.cmdb import ConfigurationItemFactory

pytestmark = pytest.mark.django_db


def ids_matching(ids):
    condition, params = id_in('"id"', ids)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {ConfigurationItem._meta.db_table} WHERE {condition}", params)
        return {pk for (pk,) in cursor.fetchall()}


def test_matches_exactly_the_given_ids():
    first, second, _third = ConfigurationItemFactory.create_batch(3)

    assert ids_matching([first.pk, second.pk]) == {first.pk, second.pk}


def test_set_far_beyond_the_parameter_limits_is_one_query():
    item = ConfigurationItemFactory()
    # 100,000 ids: beyond SQLite's SQLITE_MAX_VARIABLE_NUMBER (32,766) and Django's 999.
    ids = [item.pk, *range(item.pk + 1, item.pk + 100_000)]

    with CaptureQueriesContext(connection) as queries:
        assert ids_matching(ids) == {item.pk}

    assert len(queries) == 1


def test_binds_a_single_parameter():
    _condition, params = id_in('"id"', range(5000))

    assert len(params) == 1


def test_empty_set_matches_nothing():
    ConfigurationItemFactory()

    assert ids_matching([]) == set()


@pytest.mark.parametrize("bad", ["1; DROP TABLE cmdb_ci", 1.5, None])
def test_refuses_anything_but_integers(bad):
    with pytest.raises(TypeError):
        id_in('"id"', [1, bad])


def test_in_subquery_matches_the_values_the_subquery_selects():
    wanted, _other = ConfigurationItemFactory(name="wanted"), ConfigurationItemFactory(name="other")
    table = ConfigurationItem._meta.db_table
    condition = in_subquery('"id"', f'SELECT "id" FROM {table} WHERE "name" = %s')

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE {condition}", ["wanted"])
        assert cursor.fetchall() == [(wanted.pk,)]


def test_sys_id_in_matches_exactly_the_given_sys_ids():
    first, _second = ConfigurationItemFactory.create_batch(2)
    condition, params = sys_id_in('"sys_id"', [first.sys_id, uuid.uuid4()])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {ConfigurationItem._meta.db_table} WHERE {condition}", params)
        assert [pk for (pk,) in cursor.fetchall()] == [first.pk]
