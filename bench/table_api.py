"""Time Table API list pages (/api/now/table) beside the REST API's (/api/v1/cis/), then roll back.

    DJANGO_DEBUG=1 .venv/bin/python bench/table_api.py --cis 20000
    DATABASE_URL=postgres://... DJANGO_DEBUG=1 .venv/bin/python bench/table_api.py --cis 20000

The database must be migrated; nothing is left in it (the CIs are imported in a transaction that is
rolled back). Each page size is asked `--runs` times through Django's test client as a superuser;
the REST API's page of the same size is the baseline. Prints medians, the ratio and the load average.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.import_speed import generate  # noqa: E402


def median_seconds(client, url, params, runs):
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, params, secure=True)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:300]
    return statistics.median(timings)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cis", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="10,100,1000")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client

    from cmdb.models import User
    from cmdb.servicenow.importer import import_folder

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False  # no query log weighing on the timings
    print(f"load average: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        cis, _ = generate(folder, args.cis)
        try:
            with transaction.atomic():
                import_folder(folder)
                client = Client()
                client.force_login(User.objects.create_superuser("bench-table-api", "b@example.com", None))
                print(f"{connection.vendor}: {cis} CIs; median of {args.runs} runs per page")
                print("| rows | /api/v1/cis/ | /api/now/table/cmdb_ci (false) | ratio | (all) | ratio |")
                print("|---|---|---|---|---|---|")
                for size in (int(text) for text in args.sizes.split(",")):
                    rest = median_seconds(client, "/api/v1/cis/", {"limit": size}, args.runs)
                    table = {
                        display: median_seconds(
                            client,
                            "/api/now/table/cmdb_ci",
                            {"sysparm_limit": size, "sysparm_display_value": display},
                            args.runs,
                        )
                        for display in ("false", "all")
                    }
                    plain, both = table["false"], table["all"]
                    print(
                        f"| {size} | {rest * 1000:.0f} ms | {plain * 1000:.0f} ms | {plain / rest:.2f} "
                        f"| {both * 1000:.0f} ms | {both / rest:.2f} |"
                    )
                raise KeyboardInterrupt  # roll the benchmark rows back
        except KeyboardInterrupt:
            pass
    print(f"load average: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")


if __name__ == "__main__":
    main()
