"""Lifecycles: a record's states, the moves allowed between them, and the one way to make a move.

Requested items, requests, incidents, changes and initiatives each declare a `Workflow` (an enum of
states and a map of allowed transitions) and change state only through `set_state()`, which checks
the move, stamps what the new state implies (a closing time, say) and saves when asked. A refused
move is always an `InvalidTransition` naming the field, so forms and the API show it on that field.
"""

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError


class InvalidTransition(ValidationError):
    """A state change that the record's workflow does not allow."""


class Workflow:
    """The states of one field and the moves allowed between them; a state with no moves is final."""

    def __init__(self, states: type, transitions: Mapping[object, Iterable[object]], *, field: str = "state"):
        self.states = states
        self.field = field
        self.transitions = {
            states(state): frozenset(map(states, targets)) for state, targets in transitions.items()
        }

    @property
    def final_states(self) -> frozenset:
        return frozenset(state for state, targets in self.transitions.items() if not targets)

    def allowed_from(self, state) -> frozenset:
        return self.transitions.get(self.states(state), frozenset()) if state is not None else frozenset()

    def label(self, state) -> str:
        return self.states(state).label


class WorkflowModel:
    """A model mixin: `workflow` on the class, `set_state()` on the record.

    Subclasses adapt three hooks rather than `set_state()` itself: `allowed_states()` (a change type
    that skips a step), `refusal()` (the words of a refusal, or a rule beyond the map, such as an
    approval that must come first) and `state_changed()` (fields the new state implies).
    """

    workflow: Workflow

    def allowed_states(self, from_state, workflow=None) -> set:
        """States the record may move to from `from_state`."""
        return set((workflow or self.workflow).allowed_from(from_state))

    def refusal(self, from_state, to_state, workflow) -> str | None:
        """Why the record may not go from `from_state` to `to_state`, or None when it may."""
        if to_state in self.allowed_states(from_state, workflow):
            return None
        return f"{self} cannot go from {workflow.label(from_state)} to {workflow.label(to_state)}."

    def state_changed(self, from_state, to_state, workflow) -> Iterable[str]:
        """Stamp what the new state implies; return the names of the fields stamped."""
        return ()

    def check_transition(self, from_state, to_state, workflow=None):
        workflow = workflow or self.workflow
        message = self.refusal(from_state, workflow.states(to_state), workflow)
        if message:
            raise InvalidTransition({workflow.field: message})

    def set_state(self, new_state, *, workflow=None, save=False):
        """The one way to change state: check the move, make it, stamp, and save when `save`."""
        workflow = workflow or self.workflow
        from_state = self.current_state(workflow)
        new_state = workflow.states(new_state)
        self.check_transition(from_state, new_state, workflow)
        setattr(self, workflow.field, new_state)
        stamped = self.state_changed(from_state, new_state, workflow)
        if save:
            self.save(update_fields=[workflow.field, *stamped, "sys_updated_on"])
        return self

    def current_state(self, workflow):
        """The state a move starts from (None for a record not saved yet, where the map allows)."""
        return getattr(self, workflow.field)
