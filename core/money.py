"""Money: ISO 4217 currency codes, amounts formatted for a reader's locale, totals per currency.

Runstage never converts between currencies, so it never adds amounts of different currencies:
a total is a {currency: amount} mapping with one entry per currency (issue 17).
"""

from collections.abc import Iterable
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.numbers import format_currency, is_currency
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

FALLBACK_CURRENCY = "USD"
FALLBACK_LOCALE = "en_US"


def default_currency() -> str:
    """The currency of prices entered without one: RUNSTAGE_DEFAULT_CURRENCY (USD if unset)."""
    return getattr(settings, "RUNSTAGE_DEFAULT_CURRENCY", FALLBACK_CURRENCY) or FALLBACK_CURRENCY


def validate_currency_code(code: str) -> None:
    """Refuse anything but an upper-case ISO 4217 code that CLDR knows ("GBP", not "gbp" or "£")."""
    if not (isinstance(code, str) and len(code) == 3 and code.isupper() and is_currency(code)):
        raise ValidationError(
            "%(code)s is not an ISO 4217 currency code (e.g. GBP, EUR, USD).",
            code="invalid_currency",
            params={"code": code},
        )


def locale_of_request(request) -> str:
    """The reader's formatting locale ("en_GB", "de_DE"), from their Accept-Language header.

    This picks the number format only; it does not switch the interface language (Runstage speaks
    English), so a reader in Germany sees "1.234,50 £" on an English page.
    """
    cached = getattr(request, "_runstage_money_locale", None)
    if cached:
        return cached
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "") if request is not None else ""
    locale = FALLBACK_LOCALE
    for language, _quality in translation.trans_real.parse_accept_lang_header(header):
        if language == "*":
            continue
        try:
            parsed = Locale.parse(translation.to_locale(language))
        except (UnknownLocaleError, ValueError):
            continue
        # A bare language ("de") formats as its main country does ("de_DE").
        if parsed.territory is None:
            likely = get_global("likely_subtags").get(parsed.language, "")
            territory = likely.split("_")[-1] if likely.count("_") >= 1 else None
            locale = f"{parsed.language}_{territory}" if territory else str(parsed)
        else:
            locale = str(parsed)
        break
    if request is not None:
        request._runstage_money_locale = locale
    return locale


def format_money(
    amount: Decimal | int | float | str | None, currency: str | None, locale: str | None = None
) -> str:
    """1234.5 GBP → "£1,234.50" (en_GB), "1.234,50 £" (de_DE); empty for no amount."""
    if amount is None or amount == "":
        return ""
    return format_currency(Decimal(amount), currency or default_currency(), locale=locale or FALLBACK_LOCALE)


def totals_by_currency(amounts: Iterable[tuple[Decimal, str]]) -> dict[str, Decimal]:
    """Sum (amount, currency) pairs per currency, in the order each currency first appears."""
    totals: dict[str, Decimal] = {}
    for amount, currency in amounts:
        totals[currency] = totals.get(currency, Decimal("0")) + Decimal(amount)
    return totals


def single_total(amounts: Iterable[tuple[Decimal, str]]) -> tuple[Decimal | None, str]:
    """(total, currency) when every amount is in one currency; (None, "") when they are mixed.

    An empty list totals zero in the default currency.
    """
    totals = totals_by_currency(amounts)
    if not totals:
        return Decimal("0"), default_currency()
    if len(totals) > 1:
        return None, ""
    ((currency, total),) = totals.items()
    return total, currency
