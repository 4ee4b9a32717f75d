"""Form fields and widgets shared by the apps' pages and their admin forms."""

from django import forms
from django.forms.utils import flatatt
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe

from core import dates
from core.html import escaped


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


def id_from(text) -> int | None:
    """A record's id as an address's parameter gives it: ASCII digits a database integer holds, or None.
    (`str.isdigit` also takes "²", which `int` refuses, and numbers no integer column holds.)"""
    text = "" if text is None else str(text)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


class QuickSelect(forms.Select):
    """A select whose options are written in Python. Django renders each option through a template of its
    own, which for a filter naming every edition, cohort or counselor of a large organisation (a thousand
    editions) costs more than the rest of the listing. Same markup, same attributes; no option groups."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = set(self.format_value(value))
        options = []
        for option, label in self.choices:
            key = str(option)
            selected = " selected" if key in chosen else ""
            options.append(f'<option value="{escaped(key)}"{selected}>{escaped(label)}</option>')
        # flatatt escapes the attributes; every option's value and label escaped by `escaped`, as {{ }} would.
        return mark_safe(f"<select{flatatt(final_attrs)}>{''.join(options)}</select>")  # noqa: S308  # nosec B308 B703


class NamedChoiceIterator(forms.models.ModelChoiceIterator):
    """The choices as (id, name) pairs the field's `names(queryset)` reads as values, not a model instance
    (and its related records) per choice; after the empty choice, and the null one of a filter's field."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if getattr(self.field, "null_label", None) is not None:
            yield (self.field.null_value, self.field.null_label)
        yield from self.field.names(self.queryset)


class NamedModelChoiceField(forms.ModelChoiceField):
    """A choice of one record whose options are named by `names(queryset)` -> [(id, name)], read as values:
    two hundred counselors as model instances with their accounts and profiles, only to name them, were a
    fifth of a page. What she chose is still looked up in the queryset, and is a model instance."""

    iterator = NamedChoiceIterator

    def __init__(self, *args, names, **kwargs):
        self.names = names
        super().__init__(*args, **kwargs)
