"""The Wagtail admin's sidebar, written once per person and per state of what it shows.

Wagtail writes the sidebar (its menu, search and account menu, packed for its script) on every admin
page: a third of a listing's time at ten times the bench's data (11 to 21 ms of 34 to 82), the same
output on every page a coordinator opens. What it shows depends on who she is (name, e-mail, avatar, the
tips she dismissed), what she may do (her roles, her Django permissions, her page and collection
permissions, whose paths also say where the page explorer starts), the language and the site's address
prefix. All of it is read on each page (her roles and Django permissions are read for the page anyway;
the rest in three light queries) and digested into the key, so a change through any door (a role revoked
on the accounts page, a group's permissions changed by a migration, a name changed in raw SQL) is a new
key: nothing to invalidate, nothing stale shown. Permissions decide what the admin's views let her do;
the sidebar only links.

A menu item whose visibility depends on anything else must add it to `_key` (the test compares this
sidebar with Wagtail's own after each of those changes). Entries live in this process, the most recent
`KEPT` of them, for at most `KEPT_SECONDS` (an avatar's address may be signed with an expiry).

Wagtail's templates call it through the template library `wagtailadmin_tags` (accounts.admin_tags).
"""

import hashlib
import threading
import time
from collections import OrderedDict

from django.db import router
from django.urls import get_script_prefix
from django.utils.translation import get_language
from wagtail.admin.templatetags import wagtailadmin_tags as wagtail_tags
from wagtail.models import GroupCollectionPermission, GroupPagePermission

from accounts.roles import user_roles
from core.sql import PreparedRows

KEPT = 256
KEPT_SECONDS = 300

# Compiled once: built through the ORM on each page they cost 0.7 ms, against 0.05 ms.
_page_permissions = PreparedRows(
    lambda user_id: GroupPagePermission.objects.filter(group__user=user_id).values_list(
        "page__path", "permission__codename"
    )
)
_collection_permissions = PreparedRows(
    lambda user_id: GroupCollectionPermission.objects.filter(group__user=user_id).values_list(
        "collection__path", "permission__codename"
    )
)

_now = time.monotonic  # how long an entry has been kept; not a date (core.dates)
_kept: OrderedDict[str, tuple[float, str]] = OrderedDict()
_lock = threading.Lock()


def _key(request) -> str:
    user = request.user
    profile = getattr(user, "wagtail_userprofile", None)
    using = user._state.db or router.db_for_read(GroupPagePermission)
    parts = (
        get_language(),
        get_script_prefix(),
        user.pk,
        user.get_username(),
        user.first_name,
        user.email,
        user.is_active,
        user.is_superuser,
        sorted(user_roles(user)),
        sorted(user.get_all_permissions()),
        # The explorer starts from the pages these name (their common ancestor): their paths say which.
        sorted(_page_permissions(user.pk, using=using)),
        sorted(_collection_permissions(user.pk, using=using)),
        (profile.avatar.name, sorted(profile.dismissibles.items())) if profile else None,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def sidebar_props(context):
    request = context["request"]
    if not getattr(request.user, "is_authenticated", False):
        return wagtail_tags.sidebar_props(context)
    key = _key(request)
    now = _now()
    with _lock:
        kept = _kept.get(key)
        if kept is not None and now - kept[0] < KEPT_SECONDS:
            _kept.move_to_end(key)
            return kept[1]
    written = wagtail_tags.sidebar_props(context)
    with _lock:
        _kept[key] = (now, written)
        _kept.move_to_end(key)
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return written


def sidebar_forget() -> None:
    """Forget every kept sidebar (tests)."""
    with _lock:
        _kept.clear()
