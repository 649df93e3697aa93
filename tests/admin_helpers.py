"""Helpers for driving Django admin change forms from tests, the way a browser would submit them."""


def change_form_data(response):
    """The POST body that resubmits a rendered admin change form (main form and every inline) as is."""
    data = {}

    def add(form):
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            if value is True:
                data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(item) for item in value]
            else:
                data[bound.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for form in formset.forms:
            add(form)
    return data


def inline_prefix(response, inline_class):
    """The formset prefix of the inline of class `inline_class` on a rendered change page."""
    for inline in response.context["inline_admin_formsets"]:
        if isinstance(inline.opts, inline_class):
            return inline.formset.prefix
    raise AssertionError(f"{inline_class.__name__} is not on the page")


def add_inline_row(data, prefix, **values):
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = index + 1
    for name, value in values.items():
        data[f"{prefix}-{index}-{name}"] = str(value)
