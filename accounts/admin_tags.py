"""Wagtail's admin template tags, with the parts every admin page repeats written once.

Installed as the template library `wagtailadmin_tags` (settings.TEMPLATES), so Wagtail's templates are
used as they ship: every tag and filter is Wagtail's own but these five.

- `sidebar_props`: the sidebar, kept per person and per state of what it shows (accounts.admin_sidebar).
- `keyboard_shortcuts_dialog`: the dialog listing the admin's keyboard shortcuts, on every page and the
  same for everyone with the same shortcuts: Wagtail builds what it lists (the keys of her computer, the
  shortcuts she turned off), and the dialog is written once for that and the language (2.5 ms of each
  admin page at ten times the bench's data).
- `wagtail_config`: the settings Wagtail's scripts read (`wagtail-config`), on every page: its addresses
  and translated strings (the months, the weekdays, the bulk actions' words) are the same for a language
  and the site's address prefix, and are written once for them; the form token, the content languages
  (read from the database), the page's content language and her keyboard shortcuts are read each time.
- `versioned_static`: a static file's address with Wagtail's version, fifteen on each admin page, each
  worked out once per address prefix (the files and Wagtail's version are fixed while the process runs).
- `icon`: an icon (an SVG that uses the admin's sprite), sixteen to sixty on each admin page, each
  written once for its name, classes and wrapping; one with a title (words for screen readers) is
  written as Wagtail writes it, every time.
"""

from django import template
from django.conf import settings
from django.db import router
from django.http.request import HttpHeaders
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.urls import get_script_prefix, reverse
from django.utils.encoding import force_str
from django.utils.translation import get_language
from wagtail.admin.localization import get_js_translation_strings
from wagtail.admin.templatetags import wagtailadmin_tags as wagtail_tags
from wagtail.models import Locale

from accounts.admin_sidebar import sidebar_forget, sidebar_props
from core.sql import PreparedRows

KEYBOARD_SHORTCUTS_TEMPLATE = "wagtailadmin/shared/keyboard_shortcuts_dialog.html"
ICON_TEMPLATE = "wagtailadmin/shared/icon.html"
ICONS_KEPT = 1000

# A handful of entries: languages times the few variants of what the dialog lists.
_dialogs: dict[str, str] = {}


def _plain(value):
    """What the dialog lists, as text in the active language (its labels are translated lazily)."""
    if isinstance(value, dict):
        return [(_plain(key), _plain(item)) for key, item in value.items()]
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, bool):
        return value
    return str(value)


def keyboard_shortcuts_dialog(context):
    listed = wagtail_tags.keyboard_shortcuts_dialog(context)
    key = repr((get_language(), get_script_prefix(), _plain(listed)))
    written = _dialogs.get(key)
    if written is None:
        written = _dialogs[key] = get_template(KEYBOARD_SHORTCUTS_TEMPLATE).render(listed)
    return written


# One entry per language and address prefix.
_configs: dict[tuple, dict] = {}


def _config_kept() -> dict:
    key = (get_language(), get_script_prefix())
    kept = _configs.get(key)
    if kept is None:
        kept = _configs[key] = {
            "CSRF_HEADER_NAME": HttpHeaders.parse_header_name(settings.CSRF_HEADER_NAME),
            "ADMIN_API": {
                "PAGES": reverse("wagtailadmin_api:pages:listing"),
                "DOCUMENTS": reverse("wagtailadmin_api:documents:listing"),
                "IMAGES": reverse("wagtailadmin_api:images:listing"),
                "EXTRA_CHILDREN_PARAMETERS": "",
            },
            "ADMIN_URLS": {
                "DISMISSIBLES": reverse("wagtailadmin_dismissibles"),
                "PAGES": reverse("wagtailadmin_explore_root"),
                "BLOCK_PREVIEW": reverse("wagtailadmin_block_preview"),
            },
            "I18N_ENABLED": wagtail_tags.i18n_enabled(),
            "STRINGS": get_js_translation_strings(),
        }
    return kept


# The content languages in Wagtail's order, compiled once: a Locale model per language built through the ORM
# cost 0.27 ms of every admin page. Each named as Wagtail names it (a Locale made from its code).
_locale_codes = PreparedRows(lambda: Locale.objects.values_list("language_code"), kinds=())


def _locales() -> list[Locale]:
    return [Locale(language_code=code) for (code,) in _locale_codes(using=router.db_for_read(Locale))]


def wagtail_config(context):
    """Wagtail's `wagtail_config`, its keys in its order (the page's JSON is the same, byte for byte)."""
    request = context["request"]
    kept = _config_kept()
    config = {
        "CSRF_TOKEN": get_token(request),
        "CSRF_HEADER_NAME": kept["CSRF_HEADER_NAME"],
        "ADMIN_API": kept["ADMIN_API"],
        "ADMIN_URLS": kept["ADMIN_URLS"],
        "I18N_ENABLED": kept["I18N_ENABLED"],
        "LOCALES": [
            {"code": locale.language_code, "display_name": force_str(locale.get_display_name())}
            for locale in _locales()
        ],
        "STRINGS": kept["STRINGS"],
    }
    if locale := context.get("locale"):
        config["ACTIVE_CONTENT_LOCALE"] = locale.language_code
    user = getattr(request, "user", None)
    config["KEYBOARD_SHORTCUTS_ENABLED"] = (
        user.wagtail_userprofile.keyboard_shortcuts if hasattr(user, "wagtail_userprofile") else True
    )
    return config


_statics: dict[tuple, str] = {}
STATICS_KEPT = 1000


def versioned_static(path):
    key = (get_script_prefix(), path)
    found = _statics.get(key)
    if found is None:
        found = wagtail_tags.versioned_static(path)
        if len(_statics) < STATICS_KEPT:
            _statics[key] = found
    return found


_icons: dict[tuple, str] = {}


def icon(name=None, classname=None, title=None, wrapped=False):
    drawn = wagtail_tags.icon(name=name, classname=classname, title=title, wrapped=wrapped)
    if title is not None:
        return get_template(ICON_TEMPLATE).render(drawn)
    key = (str(name), str(classname or ""), bool(wrapped))
    written = _icons.get(key)
    if written is None:
        written = get_template(ICON_TEMPLATE).render(drawn)
        if len(_icons) < ICONS_KEPT:
            _icons[key] = written
    return written


def admin_tags_forget() -> None:
    """Forget every kept sidebar, dialog, configuration, static address and icon (tests)."""
    sidebar_forget()
    _dialogs.clear()
    _configs.clear()
    _statics.clear()
    _icons.clear()


register = template.Library()
register.tags.update(wagtail_tags.register.tags)
register.filters.update(wagtail_tags.register.filters)
register.simple_tag(takes_context=True, name="sidebar_props")(sidebar_props)
register.simple_tag(takes_context=True, name="keyboard_shortcuts_dialog")(keyboard_shortcuts_dialog)
register.simple_tag(takes_context=True, name="wagtail_config")(wagtail_config)
register.simple_tag(name="versioned_static")(versioned_static)
register.simple_tag(name="icon")(icon)
