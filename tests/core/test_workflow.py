"""One workflow helper: every record with a lifecycle refuses a forbidden move with the same error."""

import inspect

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from catalog.cart import add_to_cart, get_cart
from catalog.fulfilment import deliver_item
from catalog.models import RequestState, State
from catalog.ordering import place_order
from core.workflow import InvalidTransition, Workflow
from impact.models import TaskState
from portfolio.models import Initiative
from tests.factories.catalog import CatalogItemFactory
from tests.factories.cmdb import UserFactory
from tests.factories.impact import ChangeRequestFactory, IncidentFactory
from tests.factories.owners import InitiativeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def requested_item():
    user = UserFactory()
    add_to_cart(user, CatalogItemFactory(), 1, {})
    return place_order(get_cart(user), user).items.get()


def test_a_requested_item_refuses_to_reopen(requested_item):
    deliver_item(requested_item)
    requested_item.refresh_from_db()
    with pytest.raises(InvalidTransition) as refused:
        requested_item.set_state(State.OPEN)
    assert refused.value.message_dict == {
        "state": [f"{requested_item.number} cannot go from Closed complete to Open."]
    }


def test_a_closed_request_refuses_to_reopen(requested_item):
    deliver_item(requested_item)
    request = requested_item.request
    request.refresh_from_db()
    assert request.request_state == RequestState.CLOSED_COMPLETE
    with pytest.raises(InvalidTransition):
        request.set_state(RequestState.IN_PROCESS)


def test_an_incident_refuses_to_close_from_new():
    incident = IncidentFactory()
    with pytest.raises(InvalidTransition) as refused:
        incident.set_state(TaskState.CLOSED)
    assert refused.value.message_dict == {"state": ["An incident cannot move from New to Closed."]}


def test_a_change_refuses_a_state_that_is_not_its_own():
    change = ChangeRequestFactory()
    with pytest.raises(InvalidTransition, match="Resolved is not a state of a change request"):
        change.set_state(TaskState.RESOLVED)


def test_an_initiative_refuses_to_leave_done():
    initiative = InitiativeFactory(state=Initiative.State.DONE)
    with pytest.raises(InvalidTransition) as refused:
        initiative.set_state(Initiative.State.IN_PROGRESS)
    assert refused.value.message_dict == {"state": ["An initiative cannot go from Done to In progress."]}
    initiative.refresh_from_db()
    assert initiative.state == Initiative.State.DONE


def test_an_allowed_move_saves_and_stamps_when_asked():
    incident = IncidentFactory()
    incident.set_state(TaskState.IN_PROGRESS, save=True)
    incident.set_state(TaskState.RESOLVED, save=True)
    incident.refresh_from_db()
    assert incident.state == TaskState.RESOLVED
    assert incident.closed_at is None
    incident.set_state(TaskState.CLOSED, save=True)
    incident.refresh_from_db()
    assert incident.closed_at is not None


def test_final_states_are_the_states_without_moves():
    assert Initiative.workflow.final_states == {Initiative.State.DONE, Initiative.State.CANCELLED}


def test_there_is_one_invalid_transition_class_and_every_lifecycle_declares_a_workflow():
    runstage_apps = {"cmdb", "offerings", "customers", "catalog", "impact", "portfolio", "support"}
    transition_errors = [
        cls
        for cls in _all_subclasses(ValidationError)
        if "Transition" in cls.__name__ and cls.__module__.split(".")[0] in runstage_apps | {"core"}
    ]
    assert transition_errors == [InvalidTransition]
    with_set_state = {
        model.__name__
        for model in apps.get_models()
        if model._meta.app_label in runstage_apps and "set_state" in dir(model)
    }
    assert {"RequestedItem", "Request", "Incident", "ChangeRequest", "Initiative", "Case"} <= with_set_state
    for model in apps.get_models():
        if "set_state" in dir(model):
            assert isinstance(inspect.getattr_static(model, "workflow"), Workflow), model


def _all_subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _all_subclasses(subclass)
