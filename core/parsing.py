"""Parsing what clients type: moments in time (sys_ids are parsed in core.models)."""

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

# PostgreSQL stores time-zone offsets of at most 15:59 (real ones stop at ±14:00); a larger one made
# it raise on the query, a 500 (issue 10, cause 2).
MAX_UTC_OFFSET = datetime.timedelta(hours=15, minutes=59)


def parse_moment(value: str | None) -> datetime.datetime:
    """An aware datetime from an ISO date ("2025-03-01": its midnight) or datetime; naive means local.

    ValueError, with a message for the client, when `value` is neither, has an offset beyond ±15:59,
    or lies outside the years 1 to 9999 once in UTC.
    """
    text = (value or "").strip()
    if not text:
        raise ValueError("Enter an ISO 8601 date or date-time; an empty value is not one.")
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            if day is None:
                raise ValueError
            moment = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date or date-time.") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if abs(moment.utcoffset()) > MAX_UTC_OFFSET:
        raise ValueError(f"{value!r}: the UTC offset must be between -15:59 and +15:59.")
    try:
        moment.astimezone(datetime.UTC)
    except OverflowError:
        raise ValueError(f"{value!r} is out of range: years 1 to 9999 (UTC).") from None
    return moment
