"""Foundation admin: users with their organisation, groups with their members."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cmdb.models import User
from tests.factories.cmdb import (
    CompanyFactory,
    DepartmentFactory,
    GroupFactory,
    GroupMembershipFactory,
    LocationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["title", "company", "department", "location", "manager"])
def test_user_page_edits_the_organisation_fields(admin_client, field):
    user = UserFactory()
    response = admin_client.get(reverse("admin:cmdb_user_change", args=[user.pk]))
    assert field in response.context["adminform"].form.fields


def test_user_is_added_with_company_and_manager(admin_client):
    company, manager = CompanyFactory(), UserFactory()
    response = admin_client.post(
        reverse("admin:cmdb_user_add"),
        {
            "username": "jdoe",
            "usable_password": "true",
            "password1": "a-long-enough-passphrase-42",
            "password2": "a-long-enough-passphrase-42",
            "company": company.pk,
            "manager": manager.pk,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="jdoe")
    assert (user.company_id, user.manager_id, user.check_password("a-long-enough-passphrase-42")) == (
        company.pk,
        manager.pk,
        True,
    )


def test_user_page_saves_organisation_changes(admin_client):
    user = UserFactory(username="jdoe")
    department, location = DepartmentFactory(), LocationFactory()
    admin_client.post(
        reverse("admin:cmdb_user_change", args=[user.pk]),
        {
            "username": "jdoe",
            "title": "Payroll lead",
            "department": department.pk,
            "location": location.pk,
            "is_active": "on",
            "date_joined_0": "2024-01-02",
            "date_joined_1": "09:00:00",
        },
    )
    user.refresh_from_db()
    assert (user.title, user.department_id, user.location_id) == ("Payroll lead", department.pk, location.pk)


def test_group_list_counts_members(admin_client):
    group = GroupFactory()
    GroupMembershipFactory(group=group)
    GroupMembershipFactory(group=group)
    response = admin_client.get(reverse("admin:cmdb_group_changelist"))
    # The change advisory board (seeded by a migration) is listed too, without members.
    counts = {row.name: row.member_count for row in response.context["cl"].result_list}
    assert counts == {group.name: 2, "Change advisory board": 0}


def test_group_page_lists_members(admin_client):
    group = GroupFactory()
    GroupMembershipFactory(group=group, user__first_name="Jane", user__last_name="Doe")
    response = admin_client.get(reverse("admin:cmdb_group_change", args=[group.pk]))
    assert "Jane Doe" in response.content.decode()


def test_group_page_query_count_does_not_grow_with_members(admin_client):
    group = GroupFactory()
    GroupMembershipFactory(group=group)
    url = reverse("admin:cmdb_group_change", args=[group.pk])
    admin_client.get(url)  # warm per-process caches (content types)
    with CaptureQueriesContext(connection) as captured:
        admin_client.get(url)
    with_one_member = len(captured)
    for _ in range(14):
        GroupMembershipFactory(group=group)
    with CaptureQueriesContext(connection) as captured:
        admin_client.get(url)
    assert len(captured) == with_one_member


def test_a_department_cannot_sit_below_itself(admin_client):
    parent = DepartmentFactory(name="Finance")
    child = DepartmentFactory(name="Payroll", parent=parent, company=parent.company)
    response = admin_client.post(
        reverse("admin:cmdb_department_change", args=[parent.pk]),
        {"name": "Finance", "company": parent.company_id, "parent": child.pk},
    )
    assert response.status_code == 200
    parent.refresh_from_db()
    assert parent.parent_id is None
