"""The demo's history ends on the day it is loaded (issue 17): load_demo moves it, whole weeks at a time."""

import datetime
import json
import re
from collections import defaultdict
from datetime import UTC, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from cmdb.management.commands import load_demo
from cmdb.models import BusinessService
from cmdb.servicenow.timeshift import shift_month_names, weeks_to_today
from impact.models import ChangeRequest, Incident, Outage, Task
from impact.periods import add_months, start_of_month
from portfolio.availability import service_availability
from portfolio.models import Initiative
from portfolio.trends import service_trends

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "demo"
GENERATED_END = load_demo.HISTORY_END
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
MONTH_YEAR = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\b"
)


@pytest.fixture
def password_file(tmp_path, monkeypatch):
    path = tmp_path / ".runstage-admin-password"
    monkeypatch.setattr(load_demo, "PASSWORD_FILE", path)
    monkeypatch.delenv(load_demo.PASSWORD_ENV, raising=False)
    return path


def test_load_demo_knows_where_the_generator_ends_the_history():
    from demo.history import HISTORY_END

    assert GENERATED_END == HISTORY_END


def test_every_date_in_the_demo_files_is_one_load_demo_moves():
    """A date the generator adds to any table must be listed in load_demo.HISTORY_FIELDS."""
    found = defaultdict(set)
    for file in DEMO.glob("*.json"):
        for row in json.loads(file.read_text())["result"]:
            for name, value in row.items():
                if isinstance(value, str) and (ISO_DATE.match(value) or MONTH_YEAR.search(value)):
                    found[file.stem].add(name)
    listed = {
        table: set(fields.datetimes) | set(fields.dates) | set(fields.texts)
        for table, fields in load_demo.HISTORY_FIELDS.items()
    }
    assert {table: names - listed.get(table, set()) for table, names in found.items()} == {
        table: set() for table in found
    }


@pytest.mark.parametrize(
    ("now", "weeks"),
    [
        (datetime.datetime(2026, 11, 27, 3, 0, tzinfo=UTC), 0),
        (datetime.datetime(2026, 12, 4, 2, 59, tzinfo=UTC), 0),
        (datetime.datetime(2026, 12, 4, 3, 0, tzinfo=UTC), 1),
        (datetime.datetime(2026, 11, 27, 2, 0, tzinfo=UTC), -1),
        (datetime.datetime(2027, 11, 30, 12, 0, tzinfo=UTC), 52),
    ],
)
def test_the_history_moves_whole_weeks_and_never_past_now(now, weeks):
    shift = weeks_to_today(GENERATED_END, now)
    assert shift == timedelta(weeks=weeks)
    assert now - timedelta(weeks=1) < GENERATED_END + shift <= now


def test_month_names_in_texts_follow_their_dates():
    text = "Monthly OS patching (December 2025); 3 h 05 min lost in March 2026"
    assert shift_month_names(text, timedelta(weeks=13)) == (
        "Monthly OS patching (March 2026); 3 h 05 min lost in June 2026"
    )


def history_counts():
    return {
        "outages": Outage.objects.count(),
        "incidents": Incident.objects.count(),
        "changes": ChangeRequest.objects.count(),
        "tasks": Task.objects.count(),
        "initiatives": Initiative.objects.count(),
    }


def assert_twelve_full_months_of_history(now):
    """Every month the owner pages chart holds history from its first day, and the history reaches now."""
    window_start = add_months(start_of_month(now), -11)
    first_begin = Outage.objects.order_by("begin").values_list("begin", flat=True).first()
    last_begin = Outage.objects.order_by("-begin").values_list("begin", flat=True).first()
    assert first_begin < window_start
    assert now - timedelta(days=8) < last_begin <= now

    service = BusinessService.objects.get(name="Online Quote & Buy")
    trends = service_trends(service, now=now)
    assert len(trends.months) == 12
    months_with_events = [
        month for month in trends.months if month.figures.failures or month.figures.degraded_minutes
    ]
    assert len(months_with_events) == 12
    assert sum(week.count for week in trends.weeks) > 0


def tls_outage_month():
    """The month (start, end) of the scripted Quote Engine TLS outage, wherever the shift put it."""
    outage = Outage.objects.get(short_description__icontains="TLS certificate of its front end expired")
    start = start_of_month(outage.begin)
    return start, add_months(start, 1)


def assert_the_march_breach_kept_its_shape(now):
    service = BusinessService.objects.get(name="Online Quote & Buy")
    availability = service_availability(service, *tls_outage_month(), now=now)
    breached = [result for result in availability.commitments if not result.met]
    assert breached and all(result.downtime_minutes > 180 for result in breached)


@pytest.mark.parametrize(
    "today",
    [
        datetime.datetime(2027, 3, 31, 23, 30, tzinfo=UTC),
        datetime.datetime(2028, 7, 1, 0, 30, tzinfo=UTC),
    ],
    ids=["end of a long month", "first hour of a month, years later"],
)
def test_demo_loaded_on_another_day_holds_twelve_full_months(password_file, today):
    with time_machine.travel(today, tick=False):
        call_command("load_demo", verbosity=0)
        assert_twelve_full_months_of_history(today)
        assert_the_march_breach_kept_its_shape(today)
        assert Outage.objects.open().count() == 1


def test_loading_again_on_a_later_day_moves_the_history_without_duplicating_it(password_file, capsys):
    first_day = datetime.datetime(2027, 2, 10, 9, 0, tzinfo=UTC)
    later_day = datetime.datetime(2027, 9, 22, 18, 0, tzinfo=UTC)
    with time_machine.travel(first_day, tick=False):
        call_command("load_demo", verbosity=0)
        assert_twelve_full_months_of_history(first_day)
    counts = history_counts()
    tls_before = tls_outage_month()
    capsys.readouterr()

    with time_machine.travel(later_day, tick=False):
        call_command("load_demo", verbosity=0)
        assert_twelve_full_months_of_history(later_day)
        assert_the_march_breach_kept_its_shape(later_day)

    assert history_counts() == counts
    assert tls_outage_month()[0] > tls_before[0]
    output = capsys.readouterr().out
    assert "0 rows created" in output and "ends on 2027-09-" in output


def test_as_generated_keeps_the_files_dates(password_file):
    with time_machine.travel(datetime.datetime(2028, 1, 5, tzinfo=UTC), tick=False):
        call_command("load_demo", "--as-generated", verbosity=0)
    last_begin = Outage.objects.order_by("-begin").values_list("begin", flat=True).first()
    assert last_begin < GENERATED_END
