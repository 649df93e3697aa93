# Joins the change-approval and the notification branches of the impact migrations.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('impact', '0005_change_advisory_board'),
        ('impact', '0005_incident_managers_see_notifications'),
    ]

    operations = [
    ]
