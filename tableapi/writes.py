"""Writes through the Table API: ServiceNow values in, the apps' own validation and services to save.

Values are read as the importer reads them (`cmdb.servicenow.values.to_python`: "true", "12.50",
UTC date-times, the spec's converters), then the record goes through the same path as the REST API
and the admin: the model's full_clean() (field checks, clean(), named constraints), tasks through
`impact.services` (numbers from the counters, impacted services refreshed), portfolio nodes under
the tree lock. Read-only fields (sys_id after creation, sys_class_name, timestamps, numbers) are
ignored, as ServiceNow ignores them; an unknown field or a bad value is a 400 naming the field.
"""

from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, router, transaction
from django.db.models import ProtectedError, RestrictedError
from rest_framework import status

from cmdb.servicenow.registry import spec_for_table
from cmdb.servicenow.sources import plain_value
from cmdb.servicenow.values import to_python
from core.models import parse_sys_id
from impact.models import AffectedCI, Task
from impact.services import create_task, refresh_impacted_services, update_task
from portfolio.models import PortfolioNode
from portfolio.tree import tree_write
from tableapi.errors import TableAPIError, bad_request
from tableapi.tables import SYSTEM_FIELDS, Table


class FieldValueError(ValueError):
    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


class _WrittenValues:
    """Stands in for the importer's row in to_python(): failures name the ServiceNow field."""

    @staticmethod
    def fail(message, field=None):
        return FieldValueError(field, message)


def invalid_fields(errors: dict[str, str]) -> TableAPIError:
    names = ", ".join(sorted(errors))
    detail = "; ".join(f"{name}: {message}" for name, message in sorted(errors.items()))
    return bad_request(f"Invalid value for field {names}" if errors else "Invalid record", detail)


def model_values(table: Table, data) -> dict:
    """{model field name: Python value} for the writable fields in `data`; 400 naming bad fields."""
    if not isinstance(data, dict):
        raise bad_request("Invalid request body", "Expected a JSON object of field names and values.")
    values, errors = {}, {}
    for name, raw in data.items():
        if name in SYSTEM_FIELDS or name in table.spec.export_only:
            continue
        if name not in table.spec.fields:
            errors[name] = f"{table.name} has no field {name!r}."
            continue
        model_field, converter = table.spec.import_fields[name]
        if not model_field.editable:
            continue
        try:
            values[model_field.name] = written_value(name, model_field, converter, plain_value(raw))
        except FieldValueError as error:
            errors[name] = str(error)
    if errors:
        raise invalid_fields(errors)
    return values


def written_value(name, model_field, converter, value):
    if model_field.many_to_one:
        if value == "":
            return None
        try:
            sys_id = parse_sys_id(value)
        except ValueError:
            raise FieldValueError(name, f"{value!r} is not a sys_id.") from None
        target = model_field.related_model._base_manager.filter(sys_id=sys_id).first()
        if target is None:
            raise FieldValueError(name, f"Unknown sys_id {sys_id.hex}.")
        return target
    if isinstance(value, bool):
        value = "true" if value else "false"
    return to_python(_WrittenValues, name, model_field, value, converter)


def servicenow_name(table: Table, model_field_name: str) -> str:
    for name, model_name in table.spec.fields.items():
        if model_name == model_field_name:
            return name
    return model_field_name


@contextmanager
def model_errors_as_400(table: Table):
    """The model's own checks (full_clean, state transitions) as a 400 naming the ServiceNow fields."""
    try:
        yield
    except DjangoValidationError as error:
        messages = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
        raise invalid_fields(
            {
                ("record" if field == NON_FIELD_ERRORS else servicenow_name(table, field)): " ".join(texts)
                for field, texts in messages.items()
            }
        ) from error
    except IntegrityError as error:
        raise TableAPIError(
            status.HTTP_409_CONFLICT, "Conflict", "A concurrent change conflicts with this one; retry."
        ) from error


def new_record_class(table: Table, data) -> str:
    """The class of a record created through `table`; sys_class_name may name an unmodelled class."""
    asked = plain_value(data.get("sys_class_name", "")) if isinstance(data, dict) else ""
    if not asked or asked == table.name:
        return table.name
    if spec_for_table(asked) is table.spec and asked != table.spec.table:
        return asked
    raise invalid_fields(
        {"sys_class_name": f"A record created in {table.name} cannot be of class {asked!r}."}
    )


def create_record(table: Table, data, user):
    """Create a record of `table` from ServiceNow values; a given sys_id is kept."""
    values = model_values(table, data)
    class_name = new_record_class(table, data)
    if "sys_id" in data and plain_value(data["sys_id"]):
        try:
            values["sys_id"] = parse_sys_id(plain_value(data["sys_id"]))
        except ValueError:
            raise invalid_fields({"sys_id": f"{data['sys_id']!r} is not a sys_id."}) from None
        if table.model._base_manager.filter(sys_id=values["sys_id"]).exists():
            raise invalid_fields({"sys_id": f"A record with sys_id {values['sys_id'].hex} exists already."})
    # What an import gives fields it never sets (an unusable password for a new user) holds here too.
    for name, default in table.spec.defaults.items():
        values.setdefault(name, default() if callable(default) else default)
    model = table.model
    using = router.db_for_write(model)
    with model_errors_as_400(table):
        if issubclass(model, Task):
            if values.get("opened_by") is None and "opened_by" in table.spec.fields:
                values["opened_by"] = user
            return create_task(model, **values)
        obj = model(**values)
        if class_name != table.spec.table:
            obj.sys_class_name = class_name
        with write_transaction(model, using):
            obj.full_clean()
            obj.save(using=using)
            after_write(obj)
        return obj


def update_record(table: Table, obj, data):
    """Change the fields of `obj` given in `data` (ServiceNow values)."""
    values = model_values(table, data)
    model = table.model
    using = router.db_for_write(model)
    with model_errors_as_400(table):
        if isinstance(obj, Task):
            state = values.pop("state", None)
            return update_task(concrete_task(obj), state=state, **values)
        with write_transaction(model, using):
            tasks_before = tasks_to_refresh(obj)
            for name, value in values.items():
                setattr(obj, name, value)
            obj.full_clean()
            obj.save(using=using)
            after_write(obj, tasks_before)
        return obj


def delete_record(table: Table, obj) -> None:
    try:
        with transaction.atomic(using=router.db_for_write(table.model)):
            tasks = tasks_to_refresh(obj)
            obj.delete()
            for task in tasks:
                refresh_impacted_services(task)
    except (ProtectedError, RestrictedError) as error:
        names = sorted({str(other._meta.verbose_name_plural) for other in error.protected_objects})
        raise TableAPIError(
            status.HTTP_409_CONFLICT,
            "Record is referenced",
            f"Other records refer to it: {', '.join(names)}.",
        ) from error


def write_transaction(model, using):
    """The transaction a write runs in: portfolio nodes hold the tree lock while validated and saved."""
    if issubclass(model, PortfolioNode):
        return tree_write(using)
    return transaction.atomic(using=using)


def tasks_to_refresh(obj) -> list[Task]:
    """Tasks whose impacted services follow `obj`: an affected CI row of an incident, as in the REST API."""
    if not isinstance(obj, AffectedCI) or obj.task_id is None:
        return []
    task = concrete_task(Task.objects.get(pk=obj.task_id))
    return [task] if task.REFRESH_IMPACTED_SERVICES_ON_SAVE else []


def concrete_task(task: Task) -> Task:
    """`task` as its own class (an incident read through the `task` table), so its class's rules apply."""
    spec = spec_for_table(task.sys_class_name)
    if spec is None or type(task) is spec.model or not issubclass(spec.model, Task):
        return task
    return spec.model.objects.get(pk=task.pk)


def after_write(obj, tasks_before=()) -> None:
    for task in {*tasks_before, *tasks_to_refresh(obj)}:
        refresh_impacted_services(task)
