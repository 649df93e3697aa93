"""Building blocks shared by every Runstage admin: sys_id display and search, cheap autocompletes."""

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import CheckConstraint, Q, UniqueConstraint
from django.forms.models import BaseInlineFormSet, InlineForeignKeyField
from django.utils.translation import gettext_lazy as _

from core.models import format_sys_id, parse_sys_id
from core.paginators import EstimatedCountPaginator


class PreloadedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete that labels its selected option from an object already in memory.

    Django's AutocompleteSelect runs one query per rendered widget to label the current value,
    so an inline with N rows costs N queries per autocomplete column. Forms built on
    PreloadedChoicesForm hand the widget the related object that select_related already loaded.
    """

    preloaded = None

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        known = self.preloaded or {}
        if not selected or not selected.issubset(known):
            return super().optgroups(name, value, attr)
        default = (None, [], 0)
        if not self.is_required and not self.allow_multiple_selected:
            default[1].append(self.create_option(name, "", "", False, 0))
        for key in sorted(selected):
            label = self.choices.field.label_from_instance(known[key])
            default[1].append(self.create_option(name, key, label, selected, len(default[1])))
        return [default]


def constraint_field_names(constraint):
    """The model fields a constraint reads (expressions and joins aside)."""
    if isinstance(constraint, UniqueConstraint):
        return set(constraint.fields)
    if isinstance(constraint, CheckConstraint):
        return set(Q(constraint.condition).referenced_base_fields)
    return set()


class PreloadedChoicesForm(admin.ModelAdmin.form):
    """A model form whose autocomplete widgets reuse the related objects cached on its instance.

    As an inline form it also validates the constraints that involve the inline's foreign key:
    Django leaves that key out of model validation (ticket #12507), so a duplicate triple or a
    self-relationship entered in an inline would otherwise reach the database as an IntegrityError.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance._state.adding and self.instance.pk is None:
            return
        for name, field in self.fields.items():
            widget = getattr(field.widget, "widget", field.widget)
            if not isinstance(widget, PreloadedAutocompleteSelect):
                continue
            model_field = self.instance._meta.get_field(name)
            if not model_field.is_cached(self.instance):
                continue
            related = model_field.value_from_object(self.instance), getattr(self.instance, name)
            if related[1] is not None:
                widget.preloaded = {str(related[0]): related[1]}

    def _post_clean(self):
        super()._post_clean()
        inline_keys = {
            name for name, field in self.fields.items() if isinstance(field, InlineForeignKeyField)
        }
        if not inline_keys or not self._validate_unique:
            return
        exclude = self._get_validation_exclusions() - inline_keys
        using = router.db_for_write(type(self.instance), instance=self.instance)
        for model_class, constraints in self.instance.get_constraints():
            for constraint in constraints:
                if not constraint_field_names(constraint) & inline_keys:
                    continue  # validated already by the model form
                try:
                    constraint.validate(model_class, self.instance, exclude=exclude, using=using)
                except ValidationError as error:
                    self._update_errors(error)


class PreloadedAutocompleteMixin:
    """Use PreloadedAutocompleteSelect for every field in autocomplete_fields."""

    form = PreloadedChoicesForm

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A related model may name the form field that chooses it: a tree node is labelled by its
        # path, so that two "Claims" categories under different portfolios do not look alike.
        choice_field_class = getattr(db_field.related_model, "choice_field_class", None)
        if choice_field_class is not None:
            kwargs.setdefault("form_class", choice_field_class)
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = PreloadedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SysIdAdminMixin(PreloadedAutocompleteMixin):
    """Shows the sys_id read-only as 32 hex characters; a search for a sys_id finds that record."""

    @admin.display(description=_("sys_id"))
    def sys_id_hex(self, obj):
        return format_sys_id(obj.sys_id) if obj is not None and obj.pk else "-"

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if "sys_id_hex" in fields else (*fields, "sys_id_hex")

    def get_search_results(self, request, queryset, search_term):
        try:
            sys_id = parse_sys_id(search_term)
        except ValueError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(sys_id=sys_id), False


class RunstageModelAdmin(SysIdAdminMixin, admin.ModelAdmin):
    """The base of every Runstage model admin."""

    # Lists of millions of rows (CIs, relationships) are counted by the planner's estimate, and a
    # filtered list does not count the whole table again for "N total" (core/paginators.py).
    paginator = EstimatedCountPaginator
    show_full_result_count = False


class ParentCachingInlineFormSet(BaseInlineFormSet):
    """Hands every row the page's object as its parent, so str(row) does not fetch it once per row."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.instance.pk is not None and getattr(form.instance, self.fk.attname) == self.instance.pk:
            self.fk.set_cached_value(form.instance, self.instance)
        return form


class RunstageTabularInline(PreloadedAutocompleteMixin, admin.TabularInline):
    """The base of every Runstage tabular inline; give get_queryset a select_related."""

    formset = ParentCachingInlineFormSet
    extra = 0
