"""Days and moments, in the campaign's time zone (Beijing: settings.TIME_ZONE)."""

import datetime as dt

from django.utils import timezone


def end_of(day: dt.date) -> dt.datetime:
    """The last moment of a day: figures "as of" a day count what came by then."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))
