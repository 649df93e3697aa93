"""Domain operations on tasks: creating and updating them, and keeping their impacted services current."""

from django.conf import settings
from django.db import transaction

from cmdb.models import ApplicationService, BusinessService, Service, TechnicalService
from impact.engine import impacted_by
from impact.models import AffectedCI, ImpactedService, Task
from offerings.models import ServiceOffering

# sys_class_name of the service classes the engine's results are sorted by: the models' own tables.
BUSINESS_SERVICE = BusinessService._meta.db_table
SERVICE_OFFERING = ServiceOffering._meta.db_table
APPLICATION_SERVICE = ApplicationService._meta.db_table
TECHNICAL_SERVICE = TechnicalService._meta.db_table

# What a task lists as impacted services: what the business sees (ServiceNow does the same).
IMPACTED_SERVICE_CLASSES = (BUSINESS_SERVICE, SERVICE_OFFERING)


def task_source_ids(task):
    """pks of the CIs a task starts from, each once, in the order to list them: its main CI, then its
    affected CIs by name (one query)."""
    source_ids = [task.cmdb_ci_id] if task.cmdb_ci_id else []
    affected = AffectedCI.objects.filter(task=task).order_by("ci__name", "pk")
    source_ids += affected.values_list("ci_id", flat=True)
    return list(dict.fromkeys(source_ids))


def refresh_impacted_services(task, max_depth=None):
    """Recompute the computed impacted services of `task`; rows added by hand stay.

    Stale computed rows are deleted and new ones inserted in bulk, so the query count does not depend
    on how many services are impacted. The task row is locked first so that two concurrent refreshes
    of one task serialise instead of racing on the unique (task, service) pair.
    Returns (number added, number removed).
    """
    with transaction.atomic():
        Task.objects.select_for_update().filter(pk=task.pk).values_list("pk").first()
        source_ids = task_source_ids(task)
        wanted = set()
        if source_ids:
            result = impacted_by(source_ids, max_depth=max_depth)
            candidates = result.ids_of_class(*IMPACTED_SERVICE_CLASSES)
            # A base cmdb_ci row that only claims a service class (imported without its subclass row)
            # cannot be referenced by task_cmdb_ci_service; keep the ones that really are services.
            wanted = set(Service.objects.filter(pk__in=candidates).values_list("pk", flat=True))

        existing = dict(ImpactedService.objects.filter(task=task).values_list("service_id", "manually_added"))
        stale = [pk for pk, manual in existing.items() if not manual and pk not in wanted]
        removed = 0
        if stale:
            removed, _ = ImpactedService.objects.filter(task=task, service_id__in=stale).delete()
        new_rows = [ImpactedService(task=task, service_id=pk) for pk in sorted(wanted - existing.keys())]
        ImpactedService.objects.bulk_create(new_rows)
    return len(new_rows), removed


def refresh_impacted_services_soon(task) -> tuple[int, int] | None:
    """Refresh now and return (added, removed), or queue the refresh when the walk is large (None).

    A task that already lists more than IMPACT_BACKGROUND_REFRESH_ABOVE services sits on a hub of the
    graph: its walk and rewrite are left to a worker rather than to the person waiting for a page.
    """
    from impact.background import refresh_impacted_services_in_background

    if ImpactedService.objects.filter(task=task).count() > settings.IMPACT_BACKGROUND_REFRESH_ABOVE:
        transaction.on_commit(lambda: refresh_impacted_services_in_background.enqueue(task.pk))
        return None
    return refresh_impacted_services(task)


def set_affected_cis(task, cis):
    """Make `cis` exactly the task's affected CIs, in two bulk statements at most."""
    wanted = {ci.pk for ci in cis}
    existing = set(AffectedCI.objects.filter(task=task).values_list("ci_id", flat=True))
    if existing - wanted:
        AffectedCI.objects.filter(task=task, ci_id__in=existing - wanted).delete()
    AffectedCI.objects.bulk_create([AffectedCI(task=task, ci_id=pk) for pk in sorted(wanted - existing)])


@transaction.atomic
def create_task(model, *, affected_cis=(), **fields):
    """Create a task of class `model` (Incident, ChangeRequest) with its affected CIs.

    Incidents get their impacted services at once; changes get them on request
    (refresh_impacted_services), as a change is usually planned before its scope is settled.
    """
    task = model(**fields)
    task.full_clean()
    task.save()
    if affected_cis:
        set_affected_cis(task, affected_cis)
    if task.REFRESH_IMPACTED_SERVICES_ON_SAVE and (task.cmdb_ci_id or affected_cis):
        refresh_impacted_services(task)
    return task


@transaction.atomic
def update_task(task, *, affected_cis=None, state=None, **fields):
    """Update a task; a state change goes through set_state(), the CI list is replaced when given."""
    refresh = task.REFRESH_IMPACTED_SERVICES_ON_SAVE
    sources_before = set(task_source_ids(task)) if refresh else None
    for name, value in fields.items():
        setattr(task, name, value)
    if state is not None and state != task.state:
        task.set_state(state)
    task.full_clean()
    task.save()
    if affected_cis is not None:
        set_affected_cis(task, affected_cis)
    if refresh and sources_before != set(task_source_ids(task)):
        refresh_impacted_services(task)
    return task
