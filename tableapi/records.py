"""One Table API request, from (user, method, table, sys_id, parameters, body) to (status, body, headers).

The views and the batch endpoint both call `serve()`, so a request inside /api/now/v1/batch is
answered exactly as the same request sent on its own, with the same permission checks.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from rest_framework import status

from core.models import parse_sys_id
from tableapi import writes
from tableapi.errors import TableAPIError, bad_request, not_found
from tableapi.query import QueryError, parse_encoded_query
from tableapi.tables import Table, table_named
from tableapi.values import Rendering

# sysparm_limit above this is capped; it is also the page size when none is asked (as ServiceNow's
# default limit of 10,000 rows).
MAX_LIMIT = 10_000

PERMISSION_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


@dataclass
class TableResponse:
    status: int
    body: dict | None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TableRequest:
    """What `serve()` needs of a request, whether it came over HTTP or inside a batch."""

    method: str
    table: str
    sys_id: str | None
    params: Mapping[str, str]
    data: object
    base_url: str  # scheme and host, for reference and pagination links
    path: str  # the request's path, for pagination links


def serve(user, request: TableRequest) -> TableResponse:
    """Answer one Table API request for `user`; TableAPIError for anything refused."""
    table = table_named(request.table)
    require_permission(user, table, request.method)
    method = request.method
    if request.sys_id is None:
        if method in ("GET", "HEAD"):
            return list_records(table, request)
        if method == "POST":
            obj = writes.create_record(table, request.data, user)
            return TableResponse(status.HTTP_201_CREATED, {"result": read_record(table, request, obj.pk)})
        raise TableAPIError(
            status.HTTP_405_METHOD_NOT_ALLOWED, f"Method {method} not allowed without a sys_id"
        )
    obj = record_or_404(table, request.sys_id)
    if method in ("GET", "HEAD"):
        return TableResponse(status.HTTP_200_OK, {"result": read_record(table, request, obj.pk)})
    if method in ("PUT", "PATCH"):
        writes.update_record(table, obj, request.data)
        return TableResponse(status.HTTP_200_OK, {"result": read_record(table, request, obj.pk)})
    if method == "DELETE":
        writes.delete_record(table, obj)
        return TableResponse(status.HTTP_204_NO_CONTENT, None)
    raise TableAPIError(status.HTTP_405_METHOD_NOT_ALLOWED, f"Method {method} not allowed on a record")


def require_permission(user, table: Table, method: str) -> None:
    """The Django model permission of the table's model for this method, or 403."""
    action = PERMISSION_ACTIONS.get(method)
    if action is None:
        raise TableAPIError(status.HTTP_405_METHOD_NOT_ALLOWED, f"Method {method} not allowed")
    options = table.model._meta
    if not user.has_perm(f"{options.app_label}.{action}_{options.model_name}"):
        raise TableAPIError(
            status.HTTP_403_FORBIDDEN,
            "User Not Authorized",
            f"{action.capitalize()} permission on {table.name} is required.",
        )


def record_or_404(table: Table, sys_id: str):
    try:
        parsed = parse_sys_id(sys_id)
    except ValueError:
        raise not_found("No Record found", f"{sys_id!r} is not a sys_id.") from None
    obj = table.queryset().filter(sys_id=parsed).first()
    if obj is None:
        raise not_found("No Record found", f"No {table.name} record has sys_id {parsed.hex}.")
    return obj


def rendering(request: TableRequest) -> Rendering:
    display = request.params.get("sysparm_display_value", "false").lower()
    if display not in ("true", "false", "all"):
        raise bad_request(
            f"Invalid sysparm_display_value {display!r}", "sysparm_display_value is true, false or all."
        )
    exclude = request.params.get("sysparm_exclude_reference_link", "false").lower() == "true"
    return Rendering(display, exclude, request.base_url)


def field_paths(table: Table, request: TableRequest):
    names = [name.strip() for name in request.params.get("sysparm_fields", "").split(",") if name.strip()]
    return tuple(table.resolve(name) for name in names) if names else table.default_paths


def with_references(queryset, paths):
    """Select every reference the fields read in the same query, so no row costs a query of its own."""
    related = sorted({reference for path in paths for reference in path.references})
    return queryset.select_related(*related) if related else queryset


def read_record(table: Table, request: TableRequest, pk) -> dict:
    paths = field_paths(table, request)
    obj = with_references(table.queryset(), paths).get(pk=pk)
    return rendering(request).record(obj, paths)


def whole_number(params, name, default):
    text = params.get(name, "")
    if text == "":
        return default
    try:
        number = int(text)
    except ValueError:
        raise bad_request(f"Invalid {name} {text!r}", f"{name} is a whole number.") from None
    if number < 0:
        raise bad_request(f"Invalid {name} {text!r}", f"{name} cannot be negative.")
    return number


def list_records(table: Table, request: TableRequest) -> TableResponse:
    """One page of the table's records matching sysparm_query: one query for the page, one for the count."""
    params = request.params
    try:
        query = parse_encoded_query(params.get("sysparm_query", ""))
    except QueryError as error:
        raise bad_request("Invalid query", str(error)) from None
    paths = field_paths(table, request)
    render = rendering(request)
    limit = min(whole_number(params, "sysparm_limit", MAX_LIMIT), MAX_LIMIT)
    offset = whole_number(params, "sysparm_offset", 0)
    queryset = table.filter_and_order(table.queryset(), query)
    total = queryset.count()
    rows = list(with_references(queryset, paths)[offset : offset + limit]) if limit else []
    headers = {"X-Total-Count": str(total)}
    if params.get("sysparm_suppress_pagination_header", "false").lower() != "true":
        headers["Link"] = pagination_links(request, total, limit, offset)
    return TableResponse(status.HTTP_200_OK, {"result": [render.record(obj, paths) for obj in rows]}, headers)


def pagination_links(request: TableRequest, total: int, limit: int, offset: int) -> str:
    """ServiceNow's Link header: first, prev, next and last pages, each as a full URL."""

    def url(page_offset):
        params = {**request.params, "sysparm_limit": str(limit), "sysparm_offset": str(page_offset)}
        return f"{request.base_url}{request.path}?{urlencode(params)}"

    links = [(url(0), "first")]
    if limit:
        if offset > 0:
            links.append((url(max(offset - limit, 0)), "prev"))
        if offset + limit < total:
            links.append((url(offset + limit), "next"))
        last = max((total - 1) // limit * limit, 0)
        links.append((url(last), "last"))
    return ",".join(f'<{target}>;rel="{rel}"' for target, rel in links)
