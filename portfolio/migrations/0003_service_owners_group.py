"""Seed the "Service owners" permission group: read the CMDB, the portfolio, offerings and tasks; shape
the portfolio, the services, their offerings, commitments and subscribers, initiatives and outages.

Permissions are created by a post_migrate signal, i.e. only after the whole first `migrate` has run,
so this migration creates the ones it needs itself (create_permissions is idempotent). "View" covers
every model these apps have at this point; a model added later gets its permission in its own
migration.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Service owners"

VIEW_APPS = ("cmdb", "portfolio", "offerings", "impact")
ADD_CHANGE = {
    "portfolio": ["portfolionode", "initiative"],
    "cmdb": ["businessservice", "technicalservice", "outage"],
    "offerings": [
        "serviceoffering",
        "servicecommitment",
        "offeringcommitment",
        "usersubscription",
        "companysubscription",
        "locationsubscription",
        "departmentsubscription",
        "groupsubscription",
    ],
}


def wanted_codenames(apps):
    for app_label in VIEW_APPS:
        for model in apps.get_app_config(app_label).get_models():
            yield app_label, f"view_{model._meta.model_name}"
    for app_label, models in ADD_CHANGE.items():
        known = {model._meta.model_name for model in apps.get_app_config(app_label).get_models()}
        # Outage has since moved to impact (cmdb.0008); a fresh database may reach this migration after
        # the move, and portfolio.0004 grants the outage permissions wherever the model then lives.
        for model in (model for model in models if model in known):
            for action in ("add", "change"):
                yield app_label, f"{action}_{model}"


def seed_group(apps, schema_editor):
    for app_label in VIEW_APPS:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps, using=schema_editor.connection.alias)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    permissions = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in wanted_codenames(apps)
    ]
    group.permissions.add(*permissions)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cmdb", "0006_outage_task"),
        ("offerings", "0001_initial"),
        ("portfolio", "0002_initiative"),
        ("impact", "0002_incident_managers_group"),
    ]

    operations = [migrations.RunPython(seed_group, remove_group)]
