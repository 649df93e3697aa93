"""Item variables as form fields: the one definition of how an answer is validated.

The ordering form and the ordering service build the same fields, so a bad answer is refused
with the same message whether it comes from the web page or from code.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError

from catalog.models import VariableType

TEXT_MAX_LENGTH = {VariableType.SINGLE_LINE_TEXT: 255, VariableType.MULTI_LINE_TEXT: 4000}


def variable_field(variable):
    """The form field that asks `variable`; its choices must be prefetched for choice variables."""
    common = {
        "label": variable.question_text,
        "required": variable.mandatory,
        "help_text": variable.help_text,
    }
    kind = variable.type
    if kind == VariableType.SINGLE_LINE_TEXT:
        return forms.CharField(max_length=TEXT_MAX_LENGTH[kind], initial=variable.default_value, **common)
    if kind == VariableType.MULTI_LINE_TEXT:
        return forms.CharField(
            max_length=TEXT_MAX_LENGTH[kind],
            widget=forms.Textarea(attrs={"rows": 4}),
            initial=variable.default_value,
            **common,
        )
    if kind == VariableType.CHOICE:
        choices = [("", "— Choose —")] + [(choice.value, choice.text) for choice in variable.choices.all()]
        return forms.ChoiceField(choices=choices, initial=variable.default_value, **common)
    if kind == VariableType.CHECKBOX:
        return forms.BooleanField(initial=variable.default_value.lower() in ("true", "1", "yes"), **common)
    if kind == VariableType.DATE:
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            initial=variable.default_value or None,
            **common,
        )
    if kind == VariableType.INTEGER:
        initial = int(variable.default_value) if variable.default_value.lstrip("-").isdigit() else None
        lowest, highest = variable.integer_bounds
        return forms.IntegerField(initial=initial, min_value=lowest, max_value=highest, **common)
    raise ValueError(f"Unknown variable type {kind!r}")


def answer_as_text(value):
    """A cleaned answer as the text stored in the cart and on the requested item."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def answer_display(variable, text):
    """How a stored answer reads on the page: a choice's text, Yes/No for a checkbox."""
    if variable.type == VariableType.CHOICE:
        labels = {choice.value: choice.text for choice in variable.choices.all()}
        return labels.get(text, text)
    if variable.type == VariableType.CHECKBOX:
        return "Yes" if text == "true" else "No"
    return text


def clean_answers(variables, answers):
    """Validate `answers` ({variable name: value or text}) against `variables`.

    Returns {variable name: answer as text} for every variable; raises ValidationError with a
    dict of {variable name: [messages]} when an answer is missing, malformed or unknown.
    """
    errors = {}
    cleaned = {}
    known = {variable.name for variable in variables}
    for name in answers:
        if name not in known:
            errors[name] = [ValidationError("This item has no such question.")]
    for variable in variables:
        field = variable_field(variable)
        try:
            cleaned[variable.name] = answer_as_text(field.clean(answers.get(variable.name)))
        except ValidationError as error:
            errors[variable.name] = error.error_list
    if errors:
        raise ValidationError(errors)
    return cleaned
