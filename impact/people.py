"""The people behind an impact: who exactly is affected, each person once, and through what.

The affected people of an impact are the union of the users subscribed directly to its offerings,
the members of subscribed groups, the users whose own department, location or company is
subscribed, and the contacts of the customer accounts it impacts; inactive users are left out.
Everything is counted in the database, in one statement, whatever the number of people: one pass
over the users, each route a hashed semi-join, so a company subscribed to 20 offerings is not
20 × its 12,000 people before they are counted. Listing reads one page of people, then how each
of them is reached.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections, router

from cmdb.models import Group, GroupMembership, User
from core.sql import id_in
from customers.models import CustomerAccount, CustomerContact
from impact.engine import SUBSCRIBER_KEYS, ImpactResult, impacted_by
from offerings.models import SUBSCRIPTION_MODELS, ServiceOffering

# Singular names of the kinds, as a `via` entry gives them.
CUSTOMER_CONTACTS = "customer_contacts"
VIA_KIND = {
    CUSTOMER_CONTACTS: "customer_contact",
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


def people_affected_by(impact: ImpactResult) -> "AffectedPeople":
    """The people an impact reaches: through its offerings' subscriptions and its customers' contacts."""
    from impact.customers import customers_impacted_by

    accounts = [customer.id for customer in customers_impacted_by(impact).accounts]
    return AffectedPeople(impact.offering_ids, account_ids=accounts)


def people_affected_by_outage_of(source_ids, max_depth=None) -> "AffectedPeople":
    """The people an outage of the CIs `source_ids` affects."""
    return people_affected_by(impacted_by(source_ids, max_depth=max_depth))


class AffectedPeople:
    """The people affected through the subscriptions of some offerings and the contacts of some
    customer accounts, counted and listed in SQL."""

    def __init__(self, offering_ids: list[int], account_ids: list[int] = (), using: str | None = None):
        self.offering_ids = list(offering_ids)
        self.account_ids = list(account_ids)
        self.connection = connections[using or router.db_for_read(User)]
        self.q = self.connection.ops.quote_name

    def count(self) -> PeopleCount:
        """Counts by kind and in all; two people of the same name are two people."""
        by_kind = dict.fromkeys(self.kinds(), 0)
        total = 0
        if not self.offering_ids and not self.account_ids:
            return PeopleCount(total, by_kind)
        conditions, params = self._conditions()
        # One pass over the users: each condition is a hashed semi-join, evaluated once per person.
        flags = ", ".join(
            f"CASE WHEN {condition} THEN 1 ELSE 0 END AS r{i}" for i, (_, condition) in enumerate(conditions)
        )
        reached_any = " + ".join(f"r{i}" for i in range(len(conditions)))
        sums = ", ".join(f"SUM(r{i})" for i in range(len(conditions)))
        users = self._active_users()
        query = f"SELECT {sums}, COUNT(*) FROM (SELECT {flags} FROM {users}) x WHERE {reached_any} > 0"
        row = self._fetch(query, [*params, True])[0]
        by_kind.update({kind: value or 0 for (kind, _), value in zip(conditions, row, strict=False)})
        return PeopleCount(row[-1] or 0, by_kind)

    def people(self, *, offset: int = 0, limit: int | None = None) -> list[AffectedPerson]:
        """One page of affected people, sorted by name, each with every way they are reached."""
        if not self.offering_ids and not self.account_ids:
            return []
        reached, params = self._reached()
        params = [True, *params]
        user = User._meta
        names = f"LOWER(u.{self._column(user, 'first_name')}), LOWER(u.{self._column(user, 'last_name')})"
        query = (
            f"SELECT u.{self.q(user.pk.column)} FROM {self._active_users()} AND ({reached})"
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
        if not self.offering_ids and not self.account_ids:
            return []
        reached, params = self._reached()
        user_pk = f"u.{self.q(User._meta.pk.column)}"
        query = f"SELECT {user_pk} FROM {self._active_users()} AND ({reached})"
        return [row[0] for row in self._fetch(query, [True, *params])]

    @staticmethod
    def kinds():
        """The keys of `by_kind`: subscriber kinds in SUBSCRIPTION_MODELS order, then customer contacts."""
        kinds = [
            SUBSCRIBER_KEYS[model._meta.get_field(name).related_model] for model, name in SUBSCRIPTION_MODELS
        ]
        return [*kinds, CUSTOMER_CONTACTS]

    # --- SQL ---------------------------------------------------------------------------------------

    def _column(self, meta, name):
        return self.q(meta.get_field(name).column)

    def _condition(self, model, subscriber_field):
        """(sql, params): the condition on user `u` "one subscribe-by table reaches this person".

        Semi-joins (IN subqueries), not joins: a company subscribed to 20 offerings must not list its
        12,000 people 20 times before they are counted.
        """
        q = self.q
        meta, user = model._meta, User._meta
        subscriber = meta.get_field(subscriber_field)
        offering_in, params = id_in(
            f"s.{self._column(meta, 'service_offering')}", self.offering_ids, self.connection
        )
        subscribers = f"SELECT s.{q(subscriber.column)} FROM {q(meta.db_table)} s WHERE {offering_in}"
        user_pk = f"u.{q(user.pk.column)}"
        if subscriber.related_model is User:
            return f"{user_pk} IN ({subscribers})", params
        if subscriber.related_model is Group:
            membership = GroupMembership._meta
            members = (
                f"SELECT m.{self._column(membership, 'user')} FROM {q(membership.db_table)} m"
                f" WHERE m.{self._column(membership, 'group')} IN ({subscribers})"
            )
            return f"{user_pk} IN ({members})", params
        return f"u.{q(self._user_field(subscriber.related_model).column)} IN ({subscribers})", params

    def _conditions(self):
        """([(kind, condition)], params) for every subscribe-by table, in SUBSCRIPTION_MODELS order,
        then the contacts of the impacted accounts."""
        conditions, params = [], []
        if self.offering_ids:
            for model, subscriber_field in SUBSCRIPTION_MODELS:
                condition, condition_params = self._condition(model, subscriber_field)
                kind = SUBSCRIBER_KEYS[model._meta.get_field(subscriber_field).related_model]
                conditions.append((kind, condition))
                params.extend(condition_params)
        if self.account_ids:
            contact = CustomerContact._meta
            account_in, account_params = id_in(
                f"c.{self._column(contact, 'account')}", self.account_ids, self.connection
            )
            user_pk = f"u.{self.q(User._meta.pk.column)}"
            contacts = (
                f"SELECT c.{self.q(contact.pk.column)} FROM {self.q(contact.db_table)} c WHERE {account_in}"
            )
            conditions.append((CUSTOMER_CONTACTS, f"{user_pk} IN ({contacts})"))
            params.extend(account_params)
        return conditions, params

    def _reached(self):
        """(sql, params): the condition on user `u` "some impacted offering's subscription reaches them"."""
        conditions, params = self._conditions()
        return " OR ".join(f"({condition})" for _, condition in conditions), params

    def _active_users(self):
        user = User._meta
        return f"{self.q(user.db_table)} u WHERE u.{self._column(user, 'is_active')} = %s"

    @staticmethod
    def _user_field(subscriber_model):
        """The user's own reference to a department, location or company."""
        return next(
            field
            for field in User._meta.concrete_fields
            if field.is_relation and field.related_model is subscriber_model
        )

    def _how_branch(self, model, subscriber_field, person_ids):
        """(sql, params): (kind, person pk, subscriber pk, offering pk) of the given people through one
        subscribe-by table: every subscription that reaches them."""
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
            user = User._meta
            user_field = self._user_field(subscriber.related_model)
            source += f" INNER JOIN {q(user.db_table)} p ON p.{q(user_field.column)} = {via}"
            person = f"p.{q(user.pk.column)}"
        people, people_params = id_in(person, person_ids, self.connection)
        sql = f"SELECT '{kind}', {person}, {via}, {offering} FROM {source} WHERE {condition} AND {people}"
        return sql, [*params, *people_params]

    def _vias(self, person_ids):
        """(person pk, Via) for every way the given people are reached, sorted by kind then name."""
        branches, params = [], []
        if self.offering_ids:
            for model, subscriber_field in SUBSCRIPTION_MODELS:
                sql, branch_params = self._how_branch(model, subscriber_field, person_ids)
                branches.append(sql)
                params.extend(branch_params)
        if self.account_ids:
            contact = CustomerContact._meta
            person = f"c.{self.q(contact.pk.column)}"
            account = f"c.{self._column(contact, 'account')}"
            account_in, account_params = id_in(account, self.account_ids, self.connection)
            people_in, people_params = id_in(person, person_ids, self.connection)
            branches.append(
                f"SELECT '{CUSTOMER_CONTACTS}', {person}, {account}, NULL FROM {self.q(contact.db_table)} c"
                f" WHERE {account_in} AND {people_in}"
            )
            params.extend([*account_params, *people_params])
        rows = set(self._fetch(" UNION ALL ".join(branches), params))
        ids_by_kind = defaultdict(set)
        for kind, _, via, offering in rows:
            ids_by_kind[kind].add(via)
            if offering is not None:
                ids_by_kind["offerings"].add(offering)
        models = {
            **{key: model for model, key in SUBSCRIBER_KEYS.items()},
            CUSTOMER_CONTACTS: CustomerAccount,
        }
        names = {
            kind: models.get(kind, ServiceOffering).objects.using(self.connection.alias).in_bulk(list(pks))
            for kind, pks in ids_by_kind.items()
        }
        order = {kind: index for index, kind in enumerate(self.kinds())}
        vias = []
        for kind, person, via, offering in rows:
            subscriber = names[kind][via]
            served = names["offerings"][offering] if offering is not None else None
            label = (
                (subscriber.get_full_name() or subscriber.username) if kind == "users" else subscriber.name
            )
            sort_key = (order[kind], label.casefold(), served.name.casefold() if served else "")
            vias.append(
                (
                    sort_key,
                    person,
                    Via(
                        VIA_KIND[kind],
                        subscriber.sys_id,
                        label,
                        served.sys_id if served else None,
                        served.name if served else "",
                    ),
                )
            )
        vias.sort(key=lambda item: item[0])
        return [(person, via) for _, person, via in vias]

    def _fetch(self, query, params):
        with self.connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()
