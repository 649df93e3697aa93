"""Presentation helpers of the catalog pages: money, durations and state badges."""

from django import template

from catalog.models import Approval, RequestState, Stage, State
from core.money import format_money, locale_of_request

register = template.Library()

BADGE_TONES = {
    State.CLOSED_COMPLETE: "ok",
    RequestState.CLOSED_COMPLETE: "ok",
    Approval.APPROVED: "ok",
    Stage.COMPLETE: "ok",
    Stage.REQUEST_APPROVED: "info",
    State.WORK_IN_PROGRESS: "info",
    RequestState.IN_PROCESS: "info",
    Stage.FULFILLMENT: "info",
    Stage.DELIVERY: "info",
    State.PENDING: "warn",
    Approval.REQUESTED: "warn",
    Stage.WAITING_FOR_APPROVAL: "warn",
    State.CLOSED_INCOMPLETE: "bad",
    RequestState.CLOSED_INCOMPLETE: "bad",
    State.CLOSED_SKIPPED: "bad",
    Approval.REJECTED: "bad",
    Stage.REQUEST_CANCELLED: "bad",
}


@register.simple_tag(takes_context=True)
def money(context, amount, currency):
    """{% money amount currency %}: "£1,234.50" in the reader's locale; empty for no amount."""
    return format_money(amount, currency, locale_of_request(context.get("request")))


@register.filter
def duration(value):
    """A timedelta as people say it: "2 days", "1 day 4 hours", "30 minutes"."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    for count, unit in ((days, "day"), (hours, "hour"), (minutes, "minute")):
        if count:
            parts.append(f"{count} {unit}{'' if count == 1 else 's'}")
    return " ".join(parts[:2]) or "immediately"


@register.inclusion_tag("catalog/_badge.html")
def badge(value, label):
    """A coloured pill for a state, stage or approval value with its display label."""
    return {"tone": BADGE_TONES.get(value, ""), "label": label}
