"""Move the dates of a folder of ServiceNow table files in time, whole weeks at a time.

The demo's operations history is generated once and committed, so it ends on a fixed day;
`load_demo` shifts a copy of it so that it ends on the day it is loaded (issue 17). Whole weeks
keep each event on its weekday and inside its ISO week (the Sunday maintenance window stays on a
Sunday; "at most three incidents a week" still holds), and every row moves by the same amount, so
durations, breaches and the order of events are what was generated.
"""

import json
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

WEEK = timedelta(weeks=1)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTH_YEAR = re.compile(rf"\b({'|'.join(MONTHS)}) (\d{{4}})\b")


@dataclass(frozen=True)
class ShiftedFields:
    """The fields of one table that move: date-times, dates, and texts that name a month ("March 2026")."""

    datetimes: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()


def weeks_to_today(history_end: datetime, now: datetime) -> timedelta:
    """The whole number of weeks that brings `history_end` to the last week ending at or before `now`.

    Negative when `now` is before the history's end; zero within its first week.
    """
    return ((now - history_end) // WEEK) * WEEK


def shift_datetime(value: str, delta: timedelta) -> str:
    """A ServiceNow date-time ("2026-03-12 07:52:00+00:00") moved by `delta`, in the same form."""
    moment = datetime.fromisoformat(value)
    return (moment + delta).isoformat(sep=" ")


def shift_date(value: str, delta: timedelta) -> str:
    return (date.fromisoformat(value) + timedelta(days=delta.days)).isoformat()


def shift_month_names(text: str, delta: timedelta) -> str:
    """ "(March 2026)" → the month that mid-March 2026 moves to: a text names the month its dates are in."""

    def moved(match):
        middle = date(int(match.group(2)), MONTHS.index(match.group(1)) + 1, 15) + timedelta(days=delta.days)
        return f"{MONTHS[middle.month - 1]} {middle.year}"

    return MONTH_YEAR.sub(moved, text)


def shift_rows(rows: list[dict], fields: ShiftedFields, delta: timedelta) -> list[dict]:
    """Copies of `rows` with their listed fields moved by `delta` (empty values stay empty)."""
    shifted = []
    for row in rows:
        row = dict(row)
        for name in fields.datetimes:
            if row.get(name):
                row[name] = shift_datetime(row[name], delta)
        for name in fields.dates:
            if row.get(name):
                row[name] = shift_date(row[name], delta)
        for name in fields.texts:
            if row.get(name):
                row[name] = shift_month_names(row[name], delta)
        shifted.append(row)
    return shifted


def shifted_copy(source: Path, target: Path, tables: Mapping[str, ShiftedFields], delta: timedelta) -> Path:
    """Copy every `<table>.json` of `source` into `target`, the listed tables' dates moved by `delta`."""
    target.mkdir(parents=True, exist_ok=True)
    for file in sorted(source.glob("*.json")):
        if file.stem not in tables or not delta:
            shutil.copyfile(file, target / file.name)
            continue
        document = json.loads(file.read_text(encoding="utf-8"))
        document["result"] = shift_rows(document["result"], tables[file.stem], delta)
        (target / file.name).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return target
