"""Error views shared by every page and endpoint."""

import sys

from django.views import defaults

from core.middleware import DATABASE_ERRORS, database_unavailable_response


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: a 503 when the uncaught error is the database being unavailable.

    RequestGuardMiddleware answers database errors raised in views; this catches those raised in
    other middleware (the session saved on the way out), which never reach process_exception.
    Django calls handler500 inside its `except` block, so sys.exc_info() is the error.
    """
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS):
        return database_unavailable_response(request, error)
    return defaults.server_error(request, template_name)
