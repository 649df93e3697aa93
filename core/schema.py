"""The OpenAPI schema's error responses, documented once for every operation (issue 10).

A drf-spectacular postprocessing hook: each operation gets the error answers it can give, in DRF's
error shape, next to the success answers the views declare. What an operation can answer follows
from what it is, not from a list per endpoint:

- 400 (field or parameter -> messages) when it takes a body or parameters;
- 401 and 403 when it needs an authenticated caller; 429 when it does not (it is throttled);
- 404 when its path names a record;
- 409 for the writes of a RunstageModelViewSet (a concurrent change, a record still referred to);
- 503 everywhere: the database is unavailable (core.middleware).

An answer a view documents itself is kept; only its missing content is filled in.
"""

from core.api import RunstageModelViewSet

ERROR_DETAIL = {
    "type": "object",
    "description": "DRF's error shape for everything but a validation error.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}

VALIDATION_ERROR = {
    "type": "object",
    "description": "DRF's validation error: each invalid field or parameter maps to its messages (a nested "
    "record nests the same shape), `non_field_errors` holds those about the whole record, and `detail` "
    "a body that could not be read.",
    "additionalProperties": {
        "anyOf": [{"type": "array", "items": {}}, {"type": "object"}, {"type": "string"}]
    },
    "example": {"name": ["This field is required."]},
}

DESCRIPTIONS = {
    "400": "Bad input: the fields or parameters at fault, each with its messages.",
    "401": "No valid credentials (token or session).",
    "403": "The caller lacks the permission this needs.",
    "404": "No such record, or one the caller may not see.",
    "409": "Conflicts with the current state: a concurrent change, or other records still refer to it.",
    "429": "Too many requests, or too many failed logins: retry after the Retry-After header's seconds.",
    "503": "The database is temporarily unavailable: retry after the Retry-After header's seconds.",
}

WRITE_METHODS = {"post", "put", "patch", "delete"}


def _view_classes(generator):
    """{(path, method): view class} of the endpoints the schema was generated from."""
    classes = {}
    for path, _regex, method, callback in getattr(generator, "endpoints", None) or ():
        view_class = getattr(callback, "cls", None)
        if view_class is not None:
            classes[(path, method.lower())] = view_class
    return classes


def error_statuses(path, method, operation, view_class) -> list[str]:
    """The error status codes `operation` (at `path`, `method`) can answer."""
    security = operation.get("security") or []
    anonymous = {} in security or not security
    parameters = operation.get("parameters", [])
    statuses = []
    # Any parameter can be refused: a path parameter holding a NUL byte too (core.middleware).
    if "requestBody" in operation or parameters:
        statuses.append("400")
    statuses += ["429"] if anonymous else ["401", "403"]
    if any(p["in"] == "path" for p in parameters):
        statuses.append("404")
    if method in WRITE_METHODS and view_class is not None and issubclass(view_class, RunstageModelViewSet):
        statuses.append("409")
    statuses.append("503")
    return statuses


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: add the error responses (see the module docstring)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorDetail", ERROR_DETAIL)
    schemas.setdefault("ValidationError", VALIDATION_ERROR)
    view_classes = _view_classes(generator)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            view_class = view_classes.get((path, method))
            for status in error_statuses(path, method, operation, view_class):
                name = "ValidationError" if status == "400" else "ErrorDetail"
                response = operation["responses"].setdefault(status, {"description": DESCRIPTIONS[status]})
                response.setdefault(
                    "content", {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}
                )
    return result
