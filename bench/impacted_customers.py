#!/usr/bin/env python
"""What finding impacted customers adds to the impact document (run by hand, not in CI).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/runstage_bench_customers \
        python bench/impacted_customers.py --accounts 5000

Migrates the database, loads the demo company (when it is not there yet), adds `--accounts`
generated accounts and as many consumers, each with a sold product of a random demo offering and an
install base item on a random production application service (skipped when they exist), then
times impact_document() for the shared database server lnx-pgdb-01 with the customer step and,
side by side in the same run, without it (the baseline: the document as it was before customers).
Prints medians, the ratio, the query counts and the load average.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from cmdb.models import ApplicationService, ConfigurationItem
    from cmdb.servicenow.importer import import_folder
    from customers.impacted import ImpactedCustomers
    from customers.models import Consumer, CustomerAccount, InstallBaseItem, SoldProduct
    from impact import customers as impact_customers
    from impact.api import documents
    from offerings.models import ServiceOffering

    if not ConfigurationItem.objects.filter(name="lnx-pgdb-01").exists():
        import_folder(ROOT / "demo")
    generated = CustomerAccount.objects.filter(name__startswith="Bench account").count()
    if generated < args.accounts:
        rng = random.Random(11)
        offerings = list(ServiceOffering.objects.values_list("pk", flat=True))
        services = list(
            ApplicationService.objects.filter(environment="Production").values_list("pk", flat=True)
        )
        for n in range(generated, args.accounts):
            account = CustomerAccount.objects.create(name=f"Bench account {n:06d}", number=f"BENCH{n:07d}")
            consumer = Consumer.objects.create(name=f"Bench consumer {n:06d}", number=f"BENCHC{n:07d}")
            SoldProduct.objects.bulk_create(
                [
                    SoldProduct(
                        name=f"Bench product {n}", account=account, service_offering_id=rng.choice(offerings)
                    ),
                    SoldProduct(
                        name=f"Bench product {n}c",
                        consumer=consumer,
                        service_offering_id=rng.choice(offerings),
                    ),
                ]
            )
            InstallBaseItem.objects.create(
                name=f"Bench item {n}", account=account, configuration_item_id=rng.choice(services)
            )
    source = ConfigurationItem.objects.get(name="lnx-pgdb-01").pk

    def run(with_customers):
        original = documents.customers_impacted_by
        if not with_customers:
            documents.customers_impacted_by = lambda result: ImpactedCustomers([], [])
        try:
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                document = documents.impact_document([source])
                times.append(time.perf_counter() - start)
            with CaptureQueriesContext(connection) as queries:
                documents.impact_document([source])
        finally:
            documents.customers_impacted_by = original
        return statistics.median(times), len(queries), document

    assert impact_customers.customers_impacted_by is documents.customers_impacted_by
    documents.impact_document([source])  # warm up
    base_time, base_queries, _ = run(False)
    time_with, queries_with, document = run(True)
    counts = document["counts"]
    print(
        f"database: {connection.vendor}; accounts and consumers: {CustomerAccount.objects.count()} / "
        f"{Consumer.objects.count()}; sold products {SoldProduct.objects.count()}, "
        f"install base items {InstallBaseItem.objects.count()}"
    )
    print(
        f"impacted by lnx-pgdb-01: {document['impacted_ci_count']} CIs, "
        f"{counts['service_offerings']} offerings, "
        f"{counts['customer_accounts']} accounts, {counts['consumers']} consumers"
    )
    print(f"baseline (no customers): median {base_time * 1000:.1f} ms, {base_queries} queries")
    print(f"with customers:          median {time_with * 1000:.1f} ms, {queries_with} queries")
    print(f"ratio: {time_with / base_time:.2f}x; load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
