#!/usr/bin/env python
"""The in-memory impact graph against the SQL engine, side by side in one run (by hand, not in CI).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/runstage_bench python bench/graph.py --size 1m

Uses bench/impact.py's generated CMDB (generated and loaded when the database lacks it). Prints the
graph's build time and memory, then for random CIs and the hubs: engine p50/p95/max with the SQL
engine (IMPACT_GRAPH_MAX_MB=0) and with the graph, HTTP GET /api/v1/impact/ the same two ways, the
ratios, a check that both engines gave the same answer, and the load average.
"""

import argparse
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.impact import (  # noqa: E402
    ensure_database,
    fmt_seconds,
    generate,
    graph_is_loaded,
    http_client,
    http_impact,
    load,
    parse_size,
    percentile,
    setup_django,
    timed,
)

HUBS = {
    "core switch": "core-switch-01",
    "storage array": "storage-array-01",
    "identity service": "Identity service",
    "dns server": "dns-01",
}


def build_parser():
    parser = argparse.ArgumentParser(description="The impact graph against the SQL engine, same run.")
    parser.add_argument("--size", type=parse_size, default=parse_size("100k"), help="CIs: 100k (default), 1m")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--samples", type=int, default=300, help="random CIs to time (default 300)")
    parser.add_argument(
        "--hub-runs", type=int, default=3, help="runs per hub and engine; the median is shown"
    )
    parser.add_argument("--builds", type=int, default=3, help="graph builds to time; the median is shown")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-sql-hubs", action="store_true", help="time hubs on the graph only")
    return parser


def rss_mb():
    """Peak resident memory of this process so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def same_answer(first, second):
    return (
        first.impacted_ci_count == second.impacted_ci_count
        and set(first.impacted) == set(second.impacted)
        and all(
            first.count_of_class(name) == second.count_of_class(name)
            for name in ("cmdb_ci_service_business", "service_offering", "cmdb_ci_service_auto")
        )
    )


def run(args):
    from django.db import connection
    from django.test.utils import override_settings

    from cmdb.models import ConfigurationItem
    from impact import graph as impact_graph
    from impact.engine import impacted_by

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)
    if not graph_is_loaded(args.size, args.seed):
        started = time.perf_counter()
        generated = generate(args.size, args.seed)
        print(
            f"generated {generated.ci_count:,} CIs in {time.perf_counter() - started:.0f} s; loading",
            flush=True,
        )
        started = time.perf_counter()
        load(generated)
        del generated
        print(f"loaded in {time.perf_counter() - started:.0f} s", flush=True)
    ci_count = ConfigurationItem.objects.count()
    hubs = dict(ConfigurationItem.objects.filter(name__in=HUBS.values()).values_list("name", "pk"))
    rng = random.Random(args.seed + 3)
    pks = ConfigurationItem.objects.order_by("pk").values_list("pk", flat=True)
    low, high = pks.first(), pks.last()
    sample = rng.sample(range(low, high + 1), args.samples)
    sys_ids = dict(
        ConfigurationItem.objects.filter(pk__in=[*sample, *hubs.values()]).values_list("pk", "sys_id")
    )
    sample = [pk for pk in sample if pk in sys_ids]
    client = None if args.skip_http else http_client()

    with override_settings(DEBUG=False):
        version = impact_graph.graph_version(connection)
        builds = []
        rss_before = rss_mb()
        for _ in range(args.builds):
            impact_graph.forget_graphs()
            elapsed, graph = timed(impact_graph.build_graph, connection, version)
            builds.append(elapsed)
        rss_peak = rss_mb()
        impact_graph.forget_graphs()
        graph = impact_graph.graph_for(connection)
        print(
            f"graph: {graph.node_count:,} CIs, {graph.edge_count:,} impact edges;"
            f" build median {fmt_seconds(statistics.median(builds))} (of {args.builds});"
            f" arrays {graph.nbytes / 2**20:.1f} MB; peak RSS {rss_before:.0f} -> {rss_peak:.0f} MB",
            flush=True,
        )

        sql_settings = override_settings(IMPACT_GRAPH_MAX_MB=0)
        times = {"sql": [], "graph": [], "sql http": [], "graph http": []}
        disagreements = 0
        for pk in sample[:5]:  # warm caches and connections
            impacted_by([pk])
            with sql_settings:
                impacted_by([pk])
        # Each engine in a pass of its own over the sample: interleaved per CI, the SQL engine's
        # big plans (at 100k it merge-joins the whole cmdb_ci key) evicted the graph's working set
        # from the CPU caches between its calls, which no deployment (one engine per process) sees.
        # An untimed pass first, so that both engines find the sample's rows in PostgreSQL's cache
        # (whichever engine went first paid for reading them from disk).
        for pk in sample:
            impacted_by([pk])
        closures = []
        graph_answers = {}
        for pk in sample:
            elapsed, graph_result = timed(impacted_by, [pk])
            times["graph"].append(elapsed)
            closures.append(graph_result.impacted_ci_count)
            graph_answers[pk] = graph_result
        with sql_settings:
            for pk in sample:
                elapsed, sql_result = timed(impacted_by, [pk])
                times["sql"].append(elapsed)
                disagreements += not same_answer(sql_result, graph_answers[pk])
        del graph_answers
        if client:
            for pk in sample:
                times["graph http"].append(http_impact(client, sys_ids[pk].hex)[0])
            with sql_settings:
                for pk in sample:
                    times["sql http"].append(http_impact(client, sys_ids[pk].hex)[0])
        rows = [(f"{len(sample)} random CIs (closure p50 {statistics.median(closures):.0f})", times)]
        for label, name in HUBS.items():
            pk = hubs[name]
            hub_times = {"sql": [], "graph": [], "sql http": [], "graph http": []}
            for _ in range(args.hub_runs):
                elapsed, graph_result = timed(impacted_by, [pk])
                hub_times["graph"].append(elapsed)
                if client:
                    hub_times["graph http"].append(http_impact(client, sys_ids[pk].hex)[0])
            size = graph_result.impacted_ci_count
            if not args.skip_sql_hubs:
                for _ in range(args.hub_runs):
                    with sql_settings:
                        elapsed, sql_result = timed(impacted_by, [pk])
                    hub_times["sql"].append(elapsed)
                    if client:
                        with sql_settings:
                            hub_times["sql http"].append(http_impact(client, sys_ids[pk].hex)[0])
                disagreements += not same_answer(sql_result, graph_result)
                del sql_result
            del graph_result
            rows.append((f"hub: {label} ({size:,} CIs)", hub_times))
            print(f"  {label}: {size:,} CIs done", flush=True)

    print()
    print(f"impact of one CI, {ci_count:,} CIs, {connection.vendor}; SQL engine vs in-memory graph, same run")
    header = (
        "",
        "SQL p50",
        "p95",
        "graph p50",
        "p95",
        "×p50",
        "×p95",
        "HTTP SQL p50",
        "HTTP graph p50",
        "p95",
        "×",
    )
    lines = []
    for label, measured in rows:
        sql, graph_times = measured["sql"], measured["graph"]
        sql_http, graph_http = measured["sql http"], measured["graph http"]

        def p(values, share):
            return percentile(values, share) if values else None

        def ratio(slow, fast):
            return f"{slow / fast:.0f}×" if slow and fast else "-"

        lines.append(
            (
                label,
                fmt_seconds(p(sql, 0.5)),
                fmt_seconds(p(sql, 0.95)),
                fmt_seconds(p(graph_times, 0.5)),
                fmt_seconds(p(graph_times, 0.95)),
                ratio(p(sql, 0.5), p(graph_times, 0.5)),
                ratio(p(sql, 0.95), p(graph_times, 0.95)),
                fmt_seconds(p(sql_http, 0.5)),
                fmt_seconds(p(graph_http, 0.5)),
                fmt_seconds(p(graph_http, 0.95)),
                ratio(p(sql_http, 0.5), p(graph_http, 0.5)),
            )
        )
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]
    for line in [header, *lines]:
        print(
            "  ".join(
                str(value).ljust(widths[0]) if i == 0 else str(value).rjust(widths[i])
                for i, value in enumerate(line)
            )
        )
    print(f"answers that differ between the engines: {disagreements}")
    print(f"load average (1, 5, 15 min): {', '.join(f'{value:.2f}' for value in os.getloadavg())}")


def main(argv=None):
    args = build_parser().parse_args(argv)
    url = os.environ.get("DATABASE_URL")
    if not url:
        build_parser().error("set DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/runstage_bench")
    ensure_database(url)
    setup_django()
    run(args)


if __name__ == "__main__":
    main()
