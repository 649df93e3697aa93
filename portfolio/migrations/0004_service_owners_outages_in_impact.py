"""Service owners keep adding and changing outages now that Outage lives in the impact app.

impact.0003 moved the content type (and so the permissions) of databases that had it; a fresh database
may have seeded the group before cmdb.0008, or after it, so grant the permissions here either way and
drop a content type left behind under cmdb.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Service owners"


def grant_outage_permissions(apps, schema_editor):
    db = schema_editor.connection.alias
    app_config = apps.get_app_config("impact")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps, using=db)
    app_config.models_module = None

    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(db).filter(app_label="cmdb", model="outage").delete()
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(db).get_or_create(name=GROUP_NAME)
    group.permissions.add(
        *Permission.objects.using(db).filter(
            content_type__app_label="impact",
            codename__in=["add_outage", "change_outage", "view_outage"],
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0003_service_owners_group"),
        ("impact", "0003_outage"),
    ]

    operations = [migrations.RunPython(grant_outage_permissions, migrations.RunPython.noop)]
