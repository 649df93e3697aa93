"""Signals of the impact app."""

from django.dispatch import Signal

# Sent after the transaction that changed a task's state commits: sender is the task class,
# with `task`, `from_state` and `to_state`.
task_state_changed = Signal()
