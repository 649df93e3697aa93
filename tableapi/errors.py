"""Errors in ServiceNow's shape: {"error": {"message", "detail"}, "status": "failure"}."""

from rest_framework import exceptions, status


class TableAPIError(Exception):
    """A request the Table API refuses, with the HTTP status ServiceNow would answer."""

    def __init__(self, status_code: int, message: str, detail: str = ""):
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.detail = detail


def bad_request(message: str, detail: str = "") -> TableAPIError:
    return TableAPIError(status.HTTP_400_BAD_REQUEST, message, detail)


def not_found(message: str = "No Record found", detail: str = "") -> TableAPIError:
    return TableAPIError(status.HTTP_404_NOT_FOUND, message, detail)


def error_body(message: str, detail: str = "") -> dict:
    return {"error": {"message": message, "detail": detail}, "status": "failure"}


def drf_error(error: exceptions.APIException) -> TableAPIError:
    """A DRF exception (authentication, permission, parse error) as a Table API error."""
    detail = error.detail
    if isinstance(detail, dict):
        text = "; ".join(f"{key}: {value}" for key, value in detail.items())
    elif isinstance(detail, list):
        text = "; ".join(str(item) for item in detail)
    else:
        text = str(detail)
    messages = {
        status.HTTP_401_UNAUTHORIZED: "User Not Authenticated",
        status.HTTP_403_FORBIDDEN: "User Not Authorized",
    }
    return TableAPIError(error.status_code, messages.get(error.status_code, text), text)
