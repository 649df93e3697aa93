"""Answers for requests the application cannot serve: NUL bytes in the request, the database down.

Both are decided before or around the views, once, so that no view has to remember them (issue 10).
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger("runstage.unavailable")

# What a client should wait before retrying; PostgreSQL restarts in seconds.
RETRY_AFTER_SECONDS = 30

DATABASE_ERRORS = (OperationalError, InterfaceError)


def is_api_request(request) -> bool:
    return request.path.startswith("/api/")


def database_unavailable_response(request, error: Exception) -> HttpResponse:
    """503 for a request that failed because the database could not be reached or answer.

    JSON in DRF's error shape with Retry-After for the API; a plain page for people, rendered
    without the request's context so that nothing on it (the user, the session) needs the database.
    """
    # One line, no traceback: the chained one showed a confusing follow-on session error.
    logger.error("Database unavailable for %s %s: %s", request.method, request.path, error)
    if is_api_request(request):
        response = JsonResponse(
            {"detail": "The database is temporarily unavailable; retry later."}, status=503
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def contains_nul(request) -> str | None:
    """The name of the part of the request holding a NUL byte ("path", a parameter's name), or None.

    PostgreSQL text cannot hold NUL, so such a value reaching a query was a 500 (issue 10, cause 3).
    """
    if "\x00" in request.path:
        return "path"
    sources = [request.GET]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        sources.append(request.POST)
    for source in sources:
        for name, values in source.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return name.replace("\x00", "\\x00")
    return None


class RequestGuardMiddleware:
    """Refuse NUL bytes with a 400 and answer a database outage with a 503 (see module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = contains_nul(request)
        if where is not None:
            message = "NUL characters are not allowed."
            if is_api_request(request):
                return JsonResponse({where: [message]}, status=400)
            return HttpResponse(
                f"Bad request: {where} contains a NUL character.", status=400, content_type="text/plain"
            )
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return database_unavailable_response(request, exception)
        return None
