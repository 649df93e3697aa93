"""Seed the "Incident managers" permission group: read the CMDB and the portfolio, work incidents and changes.

Permissions are created by a post_migrate signal, i.e. only after the whole first `migrate` has run,
so this migration creates the ones it needs itself (create_permissions is idempotent).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Incident managers"

VIEW_ONLY = {
    "cmdb": [
        "configurationitem",
        "service",
        "businessservice",
        "technicalservice",
        "applicationservice",
        "businessapplication",
        "application",
        "server",
        "databaseinstance",
        "relationship",
        "relationshiptype",
    ],
    "offerings": ["serviceoffering"],
    "portfolio": ["portfolionode"],
    "impact": ["task"],
}
ADD_CHANGE_VIEW = {"impact": ["incident", "changerequest", "affectedci", "impactedservice"]}


def wanted_codenames():
    for app_label, models in VIEW_ONLY.items():
        for model in models:
            yield app_label, f"view_{model}"
    for app_label, models in ADD_CHANGE_VIEW.items():
        for model in models:
            for action in ("add", "change", "view"):
                yield app_label, f"{action}_{model}"


def seed_group(apps, schema_editor):
    for app_label in ("cmdb", "offerings", "portfolio", "impact"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps, using=schema_editor.connection.alias)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    permissions = []
    for app_label, codename in wanted_codenames():
        permissions.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    group.permissions.add(*permissions)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cmdb", "0004_number_counter"),
        ("offerings", "0001_initial"),
        ("portfolio", "0001_initial"),
        ("impact", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed_group, remove_group)]
