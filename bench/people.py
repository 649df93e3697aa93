#!/usr/bin/env python
"""Benchmark: counting the people an outage of a hub CI affects (run by hand, not in CI).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/runstage_bench_people python bench/people.py

Generates (once per database) a hub server that 400 offerings depend on through 200 application
services, and --users people in departments, locations, companies and groups; every offering is
subscribed by some departments, locations, companies, groups and users. Then times, side by side in
the same run, impact.people.AffectedPeople.count() (one SQL statement) and a baseline that collects
the same union in Python (subscriptions, then the members of each subscriber), with the ratio.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.impact import ensure_database, setup_django  # noqa: E402

OFFERINGS = 400
APP_SERVICES = 200
DEPARTMENTS, LOCATIONS, COMPANIES, GROUPS = 400, 60, 20, 600
MARKER = "bench-people-hub"


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=7)
    return parser


def generate(users, seed):
    from django.db import transaction

    from cmdb.models import (
        ApplicationService,
        Company,
        Department,
        Group,
        GroupMembership,
        Location,
        Relationship,
        RelationshipType,
        Server,
        User,
    )
    from offerings.models import SUBSCRIPTION_MODELS, ServiceOffering

    rng = random.Random(seed)
    depends_on = RelationshipType.objects.get(name="Depends on::Used by")
    with transaction.atomic():
        hub = Server.objects.create(name=MARKER)
        companies = Company.objects.bulk_create(Company(name=f"Company {i}") for i in range(COMPANIES))
        locations = Location.objects.bulk_create(Location(name=f"Location {i}") for i in range(LOCATIONS))
        departments = Department.objects.bulk_create(
            Department(name=f"Department {i}", company=rng.choice(companies)) for i in range(DEPARTMENTS)
        )
        groups = Group.objects.bulk_create(Group(name=f"Group {i}") for i in range(GROUPS))
        people = User.objects.bulk_create(
            (
                User(
                    username=f"bench{i}",
                    first_name=f"First{i}",
                    last_name=f"Last{i}",
                    email=f"bench{i}@example.com",
                    password="!",
                    is_active=rng.random() > 0.05,
                    department=rng.choice(departments),
                    location=rng.choice(locations),
                    company=rng.choice(companies),
                )
                for i in range(users)
            ),
            batch_size=5000,
        )
        GroupMembership.objects.bulk_create(
            (GroupMembership(group=rng.choice(groups), user=person) for person in people for _ in range(2)),
            batch_size=10000,
            ignore_conflicts=True,
        )
        apps = []
        for index in range(APP_SERVICES):
            app = ApplicationService.objects.create(name=f"App service {index}")
            Relationship.objects.create(parent=app, child=hub, type=depends_on)
            apps.append(app)
        offerings = []
        for index in range(OFFERINGS):
            offering = ServiceOffering.objects.create(name=f"Offering {index}")
            Relationship.objects.create(parent=offering, child=apps[index % APP_SERVICES], type=depends_on)
            offerings.append(offering)
        pools = {
            Department: departments,
            Location: locations,
            Company: companies,
            Group: groups,
            User: people,
        }
        per_offering = {Department: 3, Location: 1, Company: 1, Group: 4, User: 5}
        for model, field_name in SUBSCRIPTION_MODELS:
            subscriber = model._meta.get_field(field_name).related_model
            rows = {
                (offering.pk, choice.pk)
                for offering in offerings
                for choice in rng.sample(pools[subscriber], per_offering[subscriber])
            }
            model.objects.bulk_create(
                model(service_offering_id=offering, **{f"{field_name}_id": pk}) for offering, pk in rows
            )
    return hub


def baseline_count(offering_ids):
    """The same union collected in Python: subscriptions first, then the people behind each subscriber."""
    from cmdb.models import Group, GroupMembership, User
    from offerings.models import SUBSCRIPTION_MODELS

    people = set()
    for model, field_name in SUBSCRIPTION_MODELS:
        subscriber = model._meta.get_field(field_name).related_model
        ids = set(
            model.objects.filter(service_offering_id__in=offering_ids).values_list(
                f"{field_name}_id", flat=True
            )
        )
        if subscriber is User:
            people |= ids
        elif subscriber is Group:
            people |= set(GroupMembership.objects.filter(group_id__in=ids).values_list("user_id", flat=True))
        else:
            user_field = next(
                f.name for f in User._meta.concrete_fields if f.is_relation and f.related_model is subscriber
            )
            people |= set(User.objects.filter(**{f"{user_field}_id__in": ids}).values_list("pk", flat=True))
    return User.objects.filter(pk__in=people, is_active=True).count()


def timed(function, repeat):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times), result


def main(argv=None):
    args = build_parser().parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if url:
        ensure_database(url)
    setup_django()
    from cmdb.models import Server, User
    from impact.engine import impacted_by
    from impact.people import AffectedPeople

    hub = Server.objects.filter(name=MARKER).first()
    if hub is None:
        started = time.perf_counter()
        hub = generate(args.users, args.seed)
        print(f"generated {args.users:,} people in {time.perf_counter() - started:.1f} s", flush=True)
    offering_ids = impacted_by([hub.pk]).offering_ids
    people = AffectedPeople(offering_ids)
    walk, _, _ = timed(lambda: impacted_by([hub.pk]).offering_ids, args.repeat)
    ours, ours_max, counted = timed(people.count, args.repeat)
    page, _, _ = timed(lambda: people.people(limit=100), args.repeat)
    base, base_max, base_total = timed(lambda: baseline_count(offering_ids), max(1, args.repeat // 2))
    assert counted.total == base_total, (counted.total, base_total)
    print(f"database: {User.objects.db}, vendor {__import__('django.db').db.connection.vendor}")
    print(f"people in the CMDB: {User.objects.count():,}; impacted offerings: {len(offering_ids)}")
    print(f"affected people: {counted.total:,}; by kind: {counted.by_kind}")
    print(f"impact walk of the hub (median):        {walk * 1000:9.1f} ms")
    print(f"count, one SQL statement (median / max): {ours * 1000:9.1f} / {ours_max * 1000:.1f} ms")
    print(f"first page of 100 people with their vias: {page * 1000:7.1f} ms")
    print(f"baseline, union in Python (median / max): {base * 1000:8.1f} / {base_max * 1000:.1f} ms")
    print(f"ratio baseline / ours: {base / ours:.1f}x")
    print(f"load average (1, 5, 15 min): {', '.join(f'{load:.2f}' for load in os.getloadavg())}")


if __name__ == "__main__":
    main()
