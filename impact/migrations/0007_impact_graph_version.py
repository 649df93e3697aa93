"""The impact graph's version table and the triggers that advance it (impact/graph_version.py says why
triggers, and why a fresh value per write)."""

from django.db import migrations


def create(apps, schema_editor):
    from impact.graph_version import ensure_version_triggers

    ensure_version_triggers(schema_editor.connection)


def drop(apps, schema_editor):
    from impact.graph_version import drop_version_triggers

    drop_version_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("cmdb", "0008_outage_moves_to_impact"),
        ("offerings", "0001_initial"),
        ("impact", "0006_changes_and_notifications"),
    ]

    operations = [migrations.RunPython(create, drop)]
