"""One date and one date-time format: the locale's own (Django's), the short names meaning the same."""

from django.conf.locale.da import formats as django_formats

DATE_FORMAT = django_formats.DATE_FORMAT
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = django_formats.DATETIME_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
