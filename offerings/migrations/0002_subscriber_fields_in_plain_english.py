"""Subscriber fields get plain English Python names; their columns keep ServiceNow's names.

State only: every column, foreign key and unique constraint in the database stays as it is, so the
database operations are empty.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (model, old field, new field, related model, table)
RENAMES = [
    ("usersubscription", "sys_user", "user", settings.AUTH_USER_MODEL, "service_subscribe_sys_user"),
    ("companysubscription", "core_company", "company", "cmdb.company", "service_subscribe_company"),
    ("locationsubscription", "cmn_location", "location", "cmdb.location", "service_subscribe_location"),
    (
        "departmentsubscription",
        "cmn_department",
        "department",
        "cmdb.department",
        "service_subscribe_department",
    ),
    ("groupsubscription", "sys_user_group", "group", "cmdb.group", "service_subscribe_sys_user_grp"),
]


def unique_subscriber(table, subscriber_field):
    return models.UniqueConstraint(
        fields=("service_offering", subscriber_field),
        name=f"{table}_unique",
        violation_error_message="This subscriber already subscribes to this offering.",
    )


def state_operations():
    for model, old, new, related, table in RENAMES:
        yield migrations.RemoveConstraint(model_name=model, name=f"{table}_unique")
        yield migrations.RenameField(model_name=model, old_name=old, new_name=new)
        yield migrations.AlterField(
            model_name=model,
            name=new,
            field=models.ForeignKey(
                db_column=f"{old}_id",
                on_delete=django.db.models.deletion.CASCADE,
                related_name="subscriptions",
                to=related,
            ),
        )
        yield migrations.AddConstraint(model_name=model, constraint=unique_subscriber(table, new))


class Migration(migrations.Migration):
    dependencies = [
        ("offerings", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=list(state_operations()), database_operations=[]),
    ]
