"""Every web page passes axe-core's WCAG 2 A and AA rules (issue 17).

axe-core runs inside Chromium on each page of the demo company as its personas see them: the login
page, the catalog, an item with scope and commitments, a cart in two currencies, the requests and
one request, the approvals waiting for a manager, the portfolio, a service page with a year of
history, the profile page, and the customer portal (status, cases, a proactive case, the new-case
form) as a customer contact sees it. Any violation fails the test, listed per page with the
elements at fault.

axe.min.js comes from the axe-playwright-python package, so the test needs no network.
"""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.utils import timezone

from catalog.cart import add_to_cart
from catalog.models import CatalogItem, VariableType
from catalog.ordering import order_now
from cmdb.management.commands import load_demo
from cmdb.models import BusinessService, User
from customers.models import Case
from tests.browser.conftest import PASSWORD

# Every success criterion of WCAG 2.0, 2.1 and 2.2 at levels A and AA that axe-core can check.
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_A_AA}, "resultTypes": ["violations"]}


@pytest.fixture
def demo(transactional_db, tmp_path, monkeypatch):
    """The demo company loaded as `make run` loads it, every persona's password PASSWORD."""
    monkeypatch.setattr(load_demo, "PASSWORD_FILE", tmp_path / "password")
    monkeypatch.setenv(load_demo.PASSWORD_ENV, PASSWORD)
    call_command("load_demo", verbosity=0)
    return {user.username: user for user in User.objects.filter(username__in=load_demo.PERSONAS)}


def answers_for(item):
    """Acceptable answers to an item's required questions."""
    soon = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    answers = {}
    for variable in item.variables.filter(mandatory=True).prefetch_related("choices"):
        answers[variable.name] = {
            VariableType.CHOICE: lambda v: v.choices.all()[0].value,
            VariableType.CHECKBOX: lambda v: "true",
            VariableType.DATE: lambda v: soon,
            VariableType.INTEGER: lambda v: "2",
        }.get(variable.type, lambda v: "Needed for the accessibility review")(variable)
    return answers


def violations_on(page, url):
    response = page.goto(url)
    assert response.ok, f"{url} answered {response.status}"
    page.wait_for_load_state("networkidle")
    results = Axe().run(page, options=AXE_OPTIONS).response
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}\n"
        + "\n".join(
            f"    {node['target']}: {node.get('failureSummary', '').splitlines()[-1].strip()}"
            for node in violation["nodes"][:5]
        )
        for violation in results["violations"]
    ]


def log_in_as(page, base, username, lands_on="/catalog/"):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}{lands_on}")


def test_every_page_passes_axe_wcag_2_a_and_aa(page, live_server, demo):
    base = live_server.url
    emma = demo["emma.clark"]
    # A cart in two currencies: the laptop is bought in euros for this test.
    CatalogItem.objects.filter(name="Standard laptop").update(price_currency="EUR")
    for name in ("Standard laptop", "Additional monitor"):
        item = CatalogItem.objects.get(name=name)
        add_to_cart(emma, item, 1, answers_for(item))
    fraud = CatalogItem.objects.get(name="Subscribe to Fraud Screening")
    placed = order_now(emma, fraud, 1, answers_for(fraud), "0d6c3a57-3c1e-4c43-9a6e-2f1c0a7d9b11")
    seat = CatalogItem.objects.get(name="Motor Claims – Gold seat")
    service = BusinessService.objects.get(name=load_demo.HISTORY_EXAMPLE_SERVICE)

    found = {"login": violations_on(page, f"{base}/accounts/login/")}
    log_in_as(page, base, "emma.clark")
    for name, path in [
        ("catalog", "/catalog/"),
        ("item", f"/catalog/item/{seat.sys_id_hex}/"),
        ("cart", "/catalog/cart/"),
        ("requests", "/catalog/requests/"),
        ("request", f"/catalog/requests/{placed.number}/"),
    ]:
        found[name] = violations_on(page, base + path)
    log_in_as(page, base, "david.morgan")
    found["approvals"] = violations_on(page, f"{base}/catalog/approvals/")
    log_in_as(page, base, "sofia.berg")
    found["portfolio"] = violations_on(page, f"{base}/portfolio/")
    found["service page"] = violations_on(page, f"{base}/portfolio/services/{service.sys_id_hex}/")
    found["profile"] = violations_on(page, f"{base}/accounts/profile/")
    # The customer portal, as a contact of an impacted customer sees it: a banner, products, cases.
    log_in_as(page, base, "anouk.devries", lands_on="/support/")
    anouk_case = Case.objects.filter(account__contacts__username="anouk.devries", proactive=True).first()
    for name, path in [
        ("portal status", "/support/"),
        ("portal cases", "/support/cases/"),
        ("portal case", f"/support/cases/{anouk_case.number}/"),
        ("portal new case", "/support/cases/new/"),
    ]:
        found[name] = violations_on(page, base + path)

    failing = {name: problems for name, problems in found.items() if problems}
    assert not failing, "\n".join(
        f"{name}:\n  " + "\n  ".join(problems) for name, problems in failing.items()
    )
