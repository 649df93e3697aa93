"""Issue 10, cause 7: wrong passwords in a row lock a user name out from that address, on every login path."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle

from tests.factories.cmdb import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def victim():
    user = UserFactory(username="victim", is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def page_login(client, password, path="/accounts/login/", username="victim"):
    return client.post(path, {"username": username, "password": password})


def token_login(client, password, username="victim"):
    return client.post(reverse("api-token"), {"username": username, "password": password})


def fail(n, attempt, client):
    for _ in range(n):
        attempt(client, "wrong")


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_pages_refuse_even_the_right_password_after_the_limit(client, victim, settings, path):
    fail(settings.AXES_FAILURE_LIMIT, lambda c, p: page_login(c, p, path), client)
    response = page_login(client, PASSWORD, path)
    assert response.status_code == 429
    assert b"Too many failed logins" in response.content
    assert "_auth_user_id" not in client.session


def test_the_token_endpoint_answers_429_json_after_the_limit(client, victim, settings):
    fail(settings.AXES_FAILURE_LIMIT, token_login, client)
    response = token_login(client, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed logins" in response.json()["detail"]
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()


def test_below_the_limit_the_right_password_works(client, victim, settings):
    fail(settings.AXES_FAILURE_LIMIT - 1, token_login, client)
    assert token_login(client, PASSWORD).status_code == 200


@pytest.mark.parametrize("attempt", [page_login, token_login])
def test_a_success_resets_the_count(client, victim, settings, attempt):
    fail(settings.AXES_FAILURE_LIMIT - 1, attempt, client)
    assert attempt(client, PASSWORD).status_code in (200, 302)
    client.logout()
    fail(settings.AXES_FAILURE_LIMIT - 1, attempt, client)
    assert attempt(client, PASSWORD).status_code in (200, 302)


def test_the_lockout_is_per_user_name_and_address(client, victim, settings):
    other = UserFactory(username="bystander")
    other.set_password(PASSWORD)
    other.save()
    fail(settings.AXES_FAILURE_LIMIT, token_login, client)
    assert token_login(client, PASSWORD, username="bystander").status_code == 200
    assert (
        client.post(
            reverse("api-token"), {"username": "victim", "password": PASSWORD}, REMOTE_ADDR="10.9.8.7"
        ).status_code
        == 200
    )


def test_the_lockout_ends_after_the_cool_off(client, victim, settings):
    fail(settings.AXES_FAILURE_LIMIT, token_login, client)
    assert token_login(client, PASSWORD).status_code == 429
    past = timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=past)
    assert token_login(client, PASSWORD).status_code == 200


def test_an_admin_unlocks_through_the_admin(client, admin_client, victim, settings):
    fail(settings.AXES_FAILURE_LIMIT, lambda c, p: page_login(c, p), client)
    attempt = AccessAttempt.objects.get(username="victim")
    response = admin_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert page_login(client, PASSWORD).status_code == 302


@pytest.fixture
def low_rates(monkeypatch):
    # DRF reads the rates into the throttle classes when they are imported; lower them there.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "3/min"})
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    cache.clear()
    yield
    cache.clear()


def test_token_requests_are_throttled(client, victim, low_rates):
    codes = [token_login(client, PASSWORD).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_anonymous_api_requests_are_throttled(client, low_rates):
    # DRF checks permissions first, so the endpoints anonymous callers reach are the schema and the token.
    codes = [client.get(reverse("api-schema")).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
