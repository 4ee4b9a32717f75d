"""Site-wide middleware: her profile's language on every page, and work posted after her login ended.

Both sit after Django's authentication middleware; KeptWorkMiddleware sits before the session time-out,
so it still sees who was logged in when a form arrives just after the time-out ended her login.
"""

import json
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from accounts.middleware import session_passed_mfa
from accounts.roles import is_staff_role
from core.fields import decrypt_text, encrypt_text

LANGUAGE_SESSION_KEY = "_haven_language"


def profile_language_forget(request) -> None:
    """Read her profile's language again on the next request (after she changed it)."""
    request.session.pop(LANGUAGE_SESSION_KEY, None)


class ProfileLanguageMiddleware:
    """After sign-in, her profile's language is the language of every page of the application.

    Public Wagtail pages keep the language of their address (they are the page in that language, with a
    language switcher of their own). The language is kept in the session, so a page costs no query for
    it. Choosing a language in the switcher while signed in changes her profile too, so the switcher keeps
    working and emails follow her choice.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "POST" and request.path == _profile_path():
            profile_language_forget(request)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        url_name = match.url_name if match is not None else None
        if url_name == "set_language" and request.method == "POST":
            self._remember_choice(request, user)
            return None
        if url_name == "wagtail_serve":
            return None
        language = request.session.get(LANGUAGE_SESSION_KEY)
        if language is None:
            profile = getattr(user, "profile", None)
            language = getattr(profile, "preferred_language", "") or ""
            request.session[LANGUAGE_SESSION_KEY] = language
        if language and language != translation.get_language():
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return None

    def _remember_choice(self, request, user):
        from accounts.services import profile_language_set

        language = request.POST.get("language", "")
        if language in dict(settings.LANGUAGES):
            profile_language_set(user=user, language=language)
            request.session[LANGUAGE_SESSION_KEY] = language


def _profile_path() -> str:
    return reverse("accounts:profile")


# Work posted after the login ended -------------------------------------------------------------------------

KEPT_SESSION_KEY = "_haven_kept_work"
KEPT_FIELD = "_haven_kept_work"  # the button on the page that offers the work back: "send" or "discard"
KEEP_SECONDS = 30 * 60
KEEP_MAX_CHARACTERS = 100_000
NOT_KEPT = {"csrfmiddlewaretoken", KEPT_FIELD}


def posted_fields(post) -> list[tuple[str, str]]:
    """What she typed or chose, as (name, value) pairs, less the CSRF token and anything like a password."""
    return [
        (name, value)
        for name, values in post.lists()
        if name not in NOT_KEPT and "password" not in name.lower()
        for value in values
    ]


def _login_paths() -> set[str]:
    paths = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            paths.add(reverse(settings.LOGIN_URL))
    return paths


def _is_login_redirect(response) -> bool:
    if response.status_code not in (301, 302, 303) or "Location" not in response:
        return False
    return urlsplit(response["Location"]).path in _login_paths()


class KeptWorkMiddleware:
    """A form sent after her login ended is kept, and offered back once she has logged in again.

    It is kept in her (new) session, encrypted with the field encryption keys, bound to the account that
    was logged in when the form arrived and for KEEP_SECONDS only: another person who logs in on the same
    browser never sees it. After her login she is shown what was kept, and sends it (with a fresh token)
    or discards it. Files are not kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        account_before = session.get(SESSION_KEY) if session is not None else None
        response = self.get_response(request)
        if (
            request.method == "POST"
            and account_before is not None
            and not request.user.is_authenticated
            and _is_login_redirect(response)
        ):
            self._keep(request, account_before)
        return response

    def _keep(self, request, account):
        fields = posted_fields(request.POST)
        if not fields or sum(len(name) + len(value) for name, value in fields) > KEEP_MAX_CHARACTERS:
            return
        kept = {"account": str(account), "path": request.path, "fields": fields, "at": int(time.time())}
        request.session[KEPT_SESSION_KEY] = encrypt_text(json.dumps(kept))
        messages.info(request, _("What you were saving has been kept. Log in again and you can send it."))

    def process_view(self, request, view_func, view_args, view_kwargs):
        session = getattr(request, "session", None)
        if session is None or KEPT_SESSION_KEY not in session or not request.user.is_authenticated:
            return None
        kept = self._kept_for(request)
        if kept is None or kept["path"] != request.path:
            return None
        if request.method == "POST":
            choice = request.POST.get(KEPT_FIELD)
            if choice is None:
                return None
            session.pop(KEPT_SESSION_KEY, None)
            if choice == "discard":
                messages.info(request, _("What was kept has been discarded."))
                return redirect(request.get_full_path())
            return None  # "send": the view gets the form as she sent it first
        if settings.HAVEN_REQUIRE_STAFF_MFA and is_staff_role(request.user) and not session_passed_mfa(request):
            return None  # the second factor first: the MFA middleware sends her there
        response = render(request, "website/kept_work.html", {"kept_fields": kept["fields"], "kept_path": kept["path"]})
        add_never_cache_headers(response)
        return response

    def _kept_for(self, request):
        try:
            kept = json.loads(decrypt_text(request.session[KEPT_SESSION_KEY]))
        except (ValueError, TypeError, ImproperlyConfigured):
            kept = None
        fresh = kept is not None and time.time() - kept.get("at", 0) <= KEEP_SECONDS
        if not fresh or kept.get("account") != str(request.user.pk):
            request.session.pop(KEPT_SESSION_KEY, None)
            return None
        return kept
