"""Service owners keep adding and changing outages now that Outage lives in the impact app.

impact.0003 moved the content type (and so the permissions) of databases that had it; a fresh database
may have seeded the group before cmdb.0008, or after it, so grant the permissions here either way and
drop a content type left behind under cmdb.
"""

from django.db import migrations

from core.permissions import grant_permissions


def grant_outage_permissions(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(app_label="cmdb", model="outage").delete()
    grant_permissions(
        apps, schema_editor, "Service owners", "impact", ["add_outage", "change_outage", "view_outage"]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0003_service_owners_group"),
        ("impact", "0003_outage"),
    ]

    operations = [migrations.RunPython(grant_outage_permissions, migrations.RunPython.noop)]
