"""Incident managers read outages: with the services they read, that opens a service's owner page and its
availability/trends API to them by one rule (portfolio.overview.can_view_service, issue 10)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Incident managers"


def grant_view_outage(apps, schema_editor):
    db = schema_editor.connection.alias
    app_config = apps.get_app_config("impact")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps, using=db)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(db).get_or_create(name=GROUP_NAME)
    group.permissions.add(
        *Permission.objects.using(db).filter(content_type__app_label="impact", codename="view_outage")
    )


class Migration(migrations.Migration):
    dependencies = [("impact", "0008_sys_created_by_updated_by")]

    operations = [migrations.RunPython(grant_view_outage, migrations.RunPython.noop)]
