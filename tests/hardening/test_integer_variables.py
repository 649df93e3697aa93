"""Issue 10, cause 6: integer catalog answers have bounds (the variable's, or 0 to 10^9 by default)."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.cart import add_to_cart
from catalog.models import INTEGER_ANSWER_MAX, CartItem, VariableType
from tests.factories.catalog import CatalogItemFactory, ItemVariableFactory
from tests.factories.cmdb import UserFactory

pytestmark = pytest.mark.django_db


def integer_question(**bounds):
    return ItemVariableFactory(name="devices", type=VariableType.INTEGER, mandatory=True, **bounds)


@pytest.mark.parametrize("answer", [10**30, -5, INTEGER_ANSWER_MAX + 1])
def test_an_answer_outside_the_default_bounds_is_refused_naming_the_question(answer):
    question = integer_question()
    with pytest.raises(ValidationError) as raised:
        add_to_cart(UserFactory(), question.catalog_item, 1, {"devices": answer})
    assert list(raised.value.message_dict) == ["devices"]
    assert not CartItem.objects.exists()


def test_the_variables_own_bounds_apply():
    question = integer_question(min_value=1, max_value=10)
    user = UserFactory()
    with pytest.raises(ValidationError, match="less than or equal to 10"):
        add_to_cart(user, question.catalog_item, 1, {"devices": 11})
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        add_to_cart(user, question.catalog_item, 1, {"devices": 0})
    assert add_to_cart(user, question.catalog_item, 1, {"devices": "10"}).answers == {"devices": "10"}


def test_a_negative_answer_is_allowed_where_the_variable_says_so():
    question = integer_question(min_value=-3, max_value=3)
    line = add_to_cart(UserFactory(), question.catalog_item, 1, {"devices": -3})
    assert line.answers == {"devices": "-3"}


def test_the_order_page_refuses_a_huge_answer(client):
    question = integer_question()
    client.force_login(UserFactory())
    url = reverse("catalog:item", args=[question.catalog_item.sys_id.hex])
    response = client.post(url, {"quantity": "1", "token": str(uuid.uuid4()), "var_devices": str(10**30)})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["var_devices"]
    assert not CartItem.objects.exists()


def test_a_variable_whose_bounds_cross_is_invalid():
    question = integer_question(min_value=5, max_value=1)
    with pytest.raises(ValidationError) as raised:
        question.full_clean()
    assert "max_value" in raised.value.message_dict


def test_an_integer_default_outside_the_bounds_is_invalid():
    question = integer_question(max_value=10, default_value="11", catalog_item=CatalogItemFactory())
    with pytest.raises(ValidationError) as raised:
        question.full_clean()
    assert "default_value" in raised.value.message_dict
