"""Domain operations on the CMDB that are more than one model's business."""

from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from cmdb.models import ApplicationModel, ConfigurationItem, ProductModel, ServiceModel, SoftwareModel

# Which kind of product model a logical CI gets, by the CI's sys_class_name; anything else gets a
# plain ProductModel. Service offerings live in offerings/, hence the table name, not the class.
PRODUCT_MODEL_BY_CI_CLASS = {
    "cmdb_ci_service_business": ServiceModel,
    "cmdb_ci_service_technical": ServiceModel,
    "service_offering": ServiceModel,
    "cmdb_ci_service_auto": ApplicationModel,
    "cmdb_ci_business_app": ApplicationModel,
    "cmdb_ci_appl": SoftwareModel,
}

MODEL_NAME_MAX_LENGTH = ProductModel._meta.get_field("name").max_length
BATCH_SIZE = 500


def product_model_class_for(sys_class_name):
    """The product model class a logical CI of class `sys_class_name` should have."""
    return PRODUCT_MODEL_BY_CI_CLASS.get(sys_class_name, ProductModel)


def product_model_name_for(ci_name):
    """The name of the product model generated for a CI called `ci_name`."""
    suffix = " model"
    return ci_name[: MODEL_NAME_MAX_LENGTH - len(suffix)] + suffix


@dataclass
class ProductModelSummary:
    """What autogenerate_product_models did (or, in a dry run, would do)."""

    dry_run: bool = False
    created: Counter = field(default_factory=Counter)  # product model table -> models created
    reused: int = 0  # CIs linked to a model that already existed
    linked: int = 0  # CIs given a model, created or reused
    actions: list = field(default_factory=list)

    @property
    def created_total(self):
        return sum(self.created.values())

    def __str__(self):
        verb = "Would create" if self.dry_run else "Created"
        if not self.linked:
            return "Every logical CI already has a product model; nothing to do."
        kinds = ", ".join(f"{count} {table}" for table, count in sorted(self.created.items())) or "none"
        link_verb = "would link" if self.dry_run else "linked"
        return (
            f"{verb} {self.created_total} product models ({kinds}); {link_verb} {self.linked} CIs "
            f"({self.reused} to existing models)."
        )


def autogenerate_product_models(cis=None, dry_run=False):
    """Give every logical CI without a product model one of the right kind, named after the CI.

    `cis` narrows the run to a queryset of CIs (any CI class); by default every CI is considered.
    An existing model of the same kind and name is reused, so a second run creates nothing. Reads
    are bulk (a fixed number of queries whatever the number of CIs), writes are batched, all in
    one transaction. A dry run writes nothing and lists the actions it would take.
    """
    summary = ProductModelSummary(dry_run=dry_run)
    targets = ConfigurationItem.objects.filter(logical=True, model__isnull=True)
    if cis is not None:
        targets = targets.filter(pk__in=cis.values("pk"))

    with transaction.atomic():
        # Lock the rows being linked so a concurrent run waits instead of linking them twice.
        pending = list(
            targets.select_for_update(of=("self",))
            .only("pk", "name", "sys_class_name", "model")
            .order_by("pk")
        )
        if not pending:
            return summary

        wanted = {
            (product_model_class_for(ci.sys_class_name), product_model_name_for(ci.name)) for ci in pending
        }
        existing = _existing_models(wanted)
        to_create = sorted(wanted - existing.keys(), key=lambda key: (key[0]._meta.db_table, key[1]))

        for model_class, name in to_create:
            summary.created[model_class._meta.db_table] += 1
            summary.actions.append(f"create {model_class._meta.verbose_name} {name!r}")
        for ci in pending:
            key = (product_model_class_for(ci.sys_class_name), product_model_name_for(ci.name))
            summary.linked += 1
            if key in existing:
                summary.reused += 1
            summary.actions.append(
                f"link {ci.sys_class_name} {ci.name!r} to {key[0]._meta.verbose_name} {key[1]!r}"
            )

        if dry_run:
            return summary

        existing.update(_create_models(to_create))
        now = timezone.now()
        for ci in pending:
            ci.model_id = existing[
                (product_model_class_for(ci.sys_class_name), product_model_name_for(ci.name))
            ]
            ci.sys_updated_on = now
        ConfigurationItem.objects.bulk_update(pending, ["model", "sys_updated_on"], batch_size=BATCH_SIZE)
    return summary


def _existing_models(wanted):
    """{(model class, name): pk} for the wanted models that already exist; one query."""
    tables = {model_class._meta.db_table: model_class for model_class, _ in wanted}
    rows = ProductModel.objects.filter(
        sys_class_name__in=tables, name__in={name for _, name in wanted}
    ).values_list("sys_class_name", "name", "pk")
    found = {}
    for table, name, pk in rows.order_by("pk"):
        key = (tables[table], name)
        if key in wanted:
            found.setdefault(key, pk)
    return found


def _create_models(to_create):
    """Insert product models in batches; returns {(model class, name): pk}.

    bulk_create refuses multi-table-inherited models, so the cmdb_model rows go in with
    bulk_create and the subclass rows (just the pointer, plus SoftwareModel's version) with one
    executemany per table.
    """
    bases = [
        ProductModel(name=name, sys_class_name=model_class._meta.db_table) for model_class, name in to_create
    ]
    ProductModel.objects.bulk_create(bases, batch_size=BATCH_SIZE)
    if any(base.pk is None for base in bases):  # a backend that does not return ids from a bulk insert
        pks = dict(
            ProductModel.objects.filter(sys_id__in=[b.sys_id for b in bases]).values_list("sys_id", "pk")
        )
        for base in bases:
            base.pk = pks[base.sys_id]

    by_table = {}
    for (model_class, _), base in zip(to_create, bases, strict=True):
        if model_class is not ProductModel:
            by_table.setdefault(model_class, []).append(base.pk)
    with connection.cursor() as cursor:
        for model_class, pks in by_table.items():
            _insert_subclass_rows(cursor, model_class, pks)
    return {key: base.pk for key, base in zip(to_create, bases, strict=True)}


def _insert_subclass_rows(cursor, model_class, pks):
    """Insert the subclass rows of `model_class` pointing at existing cmdb_model rows `pks`."""
    quote = connection.ops.quote_name
    pointer = model_class._meta.pk.column
    extra = [f for f in model_class._meta.local_concrete_fields if f is not model_class._meta.pk]
    columns = [pointer, *(f.column for f in extra)]
    defaults = [f.get_default() for f in extra]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model_class._meta.db_table),
        ", ".join(quote(column) for column in columns),
        ", ".join(["%s"] * len(columns)),
    )
    cursor.executemany(sql, [(pk, *defaults) for pk in pks])
