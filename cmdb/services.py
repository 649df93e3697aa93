"""Domain operations on the CMDB that are more than one model's business."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from cmdb.models import ApplicationModel, ConfigurationItem, ProductModel, ServiceModel, SoftwareModel
from cmdb.servicenow.database import insert_new_rows

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
    """Insert product models, a batch per kind; returns {(model class, name): pk}.

    bulk_create refuses multi-table-inherited models, so the rows go in through the importer's
    insert_new_rows (cmdb_model rows, then the subclass rows that point at them).
    """
    now = timezone.now()
    names_by_class = defaultdict(list)
    for model_class, name in to_create:
        names_by_class[model_class].append(name)
    pks = {}
    for model_class, names in names_by_class.items():
        fields = model_class._meta.concrete_fields
        stamps = {"sys_class_name": model_class._meta.db_table, "sys_created_on": now, "sys_updated_on": now}
        records = [{f.attname: f.get_default() for f in fields} | stamps | {"name": name} for name in names]
        insert_new_rows(connection, model_class, records)
        pk = model_class._meta.pk.attname
        pks.update(((model_class, record["name"]), record[pk]) for record in records)
    return pks
