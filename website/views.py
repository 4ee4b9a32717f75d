import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotFound, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.dashboard import Panel
from core.exports import ics_response
from website import feeds, selectors, services


@require_GET
@never_cache
def calendar_feed(request, token):
    """A person's calendar subscription. Unknown and revoked tokens get the same empty 404."""
    feed = selectors.calendar_feed_by_token(token)
    if feed is None:
        return HttpResponseNotFound(b"", content_type="text/plain")
    profile = getattr(feed.user, "profile", None)
    language = getattr(profile, "preferred_language", None) or translation.get_language()
    with translation.override(language):
        body = feeds.feed_ics(feed, name=_("My Haven calendar"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _feed_url(request, feed) -> str:
    return request.build_absolute_uri(reverse("website_public:calendar_feed", kwargs={"token": feed.token}))


@login_required
@never_cache
def calendar_settings(request):
    feed = services.calendar_feed_get_or_create(user=request.user)
    url = _feed_url(request, feed)
    webcal = "webcal://" + url.split("://", 1)[1]
    return render(request, "website/calendar_feed.html", {"feed_url": url, "webcal_url": webcal})


@login_required
@require_POST
def calendar_regenerate(request):
    services.calendar_feed_regenerate(user=request.user)
    messages.success(request, _("You have a new calendar link. The old link no longer works."))
    return redirect("website:calendar_settings")


def leave_safely(request):
    return render(request, "website/leave_safely.html")


def get_help(request):
    """Get help now: who to call at once, and how to reach the centre, for anyone, in her language."""
    contact = selectors.contact_page_for_language(translation.get_language())
    return render(request, "website/get_help.html", {"contact": contact})


@login_required
@require_POST
def session_keepalive(request):
    """The "Stay signed in" button: any request counts as activity for the idle time-out; this one does nothing else."""
    from django.http import JsonResponse
    from django.utils.http import url_has_allowed_host_and_scheme

    from accounts.middleware import SESSION_SEEN

    request.session[SESSION_SEEN] = int(time.time())
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"ok": True})
    target = request.POST.get("next", "")
    # Only a path on this site; redirect() would read any other text as a view name and fail.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    return HttpResponseRedirect(target)


def _event_download(event, *, filename):
    return ics_response(feeds.calendar_build([event]), filename=filename)


@login_required
def group_session_ics(request, pk):
    session = get_object_or_404(selectors.group_sessions_for(request.user), pk=pk)
    return _event_download(feeds.group_session_event(session), filename=f"group-session-{session.pk}.ics")


@login_required
def booking_ics(request, pk):
    booking = get_object_or_404(selectors.bookings_for(request.user), pk=pk)
    return _event_download(feeds.booking_event(booking), filename=f"booking-{booking.pk}.ics")


def training_session_ics(request, pk):
    session = get_object_or_404(selectors.training_sessions_for(request.user), pk=pk)
    return _event_download(feeds.training_session_event(session), filename=f"training-session-{session.pk}.ics")


def edition_ics(request, pk):
    edition = get_object_or_404(selectors.editions_for(request.user), pk=pk)
    return ics_response(feeds.edition_ics_bytes(edition), filename=f"training-{edition.pk}.ics")


def calendar_panel(request):
    """The personal home page links to the calendar subscription for everyone who has a calendar."""
    if not request.user.has_perm("website.use_calendar"):
        return None
    return Panel("website/panels/calendar.html", {})
