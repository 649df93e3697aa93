"""Parsing what clients type: moments in time (sys_ids are parsed in core.models)."""

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime


def parse_moment(value):
    """An aware datetime from an ISO date ("2025-03-01": its midnight) or datetime; naive means local.

    ValueError when `value` is neither.
    """
    text = (value or "").strip()
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            if day is None:
                raise ValueError
            moment = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date or date-time.") from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
