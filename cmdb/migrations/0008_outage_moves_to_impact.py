"""Outage moves to the impact app: cmdb forgets the model; the table `cmdb_ci_outage` and its rows stay.

State only (impact.0003 takes the model over with the same table); the database is not touched.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cmdb", "0007_relationship_index_covers_parent"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Outage")],
            database_operations=[],
        ),
    ]
