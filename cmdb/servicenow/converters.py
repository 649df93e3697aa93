"""Converters for ServiceNow value formats that differ from Runstage's (see `spec.Converter`)."""

import datetime

from django.utils.dateparse import parse_duration

from cmdb.servicenow.spec import Converter

# ServiceNow stores a duration as the date-time that far after the Unix epoch:
# two days and four hours is "1970-01-03 04:00:00".
DURATION_EPOCH = datetime.datetime(1970, 1, 1)
DURATION_FORMAT = "%Y-%m-%d %H:%M:%S"


def duration_from_servicenow(value):
    """A ServiceNow duration ("1970-01-03 04:00:00") as a timedelta.

    Django's own duration forms ("2 04:00:00", "P2DT4H") are read too, so that a value typed by
    hand loads as well.
    """
    text = str(value).strip()
    try:
        duration = datetime.datetime.strptime(text, DURATION_FORMAT) - DURATION_EPOCH
    except ValueError:
        duration = parse_duration(text)
        if duration is None:
            raise ValueError(
                f"{value!r} is not a duration (ServiceNow writes 2 days 4 hours as 1970-01-03 04:00:00)"
            ) from None
    return duration


def duration_to_servicenow(duration):
    """A timedelta as ServiceNow writes durations; fractions of a second are dropped (as there)."""
    return (DURATION_EPOCH + duration).strftime(DURATION_FORMAT)


DURATION = Converter(to_runstage=duration_from_servicenow, to_servicenow=duration_to_servicenow)
