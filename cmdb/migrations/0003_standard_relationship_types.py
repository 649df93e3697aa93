from django.db import migrations


def create_standard_types(apps, schema_editor):
    from cmdb.relationship_types import STANDARD_RELATIONSHIP_TYPES, standard_sys_id

    RelationshipType = apps.get_model("cmdb", "RelationshipType")
    for name, propagates, known_sys_id in STANDARD_RELATIONSHIP_TYPES:
        RelationshipType.objects.get_or_create(
            name=name,
            defaults={"sys_id": standard_sys_id(name, known_sys_id), "propagates_impact": propagates},
        )


class Migration(migrations.Migration):
    dependencies = [("cmdb", "0002_initial")]

    operations = [migrations.RunPython(create_standard_types, migrations.RunPython.noop)]
