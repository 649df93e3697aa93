"""Helpers for the Table API tests."""

from rest_framework.test import APIClient


def table_url(table, sys_id=None):
    return f"/api/now/table/{table}" + (f"/{sys_id}" if sys_id else "")


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def result_names(response):
    assert response.status_code == 200, response.content
    return sorted(row["name"] for row in response.json()["result"])
