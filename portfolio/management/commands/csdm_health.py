"""`manage.py csdm_health`: run the CSDM data-health checks; exit status 1 when any check fails."""

import json

from django.core.management.base import BaseCommand, CommandError

from portfolio.health import CHECKS, Cycle, run_checks

# Exit statuses a script can tell apart: the data has gaps (1), the command was misused (2).
EXIT_CHECKS_FAILED = 1
EXIT_USAGE = 2


class Command(BaseCommand):
    help = (
        "Run the CSDM data-health checks and list what each one finds. "
        "Exits with status 1 when any check fails, 0 when all pass."
    )

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

    def handle(self, *args, **options):
        try:
            results = run_checks(options["checks"])
        except KeyError as error:
            raise CommandError(
                f"Unknown check: {error.args[0]}. Known checks: {', '.join(CHECKS)}.", returncode=EXIT_USAGE
            ) from None

        if options["json"]:
            document = {"ok": all(result.ok for result in results), "checks": [r.as_dict() for r in results]}
            self.stdout.write(json.dumps(document, indent=2))
        else:
            self.write_report(results)

        failed = [result for result in results if not result.ok]
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(results)} checks failed: {', '.join(r.check.key for r in failed)}.",
                returncode=EXIT_CHECKS_FAILED,
            )

    def write_report(self, results):
        for result in results:
            status = self.style.SUCCESS("PASS") if result.ok else self.style.ERROR("FAIL")
            self.stdout.write(f"{status} {result.check.key} ({result.count}): {result.check.title}")
            for record in result.records:
                self.stdout.write(f"     {self.describe(record)}")
        passed = sum(result.ok for result in results)
        self.stdout.write(f"{passed} of {len(results)} checks passed.")

    @staticmethod
    def describe(record):
        if isinstance(record, Cycle):
            steps = [f"{m.name} [{m.sys_class_name} {m.sys_id_hex}]" for m in record.members]
            return " → ".join([*steps, record.members[0].name])
        return f"{record.name} [{record.sys_class_name} {record.sys_id_hex}]"
