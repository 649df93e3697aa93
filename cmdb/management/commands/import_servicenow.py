"""manage.py import_servicenow DIR | --instance URL --user NAME: load ServiceNow rows, all or nothing."""

import getpass
import os
import ssl
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from cmdb.servicenow.importer import ImportFailure, import_folder, import_source
from cmdb.servicenow.instance import PAGE_SIZE, InstanceSource, parse_since
from cmdb.servicenow.progress import TableProgress
from cmdb.servicenow.registry import table_specs

PASSWORD_ENV = "SERVICENOW_PASSWORD"


class Command(BaseCommand):
    help = (
        'Upsert by sys_id every <table>.json ({"result": [...]}) in a folder, or every table pulled '
        "from an instance's Table API, in dependency order, in one transaction: a bad row aborts the "
        f"whole load and changes nothing. The instance's password is read from ${PASSWORD_ENV} or "
        "prompted for; it is never given on the command line."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", nargs="?", help="folder of <table>.json files")
        parser.add_argument(
            "--instance", help="pull from this instance instead, e.g. https://acme.service-now.com"
        )
        parser.add_argument("--user", help="user name for the instance (basic auth)")
        parser.add_argument(
            "--tables", help="comma-separated tables to pull (default: every table Runstage knows)"
        )
        parser.add_argument(
            "--since", help="pull only rows updated at or after this UTC date-time (2025-12-06 18:24:00)"
        )
        parser.add_argument("--ca-file", help="CA certificates to trust for the instance (a private CA)")
        parser.add_argument("--page-size", type=int, default=PAGE_SIZE, help="rows per Table API request")
        parser.add_argument("--dry-run", action="store_true", help="check and count, then roll back")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, folder, instance, dry_run, database, **options):
        if bool(folder) == bool(instance):
            raise CommandError("Give either a folder or --instance.")
        progress = TableProgress(getattr(self.stderr, "_out", sys.stderr))
        try:
            if folder:
                result = import_folder(folder, using=database, dry_run=dry_run, progress=progress)
            else:
                source = self.instance_source(instance, options)
                result = import_source(source, using=database, dry_run=dry_run, progress=progress)
        except ImportFailure as error:
            raise CommandError(f"Import aborted, nothing was changed. {error}") from error
        for line in result.summary_lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: everything was rolled back."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {folder or instance}."))

    def instance_source(self, instance, options):
        if not instance.startswith("https://"):
            raise CommandError(
                "--instance must be an https:// address (the password travels with every request)."
            )
        if not options["user"]:
            raise CommandError("--instance needs --user.")
        tables = None
        if options["tables"]:
            tables = [name.strip() for name in options["tables"].split(",") if name.strip()]
            unknown = sorted(set(tables) - set(table_specs()))
            if unknown:
                raise CommandError(f"--tables: Runstage has no table {', '.join(unknown)}.")
        since = None
        if options["since"]:
            try:
                since = parse_since(options["since"])
            except ValueError as error:
                raise CommandError(f"--since: {error}") from error
        if options["page_size"] < 1:
            raise CommandError("--page-size must be at least 1.")
        context = ssl.create_default_context(cafile=options["ca_file"]) if options["ca_file"] else None
        return InstanceSource(
            instance,
            options["user"],
            instance_password(options["user"], instance),
            tables=tables,
            since=since,
            page_size=options["page_size"],
            ssl_context=context,
        )


def instance_password(user, instance):
    """$SERVICENOW_PASSWORD, or a prompt on the terminal; never an argument (it would show in `ps`)."""
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if not sys.stdin.isatty():
        raise CommandError(f"Set {PASSWORD_ENV}: there is no terminal to ask for {user}'s password on.")
    return getpass.getpass(f"Password for {user} on {instance}: ")
