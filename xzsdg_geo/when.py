"""The two clocks every time-dependent figure reads: real-world time and record time.

*Real-world time* (``When.on``) is when something was true on the ground: a parcel completed on
2025-06-30 counts for 2025 whatever day it reached the store. *Record time* (``When.known_at``) is
what the store held at an instant: "the 2025 rate as we reported it on 2026-01-15" reads the
versions valid then. ``known_at`` ``None`` means as known now. Keeping both in one value type means
no function takes a lone, ambiguous "as of" date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from .dates import CST, parse_date, today_cst
from .i18n import t

_STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"


def store_stamp(instant: dt.datetime) -> str:
    """An aware instant as the store's timestamps are written (UTC ISO text, microseconds)."""
    return instant.astimezone(dt.UTC).strftime(_STAMP)


def end_of_day(day: dt.date) -> dt.datetime:
    """The last microsecond of a calendar day in China: a date given as a record time means the
    store as it stood when that working day ended."""
    start = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=CST)
    return start - dt.timedelta(microseconds=1)


def parse_instant(text: str) -> dt.datetime | None:
    """A record time from a date (its end, China time) or an ISO datetime (China time unless it
    names its offset); ``None`` when the text is neither."""
    text = text.strip()
    if len(text) > 10 and ("T" in text or " " in text):
        try:
            instant = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return instant if instant.tzinfo else instant.replace(tzinfo=CST)
    day = parse_date(text)
    return None if day is None else end_of_day(day)


def recorded_day(known_at: dt.datetime | None) -> dt.date | None:
    """The day in China a record time fell on: "today" for a figure reproduced as of then."""
    return None if known_at is None else known_at.astimezone(CST).date()


@dataclass(frozen=True)
class When:
    """The state on the ground at the end of ``on`` (China time), as the store held it at
    ``known_at`` (an aware instant; ``None``: as known now)."""

    on: dt.date
    known_at: dt.datetime | None = None

    @classmethod
    def today(cls) -> When:
        """Today on the ground, as known now: what a figure shows when no time is asked."""
        return cls(today_cst())

    def on_day(self, day: dt.date) -> When:
        """Another real-world day, read from the same record time."""
        return replace(self, on=day)

    def recorded_label(self, lang: str | None = None) -> str:
        """Which record time a table was read at, said beside its title."""
        recorded = self.to_dict()["as_recorded"]
        if recorded is None:
            return t("clocks.as_known_line", lang)
        return t("clocks.as_recorded_line", lang, at=recorded)

    def to_dict(self) -> dict[str, str | None]:
        """The instants a JSON figure says it used: ``as_of`` (real world) and ``as_recorded``
        (record time in China time, ``None`` when read as known now)."""
        recorded = None if self.known_at is None else self.known_at.astimezone(CST).isoformat()
        return {"as_of": self.on.isoformat(), "as_recorded": recorded}
