"""Dates as field teams write them, and the store's clock.

Accepted: ISO ``2026-03-15``, ``2026/3/15``, ``2026.3.15``, ``2026年3月15日``, compact ``20260315``
and Excel serial day numbers (``46096``), because spreadsheets exported to DBF keep those.
Timestamps in the store are UTC ISO strings; a calendar date ``t`` means the end of ``t`` in
China Standard Time, the bureau's working day.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

CST = ZoneInfo("Asia/Shanghai")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_YMD = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_SERIAL = re.compile(r"^\s*(\d{5})(\.0+)?\s*$")
# A time of day after the date, as spreadsheets and ISO write it: only a whole, valid one is dropped.
_WITH_TIME = re.compile(
    r"^\s*(?P<day>[^T ]+)[T ]\s*(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d{1,9})?)?"
    r"\s*(?:Z|[+-]\d{2}:?\d{2})?\s*$"
)


def parse_date(value: object) -> dt.date | None:
    """A date from any accepted spelling; ``None`` when the value is not a date."""
    if isinstance(value, dt.datetime):
        # NaT, pandas' missing datetime, is a datetime that is not equal to itself
        return value.date() if value == value else None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value)) if float(value).is_integer() else str(value)
    if not isinstance(value, str):
        return None
    if (day := _calendar_date(value)) is not None:
        return day
    if (m := _WITH_TIME.match(value)) and int(m["h"]) < 24 and int(m["m"]) < 60 and int(m["s"] or 0) < 60:
        return _calendar_date(m["day"])
    if m := _SERIAL.match(value):
        serial = int(m[1])
        if 20000 <= serial <= 80000:  # 1954..2118: anything else is not a plausible serial
            return _EXCEL_EPOCH + dt.timedelta(days=serial)
    return None


def _calendar_date(text: str) -> dt.date | None:
    """A date written as year, month and day, the whole text and nothing else."""
    for pattern in (_YMD, _COMPACT):
        if m := pattern.match(text):
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


def end_of_day_utc(day: dt.date) -> str:
    """The last store timestamp of a calendar day in China.

    One microsecond before the next day starts: a version stamped ``start_of_day_utc(day + 1)``
    (an import ``--valid-from`` the next day) is not yet in the store as it stood at the end of ``day``.
    """
    local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=CST)
    return (local - dt.timedelta(microseconds=1)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def start_of_day_utc(day: dt.date) -> str:
    local = dt.datetime.combine(day, dt.time(), tzinfo=CST)
    return local.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def cst_date(stamp: str) -> dt.date:
    """A store timestamp (UTC) as the calendar day it was in China."""
    return dt.datetime.fromisoformat(stamp).astimezone(CST).date()


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def today_cst() -> dt.date:
    return dt.datetime.now(CST).date()
