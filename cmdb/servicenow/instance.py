"""Pull rows straight from a ServiceNow instance (or a Runstage serving the Table API).

`InstanceSource` is a source for `importer.import_source`, like a folder of files: the importer
asks for one table spec at a time in its load order, and the source pages through
`GET /api/now/table/<table>` with `sysparm_limit`/`sysparm_offset`, so memory holds one page.

- A table of a class family (cmdb_ci and its classes) serves its subclasses' rows too, with only
  its own fields. Each spec is therefore pulled with a `sys_class_name` condition that keeps the
  rows of exactly its class (the family base: every class without a spec of its own), which is
  the split an export's files have.
- Pages are ordered by sys_id (`ORDERBYsys_id`), so that offsets stay stable while paging.
- `since` pulls only rows with `sys_updated_on` at or after it (ServiceNow's UTC form): a row
  updated in the very second of the previous run's `since` is pulled again rather than missed,
  and re-importing an unchanged row changes nothing.
- Any HTTP or network error aborts the import (nothing is loaded) with the table and offset.
"""

import base64
import datetime
import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator

from cmdb.servicenow.registry import family_root, subclasses, table_specs
from cmdb.servicenow.sources import ImportFailure, SourceRow, routed_rows

PAGE_SIZE = 1000
TIMEOUT_SECONDS = 120
SERVICENOW_DATETIME = "%Y-%m-%d %H:%M:%S"


class InstanceSource:
    """The Table API of the instance at `base_url` (`https://<host>`), read with basic auth."""

    def __init__(
        self,
        base_url: str,
        user: str,
        password: str,
        *,
        tables: Iterable[str] | None = None,
        since: datetime.datetime | None = None,
        page_size: int = PAGE_SIZE,
        ssl_context: ssl.SSLContext | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.tables = set(tables) if tables is not None else None
        self.since = since
        self.page_size = page_size
        self.ssl_context = ssl_context or ssl.create_default_context()
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        self.headers = {"Accept": "application/json", "Authorization": f"Basic {token}"}
        self.skipped = []
        self.first_pages = {}  # spec -> (rows, total) of offset 0, fetched by total()

    def wanted(self, spec):
        return self.tables is None or spec.table in self.tables

    def total(self, spec):
        if not self.wanted(spec):
            return 0
        if spec not in self.first_pages:
            self.first_pages[spec] = self.page(spec, 0)
        return self.first_pages[spec][1]

    def rows(self, spec) -> Iterator[SourceRow]:
        if not self.wanted(spec):
            return
        rows, total = self.first_pages.pop(spec, None) or self.page(spec, 0)
        offset = 0
        name = f"{self.base_url} {spec.table}"
        while True:
            for row, row_spec in routed_rows(rows, name, spec, spec.table):
                if row_spec is not spec:
                    raise ImportFailure(
                        f"the instance served a {row.class_name} row when asked for {spec.table} rows only",
                        file=name,
                        row=offset + row.number,
                        field="sys_class_name",
                    )
                row.number += offset
                yield row
            offset += len(rows)
            if not rows or offset >= total:
                return
            rows, total = self.page(spec, offset)

    def query(self, spec):
        """The encoded query that selects `spec`'s rows (see the module docstring)."""
        conditions = []
        if family_root(spec) is spec:
            others = sorted(model._meta.db_table for model in subclasses(spec.model) if has_spec(model))
            if others:
                conditions.append(f"sys_class_nameNOT IN{','.join(others)}")
        elif family_root(spec) is not None:
            conditions.append(f"sys_class_name={spec.table}")
        if self.since is not None:
            since = self.since.astimezone(datetime.UTC).strftime(SERVICENOW_DATETIME)
            conditions.append(f"sys_updated_on>={since}")
        conditions.append("ORDERBYsys_id")
        return "^".join(conditions)

    def page(self, spec, offset):
        """(rows, X-Total-Count) of the page at `offset`."""
        params = {
            "sysparm_query": self.query(spec),
            "sysparm_limit": str(self.page_size),
            "sysparm_offset": str(offset),
            "sysparm_exclude_reference_link": "true",
        }
        url = f"{self.base_url}/api/now/table/{spec.table}?{urllib.parse.urlencode(params)}"
        where = f"{self.base_url} {spec.table} (offset {offset})"
        request = urllib.request.Request(url, headers=self.headers)
        try:
            with urllib.request.urlopen(
                request, timeout=TIMEOUT_SECONDS, context=self.ssl_context
            ) as response:
                document = json.load(response)
                total_header = response.headers.get("X-Total-Count")
        except urllib.error.HTTPError as error:
            raise ImportFailure(
                f"HTTP {error.code} {error.reason}: {error_detail(error)}", file=where
            ) from error
        except (urllib.error.URLError, OSError) as error:
            raise ImportFailure(f"cannot reach the instance: {error}", file=where) from error
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ImportFailure(f"the instance answered with malformed JSON: {error}", file=where) from error
        if not isinstance(document, dict) or not isinstance(document.get("result"), list):
            raise ImportFailure('expected {"result": [ ... ]}', file=where)
        rows = document["result"]
        try:
            total = int(total_header) if total_header is not None else None
        except ValueError:
            raise ImportFailure(f"X-Total-Count is not a number: {total_header!r}", file=where) from None
        if total is None:
            # Without the header, a short page is the last one.
            total = offset + len(rows) + (1 if len(rows) == self.page_size else 0)
        return rows, total


def has_spec(model):
    return any(spec.model is model for spec in table_specs().values())


def error_detail(error):
    """ServiceNow's `{"error": {"message", "detail"}}`, or the start of whatever else came back."""
    try:
        body = error.read(2000).decode("utf-8", "replace")
    except OSError:
        return ""
    try:
        message = json.loads(body)["error"]
        return " ".join(part for part in (message.get("message"), message.get("detail")) if part)
    except (ValueError, KeyError, TypeError, AttributeError):
        return body.strip()[:200]


def parse_since(text: str) -> datetime.datetime:
    """A `--since` value: ServiceNow's "2025-12-06 18:24:00" (UTC) or ISO 8601 with an offset."""
    try:
        value = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date-time (write 2025-12-06 18:24:00, in UTC)") from None
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)
