"""Who is affected: GET /api/v1/impact/people/, and /people/ on incidents and changes.

The count and the counts by kind are exact for every caller. Only callers who may view users
(`cmdb.view_user`) see who the people are; for the others `results` stays empty and `named` is false.
`?format=csv` downloads the whole list, streamed a page at a time.
"""

import csv

from django.http import StreamingHttpResponse
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import remove_query_param, replace_query_param

from core.api import SYS_ID_SCHEMA
from core.models import format_sys_id
from impact.api.serializers import SourceCIsSerializer
from impact.engine import HARD_MAX_DEPTH
from impact.people import people_affected_by_outage_of

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
CSV_BATCH = 1000
NAMING_PERMISSION = "cmdb.view_user"


class CSVRenderer(BaseRenderer):
    """Lets `?format=csv` (and Accept: text/csv) through content negotiation; the view streams the file."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only errors reach here (a 400 or 403 before any row): a one-line CSV of the message.
        return f"error\n{data}\n".encode()


class PeopleQuerySerializer(serializers.Serializer):
    """How far to walk, and which page of people."""

    max_depth = serializers.IntegerField(
        required=False, min_value=1, max_value=HARD_MAX_DEPTH, help_text="How many steps to walk up."
    )
    limit = serializers.IntegerField(
        required=False,
        default=DEFAULT_PAGE_SIZE,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        help_text="Page size.",
    )
    offset = serializers.IntegerField(required=False, default=0, min_value=0, max_value=10**9)


class ViaOfferingSerializer(serializers.Serializer):
    sys_id = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class PeopleByKindSerializer(serializers.Serializer):
    users = serializers.IntegerField(read_only=True)
    groups = serializers.IntegerField(read_only=True)
    departments = serializers.IntegerField(read_only=True)
    locations = serializers.IntegerField(read_only=True)
    companies = serializers.IntegerField(read_only=True)
    customer_contacts = serializers.IntegerField(read_only=True)


class ViaSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["user", "group", "department", "location", "company", "customer_contact"], read_only=True
    )
    sys_id = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    service_offering = ViaOfferingSerializer(
        read_only=True, allow_null=True, help_text="The impacted offering; null for a customer's contact."
    )


class AffectedPersonSerializer(serializers.Serializer):
    sys_id = serializers.CharField(read_only=True, help_text=SYS_ID_SCHEMA["description"])
    user_name = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    email = serializers.CharField(read_only=True)
    via = ViaSerializer(many=True, read_only=True)


class AffectedPeopleSerializer(serializers.Serializer):
    """The people an outage affects: each once in `count`, once per kind that reaches them in `by_kind`."""

    count = serializers.IntegerField(read_only=True)
    by_kind = PeopleByKindSerializer(read_only=True)
    named = serializers.BooleanField(
        read_only=True,
        help_text=f"False when the caller lacks {NAMING_PERMISSION}: people counted, not named.",
    )
    next = serializers.CharField(read_only=True, allow_null=True)
    previous = serializers.CharField(read_only=True, allow_null=True)
    results = AffectedPersonSerializer(many=True, read_only=True)


class CIPeopleQuerySerializer(SourceCIsSerializer, PeopleQuerySerializer):
    """The CIs whose outage to assess, how far to walk, and which page of people."""


PEOPLE_RENDERERS = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]


def people_response(request, source_ids, query_params):
    """The people document (or, for `?format=csv`, the whole list as a CSV download) for `source_ids`."""
    query = PeopleQuerySerializer(data=query_params)
    query.is_valid(raise_exception=True)
    params = query.validated_data
    people = people_affected_by_outage_of(source_ids, max_depth=params.get("max_depth"))
    named = request.user.has_perm(NAMING_PERMISSION)
    if getattr(request.accepted_renderer, "format", None) == "csv":
        return _csv_download(people, named)
    counted = people.count()
    limit, offset = params["limit"], params["offset"]
    url = request.build_absolute_uri()
    results = people.people(offset=offset, limit=limit) if named else []
    return Response(
        {
            "count": counted.total,
            "by_kind": counted.by_kind,
            "named": named,
            "next": replace_query_param(url, "offset", offset + limit)
            if offset + limit < counted.total
            else None,
            "previous": _previous(url, offset, limit),
            "results": [_person(person) for person in results],
        }
    )


def _previous(url, offset, limit):
    if offset <= 0:
        return None
    if offset - limit <= 0:
        return remove_query_param(url, "offset")
    return replace_query_param(url, "offset", offset - limit)


def _person(person):
    return {
        "sys_id": format_sys_id(person.sys_id),
        "user_name": person.user_name,
        "name": person.name,
        "email": person.email,
        "via": [
            {
                "kind": via.kind,
                "sys_id": format_sys_id(via.sys_id),
                "name": via.name,
                "service_offering": (
                    {"sys_id": format_sys_id(via.offering_sys_id), "name": via.offering_name}
                    if via.offering_sys_id
                    else None
                ),
            }
            for via in person.via
        ],
    }


class _Echo:
    def write(self, value):
        return value


def _csv_download(people, named):
    writer = csv.writer(_Echo())

    def rows():
        counted = people.count()
        if not named:
            yield writer.writerow(["count", *counted.by_kind])
            yield writer.writerow([counted.total, *counted.by_kind.values()])
            return
        yield writer.writerow(["sys_id", "user_name", "name", "email", "via"])
        offset = 0
        while True:
            page = people.people(offset=offset, limit=CSV_BATCH)
            for person in page:
                via = "; ".join(
                    f"{v.kind}: {v.name}" + (f" ({v.offering_name})" if v.offering_name else "")
                    for v in person.via
                )
                yield writer.writerow(
                    [format_sys_id(person.sys_id), person.user_name, person.name, person.email, via]
                )
            if len(page) < CSV_BATCH:
                return
            offset += CSV_BATCH

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="affected-people.csv"'
    return response
