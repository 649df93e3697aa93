#!/usr/bin/env python
"""Benchmark of the impact engine on a generated CSDM-shaped CMDB (run by hand, not in CI).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/runstage_bench python bench/impact.py --size 1m

Creates the database when it is missing and migrates it, generates a graph of the requested size
(skipped when the database already holds that graph; --regenerate forces it), then times
(a) impact.engine.impacted_by([ci]), (b) GET /api/v1/impact/?ci=<sys_id> through Django's test
client, and (c) a naive walk that issues one query per CI, for random CIs and for the hub CIs.

The graph is cut into "domains" of 250 CIs (a business area: rack switches, servers, databases,
applications, application services, business applications, business services and their offerings),
wired mostly inside the domain as CSDM prescribes (server <- application <- application service <-
offering <- business service), with a few cross-domain links, cycles among application services,
non-propagating relationships (Connects to, Sends data to, Backs up) to make five relationships per
CI, and four shared hubs: a core switch behind half the domains' rack switches, a storage array,
an identity service and a DNS server.
"""

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
import warnings
from collections import deque
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DOMAIN_SIZE = 250
# CIs of one domain, by layer: (layer, count). Business services come before their offerings.
DOMAIN_LAYERS = (
    ("rack_switch", 5),
    ("server", 100),
    ("database", 20),
    ("application", 75),
    ("application_service", 25),
    ("business_application", 7),
    ("business_service", 5),
    ("offering", 13),
)
assert sum(count for _, count in DOMAIN_LAYERS) == DOMAIN_SIZE

# Share of domains that lean on each hub.
CORE_SWITCH_SHARE = 0.5  # rack switches depend on the core switch
STORAGE_SHARE = 0.06  # servers depend on the storage array
IDENTITY_SHARE = 0.15  # application services depend on the identity service
DNS_SHARE = 0.03  # applications depend on the DNS server
CROSS_DOMAIN_SHARE = 0.02  # an application running on a server of another domain
CYCLE_SHARE = 0.1  # domains with a cycle of three application services

MARKER = "runstage-bench"
DEPENDS_ON, RUNS_ON, CONSUMES = "Depends on::Used by", "Runs on::Runs", "Consumes::Consumed by"
CONNECTS_TO, SENDS_DATA_TO, BACKS_UP = (
    "Connects to::Connected by",
    "Sends data to::Receives data from",
    "Backs up::Backed up by",
)


def parse_size(text):
    """'100k' -> 100000, '1m' -> 1000000, '25000' -> 25000."""
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if factor != 1 else text
    try:
        size = int(float(number) * factor)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size such as 100k or 1m") from None
    if size < DOMAIN_SIZE * 4:
        raise argparse.ArgumentTypeError(f"the size must be at least {DOMAIN_SIZE * 4} CIs")
    return size


def build_parser():
    parser = argparse.ArgumentParser(
        description="Time the impact engine (and the impact API, and a naive walk) on a generated CMDB.",
        epilog="Needs DATABASE_URL; meant for PostgreSQL, e.g. "
        "DATABASE_URL=postgres://postgres@127.0.0.1:5432/runstage_bench python bench/impact.py --size 1m",
    )
    parser.add_argument(
        "--size", type=parse_size, default=parse_size("100k"), help="CIs: 100k (default), 1m, ..."
    )
    parser.add_argument("--seed", type=int, default=20240601, help="random seed of the graph and the samples")
    parser.add_argument("--samples", type=int, default=200, help="random CIs to time (default 200)")
    parser.add_argument("--hub-runs", type=int, default=3, help="engine runs per hub; the median is shown")
    parser.add_argument("--max-depth", type=int, default=None, help="depth cap (default IMPACT_MAX_DEPTH)")
    parser.add_argument("--regenerate", action="store_true", help="drop the CMDB and generate it again")
    parser.add_argument(
        "--naive-budget",
        type=float,
        default=120.0,
        help="seconds a naive hub walk may take before it is stopped and shown as a lower bound",
    )
    parser.add_argument("--skip-naive", action="store_true", help="do not time the naive walk")
    parser.add_argument("--skip-http", action="store_true", help="do not time the HTTP endpoint")
    return parser


# --- setup ------------------------------------------------------------------------------------------


def ensure_database(url):
    """Create the PostgreSQL database named by `url` when it does not exist yet."""
    import dj_database_url
    import psycopg2
    from psycopg2 import sql

    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        return
    connection = psycopg2.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
    )
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
            if cursor.fetchone() is None:
                print(f"creating database {config['NAME']}", flush=True)
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
    finally:
        connection.close()


def setup_django():
    # The bench serves no static files; whitenoise's warning about the missing directory is noise.
    warnings.filterwarnings("ignore", message="No directory at")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --- the graph --------------------------------------------------------------------------------------


@dataclass
class Graph:
    """A generated CMDB: CI rows by model, relationships, offering parents and subscriptions."""

    size: int
    seed: int
    domains: int
    cis: list = field(default_factory=list)  # (id, name, sys_class_name, model key)
    relationships: list = field(default_factory=list)  # (parent id, type name, child id)
    offering_parent: dict = field(default_factory=dict)  # offering id -> business service id
    hubs: dict = field(default_factory=dict)  # hub label -> id

    @property
    def ci_count(self):
        return len(self.cis)


def generate(size, seed):
    """The CSDM-shaped graph for `size` CIs (rounded to whole domains, plus the hubs)."""
    rng = random.Random(seed)
    domains = max(4, size // DOMAIN_SIZE)
    graph = Graph(size=size, seed=seed, domains=domains)
    next_id = 1

    def add(name, class_name, model_key):
        nonlocal next_id
        graph.cis.append((next_id, name, class_name, model_key))
        next_id += 1
        return next_id - 1

    graph.hubs = {
        "core switch": add("core-switch-01", "cmdb_ci_ip_switch", None),
        "storage array": add("storage-array-01", "cmdb_ci_storage_device", None),
        "identity service": add("Identity service", "cmdb_ci_service_technical", "technical_service"),
        "dns server": add("dns-01", "cmdb_ci_server", "server"),
    }
    classes = {
        "rack_switch": ("cmdb_ci_ip_switch", None, "rsw"),
        "server": ("cmdb_ci_server", "server", "srv"),
        "database": ("cmdb_ci_db_instance", "database", "db"),
        "application": ("cmdb_ci_appl", "application", "app"),
        "application_service": ("cmdb_ci_service_auto", "application_service", "Application service"),
        "business_application": ("cmdb_ci_business_app", "business_application", "Business application"),
        "business_service": ("cmdb_ci_service_business", "business_service", "Business service"),
        "offering": ("service_offering", "offering", "Offering"),
    }
    layers = {}  # (domain, layer) -> list of ids
    for domain in range(domains):
        for layer, count in DOMAIN_LAYERS:
            class_name, model_key, prefix = classes[layer]
            layers[domain, layer] = [
                add(f"{prefix} {domain:05d}-{index:03d}", class_name, model_key) for index in range(count)
            ]

    rels = graph.relationships

    def pick(domain, layer, count, exclude=None):
        candidates = layers[domain, layer]
        if exclude is not None:
            candidates = [pk for pk in candidates if pk != exclude]
        return rng.sample(candidates, min(count, len(candidates)))

    core_domains = set(rng.sample(range(domains), round(domains * CORE_SWITCH_SHARE)))
    storage_domains = set(rng.sample(range(domains), max(1, round(domains * STORAGE_SHARE))))
    identity_domains = set(rng.sample(range(domains), max(1, round(domains * IDENTITY_SHARE))))
    dns_domains = set(rng.sample(range(domains), max(1, round(domains * DNS_SHARE))))
    cycle_domains = set(rng.sample(range(domains), max(1, round(domains * CYCLE_SHARE))))

    for domain in range(domains):
        racks = layers[domain, "rack_switch"]
        if domain in core_domains:
            rels.extend((rack, DEPENDS_ON, graph.hubs["core switch"]) for rack in racks)
        for index, server in enumerate(layers[domain, "server"]):
            rels.append((server, DEPENDS_ON, racks[index % len(racks)]))
            if domain in storage_domains:
                rels.append((server, DEPENDS_ON, graph.hubs["storage array"]))
            rels.extend((server, CONNECTS_TO, peer) for peer in pick(domain, "server", 4, exclude=server))
        for database in layers[domain, "database"]:
            (host,) = pick(domain, "server", 1)
            rels.append((database, RUNS_ON, host))
            rels.extend((database, BACKS_UP, target) for target in pick(domain, "server", 3))
        for application in layers[domain, "application"]:
            hosts = set(pick(domain, "server", rng.choice((1, 2))))
            if rng.random() < CROSS_DOMAIN_SHARE:
                hosts.add(rng.choice(layers[rng.randrange(domains), "server"]))
            rels.extend((application, RUNS_ON, host) for host in sorted(hosts))
            rels.append((application, DEPENDS_ON, pick(domain, "database", 1)[0]))
            if domain in dns_domains:
                rels.append((application, DEPENDS_ON, graph.hubs["dns server"]))
            peers = pick(domain, "application", 4, exclude=application)
            rels.extend((application, SENDS_DATA_TO, peer) for peer in peers)
        services = layers[domain, "application_service"]
        service_children = {service: set() for service in services}
        if domain in cycle_domains:
            first, second, third = services[:3]
            service_children[first].add(second)
            service_children[second].add(third)
            service_children[third].add(first)
        for service in services:
            rels.extend((service, DEPENDS_ON, app) for app in pick(domain, "application", rng.choice((3, 4))))
            if rng.random() < 0.5:
                other_domain = rng.randrange(domains) if rng.random() < 0.05 else domain
                service_children[service].update(
                    pick(other_domain, "application_service", 1, exclude=service)
                )
            if domain in identity_domains:
                rels.append((service, DEPENDS_ON, graph.hubs["identity service"]))
            (peer,) = pick(domain, "application_service", 1, exclude=service)
            rels.append((service, SENDS_DATA_TO, peer))
        for service, children in service_children.items():
            rels.extend((service, DEPENDS_ON, child) for child in sorted(children))
        for business_application in layers[domain, "business_application"]:
            rels.extend((business_application, CONSUMES, s) for s in pick(domain, "application_service", 2))
        business_services = layers[domain, "business_service"]
        for index, offering in enumerate(layers[domain, "offering"]):
            graph.offering_parent[offering] = business_services[index % len(business_services)]
            rels.extend(
                (offering, DEPENDS_ON, s) for s in pick(domain, "application_service", rng.choice((2, 3)))
            )
    return graph


# --- loading ----------------------------------------------------------------------------------------


class TableRows:
    """Rows of one table in column order, from the model's _meta: defaults for every column that the
    generator does not set, exactly as Django would insert them."""

    def __init__(self, model, connection, now):
        self.model = model
        self.table = model._meta.db_table
        self.fields = list(model._meta.local_concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.constants = []
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.primary_key or f.name == "sys_id" or not f.has_default() and not f.null and f.is_relation:
                value = None  # set per row
            else:
                value = f.get_default()
            if value is not None and f.get_internal_type() == "JSONField":
                # Its prepared value is a driver adapter ("'[]'::jsonb"), not text COPY can read.
                self.constants.append(json.dumps(value))
                continue
            self.constants.append(f.get_db_prep_save(value, connection) if value is not None else None)

    def maker(self, keys):
        """A function that turns a tuple of values for `keys` (field names, "pk" for the primary key)
        into a full row; the column positions are looked up once, not per row."""
        positions = []
        for key in keys:
            (index,) = (
                i for i, f in enumerate(self.fields) if (f.primary_key if key == "pk" else f.name == key)
            )
            positions.append(index)
        constants = self.constants

        def make(values):
            row = list(constants)
            for index, value in zip(positions, values, strict=True):
                row[index] = value
            return row

        return make

    def row(self, values):
        """A full row from a dict of field names (or "pk") to values."""
        return self.maker(tuple(values))(tuple(values.values()))


def copy_text(value):
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def load_rows(connection, table_rows, rows, chunk=200_000):
    """Insert rows: COPY on PostgreSQL (chunks of `chunk` rows), executemany elsewhere."""
    columns = ", ".join(connection.ops.quote_name(c) for c in table_rows.columns)
    table = connection.ops.quote_name(table_rows.table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg2's own cursor, for copy_expert
            buffer = io.StringIO()
            for count, row in enumerate(rows, start=1):
                buffer.write("\t".join(map(copy_text, row)))
                buffer.write("\n")
                if count % chunk == 0:
                    buffer.seek(0)
                    raw.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
                    buffer = io.StringIO()
            if buffer.tell():
                buffer.seek(0)
                raw.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
        else:
            placeholders = ", ".join(["%s"] * len(table_rows.columns))
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) == 10_000:
                    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", batch)
                    batch = []
            if batch:
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", batch)


def sys_ids(rng):
    """Reproducible sys_ids (32 hex characters) without the cost of uuid4()."""
    while True:
        yield f"{rng.getrandbits(128):032x}"


class PostgresBulkLoad:
    """Drop the indexes and constraints (but the primary key) of the tables to load, recreate after.

    Building an index once over 5M rows is several times faster than maintaining it row by row, and
    re-adding a foreign key validates it with one join instead of a trigger call per row.
    """

    def __init__(self, connection, tables):
        self.connection = connection
        self.tables = tables
        self.constraints, self.indexes = [], []

    def __enter__(self):
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype"
                " FROM pg_constraint c"
                " WHERE c.conrelid::regclass::text = ANY(%s) AND c.contype IN ('u', 'f', 'c')"
                " ORDER BY c.contype = 'f'",
                [self.tables],
            )
            self.constraints = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
                " WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                [self.tables],
            )
            self.indexes = cursor.fetchall()
            for table, name, _definition, _kind in reversed(self.constraints):
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            for name, _definition in self.indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        return self

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is not None:
            return False  # the surrounding transaction rolls the drops back
        with self.connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            started = time.perf_counter()
            for _name, definition in self.indexes:
                cursor.execute(definition)
            print(
                f"  {len(self.indexes)} indexes rebuilt in {time.perf_counter() - started:.1f} s", flush=True
            )
            started = time.perf_counter()
            for table, name, definition, _kind in self.constraints:
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            print(
                f"  {len(self.constraints)} constraints restored in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
        return False


def load(graph):
    """Replace the CMDB of the database with `graph`, in one transaction."""
    from django.db import connection, transaction

    from cmdb.models import (
        Application,
        ApplicationService,
        BusinessApplication,
        BusinessService,
        Company,
        ConfigurationItem,
        DatabaseInstance,
        Department,
        Group,
        Location,
        Relationship,
        Server,
        TechnicalService,
        User,
    )
    from offerings.models import SUBSCRIPTION_MODELS, ServiceOffering

    models_by_key = {
        "server": Server,
        "database": DatabaseInstance,
        "application": Application,
        "application_service": ApplicationService,
        "business_application": BusinessApplication,
        "business_service": BusinessService,
        "technical_service": TechnicalService,
        "offering": ServiceOffering,
    }
    now = datetime.now(UTC)
    rng = random.Random(graph.seed + 1)
    new_sys_id = sys_ids(rng).__next__
    q = connection.ops.quote_name
    subscriber_models = [Company, Department, Location, Group, User]
    tables = [ConfigurationItem._meta.db_table, Relationship._meta.db_table]
    for model in models_by_key.values():
        tables += [parent._meta.db_table for parent in model._meta.get_parent_list()] + [model._meta.db_table]
    tables += [model._meta.db_table for model, _ in SUBSCRIPTION_MODELS]
    tables += [model._meta.db_table for model in subscriber_models]
    tables = list(dict.fromkeys(tables))
    serial_models = [
        ConfigurationItem,
        Relationship,
        *subscriber_models,
        *(m for m, _ in SUBSCRIPTION_MODELS),
    ]
    serial_tables = [(m._meta.db_table, m._meta.pk.column) for m in serial_models]

    with transaction.atomic():
        started = time.perf_counter()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute(f"TRUNCATE {', '.join(q(t) for t in tables)} RESTART IDENTITY CASCADE")
            else:
                for table in reversed(tables):
                    cursor.execute(f"DELETE FROM {q(table)}")
        bulk = PostgresBulkLoad(connection, tables) if connection.vendor == "postgresql" else nullcontext()
        with bulk:
            load_graph_rows(connection, graph, now, new_sys_id, models_by_key)
            load_subscriptions(connection, graph, now, new_sys_id, rng, subscriber_models)
        with connection.cursor() as cursor:
            # Explicit ids were written: move every sequence past them.
            if connection.vendor == "postgresql":
                for table, pk_column in serial_tables:
                    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk_column])
                    (sequence,) = cursor.fetchone()
                    if sequence:
                        cursor.execute(
                            f"SELECT setval(%s, COALESCE(MAX({q(pk_column)}), 0) + 1, false) FROM {q(table)}",
                            [sequence],
                        )
        print(f"  loaded in {time.perf_counter() - started:.1f} s", flush=True)
    with connection.cursor() as cursor:
        started = time.perf_counter()
        # VACUUM as well: it sets the visibility map, without which no index-only scan can be used.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        print(f"  vacuumed and analyzed in {time.perf_counter() - started:.1f} s", flush=True)


def load_graph_rows(connection, graph, now, new_sys_id, models_by_key):
    """cmdb_ci, the subclass tables and cmdb_rel_ci."""
    from cmdb.models import ConfigurationItem, Relationship, RelationshipType
    from offerings.models import ServiceOffering

    base = TableRows(ConfigurationItem, connection, now)
    make = base.maker(("pk", "sys_id", "name", "sys_class_name", "logical", "short_description"))
    logical_classes = ("cmdb_ci_service", "service_", "cmdb_ci_business")
    load_rows(
        connection,
        base,
        (
            make(
                (
                    pk,
                    new_sys_id(),
                    name,
                    class_name,
                    class_name.startswith(logical_classes),
                    marker(graph) if pk == graph.hubs["core switch"] else "",
                )
            )
            for pk, name, class_name, _ in graph.cis
        ),
    )
    print(f"  cmdb_ci: {graph.ci_count:,} rows", flush=True)
    # Subclass rows: every table of the model's chain below cmdb_ci, pointing at the base row.
    for key, model in models_by_key.items():
        pks = [pk for pk, _, _, model_key in graph.cis if model_key == key]
        chain = [*reversed(model._meta.get_parent_list()), model]
        for level in chain:
            if level is ConfigurationItem:
                continue
            rows = TableRows(level, connection, now)
            extra = {}
            if level is ServiceOffering:
                extra = graph.offering_parent
            load_rows(
                connection,
                rows,
                (rows.row({"pk": pk, **({"parent": extra[pk]} if pk in extra else {})}) for pk in pks),
            )

    types = dict(RelationshipType.objects.values_list("name", "pk"))
    relationship = TableRows(Relationship, connection, now)
    make = relationship.maker(("pk", "sys_id", "parent", "type", "child"))
    load_rows(
        connection,
        relationship,
        (
            relationship.row(
                {
                    "pk": index,
                    "sys_id": new_sys_id(),
                    "parent": parent,
                    "type": types[type_name],
                    "child": child,
                }
            )
            for index, (parent, type_name, child) in enumerate(graph.relationships, start=1)
        ),
    )
    print(f"  cmdb_rel_ci: {len(graph.relationships):,} rows", flush=True)


def load_subscriptions(connection, graph, now, new_sys_id, rng, subscriber_models):
    """Companies, departments, locations, groups and users subscribing to the offerings."""
    from cmdb.models import Company, Department, Group, Location, User
    from offerings.models import SUBSCRIPTION_MODELS

    counts = {
        Company: max(10, graph.domains // 8),
        Department: max(10, graph.domains // 2),
        Location: max(10, graph.domains // 4),
        Group: max(10, graph.domains // 2),
        User: max(100, graph.domains * 5),
    }
    for model in subscriber_models:
        rows = TableRows(model, connection, now)
        if model is User:
            values = (
                {
                    "pk": pk,
                    "sys_id": new_sys_id(),
                    "username": f"bench.user{pk:07d}",
                    "first_name": "Bench",
                    "last_name": f"User {pk}",
                    "password": "!",
                }
                for pk in range(1, counts[model] + 1)
            )
        else:
            label = model._meta.verbose_name.title()
            values = (
                {"pk": pk, "sys_id": new_sys_id(), "name": f"{label} {pk:05d}"}
                for pk in range(1, counts[model] + 1)
            )
        load_rows(connection, rows, (rows.row(v) for v in values))

    offerings = sorted(graph.offering_parent)
    subscription_id = 0
    for model, subscriber_field in SUBSCRIPTION_MODELS:
        subscriber_model = model._meta.get_field(subscriber_field).related_model
        per_offering = 2 if subscriber_model is User else 1
        rows = TableRows(model, connection, now)
        values = []
        for offering in offerings:
            for subscriber in rng.sample(range(1, counts[subscriber_model] + 1), per_offering):
                subscription_id += 1
                values.append(
                    {
                        "pk": subscription_id,
                        "sys_id": new_sys_id(),
                        "service_offering": offering,
                        subscriber_field: subscriber,
                    }
                )
        load_rows(connection, rows, (rows.row(v) for v in values))


def marker(graph):
    return (
        f"{MARKER} size={graph.size} seed={graph.seed} cis={graph.ci_count} rels={len(graph.relationships)}"
    )


def loaded_marker():
    """The marker of the graph in the database, or None."""
    from cmdb.models import ConfigurationItem

    return (
        ConfigurationItem.objects.filter(name="core-switch-01", short_description__startswith=MARKER)
        .values_list("short_description", flat=True)
        .first()
    )


def graph_is_loaded(size, seed):
    """True when the database holds the graph of this size and seed, counts included."""
    from cmdb.models import ConfigurationItem, Relationship

    text = loaded_marker()
    if not text:
        return False
    fields = dict(part.split("=", 1) for part in text.split()[1:])
    if (int(fields["size"]), int(fields["seed"])) != (size, seed):
        return False
    return (ConfigurationItem.objects.count(), Relationship.objects.count()) == (
        int(fields["cis"]),
        int(fields["rels"]),
    )


# --- timing -----------------------------------------------------------------------------------------


def naive_impacted_by(connection, source_id, max_depth, budget):
    """The baseline: breadth first, one query per CI for its parents (plus its row for the source).

    Returns (number of CIs, finished); stops when `budget` seconds have passed.
    """
    from impact.edges import EdgeSql

    q = connection.ops.quote_name
    edges = EdgeSql(connection)
    # The same rule for "this relationship propagates impact" as the engine's (impact/edges.py).
    parents_sql = (
        "SELECT r.parent_id, ci.sys_id, ci.name, ci.sys_class_name, so.parent_id"
        " FROM cmdb_rel_ci r INNER JOIN cmdb_ci ci ON ci.id = r.parent_id"
        f" LEFT OUTER JOIN service_offering so ON so.{q('service_ptr_id')} = ci.id"
        f" WHERE r.child_id = %s AND {edges.propagates}"
    )
    service_sql = (
        "SELECT ci.id, so.parent_id FROM cmdb_ci ci LEFT OUTER JOIN service_offering so"
        f" ON so.{q('service_ptr_id')} = ci.id WHERE ci.id = %s"
    )
    deadline = time.perf_counter() + budget
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ci.id, so.parent_id FROM cmdb_ci ci LEFT OUTER JOIN service_offering so"
            f" ON so.{q('service_ptr_id')} = ci.id WHERE ci.id = %s",
            [source_id],
        )
        (_, offering_parent) = cursor.fetchone()
        depth = {source_id: 0}
        queue = deque([(source_id, offering_parent)])
        while queue:
            if time.perf_counter() > deadline:
                return len(depth), False
            ci, offering_parent = queue.popleft()
            if depth[ci] >= max_depth:
                continue
            cursor.execute(parents_sql, [ci, True])
            reached = [(row[0], row[4]) for row in cursor.fetchall()]
            if offering_parent is not None:
                cursor.execute(service_sql, [offering_parent])
                reached += cursor.fetchall()
            for parent, parent_offering_parent in reached:
                if parent not in depth:
                    depth[parent] = depth[ci] + 1
                    queue.append((parent, parent_offering_parent))
    return len(depth), True


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def fmt_seconds(seconds):
    if seconds is None:
        return "-"
    if seconds < 1:
        return f"{seconds * 1000:.2f} ms"
    return f"{seconds:.2f} s"


@dataclass
class Row:
    label: str
    closure: str
    engine: list
    naive: list
    http: list
    naive_note: str = ""
    http_note: str = ""


def summarise(times):
    if not times:
        return "-", "-", "-"
    return (
        fmt_seconds(statistics.median(times)),
        fmt_seconds(percentile(times, 0.95)),
        fmt_seconds(max(times)),
    )


def print_table(rows):
    header = (
        "CIs",
        "closure",
        "engine p50",
        "p95",
        "max",
        "naive p50",
        "p95",
        "max",
        "×p95",
        "HTTP p50",
        "p95",
        "max",
    )
    lines = []
    for row in rows:
        engine, naive, http = summarise(row.engine), summarise(row.naive), summarise(row.http)
        ratio = "-"
        if row.engine and row.naive:
            ratio = f"{percentile(row.naive, 0.95) / percentile(row.engine, 0.95):.0f}×"
            if row.naive_note:
                ratio = "≥" + ratio
        naive = tuple("≥" + value if row.naive_note and value != "-" else value for value in naive)
        http = tuple(value if not row.http_note else row.http_note for value in http)
        lines.append((row.label, row.closure, *engine, *naive, ratio, *http))
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]
    rule = "  ".join("-" * width for width in widths)
    print(rule)
    print(
        "  ".join(
            str(value).ljust(widths[i]) if i < 2 else str(value).rjust(widths[i])
            for i, value in enumerate(header)
        )
    )
    print(rule)
    for line in lines:
        print(
            "  ".join(
                str(value).ljust(widths[i]) if i < 2 else str(value).rjust(widths[i])
                for i, value in enumerate(line)
            )
        )
    print(rule)


IMPACT_URL = "/api/v1/impact/"


def http_client():
    """A test client logged in as a bench superuser, or None without the impact endpoint."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import Resolver404, resolve

    try:
        resolve(IMPACT_URL)
    except Resolver404:
        return None
    user_model = get_user_model()
    user = user_model.objects.filter(username="bench.admin").first()
    if user is None:
        user = user_model.objects.create_superuser("bench.admin", "bench@example.com", None)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def http_impact(client, sys_id):
    """(seconds, impacted_ci_count or None, status) of GET /api/v1/impact/?ci=<sys_id>."""
    started = time.perf_counter()
    response = client.get(IMPACT_URL, {"ci": sys_id})
    elapsed = time.perf_counter() - started
    count = None
    if response.status_code == 200:
        count = json.loads(response.content).get("impacted_ci_count")
    return elapsed, count, response.status_code


def run(args):
    from django.db import connection
    from django.test.utils import override_settings

    from cmdb.models import ConfigurationItem
    from impact.engine import impacted_by, validated_depth

    max_depth = validated_depth(args.max_depth)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)
    if args.regenerate or not graph_is_loaded(args.size, args.seed):
        started = time.perf_counter()
        graph = generate(args.size, args.seed)
        print(
            f"generated {graph.ci_count:,} CIs, {len(graph.relationships):,} relationships"
            f" in {time.perf_counter() - started:.1f} s; loading",
            flush=True,
        )
        load(graph)
        hubs = graph.hubs
        del graph
    else:
        print("graph already loaded (use --regenerate to rebuild it)", flush=True)
        hubs = None
    names = ("core-switch-01", "storage-array-01", "Identity service", "dns-01")
    labels = ("core switch", "storage array", "identity service", "dns server")
    found = dict(ConfigurationItem.objects.filter(name__in=names).values_list("name", "pk"))
    hubs = hubs or {label: found[name] for label, name in zip(labels, names, strict=True)}
    ci_count = ConfigurationItem.objects.count()
    print(f"CMDB: {ci_count:,} CIs; depth cap {max_depth}", flush=True)

    rng = random.Random(args.seed + 2)
    low, high = ConfigurationItem.objects.order_by("pk").values_list("pk", flat=True)[:1].get(), ci_count
    sample = rng.sample(range(low, low + high), args.samples)
    sys_ids = dict(
        ConfigurationItem.objects.filter(pk__in=[*sample, *hubs.values()]).values_list("pk", "sys_id")
    )
    sample = [pk for pk in sample if pk in sys_ids]
    client = None if args.skip_http else http_client()
    if client is None and not args.skip_http:
        print(f"HTTP: GET {IMPACT_URL} is missing (it does not resolve); not timed", flush=True)

    # DEBUG=1 only satisfies the settings; the debug cursor's per-query bookkeeping would be timed too.
    rows = []
    with override_settings(DEBUG=False):
        for pk in sample[:5]:  # warm caches and connections
            impacted_by([pk], max_depth)
        engine_times, closures, naive_times, http_times, http_status = [], [], [], [], set()
        for pk in sample:
            elapsed, result = timed(impacted_by, [pk], max_depth)
            engine_times.append(elapsed)
            closures.append(len(result.impacted))
            if not args.skip_naive:
                elapsed, (count, _) = timed(naive_impacted_by, connection, pk, max_depth, args.naive_budget)
                naive_times.append(elapsed)
                assert count == len(result.impacted), f"naive walk disagrees for CI {pk}"
            if client:
                elapsed, count, status = http_impact(client, sys_ids[pk].hex)
                http_status.add(status)
                if status == 200:
                    http_times.append(elapsed)
        closure = f"p50 {statistics.median(closures):,.0f} / max {max(closures):,}"
        rows.append(
            Row(
                f"{len(sample)} random",
                closure,
                engine_times,
                naive_times,
                http_times,
                http_note="" if http_status <= {200} else f"HTTP {sorted(http_status)}",
            )
        )
        for label, pk in hubs.items():
            runs = []
            for _ in range(args.hub_runs):
                elapsed, result = timed(impacted_by, [pk], max_depth)
                runs.append(elapsed)
            size = len(result.impacted)
            del result
            naive_runs, note = [], ""
            if not args.skip_naive:
                elapsed, (count, finished) = timed(
                    naive_impacted_by, connection, pk, max_depth, args.naive_budget
                )
                naive_runs.append(elapsed)
                if not finished:
                    note = f"naive walk stopped after {args.naive_budget:.0f} s at {count:,} of {size:,} CIs"
            http_runs, http_note = [], ""
            if client:
                elapsed, count, status = http_impact(client, sys_ids[pk].hex)
                if status == 200:
                    http_runs.append(elapsed)
                else:
                    http_note = f"HTTP {status}"
            rows.append(Row(f"hub: {label}", f"{size:,}", runs, naive_runs, http_runs, note, http_note))
            print(f"  {label}: {size:,} CIs, engine {fmt_seconds(statistics.median(runs))}", flush=True)
    print()
    print(
        f"impact of one CI, {ci_count:,} CIs, depth cap {max_depth}, {connection.vendor};"
        f" hubs: engine median of {args.hub_runs} runs, naive and HTTP one run"
    )
    print_table(rows)
    for row in rows:
        if row.naive_note:
            print(f"≥ {row.label}: {row.naive_note}")
    print(f"load average (1, 5, 15 min): {', '.join(f'{load:.2f}' for load in os.getloadavg())}")


def main(argv=None):
    args = build_parser().parse_args(argv)
    url = os.environ.get("DATABASE_URL")
    if not url:
        build_parser().error(
            "set DATABASE_URL to the database to fill, e.g. postgres://postgres@127.0.0.1:5432/runstage_bench"
        )
    ensure_database(url)
    setup_django()
    run(args)


if __name__ == "__main__":
    main()
