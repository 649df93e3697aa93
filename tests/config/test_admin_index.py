import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_admin_index_links_the_portfolio_tree_and_data_health(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert reverse("admin:portfolio_portfolionode_changelist") in response.content.decode()
    assert reverse("csdm_health:index") in response.content.decode()
