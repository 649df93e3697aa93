"""What every Runstage API endpoint shares: sys_id fields, model validation, permissions, the base viewset.

Viewsets elsewhere stay declarative (queryset, serializer_class, filterset_class); the behaviour they
all need lives here once, in particular the prefetching derived from the serializer, which is what
keeps list endpoints at a constant number of queries.
"""

import copy
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Prefetch, ProtectedError, RestrictedError
from django.http import Http404
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.permissions import DjangoModelPermissions, IsAuthenticated
from rest_framework.relations import MANY_RELATION_KWARGS, ManyRelatedField
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core.models import format_sys_id, parse_sys_id, parse_sys_id_or_none
from core.sql import sys_id_in

SYS_ID_SCHEMA = {
    "type": "string",
    "pattern": "^[0-9a-f]{32}$",
    "description": "sys_id: 32 lowercase hex characters (the hyphenated UUID form is accepted as input).",
    # lnx-pgdb-01 in the demo data (demo/cmdb_ci.json), so that an example names a real record.
    "example": "4913ac80333759b3b22958653af0ec1e",
}


def resolve_sys_ids(values, queryset):
    """The records of `queryset` with these sys_ids, in the order given, each once.

    A ValidationError lists every value that is not a sys_id, or else every sys_id that is unknown,
    so that a client can fix all of them at once.
    """
    wanted = _parsed_sys_ids(values)
    found = {obj.sys_id: obj for obj in queryset.filter(sys_id__in=wanted)}
    return [found[sys_id] for sys_id in _known(wanted, found)]


def resolve_sys_id_pks(values, model):
    """The pks of the `model` records with these sys_ids, in the order given, each once; the errors
    of resolve_sys_ids.

    The impact endpoints' hot path: one plain SQL statement on the database the router reads
    `model` from. Compiling the equivalent queryset took three times as long as the round trip.
    """
    wanted = _parsed_sys_ids(values)
    connection = connections[router.db_for_read(model)]
    quote = connection.ops.quote_name
    sys_id_column = quote(model._meta.get_field("sys_id").column)
    condition, params = sys_id_in(sys_id_column, wanted, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {sys_id_column}, {quote(model._meta.pk.column)} FROM {quote(model._meta.db_table)}"
            f" WHERE {condition}",
            params,
        )
        # PostgreSQL's driver gives UUIDs, SQLite the 32 hex characters Django stores.
        found = {parse_sys_id(sys_id): pk for sys_id, pk in cursor.fetchall()}
    return [found[sys_id] for sys_id in _known(wanted, found)]


def _parsed_sys_ids(values):
    wanted = []
    errors = []
    for value in values:
        sys_id = parse_sys_id_or_none(value)
        if sys_id is None:
            errors.append(f"{value!r} is not a sys_id.")
        else:
            wanted.append(sys_id)
    if errors:
        raise serializers.ValidationError(errors)
    return wanted


def _known(wanted, found):
    """`wanted` each once, in order; a ValidationError naming those not `found`."""
    unknown = [sys_id for sys_id in dict.fromkeys(wanted) if sys_id not in found]
    if unknown:
        raise serializers.ValidationError([f"Unknown sys_id {sys_id.hex}." for sys_id in unknown])
    return dict.fromkeys(wanted)


@extend_schema_field({**SYS_ID_SCHEMA, "readOnly": True})
class SysIdField(serializers.Field):
    """A record's own sys_id, written as 32 hex characters."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return format_sys_id(value)


class SysIdManyRelatedField(ManyRelatedField):
    """A list of references by sys_id, resolved in one query whatever its length."""

    def to_internal_value(self, data):
        if isinstance(data, str | bytes | dict) or not hasattr(data, "__iter__"):
            self.fail("not_a_list", input_type=type(data).__name__)
        if not self.allow_empty and len(data) == 0:
            self.fail("empty")
        return resolve_sys_ids(data, self.child_relation.get_queryset())


@extend_schema_field(SYS_ID_SCHEMA)
class SysIdRelatedField(serializers.RelatedField):
    """A reference to another record by its sys_id, in and out; accepts the hyphenated form."""

    default_error_messages = {
        "required": "This field is required.",
        "invalid": "{value} is not a sys_id.",
        "does_not_exist": "Unknown sys_id {value}.",
    }

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        for key in kwargs:
            if key in MANY_RELATION_KWARGS:
                list_kwargs[key] = kwargs[key]
        return SysIdManyRelatedField(**list_kwargs)

    def to_internal_value(self, data):
        sys_id = parse_sys_id_or_none(data)
        if sys_id is None:
            self.fail("invalid", value=repr(data))
        try:
            return self.get_queryset().get(sys_id=sys_id)
        except self.get_queryset().model.DoesNotExist:
            self.fail("does_not_exist", value=sys_id.hex)

    def to_representation(self, value):
        return format_sys_id(value.sys_id)


class RunstageModelSerializer(serializers.ModelSerializer):
    """Explicit fields, sys_id out, and the model's own rules (clean(), constraints) as 400s.

    DRF's generated unique-together validators are replaced by the model's named constraints, so that
    the message a client sees is the constraint's `violation_error_message`.
    """

    sys_id = SysIdField()
    serializer_related_field = SysIdRelatedField

    def get_validators(self):
        return []

    def validate(self, attrs):
        attrs = super().validate(attrs)
        self.check_model_rules(attrs)
        return attrs

    # Not validate_model(): DRF calls validate_<field name> for a field called "model" (CIs,
    # services and offerings have one), which made every write that mentioned it a 500 (issue 10).
    def check_model_rules(self, attrs):
        model = self.Meta.model
        concrete = {field.name for field in model._meta.concrete_fields}
        instance = model() if self.instance is None else _copy_instance(self.instance)
        for name, value in attrs.items():
            if name in concrete:
                setattr(instance, name, value)
        try:
            instance.clean()
            instance.validate_constraints()
        except DjangoValidationError as error:
            raise model_validation_error(error) from error


def model_validation_error(error):
    """A Django ValidationError as DRF's 400: Django's "__all__" becomes "non_field_errors"."""
    detail = serializers.as_serializer_error(error)
    if NON_FIELD_ERRORS in detail:
        detail.setdefault(api_settings.NON_FIELD_ERRORS_KEY, []).extend(detail.pop(NON_FIELD_ERRORS))
    return serializers.ValidationError(detail)


def _copy_instance(instance):
    # Model.__getstate__ copies _state and its related-object cache, so the copy can be changed
    # without touching the instance the view loaded.
    return copy.copy(instance)


class ViewModelPermissions(DjangoModelPermissions):
    """DjangoModelPermissions that also requires view_<model> to read."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


class ChangeModelPermissions(DjangoModelPermissions):
    """For POST actions that change an existing record (e.g. a refresh): change_<model>."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "POST": ["%(app_label)s.change_%(model_name)s"],
    }


def require_permissions(*perms):
    """A permission class that requires an authenticated user holding every permission in `perms`."""

    class HasPermissions(IsAuthenticated):
        required = perms

        def has_permission(self, request, view):
            return super().has_permission(request, view) and request.user.has_perms(self.required)

    HasPermissions.__name__ = "Has_" + "_".join(perm.replace(".", "_") for perm in perms)
    return HasPermissions


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the record."
    default_code = "conflict"


_PREFETCH_CACHE = {}


def prefetches_for(serializer_class):
    """(select_related, prefetch_related) that serialising `serializer_class` needs, derived from its fields.

    A SysIdRelatedField is a forward reference (select_related); a list of them or a nested list
    serializer is a prefetch, itself optimised for the nested serializer. Cached per class.
    """
    if serializer_class in _PREFETCH_CACHE:
        return _PREFETCH_CACHE[serializer_class]
    select, prefetch = [], []
    for field in serializer_class().fields.values():
        if field.write_only or field.source == "*":
            continue
        source = field.source.replace(".", "__")
        if isinstance(field, SysIdRelatedField):
            select.append(source)
        elif isinstance(field, ManyRelatedField) and isinstance(field.child_relation, SysIdRelatedField):
            prefetch.append(source)
        elif isinstance(field, serializers.ListSerializer) and isinstance(
            field.child, serializers.ModelSerializer
        ):
            child_class = type(field.child)
            queryset = optimise_queryset(child_class.Meta.model._default_manager.all(), child_class)
            prefetch.append(Prefetch(source, queryset=queryset))
        elif isinstance(field, serializers.ModelSerializer):
            select.append(source)
    meta = getattr(serializer_class, "Meta", None)
    select.extend(getattr(meta, "select_related", ()))
    prefetch.extend(getattr(meta, "prefetch_related", ()))
    _PREFETCH_CACHE[serializer_class] = (tuple(select), tuple(prefetch))
    return _PREFETCH_CACHE[serializer_class]


def optimise_queryset(queryset, serializer_class):
    select, prefetch = prefetches_for(serializer_class)
    if select:
        queryset = queryset.select_related(*select)
    if prefetch:
        queryset = queryset.prefetch_related(*prefetch)
    return queryset


class RunstageModelViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The base of every model endpoint: looked up by sys_id, view permission to read, no N+1."""

    lookup_field = "sys_id"
    # Anything up to the next slash reaches get_object(), so a malformed sys_id is a 404, not a 500.
    lookup_value_regex = "[^/]+"
    permission_classes = [IsAuthenticated, ViewModelPermissions]

    def get_queryset(self):
        return optimise_queryset(super().get_queryset(), self.get_serializer_class())

    def lookup_value(self, value):
        """The value to look `lookup_field` up with; Http404 when `value` cannot be one."""
        sys_id = parse_sys_id_or_none(value)
        if sys_id is None:
            raise Http404
        return sys_id

    def get_object(self):
        lookup_url_kwarg = self.lookup_url_kwarg or self.lookup_field
        self.kwargs[lookup_url_kwarg] = self.lookup_value(self.kwargs[lookup_url_kwarg])
        return super().get_object()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        data = self.serialize_fresh(serializer.instance)
        return Response(data, status=status.HTTP_201_CREATED, headers=self.get_success_headers(data))

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return Response(self.serialize_fresh(serializer.instance))

    def serialize_fresh(self, instance):
        """Read a written record back through get_queryset(), so annotations (counts) and prefetched
        lists are in the answer exactly as a GET would give them."""
        return self.get_serializer(self.get_queryset().get(pk=instance.pk)).data

    def perform_create(self, serializer):
        with self.conflicts_as_409():
            serializer.save()

    def perform_update(self, serializer):
        with self.conflicts_as_409():
            serializer.save()

    def perform_destroy(self, instance):
        try:
            instance.delete()
        except (ProtectedError, RestrictedError) as error:
            names = sorted({str(obj._meta.verbose_name_plural) for obj in error.protected_objects})
            raise Conflict(f"Other records still refer to this one: {', '.join(names)}.") from error

    @staticmethod
    @contextmanager
    def conflicts_as_409():
        """A unique constraint that loses a race with a concurrent request answers 409, not 500."""
        try:
            with transaction.atomic():
                yield
        except IntegrityError as error:
            raise Conflict("A concurrent change conflicts with this one; retry.") from error


__all__ = [
    "ChangeModelPermissions",
    "Conflict",
    "RunstageModelSerializer",
    "RunstageModelViewSet",
    "SYS_ID_SCHEMA",
    "SysIdField",
    "SysIdRelatedField",
    "ViewModelPermissions",
    "optimise_queryset",
    "model_validation_error",
    "parse_sys_id_or_none",
    "require_permissions",
]
