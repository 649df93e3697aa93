"""The people behind an impact: who exactly is affected, each person once, and through what.

The affected people of a set of impacted offerings are the union of the users subscribed directly,
the members of subscribed groups, and the users whose own department, location or company is
subscribed; inactive users are left out. Everything is counted in the database, in one statement,
whatever the number of people: a subscribed company of 12,000 is one join, not 12,000 rows in Python.
Listing reads one page of people, then how each of them is reached.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections, router

from cmdb.models import Group, GroupMembership, User
from core.sql import id_in
from impact.engine import SUBSCRIBER_KEYS, impacted_by
from impact.services import SERVICE_OFFERING
from offerings.models import SUBSCRIPTION_MODELS, ServiceOffering

# Singular names of the kinds, as a `via` entry gives them.
VIA_KIND = {
    "users": "user",
    "groups": "group",
    "departments": "department",
    "locations": "location",
    "companies": "company",
}


@dataclass(frozen=True)
class PeopleCount:
    """How many people are affected: each once in `total`; in `by_kind`, once per kind that reaches them."""

    total: int
    by_kind: dict[str, int]


@dataclass(frozen=True)
class Via:
    """One way a person is reached: a subscriber (the person, a group, …) of an impacted offering."""

    kind: str
    sys_id: object
    name: str
    offering_sys_id: object
    offering_name: str


@dataclass
class AffectedPerson:
    id: int
    sys_id: object
    user_name: str
    name: str
    email: str
    via: list[Via] = field(default_factory=list)


def impacted_offering_ids(source_ids, max_depth=None) -> list[int]:
    """The pks of the offerings an outage of `source_ids` impacts."""
    return [ci.id for ci in impacted_by(source_ids, max_depth=max_depth).of_class(SERVICE_OFFERING)]


class AffectedPeople:
    """The people affected through the subscriptions of some offerings, counted and listed in SQL."""

    def __init__(self, offering_ids: list[int], using: str | None = None):
        self.offering_ids = list(offering_ids)
        self.connection = connections[using or router.db_for_read(User)]
        self.q = self.connection.ops.quote_name

    def count(self) -> PeopleCount:
        """Counts by kind and in all; two people of the same name are two people."""
        by_kind = dict.fromkeys(self.kinds(), 0)
        total = 0
        if not self.offering_ids:
            return PeopleCount(total, by_kind)
        people, params = self._people()
        query = (
            f"{people} SELECT kind, COUNT(DISTINCT person) FROM people GROUP BY kind"
            f" UNION ALL SELECT '', COUNT(DISTINCT person) FROM people"
        )
        for kind, count in self._fetch(query, params):
            if kind:
                by_kind[kind] = count
            else:
                total = count
        return PeopleCount(total, by_kind)

    def people(self, *, offset: int = 0, limit: int | None = None) -> list[AffectedPerson]:
        """One page of affected people, sorted by name, each with every way they are reached."""
        if not self.offering_ids:
            return []
        people, params = self._people()
        user = User._meta
        names = f"LOWER(u.{self._column(user, 'first_name')}), LOWER(u.{self._column(user, 'last_name')})"
        query = (
            f"{people} SELECT u.{self.q(user.pk.column)} FROM {self.q(user.db_table)} u"
            f" WHERE u.{self.q(user.pk.column)} IN (SELECT person FROM people)"
            f" ORDER BY {names}, u.{self._column(user, 'username')}, u.{self.q(user.pk.column)}"
        )
        if limit is not None:
            query += " LIMIT %s OFFSET %s"
            params = [*params, limit, offset]
        page_ids = [row[0] for row in self._fetch(query, params)]
        if not page_ids:
            return []
        users = User.objects.using(self.connection.alias).in_bulk(page_ids)
        found = {
            pk: AffectedPerson(
                id=pk,
                sys_id=users[pk].sys_id,
                user_name=users[pk].username,
                name=users[pk].get_full_name() or users[pk].username,
                email=users[pk].email,
            )
            for pk in page_ids
        }
        for via in self._vias(page_ids):
            found[via[0]].via.append(via[1])
        return [found[pk] for pk in page_ids]

    def all_person_ids(self) -> list[int]:
        """Every affected person's pk, for telling them."""
        if not self.offering_ids:
            return []
        people, params = self._people()
        return [row[0] for row in self._fetch(f"{people} SELECT DISTINCT person FROM people", params)]

    @staticmethod
    def kinds():
        return [
            SUBSCRIBER_KEYS[model._meta.get_field(name).related_model] for model, name in SUBSCRIPTION_MODELS
        ]

    # --- SQL ---------------------------------------------------------------------------------------

    def _column(self, meta, name):
        return self.q(meta.get_field(name).column)

    def _branch(self, model, subscriber_field):
        """(sql, params): (kind, person pk, subscriber pk, offering pk) rows of one subscribe-by table."""
        q = self.q
        meta = model._meta
        subscriber = meta.get_field(subscriber_field)
        offering = f"s.{self._column(meta, 'service_offering')}"
        via = f"s.{q(subscriber.column)}"
        condition, params = id_in(offering, self.offering_ids, self.connection)
        kind = SUBSCRIBER_KEYS[subscriber.related_model]
        source = f"{q(meta.db_table)} s"
        if subscriber.related_model is User:
            person = via
        elif subscriber.related_model is Group:
            membership = GroupMembership._meta
            source += (
                f" INNER JOIN {q(membership.db_table)} m ON m.{self._column(membership, 'group')} = {via}"
            )
            person = f"m.{self._column(membership, 'user')}"
        else:
            # A department, location or company reaches the users whose own field points at it.
            user_field = next(
                f
                for f in User._meta.concrete_fields
                if f.is_relation and f.related_model is subscriber.related_model
            )
            user = User._meta
            source += f" INNER JOIN {q(user.db_table)} p ON p.{q(user_field.column)} = {via}"
            person = f"p.{q(user.pk.column)}"
        return f"SELECT '{kind}', {person}, {via}, {offering} FROM {source} WHERE {condition}", params

    def _people(self):
        """(sql, params) of `WITH reached …, people …`: the rows of active people and how they are reached."""
        branches, params = [], []
        for model, subscriber_field in SUBSCRIPTION_MODELS:
            sql, branch_params = self._branch(model, subscriber_field)
            branches.append(sql)
            params.extend(branch_params)
        user = User._meta
        q = self.q
        people = (
            f"WITH reached(kind, person, via, offering) AS ({' UNION ALL '.join(branches)}),"
            f" people(kind, person, via, offering) AS (SELECT r.kind, r.person, r.via, r.offering"
            f" FROM reached r INNER JOIN {q(user.db_table)} u ON u.{q(user.pk.column)} = r.person"
            f" WHERE u.{self._column(user, 'is_active')} = %s)"
        )
        return people, [*params, True]

    def _vias(self, person_ids):
        """(person pk, Via) for every way the given people are reached, sorted by kind then name."""
        people, params = self._people()
        condition, person_params = id_in("person", person_ids, self.connection)
        rows = self._fetch(
            f"{people} SELECT DISTINCT kind, person, via, offering FROM people WHERE {condition}",
            [*params, *person_params],
        )
        ids_by_kind = defaultdict(set)
        for kind, _, via, offering in rows:
            ids_by_kind[kind].add(via)
            ids_by_kind["offerings"].add(offering)
        models = {key: model for model, key in SUBSCRIBER_KEYS.items()}
        names = {
            kind: {
                obj.pk: obj for obj in models.get(kind, ServiceOffering).objects.in_bulk(list(pks)).values()
            }
            for kind, pks in ids_by_kind.items()
        }
        order = {kind: index for index, kind in enumerate(self.kinds())}
        vias = []
        for kind, person, via, offering in rows:
            subscriber, served = names[kind][via], names["offerings"][offering]
            label = (
                (subscriber.get_full_name() or subscriber.username) if kind == "users" else subscriber.name
            )
            sort_key = (order[kind], label.casefold(), served.name.casefold())
            vias.append(
                (sort_key, person, Via(VIA_KIND[kind], subscriber.sys_id, label, served.sys_id, served.name))
            )
        vias.sort(key=lambda item: item[0])
        return [(person, via) for _, person, via in vias]

    def _fetch(self, query, params):
        with self.connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()
