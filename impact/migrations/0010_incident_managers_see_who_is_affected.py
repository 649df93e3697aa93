"""Incident managers see who an outage affects: they are the ones who tell them.

View rights on users, groups and memberships, companies, departments and locations name the
impacted businesses and people in the impact document and the people list (issues 10 and 14);
callers without them still get the exact counts.
"""

from django.db import migrations

from core.permissions import grant_permissions, revoke_permissions

GROUP_NAME = "Incident managers"
CODENAMES = ["view_user", "view_group", "view_groupmembership", "view_company", "view_department", "view_location"]


def grant(apps, schema_editor):
    grant_permissions(apps, schema_editor, GROUP_NAME, "cmdb", CODENAMES)


def revoke(apps, schema_editor):
    revoke_permissions(apps, schema_editor, GROUP_NAME, "cmdb", CODENAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("impact", "0009_incident_managers_view_outages"),
        ("cmdb", "0011_sys_created_by_updated_by"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
