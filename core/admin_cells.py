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
"""

import copy
import re

from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from wagtail.admin.ui.tables import ButtonsColumnMixin, Column, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet as WagtailModelViewSet
from wagtail.admin.widgets.button import Button, ButtonWithDropdown, ListingButton

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

    def fill(self, values: list[str]) -> str:
        out = [self.parts[0]]
        for slot, part in zip(self.slots, self.parts[1:], strict=True):
            out.append(values[slot])
            out.append(part)
        return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703 - Wagtail's rendered template, each value escaped


class _Values:
    """The texts of one cell that differ from row to row, as stand-ins and as they will be written."""

    def __init__(self):
        self.written: list[str] = []

    def text(self, value) -> str:
        """A value the template writes with {{ }} escaped, as a string already (a link, an id, a label)."""
        self.written.append(conditional_escape(value))
        return _stand_in(len(self.written) - 1)

    def shown(self, value, context) -> str:
        """A value the template writes with {{ }} as it is (a date, a number, a record): formatted as
        Django formats it there."""
        self.written.append(render_value_in_context(value, context))
        return _stand_in(len(self.written) - 1)


def _button_stand_in(button, values: _Values):
    """(shape, a copy of the button with stand-ins for its link and attributes), or None for a button this
    module does not know."""
    kind = type(button)
    if kind not in (*_BUTTONS, ButtonWithDropdown) or not button.show:
        return None
    stand_in = copy.copy(button)
    shape = [kind, str(button.label), button.icon_name, button.classname, button.priority, bool(button.url)]
    if button.url:
        stand_in.url = values.text(button.url)
    if kind is ButtonWithDropdown:
        inner = []
        for dropdown_button in button.dropdown_buttons:
            found = _button_stand_in(dropdown_button, values)
            if found is None:
                return None
            shape.append(found[0])
            inner.append(found[1])
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
    stand_in.attrs = attrs
    return tuple(shape), stand_in


class _StencilledCells:
    """For a column whose cells are rendered from stencils, kept on the column (one per listing page)."""

    def render_cell_html(self, instance, parent_context):
        context = self.get_cell_context_data(instance, parent_context)
        values = _Values()
        found = self.stencil_context(context, values)
        if found is None:
            return self.cell_template.render(context)
        shape, stand_in_context = found
        stencils = self.__dict__.setdefault("_stencils", {})
        stencil = stencils.get(shape)
        if stencil is None:
            stencil = stencils[shape] = _Stencil(self.cell_template.render(stand_in_context), len(values.written))
        if not stencil.usable:
            return self.cell_template.render(context)
        return stencil.fill(values.written)


class StencilledColumn(_StencilledCells, Column):
    """Wagtail's Column (tables/cell.html: the value or nothing)."""

    def stencil_context(self, context, values):
        value = context["value"]
        if value is None:
            return ("none",), context
        return ("value",), {**context, "value": values.shown(value, Context())}


class StencilledTitleColumn(_StencilledCells, ButtonsColumnMixin, TitleColumn):
    """Wagtail's title column of a listing (tables/title_cell.html: the title, its link, the row's menu)."""

    def __init__(self, *args, get_buttons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._get_buttons = get_buttons

    def get_buttons(self, instance, parent_context):
        return self._get_buttons(instance) if self._get_buttons else []

    def stencil_context(self, context, values):
        link_url, link_attrs = context["link_url"], context["link_attrs"]
        shape = ["title", bool(link_url), bool(context["title_id"]), bool(context["label_id"])]
        changed = {"value": values.shown(context["value"], Context())}
        if link_url:
            if link_attrs.get("href") != link_url or set(link_attrs) - {"href", "class"}:
                return None
            changed["link_url"] = values.text(link_url)
            changed["link_attrs"] = {**link_attrs, "href": changed["link_url"]}
        for name in ("title_id", "label_id"):
            if context[name]:
                changed[name] = values.text(context[name])
        buttons = []
        for button in context["buttons"]:
            found = _button_stand_in(button, values)
            if found is None:
                return None
            shape.append(found[0])
            buttons.append(found[1])
        changed["buttons"] = buttons
        return tuple(shape), {**context, **changed}


class StencilledIndexView:
    """Mix into a Wagtail IndexView: its plain and title columns are written from stencils, and what the
    person may do with the listing's model is asked once per page, not three times per row for its menu."""

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

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        if column_class is TitleColumn and self.model:
            column_class = StencilledTitleColumn
            kwargs["get_buttons"] = self.get_list_buttons
        return super()._get_title_column(field_name, column_class, **kwargs)

    def _get_custom_column(self, field_name, column_class=Column, **kwargs):
        if column_class is Column:
            column_class = StencilledColumn
        return super()._get_custom_column(field_name, column_class, **kwargs)


class ModelViewSet(WagtailModelViewSet):
    """Wagtail's ModelViewSet whose listing writes its cells from stencils (every viewset of this project)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not issubclass(self.index_view_class, StencilledIndexView):
            view = self.index_view_class
            self.index_view_class = type(view.__name__, (StencilledIndexView, view), {})
