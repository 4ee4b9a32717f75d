"""Wagtail's admin template tags, with the parts every admin page repeats written once.

Installed as the template library `wagtailadmin_tags` (settings.TEMPLATES), so Wagtail's templates are
used as they ship: every tag and filter is Wagtail's own but these three.

- `sidebar_props`: the sidebar, kept per person and per state of what it shows (accounts.admin_sidebar).
- `keyboard_shortcuts_dialog`: the dialog listing the admin's keyboard shortcuts, on every page and the
  same for everyone with the same shortcuts: Wagtail builds what it lists (the keys of her computer, the
  shortcuts she turned off), and the dialog is written once for that and the language (2.5 ms of each
  admin page at ten times the bench's data).
- `icon`: an icon (an SVG that uses the admin's sprite), sixteen to sixty on each admin page, each
  written once for its name, classes and wrapping; one with a title (words for screen readers) is
  written as Wagtail writes it, every time.
"""

from django import template
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.translation import get_language
from wagtail.admin.templatetags import wagtailadmin_tags as wagtail_tags

from accounts.admin_sidebar import sidebar_forget, sidebar_props

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
    """Forget every kept sidebar, dialog and icon (tests)."""
    sidebar_forget()
    _dialogs.clear()
    _icons.clear()


register = template.Library()
register.tags.update(wagtail_tags.register.tags)
register.filters.update(wagtail_tags.register.filters)
register.simple_tag(takes_context=True, name="sidebar_props")(sidebar_props)
register.simple_tag(takes_context=True, name="keyboard_shortcuts_dialog")(keyboard_shortcuts_dialog)
register.simple_tag(name="icon")(icon)
