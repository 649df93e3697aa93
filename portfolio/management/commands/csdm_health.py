"""`manage.py csdm_health`: run the CSDM data-health checks; exit status 1 when any check fails."""

import json

from django.core.management.base import BaseCommand, CommandError

from portfolio.health import CHECKS, DEFAULT_PAGE_SIZE, Cycle, run_checks

# Exit statuses a script can tell apart: the data has gaps (1), the command was misused (2).
EXIT_CHECKS_FAILED = 1
EXIT_USAGE = 2


class Command(BaseCommand):
    help = (
        "Run the CSDM data-health checks and list what each one finds. "
        "Exits with status 1 when any check fails, 0 when all pass."
    )
    # A read-only report, often run from cron or a monitoring probe: Django's system checks (URLs,
    # admin, models) would take a third of a second of every run and say nothing about the data.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print the results as one JSON document.")
        parser.add_argument(
            "--check",
            dest="checks",
            nargs="+",
            action="extend",
            metavar="KEY",
            help=f"Run only these checks (default: all). Keys: {', '.join(CHECKS)}.",
        )
        parser.add_argument(
            "--limit",
            type=int,
            default=DEFAULT_PAGE_SIZE,
            help=f"List at most this many records per check (default {DEFAULT_PAGE_SIZE}; 0: all of them, "
            "streamed). Counts are always complete.",
        )
        parser.add_argument("--offset", type=int, default=0, help="Skip this many records per check first.")

    def handle(self, *args, **options):
        if options["limit"] < 0 or options["offset"] < 0:
            raise CommandError("--limit and --offset must be 0 or more.", returncode=EXIT_USAGE)
        # --limit 0 lists everything: pages are not loaded then, every record is streamed below.
        stream_all = options["limit"] == 0
        try:
            results = run_checks(
                options["checks"], offset=options["offset"], limit=0 if stream_all else options["limit"]
            )
        except KeyError as error:
            raise CommandError(
                f"Unknown check: {error.args[0]}. Known checks: {', '.join(CHECKS)}.", returncode=EXIT_USAGE
            ) from None

        if options["json"]:
            self.write_json(results, stream_all)
        else:
            self.write_report(results, stream_all)

        failed = [result for result in results if not result.ok]
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(results)} checks failed: {', '.join(r.check.key for r in failed)}.",
                returncode=EXIT_CHECKS_FAILED,
            )

    @staticmethod
    def listed(result, stream_all):
        """The records to print for `result`: its page, or every record from a cursor."""
        if not stream_all:
            return result.records
        records = iter(result.findings)
        for _ in range(result.offset):
            next(records, None)
        return records

    def write_json(self, results, stream_all):
        """The document {"ok", "checks": [...]}, written piece by piece: with --limit 0 a check's records
        go out as they come from the database, never held in memory all at once."""
        write = self.stdout.write
        write(f'{{\n  "ok": {json.dumps(all(result.ok for result in results))},\n  "checks": [', ending="")
        for index, result in enumerate(results):
            entry = result.as_dict()
            del entry["records"]
            head = json.dumps(entry, indent=2)[:-2].replace("\n", "\n    ")  # without the closing brace
            write(("," if index else "") + "\n    " + head + ',\n      "records": [', ending="")
            for position, record in enumerate(self.listed(result, stream_all)):
                write(("," if position else "") + "\n        " + json.dumps(record.as_dict()), ending="")
            write("\n      ]\n    }", ending="")
        write("\n  ]\n}")

    def write_report(self, results, stream_all=False):
        for result in results:
            status = self.style.SUCCESS("PASS") if result.ok else self.style.ERROR("FAIL")
            self.stdout.write(f"{status} {result.check.key} ({result.count}): {result.check.title}")
            listed = 0
            for record in self.listed(result, stream_all):
                self.stdout.write(f"     {self.describe(record)}")
                listed += 1
            if not stream_all and result.truncated:
                rest = result.count - result.offset - listed
                self.stdout.write(f"     … and {rest} more (--limit 0 lists them all)")
        passed = sum(result.ok for result in results)
        self.stdout.write(f"{passed} of {len(results)} checks passed.")

    @staticmethod
    def describe(record):
        if isinstance(record, Cycle):
            steps = [f"{m.name} [{m.sys_class_name} {m.sys_id_hex}]" for m in record.members]
            return " → ".join([*steps, record.members[0].name])
        return f"{record.name} [{record.sys_class_name} {record.sys_id_hex}]"
