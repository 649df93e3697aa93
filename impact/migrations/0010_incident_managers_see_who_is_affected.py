"""Incident managers see who an outage affects: they are the ones who tell them.

View rights on users, groups and memberships, companies, departments and locations name the
impacted businesses and people in the impact document and the people list (issues 10 and 14);
callers without them still get the exact counts.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Incident managers"
CODENAMES = ["view_user", "view_group", "view_groupmembership", "view_company", "view_department", "view_location"]


def grant(apps, schema_editor):
    db = schema_editor.connection.alias
    app_config = apps.get_app_config("cmdb")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps, using=db)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(db).get_or_create(name=GROUP_NAME)
    group.permissions.add(
        *Permission.objects.using(db).filter(content_type__app_label="cmdb", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.using(schema_editor.connection.alias).filter(name=GROUP_NAME).first()
    if group is not None:
        group.permissions.remove(*group.permissions.filter(content_type__app_label="cmdb", codename__in=CODENAMES))


class Migration(migrations.Migration):
    dependencies = [
        ("impact", "0009_incident_managers_view_outages"),
        ("cmdb", "0011_sys_created_by_updated_by"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
