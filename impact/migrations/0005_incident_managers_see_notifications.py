"""Incident managers see who was told what (the notifications and their events)."""

from django.db import migrations

from core.permissions import grant_permissions, revoke_permissions

GROUP_NAME = "Incident managers"
CODENAMES = ["view_notification", "view_notificationevent"]


def grant(apps, schema_editor):
    grant_permissions(apps, schema_editor, GROUP_NAME, "impact", CODENAMES)


def revoke(apps, schema_editor):
    revoke_permissions(apps, schema_editor, GROUP_NAME, "impact", CODENAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("impact", "0004_notifications"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
