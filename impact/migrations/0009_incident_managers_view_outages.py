"""Incident managers read outages: with the services they read, that opens a service's owner page and its
availability/trends API to them by one rule (portfolio.overview.can_view_service, issue 10)."""

from django.db import migrations

from core.permissions import grant_permissions


def grant_view_outage(apps, schema_editor):
    grant_permissions(apps, schema_editor, "Incident managers", "impact", ["view_outage"])


class Migration(migrations.Migration):
    dependencies = [("impact", "0008_sys_created_by_updated_by")]

    operations = [migrations.RunPython(grant_view_outage, migrations.RunPython.noop)]
