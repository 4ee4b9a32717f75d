"""The administration's listings write their cells from stencils (core.admin_cells): the same HTML as
Wagtail's own rendering, row for row, in every language, for every listing of the project."""

import re

import pytest
from django import forms
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from wagtail.admin.ui.tables import Column, Table
from wagtail.admin.viewsets import viewsets as admin_viewsets
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import BooleanRadioSelect

from accounts.models import Profile
from accounts.roles import role_permissions_sync
from core import admin_cells
from core.choices import project_models
from core.models import Municipality

# Wagtail's own listings (sites, users, groups, locales) and the snippets' are Wagtail's rendering.
NOT_STENCILLED = {"cases.Institution"}
HOSTILE = "Novi <b>Sad</b> & \"Zemun\" 'Stari' grad"


@pytest.fixture(scope="module")
def _demo_once(demo_loaded, module_transaction, django_db_blocker):
    with django_db_blocker.unblock():
        role_permissions_sync()
        Municipality.objects.create(name=HOSTILE)


@pytest.fixture
def demo(_demo_once, db):
    """The demo data (loaded once for this package), a municipality whose name HTML must escape (added once for
    this module)."""


def _project_viewsets():
    reverse("wagtailadmin_home")  # the admin's viewsets are registered with its URLs
    ours = set(project_models())
    for viewset in admin_viewsets.viewsets:
        if isinstance(viewset, ModelViewSet) and getattr(viewset, "model", None) in ours:
            yield viewset


def _listing_tables(html: str) -> str:
    return "".join(table for table in re.findall(r"<table.*?</table>", html, re.S) if 'class="listing' in table)


def _without_tokens(html: str) -> str:
    """A page without what differs from response to response (the form token, a script's nonce)."""
    html = re.sub(r'"CSRF_TOKEN": "[^"]*"', "", html)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'nonce="[^"]*"', "", html)


def _wagtails_own(column, instance, parent_context):
    return column.cell_template.render(column.get_cell_context_data(instance, parent_context))


def test_every_listing_of_the_project_writes_its_cells_from_stencils():
    found = {f"{v.model._meta.app_label}.{v.model.__name__}": v for v in _project_viewsets()}
    assert len(found) >= 20
    plain = [
        label
        for label, viewset in found.items()
        if not issubclass(viewset.index_view_class, admin_cells.StencilledIndexView)
    ]
    assert sorted(plain) == sorted(NOT_STENCILLED)


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
def test_stencilled_cells_are_wagtails_own_html_in_every_language(demo, make_user, client, monkeypatch, language):
    from accounts.enums import Role
    from accounts.middleware import session_record_mfa

    coordinator = make_user(Role.COORDINATOR)
    Profile.objects.filter(user=coordinator).update(preferred_language=language)
    client.force_login(coordinator)
    session = client.session
    session_record_mfa(session, coordinator)
    session.save()

    fills, written = [], []
    real_fill = admin_cells._Stencil.fill
    monkeypatch.setattr(admin_cells._Stencil, "fill", lambda self, values: fills.append(1) or real_fill(self, values))
    radios = []
    real_radio = admin_cells.WrittenRadioSelect.render
    monkeypatch.setattr(
        admin_cells.WrittenRadioSelect, "render", lambda self, *a, **kw: radios.append(1) or real_radio(self, *a, **kw)
    )
    patterned = []
    real_row_url = admin_cells.StencilledIndexView._row_url

    def row_url(self, kind, *rest):
        url = real_row_url(self, kind, *rest)
        patterned.append(isinstance(self.__dict__.get("_row_url_parts", {}).get(kind), tuple))  # not reversed
        return url

    monkeypatch.setattr(admin_cells.StencilledIndexView, "_row_url", row_url)
    real_attrs = admin_cells.written_attrs
    monkeypatch.setattr(admin_cells, "written_attrs", lambda attrs: written.append(1) or real_attrs(attrs))
    plain = []
    real_plain = admin_cells.StencilledColumn.cell_written
    monkeypatch.setattr(
        admin_cells.StencilledColumn, "cell_written", lambda self, *a: plain.append(1) or real_plain(self, *a)
    )
    titled = []
    real_title = admin_cells.StencilledTitleColumn.cell_written

    def title_written(self, *args):
        html = real_title(self, *args)
        titled.append(any(self.__dict__.get("_menu_shapes", {}).values()))  # a menu's values taken as checked
        return html

    monkeypatch.setattr(admin_cells.StencilledTitleColumn, "cell_written", title_written)
    compared = 0
    for viewset in _project_viewsets():
        try:
            url = reverse(f"{viewset.url_namespace}:index")
        except NoReverseMatch:
            continue
        stencilled = client.get(url)
        assert stencilled.status_code == 200, url
        with monkeypatch.context() as whole:
            whole.setattr(admin_cells._StencilledCells, "render_cell_html", _wagtails_own)
            whole.setattr(admin_cells.RowsWrittenTable, "render_html", Table.render_html)
            whole.setattr(admin_cells.WrittenRadioSelect, "render", forms.RadioSelect.render)
            wagtails_url = admin_cells.StencilledIndexView._wagtails_row_url
            whole.setattr(admin_cells.StencilledIndexView, "_row_url", wagtails_url)
            rendered = client.get(url)
        table = _listing_tables(stencilled.content.decode())
        assert table == _listing_tables(rendered.content.decode()), url
        assert _without_tokens(stencilled.content.decode()) == _without_tokens(rendered.content.decode()), url
        compared += bool(table)
    assert compared >= 15
    assert len(fills) > 200  # the stencils were used, not set aside
    assert len(written) > 100  # and the rows written without the template's loops
    assert len(radios) > 10  # and the filters' radio buttons
    assert sum(patterned) > 100  # and the rows' URLs filled into their patterns
    assert len(plain) > 200  # and plain cells written without Wagtail's context for their template
    assert sum(titled) > 100  # and title cells written from their menu items, not Wagtail's buttons

    places = client.get(reverse("municipalities:index")).content.decode()
    assert "Novi &lt;b&gt;Sad&lt;/b&gt; &amp; &quot;Zemun&quot; &#x27;Stari&#x27; grad" in places
    assert "<b>Sad</b>" not in places
    with translation.override(language):
        edit = gettext("Edit")
    assert language == "en" or edit != "Edit"
    assert f"{edit}\n" in client.get(reverse("group_members:index")).content.decode()


def test_a_menu_of_anything_but_plain_items_is_left_to_wagtail():
    from wagtail.admin.ui.menus import MenuItem

    class Hidden(MenuItem):
        def is_shown(self, user):
            return False

    plain = MenuItem("Edit", "/edit/1/", icon_name="edit", priority=10)
    assert admin_cells._menu_kind([plain, MenuItem("Copy", "", priority=20)]) == (
        ("Edit", "edit", 10, True),
        ("Copy", "", 20, False),
    )
    assert admin_cells._menu_kind([]) == ()
    assert admin_cells._menu_kind([plain, Hidden("Secret", "/secret/")]) is None
    linked = MenuItem("Edit", "/edit/1/")
    linked.link_rel = "noopener"  # Wagtail's button gets a rel of it
    assert admin_cells._menu_kind([linked]) is None


def test_a_menu_whose_values_would_be_written_wrong_is_written_wagtails_way(demo, make_user, client, monkeypatch):
    """Should what this module writes for a kind of menu ever differ from Wagtail's buttons (a Wagtail that
    labels its menus otherwise), the first row of that kind shows it, and those rows are Wagtail's."""
    from accounts.enums import Role
    from accounts.middleware import session_record_mfa

    coordinator = make_user(Role.COORDINATOR)
    client.force_login(coordinator)
    session = client.session
    session_record_mfa(session, coordinator)
    session.save()
    url = reverse("group_members:index")
    written = client.get(url).content.decode()
    kinds = []
    real = admin_cells.StencilledTitleColumn.cell_written

    def title_written(self, *args):
        html = real(self, *args)
        kinds.append(dict(self.__dict__.get("_menu_shapes", {})))
        return html

    monkeypatch.setattr(admin_cells.StencilledTitleColumn, "cell_written", title_written)
    monkeypatch.setattr(admin_cells, "_MORE_OPTIONS", "Something else for '%(title)s'")
    wrong = client.get(url).content.decode()
    assert kinds and all(shape is False for shapes in kinds for shape in shapes.values())
    assert _listing_tables(wrong) == _listing_tables(written)
    assert "Something else" not in wrong


def test_a_table_template_whose_rows_loop_changed_is_rendered_as_wagtail_renders_it(monkeypatch):
    assert admin_cells._table_without_rows() is not None
    monkeypatch.setattr(admin_cells, "_ROWS_LOOP", admin_cells._ROWS_LOOP.replace("row.values", "row.items"))
    monkeypatch.setattr(admin_cells, "_table_templates", {})
    assert admin_cells._table_without_rows() is None
    table = admin_cells.RowsWrittenTable([Column("name")], [Municipality(name=HOSTILE)])
    html = table.render_html({"request": None})
    assert html == Table.render_html(table, {"request": None})
    assert "Novi &lt;b&gt;Sad&lt;/b&gt;" in html


@pytest.mark.parametrize(
    ("choices", "value", "attrs"),
    [
        ([("", "All"), ("open", "Open"), ("closed", HOSTILE)], "closed", {"id": "id_status"}),
        ([("", "All"), ("open", "Open")], None, {"id": "id_status", "class": "w-radio <x>", "required": True}),
        ([(1, "One"), (2, "Two & more")], 2, {}),
        ([("a", gettext_lazy("Edit")), (HOSTILE, "x")], HOSTILE, {"id": "id_x", "disabled": True, "data-x": False}),
        ([("Group", [("a", "A"), ("b", "B")]), ("c", "C")], "a", {"id": "id_g"}),  # Django's own rendering
        ([("a", 3), ("b", "B")], "a", {"id": "id_n"}),  # a number for a label: Django's own rendering
    ],
)
@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
def test_written_radio_buttons_are_djangos_own_html(choices, value, attrs, language):
    with translation.override(language):
        written = admin_cells.WrittenRadioSelect(choices=choices).render("status", value, attrs=attrs)
        django = forms.RadioSelect(choices=choices).render("status", value, attrs=attrs)
    assert written == django
    assert "<x>" not in written and "<b>Sad</b>" not in written


@pytest.mark.parametrize("value", [None, "", True, False, "true", "false", "maybe"])
@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
def test_written_yes_or_no_radio_buttons_are_wagtails_own_html(value, language):
    attrs = {"id": "id_cancelled"}
    with translation.override(language):
        written = admin_cells.WrittenBooleanRadioSelect().render("cancelled", value, attrs=attrs)
        wagtail = BooleanRadioSelect().render("cancelled", value, attrs=attrs)
    assert written == wagtail
    assert written.count(" checked") == 1  # All, Yes or No


def test_a_stencil_is_set_aside_where_a_stand_in_was_not_escaped_as_a_value_would_be():
    stand_in = admin_cells._stand_in(0)
    escaped = admin_cells._Stencil(f"<a href='x'>{admin_cells.conditional_escape(stand_in)}</a>", 1)
    assert escaped.usable
    assert escaped.fill(["&lt;b&gt;"]) == "<a href='x'>&lt;b&gt;</a>"

    raw = admin_cells._Stencil(f"<a>{stand_in}</a>", 1)  # written without escaping (|safe)
    assert not raw.usable
    encoded = admin_cells._Stencil("<a href='/x/%3C%22%26%27zq0qz%3E'>", 1)  # a filter of its own (|urlencode)
    assert not encoded.usable
    twice = admin_cells._Stencil(f"{admin_cells.conditional_escape(stand_in)} %3C%22%26%27zq0qz%3E", 1)
    assert not twice.usable
