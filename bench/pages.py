#!/usr/bin/env python
"""Time the pages and the command that used to grow with the CMDB (run by hand, not in CI).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rs_i13_bench python bench/pages.py

Needs a CMDB loaded by bench/impact.py or bench/graph.py. Prints, for each page, the time of the
second request (the first warms the graph and the caches), its size and its query count, then the
time and output size of `manage.py csdm_health --json` (first page of findings), in this process and
as a new process (with the graph files another process saved, and without), and the load average.
"""

import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.impact import http_client, setup_django  # noqa: E402


def fresh_health_run(graph_dir):
    """Seconds a new `manage.py csdm_health --json` process takes, start to exit."""
    env = {**os.environ, "IMPACT_GRAPH_DIR": graph_dir}
    env.pop("DJANGO_DEBUG", None)  # as in production: no query log
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "csdm_health", "--json"], env=env, capture_output=True
    )
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: a check failed, as it will on generated data
        raise RuntimeError(done.stderr.decode())
    return elapsed


def main():
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from cmdb.models import ConfigurationItem

    client = http_client()
    hub = ConfigurationItem.objects.get(name="core-switch-01")
    app_service = (
        ConfigurationItem.objects.filter(sys_class_name="cmdb_ci_service_auto").order_by("pk").first()
    )
    pages = {
        "/admin/csdm-health/": "/admin/csdm-health/",
        "hub change form (core switch)": f"/admin/cmdb/configurationitem/{hub.pk}/change/",
        "application service change form": f"/admin/cmdb/applicationservice/{app_service.pk}/change/",
        "/portfolio/": "/portfolio/",
        "/admin/cmdb/relationshiptype/": "/admin/cmdb/relationshiptype/",
        "/admin/cmdb/relationship/": "/admin/cmdb/relationship/",
        "/admin/cmdb/configurationitem/": "/admin/cmdb/configurationitem/",
    }
    print(f"{ConfigurationItem.objects.count():,} CIs, {connection.vendor}")
    with override_settings(DEBUG=True):  # the query count; the debug cursor costs little next to a page
        for label, url in pages.items():
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - started
            print(
                f"{label:40} {response.status_code} {elapsed * 1000:9.0f} ms"
                f" {len(response.content) / 1024:9.0f} kB {len(queries):4} queries"
            )
    out = io.StringIO()
    started = time.perf_counter()
    try:
        call_command("csdm_health", "--json", stdout=out)
    except BaseException as error:  # exits 1 when a check fails, as it will on generated data
        if not getattr(error, "returncode", None) == 1:
            raise
    print(
        f"{'manage.py csdm_health --json':40}     {(time.perf_counter() - started) * 1000:9.0f} ms"
        f" {len(out.getvalue()) / 1024:9.0f} kB (in this process, graph at hand)"
    )
    # As an operator or a cron job runs it: a new process, which starts Django and needs the graph.
    for label, graph_dir in (
        ("new process, graph files", settings.IMPACT_GRAPH_DIR),
        ("new process, no graph files", ""),
    ):
        times = [fresh_health_run(graph_dir) for _ in range(3)]
        print(
            f"{'  ' + label:40}     {statistics.median(times) * 1000:9.0f} ms"
            f" (median of 3: {', '.join(f'{t * 1000:.0f}' for t in times)})"
        )
    print(f"load average (1, 5, 15 min): {', '.join(f'{value:.2f}' for value in os.getloadavg())}")


if __name__ == "__main__":
    main()
