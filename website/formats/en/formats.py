"""One date and one date-time format: the locale's own (Django's), the short names meaning the same."""

from django.conf.locale.en import formats as django_formats

DATE_FORMAT = django_formats.DATE_FORMAT
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = django_formats.DATETIME_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
# The 24-hour clock: Haven's English readers live where schedules are read that way ("10:00", not "10 a.m.").
TIME_FORMAT = "H:i"
