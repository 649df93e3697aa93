"""manage.py autogenerate_product_models [--dry-run]: give logical CIs a product model of the right kind."""

from django.core.management.base import BaseCommand

from cmdb.services import autogenerate_product_models


class Command(BaseCommand):
    help = (
        "Create and link a product model of the right kind for every logical CI that has none "
        "(service model, application model, software model or plain product model). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be created and linked; write nothing."
        )

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        summary = autogenerate_product_models(dry_run=dry_run)
        if dry_run or verbosity >= 2:
            for action in summary.actions:
                self.stdout.write(f"  {action}")
        style = self.style.SUCCESS if summary.linked and not dry_run else self.style.NOTICE
        self.stdout.write(style(str(summary)))
