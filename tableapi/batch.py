"""POST /api/now/v1/batch: several Table API requests in one, as PySNC sends them.

PySNC uses it for update_multiple(), delete_multiple() and for queries too long for a URL. The
request is `{"batch_request_id", "rest_requests": [{"id", "method", "url", "headers": [{"name",
"value"}], "body": base64}]}`; the answer is `{"batch_request_id", "serviced_requests": [{"id",
"status_code", "status_text", "headers", "body": base64, "execution_time"}], "unserviced_requests"}`
(see PySNC's `client.BatchAPI`). Each request runs as the batch's user, through the same `serve()`
as a request of its own, in its own transaction: one failing does not undo the others.
"""

import base64
import binascii
import json
import re
import time
from http import HTTPStatus
from urllib.parse import parse_qsl, urlsplit

from tableapi.errors import TableAPIError, bad_request, error_body
from tableapi.records import TableRequest, TableResponse, serve

TABLE_URL = re.compile(r"/api/now/(?:v\d+/)?table/(?P<table>[^/?]+)(?:/(?P<sys_id>[^/?]+))?/?")
# A batch is answered in one response; more requests than this are refused rather than left to run long.
MAX_REQUESTS = 1000


def serve_batch(user, document, base_url: str) -> dict:
    """Answer a batch document for `user`; 400 when it is not in the shape above."""
    if not isinstance(document, dict) or not isinstance(document.get("rest_requests"), list):
        raise bad_request(
            "Invalid batch request", 'Expected {"batch_request_id": ..., "rest_requests": [...]}.'
        )
    requests = document["rest_requests"]
    if len(requests) > MAX_REQUESTS:
        raise bad_request("Too many requests in one batch", f"A batch holds at most {MAX_REQUESTS} requests.")
    serviced = []
    for item in requests:
        if not isinstance(item, dict) or "id" not in item:
            raise bad_request("Invalid batch request", "Every rest_request needs an id.")
        started = time.monotonic()
        response = answer(user, item, base_url)
        serviced.append(serviced_request(item["id"], response, time.monotonic() - started))
    return {
        "batch_request_id": str(document.get("batch_request_id", "")),
        "serviced_requests": serviced,
        "unserviced_requests": [],
    }


def answer(user, item, base_url) -> TableResponse:
    try:
        return serve(user, table_request(item, base_url))
    except TableAPIError as error:
        return TableResponse(error.status_code, error_body(error.message, error.detail))


def table_request(item, base_url) -> TableRequest:
    url = urlsplit(str(item.get("url", "")))
    match = TABLE_URL.fullmatch(url.path)
    if match is None:
        raise bad_request("Invalid batch request", f"{url.path!r} is not a Table API URL.")
    try:
        body = base64.b64decode(item.get("body") or "", validate=True)
        data = json.loads(body) if body else None
    except (binascii.Error, ValueError):
        raise bad_request("Invalid batch request", "The body is not base64-encoded JSON.") from None
    return TableRequest(
        method=str(item.get("method", "GET")).upper(),
        table=match["table"],
        sys_id=match["sys_id"],
        params=dict(parse_qsl(url.query)),
        data=data,
        base_url=base_url,
        path=url.path,
    )


def serviced_request(request_id, response: TableResponse, seconds: float) -> dict:
    headers = {"Content-Type": "application/json", **response.headers}
    body = b"" if response.body is None else json.dumps(response.body).encode()
    return {
        "id": request_id,
        "status_code": response.status,
        "status_text": HTTPStatus(response.status).phrase,
        "headers": [{"name": name, "value": value} for name, value in headers.items()],
        "body": base64.b64encode(body).decode(),
        "execution_time": round(seconds * 1000),
    }
