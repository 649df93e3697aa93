"""Issue 10, cause 9: one rule decides who reads a service's owner page and its availability/trends API."""

import pytest
from django.contrib.auth.models import Group as PermissionGroup
from django.contrib.auth.models import Permission
from django.urls import reverse
from rest_framework.test import APIClient

from tests.api.helpers import INCIDENT_MANAGERS
from tests.factories.cmdb import BusinessServiceFactory, UserFactory

pytestmark = pytest.mark.django_db


def answers(user, service):
    """(owner page, availability API, trends API) status codes for `user`."""
    client = APIClient()
    client.force_login(user)
    return (
        client.get(reverse("portfolio:service", args=[service.sys_id.hex])).status_code,
        client.get(reverse("owner-api:availability", args=[service.sys_id.hex])).status_code,
        client.get(reverse("owner-api:trends", args=[service.sys_id.hex])).status_code,
    )


def test_an_incident_manager_reads_the_page_and_the_api():
    user = UserFactory(is_staff=True)
    user.groups.add(PermissionGroup.objects.get(name=INCIDENT_MANAGERS))
    assert answers(user, BusinessServiceFactory(owned_by=UserFactory())) == (200, 200, 200)


def test_the_owner_reads_their_own_service_without_any_permission():
    owner = UserFactory()
    assert answers(owner, BusinessServiceFactory(owned_by=owner)) == (200, 200, 200)


@pytest.mark.parametrize("staff", [True, False])
def test_someone_who_may_not_view_outages_reads_neither_for_others_services(staff):
    user = UserFactory(is_staff=staff)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="cmdb", codename="view_service"))
    assert answers(user, BusinessServiceFactory(owned_by=UserFactory())) == (404, 404, 404)


def test_the_portfolio_tree_follows_the_same_rule():
    user = UserFactory(is_staff=True)
    user.groups.add(PermissionGroup.objects.get(name=INCIDENT_MANAGERS))
    BusinessServiceFactory(name="Trading desk", owned_by=UserFactory())
    client = APIClient()
    client.force_login(user)
    assert "Trading desk" in client.get(reverse("portfolio:index")).content.decode()
