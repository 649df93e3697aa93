import datetime

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from tests.factories.cmdb import UserFactory

pytestmark = pytest.mark.django_db


def test_a_logged_in_user_stays_logged_in_across_requests(client):
    user = UserFactory()
    client.force_login(user)

    first, second = client.get("/catalog/"), client.get("/catalog/")

    assert first.wsgi_request.user == user
    assert second.wsgi_request.user == user


def test_an_expired_session_is_not_honoured(client):
    client.force_login(UserFactory())
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))

    response = client.get("/catalog/")

    assert response.wsgi_request.user.is_anonymous


def test_an_unknown_session_key_is_a_new_anonymous_session(client):
    client.cookies["sessionid"] = "x" * 32

    response = client.get("/catalog/")

    assert response.wsgi_request.user.is_anonymous
    assert response.wsgi_request.session.session_key is None
