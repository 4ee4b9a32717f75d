"""The cells of the administration's listings, written from a stencil.

A listing of fifty rows spent a third of its time rendering the same two cell templates fifty times, the
title cell's menu of buttons most of it: the rows differ only in their texts and links. So each kind of
cell is rendered once per page with stand-ins where a row puts its own values (its title, its links, the
label of its menu), and each row's cell is that stencil with its values put in, escaped as the template
escapes them. The HTML is Wagtail's own, row for row.

A stand-in holds the characters escaping changes (`<"&'>`), so it is found in the stencil only where the
template escaped it as a row's value would be; a stencil where a stand-in is missing, or left in another
form (a filter that changes it, an attribute written raw), is not used, and those cells are rendered
whole, as are cells of any other column or button class than the ones below (their templates are the ones
read here).

Around the cells, the same for what every listing repeats: its rows are written without the table
template's loops (`RowsWrittenTable`), and its filters' radio buttons without Django's five templates per
option (`WrittenRadioSelect`). Both write the HTML Wagtail and Django write, byte for byte, and give way to
them where what they were written after has changed.
"""

import copy
import datetime
import re

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template import Context, engines
from django.template.loader import get_template
from django.templatetags.l10n import unlocalize
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.functional import Promise, cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import ButtonsColumnMixin, Column, Table, TitleColumn
from wagtail.admin.views.generic.models import IndexView as WagtailIndexView
from wagtail.admin.viewsets.model import ModelViewSet as WagtailModelViewSet
from wagtail.admin.widgets import BooleanRadioSelect
from wagtail.admin.widgets.button import Button, ButtonWithDropdown, ListingButton

from core.exports import formula_safe, sheet_name
from core.form_renderer import written_attrs
from core.formatting import shown
from core.html import escaped
from core.reversing import key_parts

# Buttons whose templates put their texts through plain {{ }} (shared/button.html, the dropdown).
_BUTTONS = (Button, ListingButton)
_MARK = "zq{}qz"


def _stand_in(index: int) -> str:
    return f"<\"&'{_MARK.format(index)}>"


class _Stencil:
    """A cell rendered with stand-ins: its text cut where each stand-in stood."""

    def __init__(self, html: str, count: int):
        self.parts, self.slots = [], []
        wanted = {conditional_escape(_stand_in(index)): index for index in range(count)}
        pattern = re.compile("|".join(re.escape(escaped) for escaped in wanted)) if wanted else None
        position = 0
        for found in pattern.finditer(html) if pattern else ():
            self.parts.append(html[position : found.start()])
            self.slots.append(wanted[found.group()])
            position = found.end()
        self.parts.append(html[position:])
        rest = "".join(self.parts)
        self.usable = set(self.slots) == set(range(count)) and not any(
            _MARK.format(index) in rest for index in range(count)
        )
        self._filled = list(zip(self.slots, self.parts[1:], strict=True))

    def fill(self, values: list[str]) -> str:
        if len(self._filled) == 1:  # a plain cell: its one value between two parts
            slot, last = self._filled[0]
            return mark_safe(f"{self.parts[0]}{values[slot]}{last}")  # noqa: S308  # nosec B308 B703 - as below
        out = [self.parts[0]]
        for slot, part in self._filled:
            out.append(values[slot])
            out.append(part)
        return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703 - Wagtail's rendered template, each value escaped


class _Values:
    """The texts of one cell that differ from row to row, as stand-ins and as they will be written."""

    def __init__(self):
        self.written: list[str] = []

    def text(self, value) -> str:
        """A value the template writes with {{ }} escaped, as a string already (a link, an id, a label)."""
        self.written.append(escaped(value))
        return _stand_in(len(self.written) - 1)

    def shown(self, value) -> str:
        """A value the template writes with {{ }} as it is (a date, a number, a record): formatted as
        Django formats it there."""
        self.written.append(shown(value))
        return _stand_in(len(self.written) - 1)


def _button_stand_in(button, values: _Values, build: bool = True):
    """(shape, a copy of the button with stand-ins for its link and attributes), or None for a button this
    module does not know. Without `build`, (shape, None): the row's values taken all the same, in the same
    order, and no copy made (the stencil of that shape is made already)."""
    kind = type(button)
    if kind not in (*_BUTTONS, ButtonWithDropdown) or not button.show:
        return None
    stand_in = copy.copy(button) if build else None
    shape = [kind, str(button.label), button.icon_name, button.classname, button.priority, bool(button.url)]
    if button.url:
        url = values.text(button.url)
        if build:
            stand_in.url = url
    if kind is ButtonWithDropdown:
        inner = []
        for dropdown_button in button.dropdown_buttons:
            found = _button_stand_in(dropdown_button, values, build)
            if found is None:
                return None
            shape.append(found[0])
            inner.append(found[1])
        if build:
            stand_in.dropdown_buttons = inner
    attrs = {}
    for name, value in button.attrs.items():
        if isinstance(value, str) and value:
            shape.append((name, str))
            attrs[name] = values.text(value)
        elif value is None or isinstance(value, (bool, int)) or value == "":
            shape.append((name, value))
            attrs[name] = value
        else:
            return None
    if build:
        stand_in.attrs = attrs
    return tuple(shape), stand_in


class _StencilledCells:
    """For a column whose cells are rendered from stencils, kept on the column (one per listing page).

    `stencil_context(context, values, build)` takes the row's values and returns (shape, the context with
    stand-ins), or None for a cell it cannot stencil; without `build` the context is not made (None in its
    place): a row whose stencil is made already needs only its shape and values."""

    def render_cell_html(self, instance, parent_context):
        context = self.get_cell_context_data(instance, parent_context)
        values = _Values()
        found = self.stencil_context(context, values, build=False)
        if found is None:
            return self.cell_template.render(context)
        shape = found[0]
        stencils = self.__dict__.setdefault("_stencils", {})
        stencil = stencils.get(shape)
        if stencil is None:
            stand_ins = _Values()
            _shape, stand_in_context = self.stencil_context(context, stand_ins, build=True)
            stencil = stencils[shape] = _Stencil(self.cell_template.render(stand_in_context), len(stand_ins.written))
        if not stencil.usable:
            return self.cell_template.render(context)
        return stencil.fill(values.written)


def _cell_value(column, instance):
    """A cell's value as Column.get_cell_context_data works it out for the template."""
    value = column.get_value(instance)
    if isinstance(value, int) and not isinstance(value, bool):
        value = unlocalize(value)
    if not str(value).strip():
        value = column.empty_value_display
    return value


class StencilledColumn(_StencilledCells, Column):
    """Wagtail's Column (tables/cell.html: the value or nothing)."""

    def stencil_context(self, context, values, build=True):
        value = context["value"]
        if value is None:
            return ("none",), context
        shown = values.shown(value)
        return ("value",), {**context, "value": shown} if build else None

    def cell_written(self, instance, parent_context):
        """The cell render_cell_html writes, once its stencil is made, without the context Wagtail builds for
        the template and its cell object: its value worked out as Column.get_cell_context_data works it out,
        filled into the stencil (the audit log's 350 plain cells: 25.4 -> 23.6 ms of its page at ten times the
        bench's data)."""
        value = _cell_value(self, instance)
        stencil = self.__dict__.get("_stencils", {}).get(("none",) if value is None else ("value",))
        if stencil is None or not stencil.usable:
            return self.render_cell_html(instance, parent_context)
        return stencil.fill([] if value is None else [shown(value)])


class YesNoColumn(StencilledColumn):
    """A yes-or-no field's cell: "Yes" or "No" in her language. Wagtail's plain column wrote Python's "True"
    and "False", in English whatever the admin's language."""

    def get_value(self, instance):
        value = super().get_value(instance)
        if value is None:
            return None
        return _yes_or_no(value)


def _yes_or_no(value) -> str:
    return gettext("Yes") if value else gettext("No")


def _is_yes_or_no(model, field_name) -> bool:
    try:
        return isinstance(model._meta.get_field(field_name), models.BooleanField)
    except (FieldDoesNotExist, AttributeError):
        return False


class StencilledTitleColumn(_StencilledCells, ButtonsColumnMixin, TitleColumn):
    """Wagtail's title column of a listing (tables/title_cell.html: the title, its link, the row's menu)."""

    def __init__(self, *args, get_buttons=None, get_more_buttons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._get_buttons = get_buttons
        self._get_more_buttons = get_more_buttons

    def get_buttons(self, instance, parent_context):
        return self._get_buttons(instance) if self._get_buttons else []

    def cell_written(self, instance, parent_context):
        """The cell render_cell_html writes, its values taken from the row's menu items as the view lists them
        (`get_list_more_buttons`), without the buttons Wagtail's `get_list_buttons` makes of them, sorts and
        the stencil then walks: two thirds of a title cell's time (the audit log's fifty rows 3.5 ms of its
        page). Only for a view whose `get_list_buttons` is Wagtail's and a menu of plain menu items.

        What is written is checked against Wagtail's path for the first row of each kind of menu on the page
        (its items' labels, icons, order and whether each has a link): the same values in the same order, or
        that kind of menu takes Wagtail's path on this page."""
        items = self._get_more_buttons(instance) if self._get_more_buttons else None
        kind = _menu_kind(items) if items is not None else None
        if kind is None:
            return self.render_cell_html(instance, parent_context)
        link_url = self.get_link_url(instance, parent_context)
        title_id = self.get_title_id(instance, parent_context)
        label_id = self.get_label_id(instance, parent_context)
        kind = (bool(link_url), bool(title_id), bool(label_id), kind)
        values = [shown(_cell_value(self, instance))]
        values.extend(escaped(text) for text in (link_url, title_id, label_id) if text)
        if items:
            values.extend(escaped(item.url) if item.url else "button" for item in items)
            more = self.__dict__.get("_more_options")
            if more is None:
                more = self.__dict__["_more_options"] = gettext(_MORE_OPTIONS)
            values.append("button")
            values.append(escaped(more % {"title": str(instance)}))
        shapes = self.__dict__.setdefault("_menu_shapes", {})
        shape = shapes.get(kind)
        if shape is None:
            own = _Values()
            found = self.stencil_context(self.get_cell_context_data(instance, parent_context), own, build=False)
            shapes[kind] = found[0] if found is not None and own.written == values else False
            return self.render_cell_html(instance, parent_context)
        stencil = self.__dict__.get("_stencils", {}).get(shape) if shape else None
        if stencil is None or not stencil.usable:
            return self.render_cell_html(instance, parent_context)
        return stencil.fill(values)

    def stencil_context(self, context, values, build=True):
        link_url, link_attrs = context["link_url"], context["link_attrs"]
        shape = ["title", bool(link_url), bool(context["title_id"]), bool(context["label_id"])]
        changed = {"value": values.shown(context["value"])}
        if link_url:
            if link_attrs.get("href") != link_url or set(link_attrs) - {"href", "class"}:
                return None
            changed["link_url"] = values.text(link_url)
            changed["link_attrs"] = {**link_attrs, "href": changed["link_url"]} if build else None
        for name in ("title_id", "label_id"):
            if context[name]:
                changed[name] = values.text(context[name])
        buttons = []
        for button in context["buttons"]:
            found = _button_stand_in(button, values, build)
            if found is None:
                return None
            shape.append(found[0])
            buttons.append(found[1])
        changed["buttons"] = buttons
        return tuple(shape), {**context, **changed} if build else None


# The label Wagtail's get_list_buttons gives a row's menu: its message, translated by Wagtail's catalogue
# (named here, not written into the call, so that it is not taken into the project's own messages).
_MORE_OPTIONS = "More options for '%(title)s'"


def _menu_kind(items) -> tuple | None:
    """What a row's menu items (`get_list_more_buttons`) make of its menu apart from their links, or None
    for items Wagtail's `get_list_buttons` may show otherwise than as a plain link in the row's menu."""
    kind = []
    for item in items:
        if type(item) is not MenuItem or getattr(item, "link_rel", None):
            return None
        kind.append((str(item.label), item.icon_name, item.priority, bool(item.url)))
    return tuple(kind)


# Wagtail's table template (tables/table.html), its rows' loops exactly as they ship, and what they write
# around each row and each cell: the template's own whitespace.
_ROWS_LOOP = """{% for row in table.rows %}
            <tr{% include "wagtailadmin/shared/attrs.html" with attrs=row.attrs %}>
                {% for cell in row.values %}
                    {% component cell %}
                {% endfor %}
            </tr>
        {% endfor %}"""
_ROW_OPEN, _ROW_CLOSE = "\n            <tr", "\n            </tr>\n        "
_CELL_OPEN, _CELL_CLOSE = "\n                    ", "\n                "
_table_templates: dict = {}


def _table_without_rows():
    """Wagtail's table template with its rows' loops replaced by the rows written here, or None when the
    template no longer holds those loops as read above (a Wagtail that changed them: its own rendering)."""
    if "template" not in _table_templates:
        source = get_template(Table.template_name).template.source
        _table_templates["template"] = (
            engines["django"].from_string(source.replace(_ROWS_LOOP, "{{ rows_written }}"))
            if source.count(_ROWS_LOOP) == 1
            else None
        )
    return _table_templates["template"]


class _Rows:
    """A table's rows, written when the template reaches them (after its header, as its loops would be)."""

    def __init__(self, table, data):
        self.table, self.data = table, data

    def __str__(self):
        context = Context(self.data, autoescape=True)
        columns = list(self.table.columns.values())
        out = []
        with context.push():
            for row in self.table.rows:
                context["row"] = row
                out.append(f"{_ROW_OPEN}{written_attrs(row.attrs)}>{_CELL_CLOSE}")
                for column in columns:
                    written = getattr(column, "cell_written", None)
                    if written is not None:
                        html = written(row.instance, context)
                    else:
                        cell = context["cell"] = column.get_cell(row.instance)
                        html = cell.render_html(context)
                    out.append(f"{_CELL_OPEN}{escaped(html)}{_CELL_CLOSE}")
                out.append(_ROW_CLOSE)
        return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703 - each part escaped above


class RowsWrittenTable(Table):
    """Wagtail's listing table, its rows written here rather than by the template's two loops: a cell costs
    the loop's tags, a context pushed and an include per row (a tenth of the audit log's fifty rows), for the
    same HTML. The cells are each column's own (stencilled or not), given the context the loop gives them.

    Written where the template reaches them, not before it renders: written first, the same cells took half
    as long again (measured, not explained), and the whole page was slower than Wagtail's loops."""

    def render_html(self, parent_context=None):
        template = _table_without_rows()
        if template is None or self.template_name != Table.template_name:
            return super().render_html(parent_context)
        data = self.get_context_data(parent_context)
        data["rows_written"] = _Rows(self, data)
        return template.render(data)


_RADIO_TEMPLATES = (forms.RadioSelect.template_name, forms.RadioSelect.option_template_name)


class WrittenRadioSelect(forms.RadioSelect):
    """A listing filter's radio buttons (a status, a kind: Wagtail's widget for choices), written here as
    Django's templates write them (widgets/radio.html, multiple_input.html, radio_option.html,
    input_option.html, input.html, attrs.html), byte for byte: five templates per option were a tenth of an
    admin page without rows. Grouped choices, labels that are not text and templates changed from Django's
    are Django's rendering."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = []
        for group, group_options, _index in widget["optgroups"]:
            if group is not None:
                return super().render(name, value, attrs, renderer)
            options.extend(group_options)
        if (self.template_name, self.option_template_name) != _RADIO_TEMPLATES or not all(
            isinstance(option["label"], str | Promise) for option in options
        ):
            return super().render(name, value, attrs, renderer)
        own = widget["attrs"]
        out = ["<div"]
        if own.get("id"):
            out.append(f' id="{conditional_escape(own["id"])}"')
        if own.get("class"):
            out.append(f' class="{conditional_escape(own["class"])}"')
        out.append(">")
        for option in options:
            option_attrs = option["attrs"]
            wrap = option["wrap_label"]
            out.append("<div>\n    ")
            if wrap:
                out.append("<label")
                if option_attrs.get("id"):
                    out.append(f' for="{conditional_escape(option_attrs["id"])}"')
                out.append(">")
            kind, name = conditional_escape(option["type"]), conditional_escape(option["name"])
            out.append(f'<input type="{kind}" name="{name}"')
            if option["value"] is not None:
                out.append(f' value="{conditional_escape(str(option["value"]))}"')
            out.append(f"{written_attrs(option_attrs)}>\n")
            if wrap:
                out.append(f" {conditional_escape(str(option['label']))}</label>")
            out.append("\n\n</div>")
        out.append("\n</div>")  # the renderer strips what the templates' last lines leave
        return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703 - each value escaped as {{ }} would


class WrittenBooleanRadioSelect(WrittenRadioSelect, BooleanRadioSelect):
    """Wagtail's filter of a yes-or-no field (All, Yes, No: Django's radio templates, its own values),
    written as WrittenRadioSelect writes them."""


# The radio widgets a listing's filters get written, by the widget they are written for.
_WRITTEN_RADIOS = {forms.RadioSelect: WrittenRadioSelect, BooleanRadioSelect: WrittenBooleanRadioSelect}


_ASK = object()


class StencilledIndexView:
    """Mix into a Wagtail IndexView: its plain and title columns are written from stencils, its table's rows
    written without the template's loops, and what the person may do with the listing's model is asked once
    per page, not three times per row for its menu."""

    def user_has_permission(self, permission):
        asked = self.__dict__.setdefault("_permissions_asked", {})
        if permission not in asked:
            asked[permission] = super().user_has_permission(permission)
        return asked[permission]

    def user_has_any_permission(self, permissions):
        asked = self.__dict__.setdefault("_permissions_asked", {})
        key = frozenset(permissions)
        if key not in asked:
            asked[key] = super().user_has_any_permission(permissions)
        return asked[key]

    def _row_url(self, kind: str, instance):
        """A row's URL as Wagtail's `get_<kind>_url` gives it, its key put between the parts of its pattern,
        not reversed once or twice per row (the title's link and its menu both ask for it). Whether a
        listing's rows have such a URL is asked of Wagtail's method once: it depends on what she may do with
        the model, not on the row; the first row's URL, filled in, must be Wagtail's own, or every row asks
        Wagtail."""
        pk = instance.pk
        known = self.__dict__.get("_row_url_parts")
        if known is None:
            known = self.__dict__["_row_url_parts"] = {}  # kind -> (before, after), None (no URL), False (ask)
        # Wagtail quotes the key into the URL; an int's digits are what it writes.
        parts = known.get(kind, _ASK) if type(pk) is int else False
        if parts is _ASK:
            parts = known[kind] = self._row_url_pattern(kind, instance)
        if parts is None:
            return None
        if parts is False:
            return self._wagtails_row_url(kind, instance)
        return f"{parts[0]}{pk}{parts[1]}"

    def _wagtails_row_url(self, kind: str, instance):
        return getattr(super(), f"get_{kind}_url")(instance)

    def _row_url_pattern(self, kind: str, instance):
        url = self._wagtails_row_url(kind, instance)
        if url is None:
            return None
        try:
            parts = key_parts(getattr(self, f"{kind}_url_name"))
        except NoReverseMatch:  # a pattern whose key is not named `pk`
            return False
        return parts if parts is not None and f"{parts[0]}{instance.pk}{parts[1]}" == url else False

    def get_edit_url(self, instance):
        return self._row_url("edit", instance)

    def get_copy_url(self, instance):
        return self._row_url("copy", instance)

    def get_inspect_url(self, instance):
        return self._row_url("inspect", instance)

    def get_delete_url(self, instance):
        return self._row_url("delete", instance)

    @cached_property
    def filters(self):
        filters = super().filters
        for field in filters.form.fields.values() if filters else ():
            written = _WRITTEN_RADIOS.get(type(field.widget))
            if written is not None:
                field.widget.__class__ = written
        return filters

    @cached_property
    def table_class(self):
        found = super().table_class
        return RowsWrittenTable if found is Table else found

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        if column_class is TitleColumn and self.model:
            column_class = StencilledTitleColumn
            kwargs["get_buttons"] = self.get_list_buttons
            if type(self).get_list_buttons is WagtailIndexView.get_list_buttons:
                kwargs["get_more_buttons"] = self.get_list_more_buttons
        return super()._get_title_column(field_name, column_class, **kwargs)

    def _get_custom_column(self, field_name, column_class=Column, **kwargs):
        if column_class is Column:
            column_class = YesNoColumn if _is_yes_or_no(self.model, field_name) else StencilledColumn
        return super()._get_custom_column(field_name, column_class, **kwargs)


class ExportedAsShown:
    """A listing's CSV and XLSX (Wagtail's list_export) say what the listing shows: a choice's label and yes
    or no in her language, a moment in local time to the minute, the sheet named after its records. Wagtail
    wrote the stored codes, Python's True and False, UTC times to the microsecond and a sheet called Sheet1."""

    def to_row_dict(self, item):
        row = super().to_row_dict(item)
        for name, value in row.items():
            row[name] = _exported(self.model, item, name, value)
        return row

    def write_xlsx(self, queryset, output):
        # Wagtail's own, but for the sheet's name.
        from openpyxl import Workbook
        from wagtail.admin.views.mixins import ExcelDateFormatter

        workbook = Workbook(write_only=True, iso_dates=True)
        worksheet = workbook.create_sheet(title=sheet_name(capfirst(str(self.model._meta.verbose_name_plural))))
        worksheet.append(self.get_heading(queryset, field) for field in self.list_export)
        date_format = ExcelDateFormatter().get()
        for item in queryset:
            worksheet.append(self.generate_xlsx_row(worksheet, self.to_row_dict(item), date_format=date_format))
        workbook.save(output)


def csv_formulas_guard_install():
    """Every CSV the admin exports (the project's listings and Wagtail's own reports, such as the site history
    with a trainee's login in a record's label) writes a text that reads as a formula with an apostrophe
    first. Wagtail keeps such a text a text in XLSX only; its CSV wrote the login a trainee's address gives
    her (+1+1 from +1+1@example.org) as it is, which a spreadsheet program that evaluates a CSV runs."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    wagtails = SpreadsheetExportMixin.preprocess_field_value
    if getattr(wagtails, "formula_safe", False):
        return

    def preprocess_field_value(self, field, value, export_format):
        value = wagtails(self, field, value, export_format)
        return formula_safe(value) if export_format == self.FORMAT_CSV else value

    preprocess_field_value.formula_safe = True
    SpreadsheetExportMixin.preprocess_field_value = preprocess_field_value


def _exported(model, item, name, value):
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    if field is not None and getattr(field, "choices", None) and value not in (None, ""):
        return str(getattr(item, f"get_{name}_display")())
    if isinstance(value, bool):
        return _yes_or_no(value)
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None, second=0, microsecond=0)
    return value


class ModelViewSet(WagtailModelViewSet):
    """Wagtail's ModelViewSet whose listing writes its cells from stencils and exports what it shows (every
    viewset of this project)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        view = self.index_view_class
        mixins = tuple(mixin for mixin in (StencilledIndexView, ExportedAsShown) if not issubclass(view, mixin))
        if mixins:
            self.index_view_class = type(view.__name__, (*mixins, view), {})
