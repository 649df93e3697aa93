import threading

import pytest
from django.db import connection

from catalog.cart import add_to_cart, get_cart
from catalog.errors import EmptyCart
from catalog.models import Request
from catalog.ordering import place_order
from tests.factories.catalog import CatalogItemFactory
from tests.factories.cmdb import UserFactory

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite has no row locks and serialises whole-database writes",
    ),
]


def _run_at_once(count, target):
    """Run `target` in `count` threads released together; each thread gets its own connection."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(target())
        except Exception as error:  # reported by the assertion below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_checkout_creates_exactly_one_request():
    user = UserFactory()
    add_to_cart(user, CatalogItemFactory(), 2, {})
    cart = get_cart(user)

    results, errors = _run_at_once(2, lambda: place_order(cart, user, version=cart.version))

    assert errors == []
    assert Request.objects.count() == 1
    assert {request.pk for request in results} == {Request.objects.get().pk}


@pytest.mark.django_db(transaction=True)
def test_concurrent_checkout_without_version_lets_the_second_find_an_empty_cart():
    user = UserFactory()
    add_to_cart(user, CatalogItemFactory(), 1, {})
    cart = get_cart(user)

    results, errors = _run_at_once(2, lambda: place_order(cart, user))

    assert Request.objects.count() == 1
    assert len(results) == 1 and [type(error) for error in errors] == [EmptyCart]
