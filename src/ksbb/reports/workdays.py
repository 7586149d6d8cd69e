"""Working days (Monday to Friday) for report deadlines."""

from __future__ import annotations

import datetime as dt


def is_holiday(day: dt.date) -> bool:
    """Hook for public holidays (libur nasional, cuti bersama): none are known yet.

    Replace with a lookup in a holidays table or setting when the calendar is needed;
    :func:`add_working_days` already skips whatever this returns True for.
    """
    return False


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself does not count)."""
    day = start
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day
