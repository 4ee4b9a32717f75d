"""Training attendance kept on a trainer's phone, for sessions in rooms without a connection.

The shared pieces (the service worker, the page script, reading and answering the marks a phone sends, the
rules that decide each mark) are in core/offline.py, core/attendance.py and static/js/offline.js, as for
self-support groups. Here: which screens a trainer's phone keeps (her own sessions from yesterday to a week
ahead; coordinators and other roles keep nothing), what the attendance screen adds for that, and the
endpoint the phone sends its marks to, which applies them through the attendance service the form uses.

Each mark carries the time it was made on the phone and its id. When a later mark was recorded for the same
person, it stands and hers is kept in the change log (the trainer is told when the later one was someone
else's); a mark sent twice changes nothing the second time.
"""

from datetime import timedelta

from django.http import Http404
from django.urls import reverse

from core import dates, offline
from core.formatting import local_moment
from trainings import services
from trainings.rules import sessions_for

AREA_PERMISSION = "trainings.view_trainer_panel"  # trainers: the people who take attendance in the room
DAYS_BEFORE, DAYS_AHEAD = 1, 7


def device_keep_for(user) -> dict:
    """The area's scope and start page and the screens her phone keeps; empty for anyone who keeps nothing."""
    areas = [offline.area_urls(a) for a in offline.areas_for(user) if a.permission == AREA_PERMISSION]
    if not areas:
        return {}
    today = dates.today()
    sessions = (
        sessions_for(user)
        .filter(
            edition__trainers=user,
            cancelled=False,
            start__gte=dates.start_of_day(today - timedelta(days=DAYS_BEFORE)),
            start__lt=dates.end_of_day(today + timedelta(days=DAYS_AHEAD)),
        )
        .select_related("edition__programme")
        .order_by("start", "pk")
    )
    screens = [
        {
            "url": reverse("trainings:session_attendance", args=[s.pk]),
            "title": f"{s.edition.programme.title} · {local_moment(s.start)}",
        }
        for s in sessions
    ]
    return {**areas[0], "screens": screens}


def attendance_screen_context(request, session) -> dict:
    """What the attendance screen adds for offline use, for a person the screen already let manage the
    session's edition. `?device=1` is the copy her phone keeps (if she also takes attendance in the room):
    the form even before the session's day (her phone opens it on the day), and no messages (they belong to
    the next page she opens)."""
    device_copy = request.GET.get("device") == "1"
    keeps = request.user.has_perm(AREA_PERMISSION)
    if device_copy and not keeps:
        raise Http404
    context = {
        "device_copy": device_copy,
        "may_keep": keeps,
        "opens_at": services.attendance_opens_at(session),
        "sync_url": reverse("trainings:attendance_sync"),
        "device_keep": {} if device_copy else device_keep_for(request.user),
    }
    if device_copy:
        context["messages"] = []
    return context


def attendance_sync(request):
    """Marks a trainer's phone kept while offline (JSON in, JSON out), applied through the same service."""
    return offline.device_sync(
        request,
        sessions_of=lambda ids: sessions_for(request.user).select_related("edition").filter(pk__in=ids),
        may_record=lambda session: request.user.has_perm("trainings.manage_edition", session.edition),
        record=lambda session, marks: services.attendance_record_from_device(
            session=session, marks=marks, by=request.user
        ),
    )
