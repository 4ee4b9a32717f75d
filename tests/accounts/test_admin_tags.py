"""Wagtail's admin tags with the parts every admin page repeats written once (accounts.admin_tags): the
same HTML as Wagtail's own."""

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.template import Context, Engine, engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.dates import MONTHS
from wagtail.admin.templatetags import wagtailadmin_tags as wagtail_tags
from wagtail.models import Locale
from wagtail.users.models import UserProfile

from accounts import admin_tags
from accounts.checks import template_libraries_named_once

DIALOG = "{% load wagtailadmin_tags %}{% keyboard_shortcuts_dialog %}"
MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15"
LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


def test_the_admin_uses_wagtails_tags_but_those_written_once():
    library = engines["django"].engine.template_libraries["wagtailadmin_tags"]
    assert library is admin_tags.register
    wagtails = wagtail_tags.register
    assert library.tags.keys() == wagtails.tags.keys()
    assert sorted(name for name, tag in library.tags.items() if tag is not wagtails.tags[name]) == [
        "icon",
        "keyboard_shortcuts_dialog",
        "sidebar_props",
        "versioned_static",
        "wagtail_config",
    ]
    assert library.filters == wagtails.filters


def _wagtails_engine():
    """The project's template engine with Wagtail's own admin tags."""
    ours = engines["django"].engine
    libraries = {**ours.libraries, "wagtailadmin_tags": "wagtail.admin.templatetags.wagtailadmin_tags"}
    return Engine(dirs=ours.dirs, app_dirs=True, libraries=libraries)


def _dialogs(user, user_agent, language):
    """(ours, Wagtail's own) for one request."""
    request = RequestFactory().get("/admin/", headers={"user-agent": user_agent})
    request.user = user
    with translation.override(language):
        ours = engines["django"].from_string(DIALOG).render({"request": request})
        wagtails = _wagtails_engine().from_string(DIALOG).render(Context({"request": request}))
    return ours, wagtails


@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
def test_the_keyboard_shortcuts_are_wagtails_own_for_each_computer_and_choice(coordinator, language):
    written = set()
    for shortcuts_on in (True, False):
        profile = UserProfile.get_for_user(coordinator)
        profile.keyboard_shortcuts = shortcuts_on
        profile.save()
        coordinator.refresh_from_db()
        for user_agent in (MAC, LINUX, ""):
            ours, wagtails = _dialogs(coordinator, user_agent, language)
            assert ours == wagtails
            written.add(ours)
    assert len(written) == 4  # on a Mac or not, the shortcuts on or off
    assert len(admin_tags._dialogs) == 4


@pytest.fixture
def rendered(monkeypatch):
    """The names of the templates the replaced tags render, in order."""
    names = []
    render = admin_tags.get_template

    def counted(name):
        names.append(name)
        return render(name)

    monkeypatch.setattr(admin_tags, "get_template", counted)
    return names


def test_an_admin_page_shows_the_shortcuts_once_written(admin, rendered):
    first = admin(reverse("wagtailadmin_home"))
    second = admin(reverse("case_admin:index"))
    assert rendered.count(admin_tags.KEYBOARD_SHORTCUTS_TEMPLATE) == 1
    assert 'id="keyboard-shortcuts-dialog"' in first.text and 'id="keyboard-shortcuts-dialog"' in second.text


def test_a_template_library_name_used_twice_is_reported_but_the_admins_deliberate_one(settings):
    assert template_libraries_named_once() == []
    engine = settings.TEMPLATES[0]
    libraries = {**engine["OPTIONS"]["libraries"], "i18n": "accounts.admin_tags"}
    settings.TEMPLATES = [{**engine, "OPTIONS": {**engine["OPTIONS"], "libraries": libraries}}]
    found = template_libraries_named_once()
    assert [warning.id for warning in found] == ["accounts.W003"]
    assert found[0].msg.startswith("'i18n' is used for multiple template tag modules")


ICONS = [
    '{% icon name="cogs" %}',
    '{% icon name="arrow-left" classname="default" %}',
    '{% icon name="warning" classname="w-field__errors-icon" wrapped=True %}',
    '{% icon name="lock" title="Locked & <b>closed</b>" %}',
    "{% icon name=name classname=classes title=words %}",
    "{% icon name=name wrapped=True %}",
    '{% icon name="cogs" %}{% icon name="cogs" classname="w-big" %}{% icon name="cogs" wrapped=True %}',
]


@pytest.mark.parametrize("tag", ICONS)
def test_icons_are_wagtails_own(tag):
    code = "{% load wagtailadmin_tags %}" + tag
    values = {"name": "doc-full", "classes": "w-h-4 <x>", "words": 'Her "file"'}
    for _twice in range(2):
        assert engines["django"].from_string(code).render(values) == _wagtails_engine().from_string(code).render(
            Context(values)
        )


def test_an_icon_without_a_title_is_written_once(rendered):
    code = '{% load wagtailadmin_tags %}{% icon name="cogs" %}{% icon name="cogs" %}'
    code += '{% icon name="cogs" title="Settings" %}'
    engines["django"].from_string(code).render({})
    assert rendered == [admin_tags.ICON_TEMPLATE, admin_tags.ICON_TEMPLATE]


CONFIG = '{% load wagtailadmin_tags %}{% wagtail_config as config %}{{ config|json_script:"wagtail-config" }}'


def _configs(user, language, **context):
    """(ours, Wagtail's own) for one request, the form token each gave left out."""
    request = RequestFactory().get("/admin/")
    request.user = user
    request.META["CSRF_COOKIE"] = "x" * 32  # one form secret: the token each writes is a masking of it
    found = []
    with translation.override(language):
        for engine in (engines["django"].engine, _wagtails_engine()):
            html = engine.from_string(CONFIG).render(Context({"request": request, **context}))
            token = re.search(r'"CSRF_TOKEN": "([^"]+)"', html).group(1)
            assert _unmask_cipher_token(token) == "x" * 32
            found.append(html.replace(token, ""))
    return tuple(found)


@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
def test_the_scripts_configuration_is_wagtails_own_as_what_it_reads_changes(coordinator, language):
    profile = UserProfile.get_for_user(coordinator)
    for shortcuts_on in (True, False):
        profile.keyboard_shortcuts = shortcuts_on
        profile.save()
        coordinator.refresh_from_db()
        ours, wagtails = _configs(coordinator, language)
        assert ours == wagtails
        assert f'"KEYBOARD_SHORTCUTS_ENABLED": {"true" if shortcuts_on else "false"}' in ours
    with translation.override(language):
        assert str(MONTHS[1]) in ours
    locale = Locale.objects.get_or_create(language_code="sr-latn")[0]
    ours, wagtails = _configs(coordinator, language, locale=locale)
    assert ours == wagtails and '"ACTIVE_CONTENT_LOCALE": "sr-latn"' in ours
    Locale.objects.filter(language_code="sr-latn").delete()  # the content languages are read each time
    ours, wagtails = _configs(coordinator, language)
    assert ours == wagtails and '"code": "sr-latn"' not in ours
    assert len(admin_tags._configs) == 1


STATIC = "{% load wagtailadmin_tags %}{% versioned_static path %}"


def test_static_addresses_are_wagtails_own_under_each_address_prefix():
    from django.urls import set_script_prefix

    paths = ["wagtailadmin/js/core.js", "wagtailadmin/css/core.css", "https://example.org/x.js", "/already/x.css"]
    try:
        for prefix in ("/", "/haven/"):
            set_script_prefix(prefix)
            for path in paths * 2:
                ours = engines["django"].from_string(STATIC).render({"path": path})
                assert ours == _wagtails_engine().from_string(STATIC).render(Context({"path": path}))
        assert len(admin_tags._statics) == 2 * len(paths)
    finally:
        set_script_prefix("/")
