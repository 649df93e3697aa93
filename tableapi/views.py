"""/api/now/table/<table>[/<sys_id>] and /api/now/v1/batch: thin DRF views around `records.serve()`."""

from drf_spectacular.utils import extend_schema
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import APIException
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from tableapi.auth import HTTPSBasicAuthentication
from tableapi.batch import serve_batch
from tableapi.errors import TableAPIError, drf_error, error_body
from tableapi.records import TableRequest, serve


def servicenow_exception_handler(exc, context):
    """Every refusal in ServiceNow's error shape, with WWW-Authenticate on a 401."""
    headers = {}
    if isinstance(exc, APIException):
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        exc = drf_error(exc)
    if not isinstance(exc, TableAPIError):
        return None
    return Response(error_body(exc.message, exc.detail), status=exc.status_code, headers=headers)


class ServiceNowAPIView(APIView):
    # Basic first: its WWW-Authenticate header makes anonymous requests a 401, as PySNC expects.
    authentication_classes = [HTTPSBasicAuthentication, TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]

    def get_exception_handler(self):
        return servicenow_exception_handler

    def base_url(self):
        return self.request.build_absolute_uri("/").rstrip("/")


@extend_schema(exclude=True)
class TableView(ServiceNowAPIView):
    """ServiceNow's Table API: list and create records; read, change and delete one by sys_id."""

    def dispatch_table(self, request, table, sys_id=None):
        table_request = TableRequest(
            method=request.method,
            table=table,
            sys_id=sys_id,
            params=request.query_params.dict(),
            data=request.data if request.method in ("POST", "PUT", "PATCH") else None,
            base_url=self.base_url(),
            path=request.path,
        )
        response = serve(request.user, table_request)
        return Response(response.body, status=response.status, headers=response.headers)

    get = post = put = patch = delete = dispatch_table


@extend_schema(exclude=True)
class BatchView(ServiceNowAPIView):
    """ServiceNow's Batch API, for the Table API requests PySNC groups."""

    def post(self, request):
        return Response(serve_batch(request.user, request.data, self.base_url()))
