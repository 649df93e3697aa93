"""Calendar periods of commitments: days, weeks, months, quarters and years, in the current time zone."""

from datetime import timedelta

from django.utils import timezone

# --- commitment periods ------------------------------------------------------------------------------


def start_of_day(moment):
    local = timezone.localtime(moment)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def start_of_month(moment):
    return start_of_day(moment).replace(day=1)


def week_start(moment):
    """Monday 00:00 of the ISO week of `moment`, in the current time zone."""
    day = start_of_day(moment)
    return timezone.make_aware(day.replace(tzinfo=None) - timedelta(days=day.weekday()), day.tzinfo)


def add_months(month_start, count):
    """The first moment of the month `count` months after `month_start` (a first of the month)."""
    index = month_start.year * 12 + month_start.month - 1 + count
    naive = month_start.replace(tzinfo=None).replace(year=index // 12, month=index % 12 + 1, day=1)
    return timezone.make_aware(naive, month_start.tzinfo)


def month_range(moment):
    """[first moment of the month of `moment`, first moment of the next month)."""
    first = start_of_month(moment)
    return first, add_months(first, 1)


PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12, "annually": 12, "annual": 12}
PERIOD_DAYS = {"daily": 1, "weekly": 7}


def calendar_period_containing(period_name, moment):
    """The calendar period (a day, an ISO week, a month, a quarter, a year) around `moment`.

    None for a period name this module does not know; the caller then evaluates over the period it
    was asked about.
    """
    name = (period_name or "").strip().lower()
    if name in PERIOD_DAYS:
        first = week_start(moment) if name == "weekly" else start_of_day(moment)
        naive_end = first.replace(tzinfo=None) + timedelta(days=PERIOD_DAYS[name])
        return first, timezone.make_aware(naive_end, first.tzinfo)
    if name in PERIOD_MONTHS:
        length = PERIOD_MONTHS[name]
        month = start_of_month(moment)
        first = add_months(month, -((month.month - 1) % length))
        return first, add_months(first, length)
    return None


def commitment_periods(period_name, start, end):
    """Every calendar period of the commitment's kind that overlaps [start, end), in order.

    A commitment with no (or an unknown) period is evaluated over [start, end) itself.
    """
    first = calendar_period_containing(period_name, start)
    if first is None:
        return [(start, end)]
    periods = [first]
    while periods[-1][1] < end:
        periods.append(calendar_period_containing(period_name, periods[-1][1]))
    return periods


def window_for_commitments(commitments, start, end):
    """[start, end) widened to whole periods of the (offering, commitment) pairs' commitments.

    A monthly commitment looked at from mid-month needs the whole month's outages.
    """
    for _offering, commitment in commitments:
        periods = commitment_periods(commitment.period, start, end)
        start, end = min(start, periods[0][0]), max(end, periods[-1][1])
    return start, end
