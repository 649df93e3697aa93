"""manage.py export_servicenow DIR: write every table as ServiceNow Table API files."""

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS

from cmdb.servicenow.exporter import export_folder


class Command(BaseCommand):
    help = (
        'Write one <table>.json ({"result": [...]}) per table into a folder, readable by import_servicenow.'
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="folder to write (created if missing; files are overwritten)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, folder, database, **options):
        counts = export_folder(folder, using=database)
        for table, count in counts.items():
            self.stdout.write(f"{table}: {count} rows")
        self.stdout.write(self.style.SUCCESS(f"Exported {sum(counts.values())} rows to {folder}."))
