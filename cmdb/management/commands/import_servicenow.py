"""manage.py import_servicenow DIR: load ServiceNow Table API files, all or nothing."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from cmdb.servicenow.importer import ImportFailure, import_folder


class Command(BaseCommand):
    help = (
        'Upsert by sys_id every <table>.json ({"result": [...]}) in a folder, in dependency order, '
        "in one transaction: a bad row aborts the whole load and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="folder of <table>.json files")
        parser.add_argument("--dry-run", action="store_true", help="check and count, then roll back")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, folder, dry_run, database, **options):
        try:
            result = import_folder(folder, using=database, dry_run=dry_run)
        except ImportFailure as error:
            raise CommandError(f"Import aborted, nothing was changed. {error}") from error
        for line in result.summary_lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: everything was rolled back."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {folder}."))
