"""Records as the Table API writes them: stored values, display values, reference links."""

import datetime
from dataclasses import dataclass

from cmdb.servicenow.exporter import export_value
from tableapi.tables import FieldPath, table_of_model

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Rendering:
    """How values are written, from sysparm_display_value and sysparm_exclude_reference_link."""

    display: str  # "false", "true" or "all"
    exclude_reference_link: bool
    base_url: str  # e.g. "https://runstage.example.com", for reference links

    def record(self, obj, paths: tuple[FieldPath, ...]) -> dict:
        return {path.name: self.field(obj, path) for path in paths}

    def field(self, obj, path: FieldPath):
        value = obj
        for attribute in path.attributes:
            if value is None:
                break
            value = getattr(value, attribute)
        if path.is_reference:
            return self.reference(value, path)
        stored = stored_text(value, path)
        if self.display == "false":
            return stored
        shown = display_text(value, path)
        return shown if self.display == "true" else {"display_value": shown, "value": stored}

    def reference(self, target, path: FieldPath):
        if target is None:
            return {"display_value": "", "value": ""} if self.display == "all" else ""
        stored = target.sys_id.hex
        shown = display_of(target)
        link = f"{self.base_url}/api/now/table/{table_of_model(path.model_field.related_model)}/{stored}"
        if self.display == "all":
            value = {"display_value": shown, "value": stored}
        elif self.exclude_reference_link:
            return shown if self.display == "true" else stored
        else:
            value = {"display_value": shown} if self.display == "true" else {"value": stored}
        if not self.exclude_reference_link:
            value["link"] = link
        return value


def stored_text(value, path: FieldPath) -> str:
    """A value as ServiceNow stores it; date-times in UTC as `YYYY-MM-DD HH:MM:SS`."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).strftime(DATETIME_FORMAT)
    return export_value(value, path.converter)


def display_text(value, path: FieldPath) -> str:
    """A value as a person reads it: a choice's label, otherwise the stored text."""
    if value is not None and path.model_field.choices:
        return str(dict(path.model_field.flatchoices).get(value, value))
    return stored_text(value, path)


def display_of(obj) -> str:
    """A record's display value: its number, name or title, as ServiceNow's display fields are."""
    for attribute in ("number", "name", "title"):
        value = getattr(obj, attribute, None)
        if value:
            return str(value)
    return obj.sys_id.hex
