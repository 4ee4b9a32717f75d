"""Form fields shared by the apps' pages and their admin forms."""

from django import forms
from django.utils.dateparse import parse_datetime

from core import dates


class WallClockDateTimeField(forms.DateTimeField):
    """A date and time typed on the organisation's wall clock, accepted on the nights the clocks change
    (see core.dates.aware_from_wall_clock) instead of refused as ambiguous or non-existent."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            if error.code != "ambiguous_timezone":
                raise
        if isinstance(value, str):
            naive = parse_datetime(value.strip()) or forms.BaseTemporalField.to_python(self, value)
        else:
            naive = value
        return dates.aware_from_wall_clock(naive.replace(tzinfo=None))
