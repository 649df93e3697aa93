import pytest


@pytest.fixture
def admin_user(db, django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.com", "correct-horse-battery")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client
