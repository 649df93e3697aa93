"""Template filters for the owner pages: durations and percentages as people read them."""

from django import template

from portfolio.charts import format_minutes, format_percent

register = template.Library()


@register.filter
def minutes(value):
    """43.2 -> "43 min", 125 -> "2 h 05 min"; "–" for None."""
    return format_minutes(value)


@register.filter
def percent(value, digits=3):
    """99.95123 -> "99.951 %"; "no data" for None."""
    return format_percent(value, int(digits))


@register.filter
def person(user, fallback="nobody"):
    """A user's full name, else their user name; `fallback` when there is no user."""
    if user is None:
        return fallback
    return user.get_full_name() or user.username


@register.filter
def with_scope(offering_rows):
    """The offering rows whose offering states what is in or out of its scope."""
    return [row for row in offering_rows if row.offering.in_scope or row.offering.out_of_scope]
