"""Training attendance kept on a trainer's phone, for sessions in rooms without a connection.

The shared pieces (the service worker, the page script, reading the marks a phone sends) are in
core/offline.py and static/js/offline.js, as for self-support groups. Here: which screens a trainer's phone
keeps (her own sessions from yesterday to a week ahead; coordinators and other roles keep nothing), what the
attendance screen adds for that, and the endpoint the phone sends its marks to, which applies them through
services.attendance_record like the form.

Each mark carries the time it was made on the phone. When someone else recorded the same person later,
theirs stands and the trainer is told; a mark sent twice changes nothing the second time. Training
attendance has no change log of its own (completion changes are logged), so a mark that lost is not kept.
"""

from collections import defaultdict
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from core import dates, offline
from core.enums import AttendanceStatus
from trainings import services
from trainings.models import TrainingAttendance
from trainings.rules import sessions_for

AREA_PERMISSION = "trainings.view_trainer_panel"  # trainers: the people who take attendance in the room
DAYS_BEFORE, DAYS_AHEAD = 1, 7


def may_keep(user, edition) -> bool:
    return user.has_perm(AREA_PERMISSION) and user.has_perm("trainings.manage_edition", edition)


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
            "title": f"{s.edition.programme.title} · "
            f"{formats.date_format(dates.local_time(s.start), 'SHORT_DATETIME_FORMAT')}",
        }
        for s in sessions
    ]
    return {**areas[0], "screens": screens}


def attendance_screen_context(request, session) -> dict:
    """What the attendance screen adds for offline use. `?device=1` is the copy her phone keeps: the form
    even before the session's day (her phone opens it on the day), and no messages (they belong to the next
    page she opens)."""
    device_copy = request.GET.get("device") == "1"
    keeps = may_keep(request.user, session.edition)
    if device_copy and not keeps:
        raise Http404
    context = {
        "device_copy": device_copy,
        "may_keep": keeps,
        "opens_at": dates.start_of_day(dates.local_date(session.start)),
        "sync_url": reverse("trainings:attendance_sync"),
        "device_keep": {} if device_copy else device_keep_for(request.user),
    }
    if device_copy:
        context["messages"] = []
    return context


def attendance_sync(request):
    """Marks a trainer's phone kept while offline (JSON in, JSON out), applied through the same service."""
    if request.method != "POST":
        return JsonResponse({"error": "method"}, status=405)
    if not request.user.is_authenticated:
        return offline.device_login_needed()
    try:
        batch = offline.device_batch_parse(request.body)
    except ValidationError as refused:
        return JsonResponse({"error": "invalid", "message": " ".join(refused.messages)}, status=400)
    by_session = defaultdict(dict)
    for mark in sorted(batch.marks, key=lambda m: m.marked_at):
        by_session[mark.session_id][mark.subject_id] = mark  # her later mark for one person replaces an earlier one
    sessions = {s.pk: s for s in sessions_for(request.user).select_related("edition").filter(pk__in=list(by_session))}
    results = []
    for session_id, marks in by_session.items():
        session = sessions.get(session_id)
        if session is None or not request.user.has_perm("trainings.manage_edition", session.edition):
            message = _("This session is not one of yours, so these marks were not saved.")
            results.extend({"id": m.client_id, "outcome": "refused", "message": message} for m in marks.values())
            continue
        results.extend(_apply(session, marks, request.user))
    answered = {r["id"] for r in results}
    results.extend({"id": m.client_id, "outcome": "already"} for m in batch.marks if m.client_id not in answered)
    if batch.from_form and not any(r["outcome"] == "refused" for r in results):
        messages.success(request, _("Attendance saved."))
    return JsonResponse({"results": results})


def _apply(session, marks, user) -> list[dict]:
    if any(mark.status not in AttendanceStatus.values for mark in marks.values()):
        message = _("Choose present, absent or excused.")
        return [{"id": m.client_id, "outcome": "refused", "message": message} for m in marks.values()]
    current = {a.enrollment_id: a for a in TrainingAttendance.objects.filter(session=session, enrollment__in=marks)}
    apply, results = {}, []
    for enrollment_id, mark in marks.items():
        now = current.get(enrollment_id)
        result = {"id": mark.client_id, "session": session.pk, "subject": enrollment_id, "status": mark.status}
        if now is not None and now.recorded_by_id != user.pk and now.recorded_at > mark.marked_at:
            # Someone else recorded her after this mark was made on the phone: the later mark stands.
            result.update(outcome="superseded", changed_by_someone_else=True, status=now.status)
        elif now is not None and now.status == mark.status:
            result.update(outcome="unchanged")
        else:
            apply[enrollment_id] = mark.status
            result.update(outcome="saved", changed_by_someone_else=bool(now and now.recorded_by_id != user.pk))
        result["status_label"] = str(AttendanceStatus(result["status"]).label) if result["status"] else ""
        results.append(result)
    try:
        services.attendance_record(session=session, marks=apply, by=user)
    except ValidationError as refused:
        message = " ".join(refused.messages)
        return [{"id": m.client_id, "outcome": "refused", "message": message} for m in marks.values()]
    return results
