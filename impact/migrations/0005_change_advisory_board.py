"""Seed the change advisory board: the approval group changes default to, and its permissions.

Two groups of the same name: the `sys_user_group` whose members approve changes at Authorize (the
CHANGE_APPROVAL_GROUP setting names it), under a fixed sys_id so that an import of the same group
updates it; and the permission group that lets its members read changes and their impact in the
admin and the API. Permissions are created here because post_migrate has not run yet on a first
`migrate` (create_permissions is idempotent).
"""

import uuid

from django.contrib.auth.management import create_permissions
from django.db import migrations

NAME = "Change advisory board"
SYS_ID = uuid.UUID("5f0c6b2e8a3d4c1f9b7e2a6d4c8e1f30")

VIEW_ONLY = {
    "cmdb": [
        "configurationitem",
        "service",
        "businessservice",
        "technicalservice",
        "applicationservice",
        "server",
        "databaseinstance",
        "relationship",
    ],
    "offerings": ["serviceoffering", "servicecommitment"],
    "impact": ["task", "changerequest", "incident", "affectedci", "impactedservice", "outage"],
}
# Approving is deciding one's own pending approval row: change, not add or delete.
VIEW_CHANGE = {"impact": ["changeapproval"]}


def wanted_codenames():
    for app_label, models in VIEW_ONLY.items():
        for model in models:
            yield app_label, f"view_{model}"
    for app_label, models in VIEW_CHANGE.items():
        for model in models:
            for action in ("change", "view"):
                yield app_label, f"{action}_{model}"


def seed(apps, schema_editor):
    for app_label in ("cmdb", "offerings", "impact"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps, using=schema_editor.connection.alias)
        app_config.models_module = None

    Permission = apps.get_model("auth", "Permission")
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=NAME)
    group.permissions.add(
        *[
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in wanted_codenames()
        ]
    )
    apps.get_model("cmdb", "Group").objects.get_or_create(
        sys_id=SYS_ID,
        defaults={"name": NAME, "description": "Approves normal changes at Authorize."},
    )


def unseed(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=NAME).delete()
    apps.get_model("cmdb", "Group").objects.filter(sys_id=SYS_ID).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("offerings", "0001_initial"),
        ("impact", "0004_change_approvals"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
