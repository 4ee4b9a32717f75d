"""One date and one date-time format: the locale's own (Django's), the short names meaning the same."""

from django.conf.locale.en import formats as django_formats

DATE_FORMAT = django_formats.DATE_FORMAT
SHORT_DATE_FORMAT = DATE_FORMAT
# The 24-hour clock: Haven's English readers live where schedules are read that way ("10:00", not "10 a.m."),
# in a date and time too, so that "Dec. 1, 2026, 08:24–09:54" reads one way on both sides of the dash.
TIME_FORMAT = "H:i"
DATETIME_FORMAT = django_formats.DATE_FORMAT + ", " + TIME_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
