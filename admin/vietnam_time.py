"""Times as clerks read them: stored in UTC, shown in Vietnam's time zone."""
from __future__ import annotations

import datetime as dt

VIETNAM = dt.timezone(dt.timedelta(hours=7), "giờ Việt Nam")


def local_time(stored: str) -> str:
    """A stored UTC time ("2026-11-30T01:05") as read in Vietnam ("30/11/2026 08:05")."""
    try:
        moment = dt.datetime.fromisoformat(stored).replace(tzinfo=dt.timezone.utc).astimezone(VIETNAM)
    except ValueError:
        return stored
    return moment.strftime("%d/%m/%Y %H:%M")
