"""Small mixins every Runstage record is built from."""

import uuid

from django.db import models


def format_sys_id(value):
    """A sys_id as ServiceNow writes it: 32 lowercase hex characters, no hyphens."""
    if value is None:
        return None
    return value.hex if isinstance(value, uuid.UUID) else uuid.UUID(str(value)).hex


def parse_sys_id(value):
    """Parse a sys_id given with or without hyphens; ValueError when it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a sys_id")
    text = value.strip()
    if len(text) not in (32, 36):
        raise ValueError(f"{value!r} is not a sys_id")
    return uuid.UUID(text)


def parse_sys_id_or_none(value):
    """The UUID in `value`, or None when it is not a sys_id."""
    try:
        return parse_sys_id(value)
    except (TypeError, ValueError):
        return None


class SysIdModel(models.Model):
    """A record with a public sys_id and ServiceNow's created/updated timestamps."""

    sys_id = models.UUIDField("sys_id", default=uuid.uuid4, unique=True, editable=False)
    sys_created_on = models.DateTimeField("created", auto_now_add=True)
    sys_updated_on = models.DateTimeField("updated", auto_now=True)
    # Who created and last updated the row, as ServiceNow names them; kept through import and export.
    # The database default keeps raw inserts that do not name them (bulk loaders, other tools) working.
    sys_created_by = models.CharField(
        "created by", max_length=100, blank=True, default="", db_default="", editable=False
    )
    sys_updated_by = models.CharField(
        "updated by", max_length=100, blank=True, default="", db_default="", editable=False
    )

    class Meta:
        abstract = True

    @property
    def sys_id_hex(self):
        return format_sys_id(self.sys_id)
