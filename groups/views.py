from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.enums import AuditAction
from audit.services import audit_record, audit_record_many
from core import dates
from core.enums import AttendanceStatus
from groups import exports
from groups.forms import AttendanceForm, ExcuseForm, ScheduleForm, SessionNotesForm
from groups.selectors import (
    cohort_attendance_grid,
    cohort_list_for,
    cohort_memberships,
    cohorts_for,
    local_date,
    membership_is_active_on,
    session_attendance_changes,
    session_attendance_map,
    session_memberships,
    sessions_for,
)
from groups.services import (
    ATTENDANCE_EARLY_WINDOW,
    attendance_excuse,
    attendance_record,
    cohort_schedule_generate,
    session_notes_save,
)


def _cohort_or_404(request, pk, perm):
    cohort = get_object_or_404(cohorts_for(request.user), pk=pk)
    if not request.user.has_perm(perm, cohort):
        raise Http404
    return cohort


def _session_or_404(request, pk, perm):
    session = get_object_or_404(sessions_for(request.user), pk=pk)
    if not request.user.has_perm(perm, session.cohort):
        raise Http404
    return session


@login_required
def my_cohorts(request):
    cohorts = list(cohort_list_for(request.user))
    return render(request, "groups/my_cohorts.html", {"cohorts": cohorts})


def _excuse_form(memberships, sessions, data=None):
    now = dates.now()
    upcoming = [s for s in sessions if not s.cancelled and s.start > now]
    current = [m for m in memberships if m.left_on is None or m.left_on >= local_date(now)]
    return ExcuseForm(data, memberships=current, sessions=upcoming)


@login_required
def cohort_detail(request, pk):
    cohort = _cohort_or_404(request, pk, "groups.view_cohort")
    sessions = list(cohort.sessions.order_by("start", "pk"))
    memberships = list(cohort_memberships(cohort=cohort))
    audit_record_many(
        actor=request.user,
        action=AuditAction.VIEW,
        objects=[m.member for m in memberships],
        request=request,
        detail=f"cohort {cohort.pk}",
    )
    now = dates.now()
    next_session = next((s for s in sessions if not s.cancelled and s.end >= now), None)
    return render(
        request,
        "groups/cohort_detail.html",
        {
            "cohort": cohort,
            "sessions": sessions,
            "memberships": memberships,
            "current_members": [m for m in memberships if membership_is_active_on(m, local_date(now))],
            "next_session": next_session,
            "excuse_form": _excuse_form(memberships, sessions),
            "now": now,
        },
    )


@login_required
@require_POST
def attendance_excuse_view(request, pk):
    cohort = _cohort_or_404(request, pk, "groups.record_attendance_cohort")
    sessions = list(cohort.sessions.order_by("start", "pk"))
    memberships = list(cohort_memberships(cohort=cohort))
    form = _excuse_form(memberships, sessions, data=request.POST)
    if form.is_valid():
        session = next(s for s in sessions if s.pk == form.cleaned_data["session"])
        member = next(m.member for m in memberships if m.member_id == form.cleaned_data["member"])
        try:
            attendance_excuse(session=session, member=member, by=request.user, request=request)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The absence was marked as excused."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("groups:cohort_detail", pk=cohort.pk)


@login_required
def session_attendance(request, pk):
    session = _session_or_404(request, pk, "groups.record_attendance_cohort")
    memberships = session_memberships(session=session)
    current = session_attendance_map(session=session)
    data = request.POST if request.method == "POST" else None
    form = AttendanceForm(data, memberships=memberships, current=current)
    if data is not None and form.is_valid():
        try:
            attendance_record(session=session, marks=form.cleaned_data["marks"], by=request.user, request=request)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Attendance saved."))
            return redirect("groups:session_attendance", pk=session.pk)
    if data is None:
        audit_record_many(
            actor=request.user,
            action=AuditAction.VIEW,
            objects=[m.member for m in memberships],
            request=request,
            detail=f"attendance {session.pk}",
        )
    rows = form.rows()
    return render(
        request,
        "groups/session_attendance.html",
        {
            "session": session,
            "cohort": session.cohort,
            "form": form,
            "rows": rows,
            "choices": AttendanceStatus.choices,
            "marked": sum(1 for row in rows if row["saved"]),
            "changes": session_attendance_changes(session=session),
            "too_early": session.start - dates.now() > ATTENDANCE_EARLY_WINDOW,
        },
    )


@login_required
def session_notes(request, pk):
    session = _session_or_404(request, pk, "groups.view_notes_cohort")
    form = SessionNotesForm(request.POST or None, initial={"notes": session.notes})
    if request.method == "POST":
        if not request.user.has_perm("groups.edit_notes_cohort", session.cohort):
            raise Http404
        if form.is_valid():
            session_notes_save(session=session, notes=form.cleaned_data["notes"], by=request.user, request=request)
            messages.success(request, _("Session notes saved."))
            return redirect("groups:session_notes", pk=session.pk)
    else:
        audit_record(actor=request.user, action=AuditAction.VIEW, obj=session, request=request, detail="notes")
    return render(request, "groups/session_notes.html", {"session": session, "cohort": session.cohort, "form": form})


@login_required
def cohort_overview(request, pk):
    cohort = _cohort_or_404(request, pk, "groups.view_cohort")
    grid = cohort_attendance_grid(cohort=cohort)
    audit_record_many(
        actor=request.user,
        action=AuditAction.VIEW,
        objects=[row.membership.member for row in grid.rows],
        request=request,
        detail=f"overview {cohort.pk}",
    )
    return render(request, "groups/cohort_overview.html", {"cohort": cohort, "grid": grid})


@login_required
def cohort_overview_xlsx(request, pk):
    cohort = _cohort_or_404(request, pk, "groups.export_cohort")
    grid = cohort_attendance_grid(cohort=cohort)
    audit_record_many(
        actor=request.user,
        action=AuditAction.EXPORT,
        objects=[row.membership.member for row in grid.rows],
        request=request,
        detail=f"overview xlsx {cohort.pk}",
    )
    return exports.cohort_overview_xlsx(grid=grid)


@login_required
def cohort_schedule(request, pk):
    cohort = _cohort_or_404(request, pk, "groups.generate_schedule_cohort")
    form = ScheduleForm(request.POST or None, initial={"count": cohort.programme.usual_session_count})
    if request.method == "POST" and form.is_valid():
        try:
            sessions = cohort_schedule_generate(cohort=cohort, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(count)s sessions were added.") % {"count": len(sessions)})
            return redirect("groups:cohort_detail", pk=cohort.pk)
    return render(request, "groups/cohort_schedule.html", {"cohort": cohort, "form": form})
