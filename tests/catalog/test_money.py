"""Prices carry a currency (issue 17): formatting per locale, defaults, and totals that never mix."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory, override_settings
from django.urls import reverse

from catalog.cart import add_to_cart, get_cart
from catalog.models import CatalogItem, Request
from catalog.ordering import place_order
from core.money import (
    format_money,
    locale_of_request,
    single_total,
    totals_by_currency,
    validate_currency_code,
)
from tests.factories.catalog import CatalogItemFactory
from tests.factories.offerings import ServiceOfferingFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en_GB", "£1,234.50"), ("en_US", "£1,234.50"), ("de_DE", "1.234,50\xa0£")],
)
def test_pounds_are_written_the_readers_way(locale, expected):
    assert format_money(Decimal("1234.5"), "GBP", locale) == expected


def test_euros_in_germany():
    assert format_money(Decimal("18"), "EUR", "de_DE") == "18,00\xa0€"


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("de-DE,de;q=0.9,en;q=0.5", "de_DE"),
        ("en-GB", "en_GB"),
        ("de", "de_DE"),
        ("", "en_US"),
        ("xx-YY", "en_US"),
    ],
)
def test_the_locale_comes_from_accept_language(header, locale):
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE=header)
    assert locale_of_request(request) == locale


@pytest.mark.parametrize("code", ["gbp", "£", "POUND", "ZZZ", ""])
def test_only_iso_4217_codes_are_currencies(code):
    with pytest.raises(ValidationError):
        validate_currency_code(code)


def test_a_catalog_item_refuses_an_unknown_currency():
    item = CatalogItemFactory(price_currency="GBX")
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert "price_currency" in error.value.message_dict


@override_settings(RUNSTAGE_DEFAULT_CURRENCY="EUR")
def test_prices_entered_without_a_currency_take_the_default_from_settings():
    assert CatalogItem().price_currency == "EUR"
    assert ServiceOfferingFactory().price_currency == "EUR"


def test_totals_are_kept_per_currency():
    amounts = [(Decimal("10"), "GBP"), (Decimal("5"), "EUR"), (Decimal("2.50"), "GBP")]
    assert totals_by_currency(amounts) == {"GBP": Decimal("12.50"), "EUR": Decimal("5")}
    assert single_total(amounts) == (None, "")
    assert single_total(amounts[:1]) == (Decimal("10"), "GBP")


def test_item_page_shows_the_price_in_the_items_currency_for_the_readers_locale(client, user):
    item = CatalogItemFactory(name="Claims seat", price="1200.00", price_currency="GBP")
    client.force_login(user)
    url = reverse("catalog:item", args=[item.sys_id_hex])
    assert "£1,200.00" in client.get(url, HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert "1.200,00\xa0£" in client.get(url, HTTP_ACCEPT_LANGUAGE="de-DE").content.decode()


@pytest.fixture
def two_currency_cart(user):
    add_to_cart(user, CatalogItemFactory(name="Seat", price="100.00", price_currency="GBP"), 2, {})
    add_to_cart(user, CatalogItemFactory(name="Licence", price="30.00", price_currency="EUR"), 1, {})
    add_to_cart(user, CatalogItemFactory(name="Token", price="5.50", price_currency="GBP"), 1, {})
    return get_cart(user)


def test_a_cart_with_two_currencies_shows_two_totals(client, user, two_currency_cart):
    client.force_login(user)
    response = client.get(reverse("catalog:cart"), HTTP_ACCEPT_LANGUAGE="en-GB")
    assert response.context["totals"] == {"GBP": Decimal("205.50"), "EUR": Decimal("30.00")}
    content = response.content.decode()
    assert "One-time total in GBP" in content and "£205.50" in content
    assert "One-time total in EUR" in content and "€30.00" in content
    # Never the meaningless sum of both.
    assert "235.50" not in content


def test_a_single_currency_cart_shows_one_total_without_naming_the_currency(client, user):
    add_to_cart(user, CatalogItemFactory(price="12.00", price_currency="GBP"), 2, {})
    client.force_login(user)
    content = client.get(reverse("catalog:cart"), HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert "One-time total</dt>" in content and "£24.00" in content and "total in" not in content


def test_an_order_in_two_currencies_keeps_no_single_total(client, user, two_currency_cart):
    placed = place_order(two_currency_cart, user)
    placed.refresh_from_db()
    assert (placed.price, placed.price_currency) == (None, "")
    assert sorted(placed.items.values_list("price_currency", flat=True)) == ["EUR", "GBP", "GBP"]

    client.force_login(user)
    detail = client.get(reverse("catalog:request", args=[placed.number]), HTTP_ACCEPT_LANGUAGE="en-GB")
    content = detail.content.decode()
    assert "Total in GBP" in content and "£205.50" in content and "€30.00" in content
    listing = client.get(reverse("catalog:requests"), HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert "£205.50" in listing and "€30.00" in listing and "235.50" not in listing


def test_an_order_in_one_currency_keeps_its_total_and_currency(user):
    add_to_cart(user, CatalogItemFactory(price="12.00", price_currency="GBP"), 3, {})
    placed = place_order(get_cart(user), user)
    stored = Request.objects.get(pk=placed.pk)
    assert (stored.price, stored.price_currency) == (Decimal("36.00"), "GBP")


def test_cart_and_requests_query_counts_do_not_grow_with_currencies(
    client, user, django_assert_max_num_queries
):
    client.force_login(user)
    add_to_cart(user, CatalogItemFactory(price_currency="GBP"), 1, {})
    place_order(get_cart(user), user)
    add_to_cart(user, CatalogItemFactory(price_currency="GBP"), 1, {})
    counts = []
    for url in (reverse("catalog:cart"), reverse("catalog:requests")):
        with django_assert_max_num_queries(20) as captured:
            client.get(url)
        counts.append(len(captured))
    for currency in ("EUR", "USD", "CHF", "SEK"):
        add_to_cart(user, CatalogItemFactory(price_currency=currency), 1, {})
    place_order(get_cart(user), user)
    for currency in ("EUR", "USD", "CHF"):
        add_to_cart(user, CatalogItemFactory(price_currency=currency), 1, {})
    for url, before in zip((reverse("catalog:cart"), reverse("catalog:requests")), counts, strict=True):
        with django_assert_max_num_queries(before) as captured:
            client.get(url)
        assert len(captured) == before
