"""Incident managers see who was told what (the notifications and their events)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Incident managers"
CODENAMES = ["view_notification", "view_notificationevent"]


def grant(apps, schema_editor):
    db = schema_editor.connection.alias
    app_config = apps.get_app_config("impact")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps, using=db)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(db).get_or_create(name=GROUP_NAME)
    group.permissions.add(
        *Permission.objects.using(db).filter(content_type__app_label="impact", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.using(schema_editor.connection.alias).filter(name=GROUP_NAME).first()
    if group is not None:
        group.permissions.remove(*group.permissions.filter(content_type__app_label="impact", codename__in=CODENAMES))


class Migration(migrations.Migration):
    dependencies = [
        ("impact", "0004_notifications"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
