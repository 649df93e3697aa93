from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_graph_version_triggers(using, **kwargs):
    """SQLite drops a table's triggers when a migration rebuilds the table: put them back."""
    from django.db import connections

    from impact.graph_version import VERSION_TABLE, ensure_version_triggers

    connection = connections[using]
    if VERSION_TABLE in connection.introspection.table_names():  # else its migration is not applied
        ensure_version_triggers(connection)


class ImpactConfig(AppConfig):
    name = "impact"
    verbose_name = "Impact"

    def ready(self):
        from impact import notifications
        from impact.signals import task_state_changed

        task_state_changed.connect(notifications.tell_resolution, dispatch_uid="impact.tell_resolution")
        post_migrate.connect(_ensure_graph_version_triggers, sender=self, dispatch_uid="impact_graph_version")
