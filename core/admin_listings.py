"""For the administration's listings: the records each row names are fetched with the rows, and filters
by a related record render quickly and offer the records of now; a record too old for them is reached
from its own row."""

import datetime as dt

import django_filters
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.widgets.button import MenuItem
from wagtail.permission_policies import ModelPermissionPolicy

from core import dates
from core.forms import NamedChoiceIterator, NamedModelChoiceField, QuickSelect, id_from
from core.sql import PreparedRows


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


# How many running or upcoming records, and how many ended ones, a shortlist filter offers.
SHORTLIST_EACH = 50


def shortlist(model, *, start: str, end: str, also=None, today=None):
    """Records of a kind that runs between two dates (editions, cohorts) a coordinator works with now: the
    SHORTLIST_EACH running or upcoming nearest today (no end yet counts as running) and the SHORTLIST_EACH
    last ended, plus the record `also` (one opened from its own listing, which reaches every record). One
    query, whatever the number of records."""
    today = today or dates.today()
    records = model._default_manager
    running = Q(**{f"{end}__gte": today}) | Q(**{f"{end}__isnull": True})
    current = records.filter(running).order_by(start, "pk").values("pk")[:SHORTLIST_EACH]
    ended = records.filter(**{f"{end}__lt": today}).order_by(f"-{end}", "-pk").values("pk")[:SHORTLIST_EACH]
    offered = Q(pk__in=current) | Q(pk__in=ended)
    if also is not None:
        offered |= Q(pk=also)
    return records.filter(offered)


# A shortlist's options as values, compiled once (core.sql.PreparedRows) for each kind of record, with and
# without a record opened from its own listing, and for each SHORTLIST_EACH (a number the query is written
# with, not a value it takes): built through the ORM on every view, the edition filter's query was four
# fifths of its 1.5 ms, a twentieth of the enrolments' listing at ten times the bench's data set.
_shortlist_rows: dict[tuple, PreparedRows] = {}


def shortlist_rows(model, *, start: str, end: str, fields: tuple[str, ...], also=None, today=None) -> list[tuple]:
    """`fields` of each record of `shortlist(...)`, in its order."""
    key = (model, start, end, fields, also is not None, SHORTLIST_EACH)
    rows = _shortlist_rows.get(key)
    if rows is None:
        if also is None:
            rows = PreparedRows(
                lambda on: shortlist(model, start=start, end=end, today=on).values_list(*fields), kinds=(dt.date,)
            )
        else:
            rows = PreparedRows(
                lambda on, record: shortlist(model, start=start, end=end, today=on, also=record).values_list(*fields),
                kinds=(dt.date, int),
            )
        rows = _shortlist_rows.setdefault(key, rows)
    values = (today or dates.today(),) if also is None else (today or dates.today(), also)
    return rows(*values)


def shortlist_filter(model, *, name: str, start: str, end: str, label, help_text, fields, named=None):
    """A listing's filter by a record of `model` (the parameter `name`) that offers its shortlist in a
    QuickSelect, each option `named(*row)` -> (id, name) from the record's `fields` read as values (the row
    itself without `named`): a thousand editions in one select would cost more than the listing and help
    nobody, and a hundred model instances (with their programmes) cost a fifth of it. The record chosen is
    still checked against the shortlist through the ORM."""

    def chosen(request):
        return id_from(request.GET.get(name, "")) if request is not None else None

    def offered(request):
        record = chosen(request)
        if record is None:
            # The queryset only checks a record she chose, and an empty choice is never looked up: with no id
            # given none is built (its subqueries were 0.3 ms, a fiftieth of the enrolments' listing).
            return model._default_manager.none()
        return shortlist(model, start=start, end=end, also=record)

    return ShortlistFilter(
        label=label,
        queryset=offered,
        options=lambda request: [
            named(*row) if named else row
            for row in shortlist_rows(model, start=start, end=end, fields=fields, also=chosen(request))
        ],
        help_text=help_text,
    )


class _NamedChoices(NamedChoiceIterator, django_filters.fields.ModelChoiceIterator):
    """core.forms.NamedChoiceIterator, counting a filter's null choice as django-filter does."""


class _NamedModelChoiceField(NamedModelChoiceField, django_filters.fields.ModelChoiceField):
    iterator = _NamedChoices


class NamedChoiceFilter(django_filters.ModelChoiceFilter):
    """A listing's filter by a record, whose options are named by `names(queryset)` -> [(id, name)] read as
    values (a filter naming two hundred counselors built each one's model instances and its account's, a
    fifth of the listing). The chosen record is still checked against the queryset."""

    field_class = _NamedModelChoiceField

    def __init__(self, *args, names, **kwargs):
        kwargs.setdefault("widget", QuickSelect)
        super().__init__(*args, names=names, **kwargs)


class ShortlistFilter(NamedChoiceFilter):
    """A NamedChoiceFilter whose options are `options(request)` -> [(id, name)] (see shortlist_filter)."""

    def __init__(self, *args, options, **kwargs):
        self.options = options
        super().__init__(*args, names=None, **kwargs)

    @property
    def field(self):
        request = self.get_request()
        self.extra["names"] = lambda _queryset: self.options(request)
        return super().field


class RelatedListingLinks:
    """Mix into a Wagtail IndexView: each row links to the listings of its related records, filtered by it
    (`?<related_param>=<pk>`), which is how a record too old for those listings' shortlist filter is reached.
    Offered to whoever may open those listings, asked once per page."""

    related_param: str = ""
    related_listings: tuple = ()  # (model, viewset name, icon), in the order shown
    related_priority = 40

    @cached_property
    def _related_links(self):
        return [
            (capfirst(model._meta.verbose_name_plural), reverse(f"{viewset}:index"), icon, priority)
            for priority, (model, viewset, icon) in enumerate(self.related_listings, start=self.related_priority)
            if ModelPermissionPolicy(model).user_has_any_permission(self.request.user, ["view", "change"])
        ]

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        return buttons + [
            MenuItem(label, url=f"{url}?{self.related_param}={instance.pk}", icon_name=icon, priority=priority)
            for label, url, icon, priority in self._related_links
        ]


class CappedCountPaginator(WagtailPaginator):
    """A listing's pages, its rows counted no further than `cap`.

    Counting every row of a table that only grows costs each view of its first page as much as reading
    the whole index: the audit log's three million entries take 10 ms to count on SQLite, and ten years
    of them ten times that. Beyond `cap` rows the listing offers the first `cap` in its order and says
    there are more; its filters reach the others."""

    cap = 10_000

    @cached_property
    def _counted(self) -> int:
        return self.object_list[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @cached_property
    def capped(self) -> bool:
        return self._counted > self.cap

    @property
    def items_count_label(self):
        if not self.capped:
            return super().items_count_label
        return _("more than %(count)s %(records)s") % {"count": intcomma(self.cap), "records": self.verbose_name_plural}
