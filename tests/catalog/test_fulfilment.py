import pytest

from catalog.access import can_order
from catalog.cart import add_to_cart, get_cart
from catalog.fulfilment import close_incomplete, deliver_item, set_item_stage, set_item_state, start_work
from catalog.models import RequestedItem, RequestState, Stage, State
from catalog.ordering import place_order
from catalog.request_state import derive_request_state
from core.workflow import InvalidTransition
from offerings.models import UserSubscription
from tests.factories.catalog import CatalogItemFactory, CatalogItemOfferingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_item_request(user):
    add_to_cart(user, CatalogItemFactory(), 1, {})
    add_to_cart(user, CatalogItemFactory(), 1, {})
    return place_order(get_cart(user), user)


def test_start_work_moves_an_open_item_to_work_in_progress(ordered_item):
    start_work(ordered_item)
    ordered_item.refresh_from_db()
    assert (ordered_item.state, ordered_item.stage) == (State.WORK_IN_PROGRESS, Stage.FULFILLMENT)


def test_a_closed_item_cannot_be_reopened(ordered_item):
    deliver_item(ordered_item)
    with pytest.raises(InvalidTransition):
        set_item_state(ordered_item, State.WORK_IN_PROGRESS)


def test_pending_cannot_close_complete_without_work(ordered_item):
    set_item_state(ordered_item, State.PENDING)
    with pytest.raises(InvalidTransition):
        set_item_state(ordered_item, State.CLOSED_COMPLETE)


def test_a_refused_transition_leaves_the_stored_state_alone(ordered_item):
    deliver_item(ordered_item)
    with pytest.raises(InvalidTransition):
        start_work(ordered_item)
    assert RequestedItem.objects.get(pk=ordered_item.pk).state == State.CLOSED_COMPLETE


def test_work_cannot_start_while_approval_is_requested(waiting_item):
    with pytest.raises(InvalidTransition):
        start_work(waiting_item)


def test_stage_cannot_jump_back_to_waiting_for_approval(ordered_item):
    with pytest.raises(InvalidTransition):
        set_item_stage(ordered_item, Stage.WAITING_FOR_APPROVAL)


def test_deliver_closes_the_item_complete(ordered_item):
    deliver_item(ordered_item)
    ordered_item.refresh_from_db()
    assert (ordered_item.state, ordered_item.stage) == (State.CLOSED_COMPLETE, Stage.COMPLETE)
    assert ordered_item.closed_at is not None


def test_request_stays_open_until_every_item_is_closed(two_item_request):
    first, _ = two_item_request.items.all()
    deliver_item(first)
    two_item_request.refresh_from_db()
    assert two_item_request.request_state == RequestState.IN_PROCESS and two_item_request.closed_at is None


def test_request_closes_complete_when_every_item_closed_complete(two_item_request):
    for requested in two_item_request.items.all():
        deliver_item(requested)
    two_item_request.refresh_from_db()
    assert two_item_request.request_state == RequestState.CLOSED_COMPLETE and two_item_request.closed_at


def test_request_closes_incomplete_when_one_item_closed_incomplete(two_item_request):
    first, second = two_item_request.items.all()
    deliver_item(first)
    close_incomplete(second)
    two_item_request.refresh_from_db()
    assert two_item_request.request_state == RequestState.CLOSED_INCOMPLETE


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        ([State.OPEN, State.OPEN], RequestState.OPEN),
        ([State.OPEN, State.WORK_IN_PROGRESS], RequestState.IN_PROCESS),
        ([State.CLOSED_COMPLETE, State.PENDING], RequestState.IN_PROCESS),
        ([State.CLOSED_COMPLETE, State.CLOSED_COMPLETE], RequestState.CLOSED_COMPLETE),
        ([State.CLOSED_COMPLETE, State.CLOSED_SKIPPED], RequestState.CLOSED_INCOMPLETE),
        ([State.CLOSED_INCOMPLETE], RequestState.CLOSED_INCOMPLETE),
    ],
)
def test_derive_request_state(states, expected):
    assert derive_request_state(states) == expected


@pytest.fixture
def subscribe_item():
    """An item open to everyone that orders an offering: ordering it subscribes you."""
    link = CatalogItemOfferingFactory(catalog_item__available_to_all=True, catalog_item__name="Join CRM")
    return link


def _order(user, item):
    add_to_cart(user, item, 1, {})
    return place_order(get_cart(user), user).items.get()


def test_delivering_an_open_item_subscribes_the_requester_to_its_offering(user, subscribe_item):
    deliver_item(_order(user, subscribe_item.catalog_item))
    assert UserSubscription.objects.filter(
        service_offering=subscribe_item.service_offering, user=user
    ).exists()


def test_ordering_an_open_item_twice_subscribes_the_requester_once(user, subscribe_item):
    deliver_item(_order(user, subscribe_item.catalog_item))
    deliver_item(_order(user, subscribe_item.catalog_item))
    assert UserSubscription.objects.filter(user=user).count() == 1


def test_delivery_opens_the_offerings_subscribers_only_items(user, subscribe_item):
    members_only = CatalogItemOfferingFactory(service_offering=subscribe_item.service_offering).catalog_item
    deliver_item(_order(user, subscribe_item.catalog_item))
    assert can_order(user, members_only)


def test_closing_incomplete_does_not_subscribe(user, subscribe_item):
    close_incomplete(_order(user, subscribe_item.catalog_item))
    assert not UserSubscription.objects.filter(user=user).exists()
