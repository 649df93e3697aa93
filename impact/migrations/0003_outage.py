"""Outage comes from the cmdb app, on its table `cmdb_ci_outage` and with its rows (state only).

The content type moves with it, so permissions already granted on outages (the "Service owners"
group's) and the admin's history of outages stay attached.
"""

import uuid

import django.db.models.deletion
from django.db import migrations, models


def move_content_type(apps, schema_editor, source="cmdb", target="impact"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label=target, model="outage").exists():
        ContentType.objects.using(db).filter(app_label=source, model="outage").update(app_label=target)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source="impact", target="cmdb")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("cmdb", "0008_outage_moves_to_impact"),
        ("impact", "0002_incident_managers_group"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Outage",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("sys_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="sys_id")),
                        ("sys_created_on", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                        ("sys_updated_on", models.DateTimeField(auto_now=True, verbose_name="updated")),
                        ("type", models.CharField(choices=[("outage", "Outage"), ("degradation", "Degradation"), ("planned", "Planned")], default="outage", max_length=20)),
                        ("begin", models.DateTimeField()),
                        ("end", models.DateTimeField(blank=True, help_text="Empty while the outage lasts.", null=True)),
                        ("short_description", models.CharField(blank=True, max_length=255)),
                        ("cmdb_ci", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="outages", to="cmdb.configurationitem", verbose_name="CI")),
                        ("task", models.ForeignKey(blank=True, help_text="The incident or change that caused or records this outage.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="outages", to="impact.task")),
                    ],
                    options={
                        "db_table": "cmdb_ci_outage",
                        "ordering": ["-begin"],
                        "indexes": [models.Index(fields=["cmdb_ci", "begin"], name="cmdb_ci_outage_ci_begin_idx")],
                        "constraints": [models.CheckConstraint(condition=models.Q(("end__isnull", True), ("end__gt", models.F("begin")), _connector="OR"), name="cmdb_ci_outage_end_after_begin", violation_error_message="The end of an outage must come after its beginning.")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
