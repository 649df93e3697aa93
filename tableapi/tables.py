"""A Table API table: which rows and fields it serves, and encoded queries compiled against it.

Tables come from the importer's registry (`cmdb.servicenow.registry`), so every table
`import_servicenow` loads is served, under the same names, with the same field map: a CI class
table serves its class and the classes below it, a class without a model of its own
(`cmdb_ci_linux_server`) serves the rows of its base that carry that class.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db import models
from django.db.models import Q

from cmdb.servicenow.exporter import SYSTEM_FIELDS as STAMP_FIELDS
from cmdb.servicenow.registry import family_root, spec_for_table, specs_by_model, subclasses
from cmdb.servicenow.spec import TableSpec
from cmdb.servicenow.values import to_python
from core.models import parse_sys_id
from tableapi.errors import bad_request
from tableapi.query import Condition, EncodedQuery, QueryError

# Fields every record has beside its spec's field map; never written through the API.
# The record's own fields every table has, beside its mapped ones: the export's stamps among them.
SYSTEM_FIELDS = ("sys_id", "sys_class_name", *STAMP_FIELDS)


@dataclass(frozen=True)
class FieldPath:
    """A (possibly dot-walked) ServiceNow field resolved to its model field and ORM path."""

    name: str  # as asked, e.g. "parent.name"
    orm_path: str  # e.g. "parent__name"
    attributes: tuple[str, ...]  # attribute names to walk on a record, e.g. ("parent", "name")
    model_field: models.Field
    spec: TableSpec | None  # the spec that owns the last field (for its converters)
    servicenow_name: str  # the last segment

    @property
    def is_reference(self):
        return self.model_field.many_to_one

    @property
    def converter(self):
        return self.spec.converters.get(self.servicenow_name) if self.spec else None

    @property
    def references(self):
        """The ORM paths select_related() needs to read this field without a query per row."""
        parts = self.orm_path.split("__")
        last = len(parts) if self.is_reference else len(parts) - 1
        return ["__".join(parts[:index]) for index in range(1, last + 1)]


def servicenow_fields(spec):
    """{ServiceNow name: model field name} readable on `spec`'s table: the spec's map and system fields."""
    model_fields = {field.name for field in spec.model._meta.get_fields()}
    fields = {name: name for name in SYSTEM_FIELDS if name in model_fields}
    fields.update(spec.fields)
    return fields


def table_of_model(model):
    spec = specs_by_model().get(model)
    return spec.table if spec else model._meta.db_table


@dataclass(frozen=True, eq=False)
class Table:
    """One table as the Table API serves it."""

    name: str
    spec: TableSpec

    @property
    def model(self):
        return self.spec.model

    @property
    def is_unmodelled_class(self):
        """A class without a model of its own, served as base rows carrying its class name."""
        return self.name != self.spec.table

    def queryset(self):
        queryset = self.model._base_manager.all()
        if self.is_unmodelled_class:
            queryset = queryset.filter(sys_class_name=self.name)
        return queryset

    @cached_property
    def fields(self):
        return servicenow_fields(self.spec)

    @cached_property
    def default_paths(self):
        return tuple(self.resolve(name) for name in self.fields)

    def resolve(self, name: str) -> FieldPath:
        """The field `name` (dot-walks through references allowed); 400 naming it when unknown."""
        spec, model, fields = self.spec, self.model, self.fields
        segments = name.split(".")
        orm, attributes = [], []
        for index, segment in enumerate(segments):
            if spec is None or segment not in fields:
                where = ".".join(segments[:index]) or self.name
                raise bad_request(f"Unknown field {name!r}", f"{where} has no field {segment!r}.")
            model_field = model._meta.get_field(fields[segment])
            orm.append(model_field.name)
            attributes.append(model_field.name)
            if index < len(segments) - 1:
                if not model_field.many_to_one:
                    raise bad_request(
                        f"Unknown field {name!r}",
                        f"{segment!r} is not a reference, so it cannot be dot-walked.",
                    )
                model = model_field.related_model
                spec = specs_by_model().get(model)
                fields = servicenow_fields(spec) if spec else {}
        return FieldPath(name, "__".join(orm), tuple(attributes), model_field, spec, segments[-1])

    def class_names(self, class_name: str) -> list[str] | None:
        """Class names of rows that are instances of `class_name`; None when that is every row."""
        spec = spec_for_table(class_name)
        root = family_root(self.spec)
        if spec is None or root is None or family_root(spec) is not root:
            raise bad_request(
                f"Unknown class {class_name!r}", f"INSTANCEOF needs a class of the {self.spec.table} family."
            )
        if spec.table != class_name:
            return [class_name]
        if spec is root:
            return None
        return [spec.table, *(model._meta.db_table for model in subclasses(spec.model))]

    # --- encoded queries -------------------------------------------------------------------------

    def filter_and_order(self, queryset, query: EncodedQuery):
        """Apply `query` to `queryset`; a 400 naming the unknown field, operator or value."""
        if query.queries:
            combined = Q()
            for conditions in query.queries:
                where = Q()
                for alternatives in conditions:
                    term = Q()
                    for condition in alternatives:
                        term |= self.condition_q(condition)
                    where &= term
                combined |= where
            queryset = queryset.filter(combined)
        ordering = []
        for order in query.ordering:
            path = self.resolve(order.field)
            ordering.append(f"-{path.orm_path}" if order.descending else path.orm_path)
        # A tie-breaker keeps pages stable, so paging through a result yields every row once.
        return queryset.order_by(*ordering, "pk")

    def condition_q(self, condition: Condition) -> Q:
        path = self.resolve(condition.field)
        lookup = path.orm_path
        operator, value = condition.operator, condition.value
        if operator == "INSTANCEOF":
            if path.servicenow_name != "sys_class_name":
                raise bad_request(
                    f"Invalid query {condition.field}INSTANCEOF{value}",
                    "INSTANCEOF applies to sys_class_name only.",
                )
            names = self.class_names(value)
            return Q() if names is None else Q(**{f"{lookup}__in": names})
        if operator in ("ISEMPTY", "ISNOTEMPTY") or (operator in ("=", "!=") and value == ""):
            empty = empty_q(path)
            return empty if operator in ("ISEMPTY", "=") else ~empty
        if operator in ("STARTSWITH", "ENDSWITH", "LIKE", "CONTAINS", "NOT LIKE", "DOES NOT CONTAIN"):
            # Text matching is case-insensitive, as in ServiceNow.
            suffix = {"STARTSWITH": "istartswith", "ENDSWITH": "iendswith"}.get(operator, "icontains")
            text_lookup = f"{lookup}__sys_id" if path.is_reference else lookup
            q = Q(**{f"{text_lookup}__{suffix}": value})
            return ~q if operator in ("NOT LIKE", "DOES NOT CONTAIN") else q
        if path.is_reference:
            lookup = f"{lookup}__sys_id"
        if operator in ("IN", "NOT IN"):
            values = [self.query_value(path, item, condition) for item in value.split(",")]
            q = Q(**{f"{lookup}__in": values})
            return ~q if operator == "NOT IN" else q
        typed = self.query_value(path, value, condition)
        comparisons = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}
        if operator in comparisons:
            return Q(**{f"{lookup}__{comparisons[operator]}": typed})
        q = Q(**{lookup: typed})
        return ~q if operator == "!=" else q

    @staticmethod
    def query_value(path: FieldPath, value: str, condition: Condition):
        """`value` as the field's Python value; 400 naming the field when it cannot be one."""
        shown = f"{condition.field}{condition.operator}{condition.value}"
        if path.is_reference or path.model_field.name == "sys_id":
            try:
                return parse_sys_id(value)
            except ValueError:
                raise bad_request(
                    f"Invalid query {shown!r}", f"{condition.field}: {value!r} is not a sys_id."
                ) from None
        try:
            return to_python(_QueryValues, path.servicenow_name, path.model_field, value, path.converter)
        except QueryValueError as error:
            raise bad_request(f"Invalid query {shown!r}", f"{condition.field}: {error}") from None


def empty_q(path: FieldPath) -> Q:
    q = Q(**{f"{path.orm_path}__isnull": True})
    if isinstance(path.model_field, models.CharField | models.TextField):
        q |= Q(**{path.orm_path: ""})
    return q


class QueryValueError(ValueError):
    pass


class _QueryValues:
    """Stands in for the importer's row in to_python(): its failures become QueryValueError."""

    @staticmethod
    def fail(message, field=None):
        return QueryValueError(message)


def table_named(name: str) -> Table:
    """The table `name`; 400 (as ServiceNow answers) when Runstage does not know it."""
    spec = spec_for_table(name)
    if spec is None:
        raise bad_request(f"Invalid table {name}", f"Runstage has no table named {name!r}.")
    return Table(name, spec)


__all__ = ["FieldPath", "QueryError", "Table", "table_named", "table_of_model"]
