"""Limit/offset pagination with a largest page, and a 400 naming the parameter for a bad value."""

from django.conf import settings
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination

# Offsets past the last row give an empty page; anything larger than this is refused before it can
# reach SQL, where LIMIT/OFFSET are 64-bit integers on both databases.
MAX_OFFSET = 2**62


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """`?limit=` from 1 to API_MAX_PAGE_SIZE and `?offset=` from 0; anything else is a 400, not a 500
    (a limit of 10^20 overflowed the database) nor a silent "everything" (issue 10, cause 4)."""

    @property
    def max_limit(self):
        return settings.API_MAX_PAGE_SIZE

    def get_limit(self, request):
        return self._bounded(request, self.limit_query_param, 1, self.max_limit, self.default_limit)

    def get_offset(self, request):
        return self._bounded(request, self.offset_query_param, 0, MAX_OFFSET, 0)

    @staticmethod
    def _bounded(request, name, lowest, highest, default):
        if name not in request.query_params:
            return default
        text = request.query_params[name].strip()
        # int() alone would also take "1_000" and " +5"; a plain run of digits is what the schema says.
        if not text.isascii() or not text.lstrip("-").isdigit() or not lowest <= int(text) <= highest:
            raise serializers.ValidationError({name: [f"Must be an integer from {lowest} to {highest}."]})
        return int(text)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": self.max_limit},
            self.offset_query_param: {"minimum": 0, "maximum": MAX_OFFSET},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
