"""Granting a permission group model permissions from a data migration.

Django creates permissions in a post_migrate signal, after the whole `migrate` has run, so a
migration that grants them creates the ones it needs first (create_permissions is idempotent).
"""

from django.contrib.auth.management import create_permissions


def grant_permissions(apps, schema_editor, group_name: str, app_label: str, codenames) -> None:
    """Give the group `group_name` (created if missing) these permissions of `app_label`'s models."""
    db = schema_editor.connection.alias
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps, using=db)
    app_config.models_module = None
    group, _ = apps.get_model("auth", "Group").objects.using(db).get_or_create(name=group_name)
    permission = apps.get_model("auth", "Permission")
    group.permissions.add(
        *permission.objects.using(db).filter(content_type__app_label=app_label, codename__in=list(codenames))
    )


def revoke_permissions(apps, schema_editor, group_name: str, app_label: str, codenames) -> None:
    """Take those permissions from the group again, if it exists."""
    db = schema_editor.connection.alias
    group = apps.get_model("auth", "Group").objects.using(db).filter(name=group_name).first()
    if group is not None:
        group.permissions.remove(
            *group.permissions.filter(content_type__app_label=app_label, codename__in=list(codenames))
        )
