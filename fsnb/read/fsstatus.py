"""FreeSWITCH's `status` reply and log timestamps: when did the running FreeSWITCH start, in its log's time."""
from __future__ import annotations

import datetime as _dt
import re

# each figure at most 6 ASCII digits: a peer's `UP 99999 years` or a 5,000-digit figure is not an uptime
_UP = re.compile(r"^UP ([0-9]{1,6}) years?, ([0-9]{1,6}) days?, ([0-9]{1,6}) hours?, ([0-9]{1,6}) minutes?, "
                 r"([0-9]{1,6}) seconds?, ([0-9]{1,6}) milliseconds?, ([0-9]{1,6}) microseconds?")
MAX_UPTIME = 100 * 365 * 86400.0
_LOG_TS = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,6})?) ")
_FMT = "%Y-%m-%d %H:%M:%S"


def uptime_seconds(status: str) -> float | None:
    """`UP 0 years, 0 days, 0 hours, 10 minutes, 1 seconds, 976 milliseconds, 462 microseconds` → 601.976462."""
    m = _UP.match(status or "")
    if not m:
        return None
    y, d, h, mi, s, ms, us = (int(x) for x in m.groups())
    up = (((y * 365 + d) * 24 + h) * 60 + mi) * 60 + s + ms / 1e3 + us / 1e6
    return up if up <= MAX_UPTIME else None     # beyond a datetime's reach: no start to scope the log to


def started_at(fs_now: str, uptime: float, slack: float = 2.0) -> str | None:
    """The start of the running FreeSWITCH in its own local time (`strftime` over ESL gives `fs_now`), as a log
    timestamp prefix; `slack` seconds earlier, so the first lines of this start are never cut."""
    try:
        now = _dt.datetime.strptime(fs_now.strip()[:19], _FMT)
        return (now - _dt.timedelta(seconds=uptime + slack)).strftime(_FMT)
    except (ValueError, OverflowError):     # a clock or an uptime no datetime can hold
        return None


def line_time(line: str) -> str | None:
    """The timestamp a freeswitch.log line starts with (sofia-sip's tport lines have none)."""
    m = _LOG_TS.match(line)
    return m.group(1) if m else None
