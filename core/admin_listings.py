"""For the administration's listings: the records each row names are fetched with the rows, and filters
that offer every record of a kind render quickly."""

import django_filters
from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from wagtail.admin.filters import WagtailFilterSet


class ListSelectRelated:
    """Mix into a Wagtail ModelViewSet whose rows name related records (a membership's member, a period's
    project, a window's counselor): `list_select_related` names them, and the listing fetches them in its
    own query instead of one query per row."""

    list_select_related: tuple = ()

    def get_index_view_kwargs(self, **kwargs):
        queryset = self.model._default_manager.all()
        if self.list_select_related:
            queryset = queryset.select_related(*self.list_select_related)
        return super().get_index_view_kwargs(queryset=queryset, **kwargs)


class QuickSelect(forms.Select):
    """A select whose options are written in Python. Django renders each option through a template of its
    own, which for a filter naming every edition, cohort or counselor of a large organisation (a thousand
    editions) costs more than the rest of the listing. Same markup, same attributes; no option groups."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            "{}",
            (
                (
                    format_html('<option value="{}" selected>{}</option>', key, label)
                    if key in chosen
                    else format_html('<option value="{}">{}</option>', key, label),
                )
                for key, label in ((str(option), label) for option, label in self.choices)
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)


class QuickFilterSet(WagtailFilterSet):
    """A listing's filters with every choice of a related record in a QuickSelect."""

    @classmethod
    def filter_for_lookup(cls, field, lookup_type):
        filter_class, params = super().filter_for_lookup(field, lookup_type)
        if issubclass(filter_class, django_filters.ModelChoiceFilter):
            params = {**params, "widget": QuickSelect}
        return filter_class, params


class QuickFilters:
    """Mix into a Wagtail ModelViewSet whose `list_filter` names a related record: its choices come in a
    QuickSelect."""

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(base_filterset_class=QuickFilterSet, **kwargs)
