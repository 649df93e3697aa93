from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog.cart import MAX_QUANTITY, add_to_cart, get_cart
from catalog.errors import CartChanged, EmptyCart, ItemUnavailable
from catalog.models import Approval, CartItem, Request, RequestedItem, Stage
from catalog.ordering import order_now, order_placed, place_order
from tests.factories.catalog import CatalogItemFactory
from tests.factories.cmdb import UserFactory

pytestmark = pytest.mark.django_db


def test_checkout_creates_one_request_with_one_requested_item_per_line(user):
    add_to_cart(user, CatalogItemFactory(), 1, {})
    add_to_cart(user, CatalogItemFactory(), 3, {})
    request = place_order(get_cart(user), user)
    assert (Request.objects.count(), request.items.count()) == (1, 2)


def test_checkout_numbers_request_and_items(user, item):
    add_to_cart(user, item, 1, {})
    request = place_order(get_cart(user), user)
    assert request.number.startswith("REQ") and request.items.get().number.startswith("RITM")


def test_checkout_prices_lines_from_the_item_times_quantity(user):
    add_to_cart(user, CatalogItemFactory(price="12.50"), 2, {})
    add_to_cart(user, CatalogItemFactory(price="100.00"), 1, {})
    request = place_order(get_cart(user), user)
    assert request.price == Decimal("125.00")


def test_checkout_uses_the_price_at_checkout_not_at_add_to_cart(user, item):
    add_to_cart(user, item, 1, {})
    item.price = Decimal("999.00")
    item.save()
    request = place_order(get_cart(user), user)
    assert request.items.get().price == Decimal("999.00")


def test_checkout_records_the_recurring_price(user):
    item = CatalogItemFactory(recurring_price="15.00", recurring_frequency="monthly")
    add_to_cart(user, item, 1, {})
    requested = place_order(get_cart(user), user).items.get()
    assert (requested.recurring_price, requested.recurring_frequency) == (Decimal("15.00"), "monthly")


def test_checkout_empties_the_cart(user, item):
    add_to_cart(user, item, 1, {})
    place_order(get_cart(user), user)
    assert not CartItem.objects.exists()


def test_checkout_of_an_empty_cart_is_refused(user):
    with pytest.raises(EmptyCart):
        place_order(get_cart(user), user)


def test_checkout_of_someone_elses_cart_is_refused(user, item):
    add_to_cart(user, item, 1, {})
    with pytest.raises(PermissionDenied):
        place_order(get_cart(user), UserFactory())


def test_checkout_stores_the_answers_with_their_display_values(user, laptop_with_questions, good_answers):
    add_to_cart(user, laptop_with_questions, 1, good_answers)
    requested = place_order(get_cart(user), user).items.get()
    answers = {answer.question: answer.display_value for answer in requested.answers.all()}
    assert answers == {
        "Screen size": "16 inch",
        "Needed by": "2030-01-15",
        "Monitors": "2",
        "Docking station": "Yes",
    }


def test_missing_required_answer_is_refused_and_nothing_added(user, laptop_with_questions, good_answers):
    del good_answers["size"]
    with pytest.raises(ValidationError) as error:
        add_to_cart(user, laptop_with_questions, 1, good_answers)
    assert error.value.message_dict == {"size": ["This field is required."]}
    assert not CartItem.objects.exists()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("monitors", "two", "Enter a whole number."),
        ("needed_by", "31/02/2030", "Enter a valid date."),
        ("size", "17", "Select a valid choice. 17 is not one of the available choices."),
    ],
)
def test_bad_answer_is_refused_with_the_form_fields_message(
    user, laptop_with_questions, good_answers, name, value, message
):
    good_answers[name] = value
    with pytest.raises(ValidationError) as error:
        add_to_cart(user, laptop_with_questions, 1, good_answers)
    assert error.value.message_dict == {name: [message]}


def test_answer_to_an_unknown_question_is_refused(user, item):
    with pytest.raises(ValidationError):
        add_to_cart(user, item, 1, {"colour": "red"})


@pytest.mark.parametrize("quantity", [0, -1, "x", MAX_QUANTITY + 1])
def test_bad_quantity_is_refused(user, item, quantity):
    with pytest.raises(ValidationError):
        add_to_cart(user, item, quantity, {})


def test_checkout_revalidates_answers_when_a_question_became_required(
    user, laptop_with_questions, good_answers
):
    del good_answers["monitors"]
    add_to_cart(user, laptop_with_questions, 1, good_answers)
    laptop_with_questions.variables.filter(name="monitors").update(mandatory=True)
    with pytest.raises(ValidationError):
        place_order(get_cart(user), user)
    assert not Request.objects.exists()


def test_checkout_refuses_an_item_no_longer_available_and_creates_nothing(user, item):
    add_to_cart(user, item, 1, {})
    item.active = False
    item.save()
    with pytest.raises(ItemUnavailable):
        place_order(get_cart(user), user)
    assert not Request.objects.exists() and CartItem.objects.count() == 1


def test_add_to_cart_refuses_an_item_the_user_may_not_order(user):
    with pytest.raises(ItemUnavailable):
        add_to_cart(user, CatalogItemFactory(available_to_all=False), 1, {})


def test_double_submit_of_the_same_cart_version_creates_one_request(user, item):
    add_to_cart(user, item, 1, {})
    cart = get_cart(user)
    first = place_order(cart, user, version=cart.version)
    second = place_order(cart, user, version=cart.version)
    assert first == second and Request.objects.count() == 1


def test_checkout_of_a_stale_cart_version_is_refused(user, item):
    add_to_cart(user, item, 1, {})
    shown = get_cart(user).version
    add_to_cart(user, item, 1, {})
    with pytest.raises(CartChanged):
        place_order(get_cart(user), user, version=shown)


def test_order_now_creates_a_request_without_touching_the_cart(user, item):
    add_to_cart(user, CatalogItemFactory(), 1, {})
    request = order_now(user, item, 2, {}, token="8d0a0e5a-6c44-4b1c-9a39-5b0c1f1b0c11")
    assert request.items.get().catalog_item == item and CartItem.objects.count() == 1


def test_order_now_submitted_twice_with_the_same_token_creates_one_request(user, item):
    token = "8d0a0e5a-6c44-4b1c-9a39-5b0c1f1b0c11"
    first = order_now(user, item, 1, {}, token=token)
    second = order_now(user, item, 1, {}, token=token)
    assert first == second and Request.objects.count() == 1


def test_order_placed_signal_is_sent_after_commit(user, item, django_capture_on_commit_callbacks):
    received = []
    order_placed.connect(lambda sender, request, **kwargs: received.append(request), weak=False)
    try:
        add_to_cart(user, item, 1, {})
        with django_capture_on_commit_callbacks(execute=True):
            request = place_order(get_cart(user), user)
    finally:
        order_placed.receivers.clear()
    assert received == [request]


def test_item_needing_approval_waits_for_the_requesters_manager(waiting_item, manager):
    assert (waiting_item.stage, waiting_item.approval, waiting_item.approver) == (
        Stage.WAITING_FOR_APPROVAL,
        Approval.REQUESTED,
        manager,
    )


def test_item_needing_approval_of_a_requester_without_manager_waits_for_staff(approval_item):
    loner = UserFactory()
    add_to_cart(loner, approval_item, 1, {})
    requested = place_order(get_cart(loner), loner).items.get()
    assert (requested.approval, requested.approver) == (Approval.REQUESTED, None)


def test_item_without_approval_starts_approved(ordered_item):
    assert (ordered_item.stage, ordered_item.approval) == (Stage.REQUEST_APPROVED, Approval.NOT_REQUESTED)


def test_request_approval_is_requested_while_an_item_waits(waiting_item):
    assert waiting_item.request.approval == Approval.REQUESTED


def test_numbers_are_distinct_across_requested_items(user):
    add_to_cart(user, CatalogItemFactory(), 1, {})
    add_to_cart(user, CatalogItemFactory(), 1, {})
    place_order(get_cart(user), user)
    numbers = list(RequestedItem.objects.values_list("number", flat=True))
    assert len(set(numbers)) == 2
