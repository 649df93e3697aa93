"""Admin for incidents and change requests (affected CIs, impacted services, the impact graph) and outages."""

from dataclasses import dataclass

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import RunstageModelAdmin, RunstageTabularInline
from customers.models import Case
from impact.changes import (
    ApprovalRefused,
    after_change_saved,
    approve_change,
    may_decide,
    pending_approvals_for,
    reject_change,
)
from impact.customers import customers_impacted_by, open_proactive_cases_for
from impact.engine import impacted_by
from impact.models import (
    AffectedCI,
    ChangeApproval,
    ChangeRequest,
    ImpactedService,
    Incident,
    Notification,
    NotificationEvent,
    Outage,
)
from impact.notifications import notify_affected_people
from impact.people import people_affected_by
from impact.pictures import impact_picture
from impact.risk import assess_change
from impact.services import refresh_impacted_services, refresh_impacted_services_soon, task_source_ids

# --- who is impacted ----------------------------------------------------------------------------

SUBSCRIBER_LABELS = {
    "companies": _("Companies"),
    "departments": _("Departments"),
    "locations": _("Locations"),
    "groups": _("Groups"),
    "users": _("Users"),
}


@dataclass
class ImpactedParties:
    """The businesses (subscribers of impacted offerings) and customers a task's impact reaches."""

    subscribers: list  # [(label, [Subscriber, ...]), ...] for the kinds that have any
    customers: object  # customers.impacted.ImpactedCustomers
    # [(ImpactedCustomer, its proactive case for this incident or None), ...]
    customer_rows: list

    @property
    def subscriber_count(self):
        return sum(len(entries) for _, entries in self.subscribers)


def impacted_parties(result, task=None):
    """Subscribers by kind and impacted customers, each customer with its proactive case (incidents)."""
    subscribers = [
        (SUBSCRIBER_LABELS.get(kind, kind), entries)
        for kind, entries in result.subscribers.items()
        if entries
    ]
    customers = customers_impacted_by(result)
    cases = {}
    if isinstance(task, Incident) and len(customers):
        for case in Case.objects.filter(incident=task, proactive=True).only(
            "pk", "number", "account", "consumer"
        ):
            key = ("account", case.account_id) if case.account_id else ("consumer", case.consumer_id)
            cases[key] = case
    rows = [(customer, cases.get((customer.kind, customer.id))) for customer in customers]
    return ImpactedParties(subscribers=subscribers, customers=customers, customer_rows=rows)


class AffectedCIInline(RunstageTabularInline):
    model = AffectedCI
    fields = ("ci", "ci_class")
    readonly_fields = ("ci_class",)
    autocomplete_fields = ("ci",)
    verbose_name_plural = _("Affected CIs")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("ci")

    @admin.display(description=_("class"))
    def ci_class(self, obj):
        return obj.ci.sys_class_name if obj and obj.pk else "-"


class ImpactedServiceInline(RunstageTabularInline):
    model = ImpactedService
    fields = ("service", "service_class", "manually_added")
    readonly_fields = ("service_class",)
    autocomplete_fields = ("service",)
    verbose_name_plural = _("Impacted services")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("service")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A row added here is added by hand: a refresh must leave it alone.
        if db_field.name == "manually_added":
            kwargs["initial"] = True
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("class"))
    def service_class(self, obj):
        return obj.service.sys_class_name if obj and obj.pk else "-"


@admin.action(description=_("Refresh impacted services"), permissions=["change"])
def refresh_impacted_services_action(modeladmin, request, queryset):
    added = removed = refreshed = 0
    queued = []
    for task in queryset:
        counts = refresh_impacted_services_soon(task)
        if counts is None:
            queued.append(task.number)
            continue
        refreshed += 1
        added, removed = added + counts[0], removed + counts[1]
    if refreshed:
        modeladmin.message_user(
            request,
            ngettext(
                "Refreshed %(count)d task: %(added)d services added, %(removed)d removed.",
                "Refreshed %(count)d tasks: %(added)d services added, %(removed)d removed.",
                refreshed,
            )
            % {"count": refreshed, "added": added, "removed": removed},
            messages.SUCCESS,
        )
    if queued:
        modeladmin.message_user(
            request,
            _("Large walks refresh in the background: %(numbers)s.") % {"numbers": ", ".join(queued)},
            messages.INFO,
        )


def notify_action(kind, description):
    @admin.action(description=description, permissions=["change"])
    def notify(modeladmin, request, queryset):
        for task in queryset:
            try:
                result = notify_affected_people(task, kind, by=request.user)
            except ValidationError as error:
                modeladmin.message_user(request, f"{task.number}: {' '.join(error.messages)}", messages.ERROR)
                continue
            modeladmin.message_user(
                request,
                _("%(number)s: %(queued)d people will be told; %(already)d had been told already.")
                % {"number": task.number, "queued": result.queued, "already": result.already_told},
                messages.SUCCESS,
            )

    notify.__name__ = f"notify_{kind}"
    return notify


@admin.action(description=_("Open proactive cases for impacted customers"), permissions=["open_cases"])
def open_proactive_cases_action(modeladmin, request, queryset):
    created = existing = 0
    for incident in queryset:
        result = open_proactive_cases_for(incident)
        created += len(result.created)
        existing += len(result.existing)
    modeladmin.message_user(
        request,
        _("Opened %(created)d proactive cases; %(existing)d customers had one already.")
        % {"created": created, "existing": existing},
        messages.SUCCESS,
    )


class TaskAdmin(RunstageModelAdmin):
    """What the incident and change admins share."""

    change_form_template = "admin/impact/task/change_form.html"
    list_display = ("number", "short_description", "state", "priority", "cmdb_ci", "assigned_to", "opened_at")
    list_filter = ("state", "priority")
    list_select_related = ("cmdb_ci", "assigned_to")
    search_fields = ("number", "short_description", "cmdb_ci__name")
    date_hierarchy = "opened_at"
    autocomplete_fields = ("cmdb_ci", "opened_by", "assigned_to", "assignment_group")
    readonly_fields = ("number", "closed_at", "sys_id_hex")
    inlines = (AffectedCIInline, ImpactedServiceInline)
    actions = (refresh_impacted_services_action,)
    extra_fieldsets = ()

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": ("number", "short_description", "description", "cmdb_ci")}),
            (_("State"), {"fields": (("state", "priority"), ("opened_at", "closed_at"))}),
            (_("Assignment"), {"fields": ("opened_by", "assigned_to", "assignment_group")}),
            *self.extra_fieldsets,
            (_("Record"), {"fields": ("sys_id_hex",), "classes": ("collapse",)}),
        ]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "state":
            kwargs["choices"] = [(state.value, state.label) for state in self.model.states()]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change and obj.opened_by_id is None:
            obj.opened_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the inlines: the affected CIs entered on this page count as sources too.
        if self.model.REFRESH_IMPACTED_SERVICES_ON_SAVE:
            refresh_impacted_services(form.instance)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Here, not in change_view: only a page that is drawn needs the walk, not a POST that
        # saves and redirects, and the admin has already loaded the task.
        if change and obj is not None:
            impact = context.get("impact") or impacted_by(task_source_ids(obj))
            context["impact_graph"] = impact_picture(impact)
            if "affected_people" not in context:
                context["affected_people"] = people_affected_by(impact).count()
            context["people_list_url"] = reverse(f"impact-api:{self.people_route}-people", args=[obj.number])
            if impact.source_ids:
                context["impacted_parties"] = impacted_parties(impact, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(Incident)
class IncidentAdmin(TaskAdmin):
    """Incidents; saving one recomputes its impacted services."""

    autocomplete_fields = (*TaskAdmin.autocomplete_fields, "caller")
    extra_fieldsets = ((_("Caller"), {"fields": ("caller",)}),)
    actions = (
        *TaskAdmin.actions,
        notify_action(NotificationEvent.Kind.STARTED, _("Notify affected people")),
        open_proactive_cases_action,
    )
    people_route = "incident"

    def has_open_cases_permission(self, request):
        return request.user.has_perms(["customers.add_case", "impact.view_incident"])


class ChangeApprovalInline(RunstageTabularInline):
    """The approvals asked at Authorize, read only: approvers decide with the form above the page."""

    model = ChangeApproval
    fields = ("approver", "group", "state", "comments", "decided_at")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("Approvals")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("approver", "group")

    def has_add_permission(self, request, obj=None):
        return False


class AwaitingMyApprovalFilter(admin.SimpleListFilter):
    """Changes at Authorize on which the user looking still has to decide."""

    title = _("my approval")
    parameter_name = "awaiting_my_approval"

    def lookups(self, request, model_admin):
        return [("yes", _("Awaiting my approval"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(pk__in=pending_approvals_for(request.user).values("change_id"))
        return queryset


@admin.register(ChangeRequest)
class ChangeRequestAdmin(TaskAdmin):
    """Change requests: impacted services refreshed on leaving New and on new CIs (impact.changes);
    the page shows risk, conflicts and the downtime budget, and lets a pending approver decide."""

    change_form_template = "admin/impact/changerequest/change_form.html"
    list_display = (*TaskAdmin.list_display[:3], "type", "start_date", *TaskAdmin.list_display[3:])
    list_filter = (AwaitingMyApprovalFilter, "type", *TaskAdmin.list_filter)
    actions = (
        *TaskAdmin.actions,
        notify_action(NotificationEvent.Kind.PLANNED, _("Notify affected people of the planned window")),
    )
    people_route = "change"
    autocomplete_fields = (*TaskAdmin.autocomplete_fields, "approval_group")
    extra_fieldsets = ((_("Plan"), {"fields": ("type", ("start_date", "end_date"), "approval_group")}),)
    inlines = (*TaskAdmin.inlines, ChangeApprovalInline)

    def get_urls(self):
        decide = self.admin_site.admin_view(self.decide_view)
        return [
            path("<path:object_id>/decide/", decide, name="impact_changerequest_decide"),
            *super().get_urls(),
        ]

    def save_model(self, request, obj, form, change):
        # What the change was before this save, for after_change_saved once the inlines are saved.
        if change:
            stored = ChangeRequest.objects.only("cmdb_ci_id").get(pk=obj.pk)
            obj._before_save = (obj._loaded_state, set(task_source_ids(stored)))
        else:
            obj._before_save = (None, None)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        after_change_saved(form.instance, *form.instance._before_save)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None:
            # One walk and one people count for the whole page: the picture, the counts and the risk.
            context["impact"] = impacted_by(task_source_ids(obj))
            context["affected_people"] = people_affected_by(context["impact"]).count()
            assessment = assess_change(obj, affected_people=context["affected_people"].total)
            context.update(
                change_conflicts=assessment.conflicts,
                change_budget=assessment.budget,
                change_risk=assessment.risk,
            )
            context["may_decide"] = may_decide(obj, request.user)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def decide_view(self, request, object_id):
        """POST: approve or reject the change as one of its pending approvers."""
        change = self.get_object(request, object_id)
        if change is None or not self.has_view_permission(request, change):
            raise Http404
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        decision = request.POST.get("decision")
        comments = request.POST.get("comments", "")
        decide = {"approve": approve_change, "reject": reject_change}.get(decision)
        if decide is None:
            self.message_user(request, _("Choose approve or reject."), messages.ERROR)
        else:
            try:
                decide(change, request.user, comments)
            except (ApprovalRefused, ValidationError) as error:
                text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                self.message_user(request, text, messages.ERROR)
            else:
                change.refresh_from_db()
                self.message_user(
                    request,
                    _("%(number)s %(decision)s; it is now %(state)s.")
                    % {
                        "number": change.number,
                        "decision": _("approved") if decision == "approve" else _("rejected"),
                        "state": change.get_state_display(),
                    },
                    messages.SUCCESS,
                )
        return HttpResponseRedirect(reverse("admin:impact_changerequest_change", args=[change.pk]))


@admin.register(Outage)
class OutageAdmin(RunstageModelAdmin):
    list_display = ("cmdb_ci", "ci_class", "type", "begin", "end", "is_open", "short_description")
    list_filter = ("type", ("end", admin.EmptyFieldListFilter), "begin")
    list_select_related = ("cmdb_ci",)
    search_fields = ("cmdb_ci__name", "short_description")
    autocomplete_fields = ("cmdb_ci",)
    date_hierarchy = "begin"

    @admin.display(description=_("class"), ordering="cmdb_ci__sys_class_name")
    def ci_class(self, obj):
        return obj.cmdb_ci.sys_class_name

    @admin.display(description=_("open"), boolean=True)
    def is_open(self, obj):
        return obj.is_open


@admin.register(Notification)
class NotificationAdmin(RunstageModelAdmin):
    """Who was told what, and whether the e-mail went out; a failed one shows its last error."""

    list_display = ("event", "person", "status", "attempts", "sent_at")
    list_filter = ("status", "event__kind")
    list_select_related = ("event__task", "person")
    search_fields = ("person__username", "person__email", "event__task__number")
    autocomplete_fields = ("person",)
    readonly_fields = ("event", "person", "status", "attempts", "sent_at", "last_error")

    def has_add_permission(self, request):
        return False
