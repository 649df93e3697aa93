"""Helpers for the Table API tests."""


def table_url(table, sys_id=None):
    return f"/api/now/table/{table}" + (f"/{sys_id}" if sys_id else "")


def result_names(response):
    assert response.status_code == 200, response.content
    return sorted(row["name"] for row in response.json()["result"])
