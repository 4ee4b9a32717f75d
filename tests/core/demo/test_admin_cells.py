"""The administration's listings write their cells from stencils (core.admin_cells): the same HTML as
Wagtail's own rendering, row for row, in every language, for every listing of the project."""

import re

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext
from wagtail.admin.viewsets import viewsets as admin_viewsets
from wagtail.admin.viewsets.model import ModelViewSet

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

    fills = []
    real_fill = admin_cells._Stencil.fill
    monkeypatch.setattr(admin_cells._Stencil, "fill", lambda self, values: fills.append(1) or real_fill(self, values))
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
            rendered = client.get(url)
        table = _listing_tables(stencilled.content.decode())
        assert table == _listing_tables(rendered.content.decode()), url
        compared += bool(table)
    assert compared >= 15
    assert len(fills) > 200  # the stencils were used, not set aside

    places = client.get(reverse("municipalities:index")).content.decode()
    assert "Novi &lt;b&gt;Sad&lt;/b&gt; &amp; &quot;Zemun&quot; &#x27;Stari&#x27; grad" in places
    assert "<b>Sad</b>" not in places
    with translation.override(language):
        edit = gettext("Edit")
    assert language == "en" or edit != "Edit"
    assert f"{edit}\n" in client.get(reverse("group_members:index")).content.decode()


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
