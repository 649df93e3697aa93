import datetime

import pytest

from cmdb.models import Company, User
from cmdb.servicenow.exporter import export_folder
from cmdb.servicenow.importer import ImportFailure, import_folder
from customers.models import (
    AffectedInstallBase,
    Case,
    Consumer,
    CustomerAccount,
    InstallBaseItem,
    InstalledProduct,
    SoldProduct,
)
from tests.factories.cmdb import CompanyFactory, UserFactory
from tests.factories.customers import (
    CaseFactory,
    ConsumerFactory,
    CustomerContactFactory,
    InstallBaseItemFactory,
    InstalledProductFactory,
    SoldProductFactory,
)
from tests.factories.impact import IncidentFactory
from tests.fixtures.servicenow.helpers import read_table, write_table

pytestmark = pytest.mark.django_db

CUSTOMER_TABLES = (
    "customer_account",
    "customer_contact",
    "csm_consumer",
    "sn_install_base_sold_product",
    "sn_install_base_item",
    "sn_install_base_m2m_installed_product",
    "sn_customerservice_case",
    "sn_install_base_m2m_affected_install_base",
)


def customer_data():
    contact = CustomerContactFactory(account__name="Acme Retail")
    account = contact.account
    account.primary_contact = contact
    account.save()
    consumer = ConsumerFactory(name="Dana Home")
    sold = SoldProductFactory(account=account, end_date=datetime.date(2030, 1, 1))
    item = InstallBaseItemFactory(account=account)
    InstalledProductFactory(install_base_item=item, sold_product=sold)
    SoldProductFactory(account=None, consumer=consumer, service_offering=sold.service_offering)
    case = CaseFactory(account=account, contact=contact, proactive=True, incident=IncidentFactory())
    case.affected_install_base.add(item)
    CompanyFactory(name="Plain Vendor")
    UserFactory(username="plain.employee")
    return account, contact, case


def test_export_writes_every_customer_table_with_sys_ids(tmp_path):
    account, contact, case = customer_data()

    export_folder(tmp_path)

    accounts = read_table(tmp_path, "customer_account")
    assert [(row["sys_id"], row["number"], row["name"]) for row in accounts] == [
        (account.sys_id.hex, account.number, "Acme Retail")
    ]
    assert accounts[0]["sys_class_name"] == "customer_account"
    assert accounts[0]["primary_contact"] == contact.sys_id.hex
    # The extended tables keep only their own class's rows.
    assert [row["name"] for row in read_table(tmp_path, "core_company")] == ["Plain Vendor"]
    assert contact.sys_id.hex not in {row["sys_id"] for row in read_table(tmp_path, "sys_user")}
    assert read_table(tmp_path, "customer_contact")[0]["account"] == account.sys_id.hex
    assert read_table(tmp_path, "sn_customerservice_case")[0]["number"] == case.number


def test_round_trip_keeps_sys_ids_and_gives_identical_files(tmp_path):
    customer_data()
    export_folder(tmp_path / "first")
    before = {table: read_table(tmp_path / "first", table) for table in CUSTOMER_TABLES}
    sys_ids = {table: sorted(row["sys_id"] for row in rows) for table, rows in before.items()}
    for model in (AffectedInstallBase, Case, InstalledProduct, InstallBaseItem, SoldProduct, Consumer):
        model.objects.all().delete()
    User.objects.all().delete()
    Company.objects.all().delete()
    assert not CustomerAccount.objects.exists()

    import_folder(tmp_path / "first")
    export_folder(tmp_path / "second")

    for table in CUSTOMER_TABLES:
        rows = read_table(tmp_path / "second", table)
        assert sorted(row["sys_id"] for row in rows) == sys_ids[table], table
        assert rows == before[table], table
    contact = CustomerAccount.objects.get().contacts.get()
    assert contact.check_password("correct-horse-battery") is False  # imported people cannot log in


def test_reimport_of_the_same_files_changes_nothing(tmp_path):
    customer_data()
    export_folder(tmp_path)

    result = import_folder(tmp_path)

    for table in CUSTOMER_TABLES:
        counts = result.tables[table]
        assert (counts.created, counts.updated) == (0, 0), table


def test_imported_rows_without_numbers_get_numbers_past_the_imported_ones(tmp_path):
    write_table(
        tmp_path,
        "customer_account",
        [
            {"sys_id": "a" * 32, "name": "Numbered", "number": "ACC0000500"},
            {"sys_id": "b" * 32, "name": "Unnumbered"},
        ],
    )

    import_folder(tmp_path)

    assert CustomerAccount.objects.get(name="Unnumbered").number == "ACC0000501"
    assert CustomerAccount.objects.get(name="Numbered").customer is False  # as imported


def test_a_company_cannot_become_an_account_by_import(tmp_path):
    company = CompanyFactory()
    write_table(tmp_path, "customer_account", [{"sys_id": company.sys_id.hex, "name": "Taken"}])

    with pytest.raises(ImportFailure, match="already exists as core_company"):
        import_folder(tmp_path)


def test_a_sold_product_needs_an_account_or_a_consumer(tmp_path):
    write_table(tmp_path, "sn_install_base_sold_product", [{"sys_id": "c" * 32, "name": "Nobody's"}])

    with pytest.raises(ImportFailure, match="sn_install_base_sold_product"):
        import_folder(tmp_path)


def test_saving_a_contact_as_a_plain_user_keeps_it_a_contact():
    contact = CustomerContactFactory()
    user = User.objects.get(pk=contact.pk)

    user.first_name = "Renamed"
    user.save()

    assert User.objects.get(pk=contact.pk).sys_class_name == "customer_contact"
