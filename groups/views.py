from functools import lru_cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.enums import AuditAction
from audit.services import audit_record, audit_record_many
from core import dates, offline
from core.enums import AttendanceStatus
from core.paging import query_without_page
from groups import exports
from groups.forms import AttendanceForm, ExcuseForm, FollowUpStepForm, ScheduleForm, SessionCancelForm, SessionNotesForm
from groups.rules import cohorts_for, memberships_for, sessions_for
from groups.selectors import (
    cohort_attendance_grid,
    cohort_list_for,
    cohort_memberships,
    device_keep_for,
    grid_cell_looks,
    local_date,
    member_labels,
    membership_is_active_on,
    session_attendance_changes,
    session_attendance_map,
    session_memberships,
)
from groups.services import (
    ATTENDANCE_EARLY_WINDOW,
    attendance_closed_reason,
    attendance_excuse,
    attendance_record,
    attendance_record_from_device,
    cohort_schedule_generate,
    followup_step_record,
    session_cancel,
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


COHORTS_PER_PAGE = 50


@login_required
def my_cohorts(request):
    """Her cohorts, or every cohort for a coordinator: COHORTS_PER_PAGE at a time."""
    page_obj = Paginator(cohort_list_for(request.user), COHORTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "groups/my_cohorts.html",
        {
            "cohorts": list(page_obj.object_list),
            "page_obj": page_obj,
            "query": query_without_page(request),
            "device_keep": device_keep_for(request.user),
        },
    )


def _excuse_form(memberships, sessions, labels, data=None):
    now = dates.now()
    upcoming = [s for s in sessions if not s.cancelled and s.start > now]
    current = [m for m in memberships if m.left_on is None or m.left_on >= local_date(now)]
    return ExcuseForm(data, memberships=current, sessions=upcoming, labels=labels)


@login_required
def cohort_detail(request, pk):
    cohort = _cohort_or_404(request, pk, "groups.view_cohort")
    sessions = list(cohort.sessions.order_by("start", "pk"))
    memberships = list(cohort_memberships(cohort=cohort))
    labels = member_labels(m.member for m in memberships)
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
            "memberships": [(m, labels[m.member_id]) for m in memberships],
            "current_members": [m for m in memberships if membership_is_active_on(m, local_date(now))],
            "next_session": next_session,
            "excuse_form": _excuse_form(memberships, sessions, labels),
            "may_cancel": request.user.has_perm("groups.cancel_session_cohort", cohort),
            "now": now,
        },
    )


@login_required
@require_POST
def attendance_excuse_view(request, pk):
    cohort = _cohort_or_404(request, pk, "groups.record_attendance_cohort")
    sessions = list(cohort.sessions.order_by("start", "pk"))
    memberships = list(cohort_memberships(cohort=cohort))
    form = _excuse_form(memberships, sessions, member_labels(m.member for m in memberships), data=request.POST)
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
    """The attendance screen. Future, cancelled and locked sessions show who is on the list and why it
    cannot be marked yet (or any more), instead of a form that would refuse on save.

    `?device=1` is the copy her phone keeps for offline use: the marks and aliases only, no change log,
    no links to notes, and the form even before the session day (her phone opens it when the time comes).
    """
    session = _session_or_404(request, pk, "groups.record_attendance_cohort")
    device_copy = request.GET.get("device") == "1"
    if device_copy and not request.user.has_perm("groups.keep_offline_cohort", session.cohort):
        raise Http404
    memberships = session_memberships(session=session)
    labels = member_labels(m.member for m in memberships)
    current = session_attendance_map(session=session)
    now = dates.now()
    closed = attendance_closed_reason(session=session, now=now)
    too_early = session.start - now > ATTENDANCE_EARLY_WINDOW and not session.cancelled
    data = request.POST if request.method == "POST" else None
    form = AttendanceForm(data, memberships=memberships, current=current, labels=labels)
    if data is not None and closed:
        form.add_error(None, closed)
    elif data is not None and form.wants_all_present:
        form = AttendanceForm(form.all_present_data(), memberships=memberships, current=current, labels=labels)
        messages.info(
            request, _("Everyone not marked yet is set to present. Change anyone who is not here, then save.")
        )
    elif data is not None and form.is_valid():
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
            detail=f"{'device copy' if device_copy else 'attendance'} {session.pk}",
        )
    rows = form.rows()
    editable = not closed or (device_copy and too_early)
    changes = [] if device_copy else session_attendance_changes(session=session)
    for change in changes:
        change.label = labels.get(change.attendance.member_id, change.attendance.member.alias)
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
            "changes": changes,
            "closed": closed,
            "editable": editable,
            "too_early": too_early,
            "device_copy": device_copy,
            "opens_at": session.start - ATTENDANCE_EARLY_WINDOW,
            "device_keep": {} if device_copy else device_keep_for(request.user),
            "sync_url": reverse("groups:attendance_sync"),
            "may_keep": request.user.has_perm("groups.keep_offline_cohort", session.cohort),
            # The copy kept on her phone carries no message: a message belongs to the next page she opens.
            **({"messages": []} if device_copy else {}),
        },
    )


def attendance_sync(request):
    """Marks a phone kept while offline, sent when the connection came back: each goes through the same
    attendance service as the form (core.offline.device_sync reads them and answers)."""
    return offline.device_sync(
        request,
        sessions_of=lambda ids: sessions_for(request.user).filter(pk__in=ids),
        may_record=lambda session: request.user.has_perm("groups.record_attendance_cohort", session.cohort),
        record=lambda session, marks: attendance_record_from_device(
            session=session, marks=marks, by=request.user, request=request
        ),
    )


@login_required
def session_cancel_view(request, pk):
    """Cancelling cannot be undone from this page: it asks first, on a page of its own, with the reason."""
    session = _session_or_404(request, pk, "groups.cancel_session_cohort")
    if session.cancelled:
        messages.info(request, _("This session is already cancelled."))
        return redirect("groups:cohort_detail", pk=session.cohort_id)
    form = SessionCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session_cancel(session=session, reason=form.cleaned_data["reason"], by=request.user, request=request)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The session was cancelled. Its facilitators were told."))
            return redirect("groups:cohort_detail", pk=session.cohort_id)
    return render(request, "groups/session_cancel.html", {"session": session, "cohort": session.cohort, "form": form})


@login_required
def session_sign_in_sheet(request, pk):
    """A printed list for the room when no phone works: aliases only, a box to sign or tick per member."""
    session = _session_or_404(request, pk, "groups.print_sign_in_sheet_cohort")
    memberships = session_memberships(session=session)
    labels = member_labels(m.member for m in memberships)
    audit_record_many(
        actor=request.user,
        action=AuditAction.EXPORT,
        objects=[m.member for m in memberships],
        request=request,
        detail=f"sign-in sheet {session.pk}",
    )
    return render(
        request,
        "groups/sign_in_sheet.html",
        {"session": session, "cohort": session.cohort, "names": [labels[m.member_id] for m in memberships]},
    )


@login_required
@require_POST
def followup_step(request):
    form = FollowUpStepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That follow-up could not be recorded. Reload the page and try again."))
        return redirect("home")
    membership = get_object_or_404(memberships_for(request.user), pk=form.cleaned_data["membership"])
    session = get_object_or_404(sessions_for(request.user), pk=form.cleaned_data["session"])
    try:
        followup_step_record(
            membership=membership, absence_session=session, step=form.cleaned_data["step"], by=request.user,
            request=request,
        )  # fmt: skip
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Follow-up noted."))
    next_url = request.POST.get("next", "")
    if next_url == "overview":
        return redirect("groups:cohort_overview", pk=membership.cohort_id)
    return redirect("home")


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


def overview_session_heads(sessions) -> tuple[str, ...]:
    """The overview's column head of each session: its day, its date and time in a tooltip, a cross when it
    was cancelled. Formatting two dates for each of a hundred sessions was a quarter of the page, and they
    seldom change between two views: the heads are kept per language, time zone and the sessions' times and
    states, which is all they say (a changed session is another key, so nothing stale is shown)."""
    return _session_heads(
        get_language(), timezone.get_current_timezone_name(), tuple((s.start, s.cancelled) for s in sessions)
    )


@lru_cache(maxsize=128)  # the sessions' times only, no one's name: about 20 KB an entry
def _session_heads(_language, _zone, sessions) -> tuple[str, ...]:
    cancelled = _("cancelled")
    heads = []
    for start, was_cancelled in sessions:
        start = timezone.localtime(start)
        heads.append(
            format_html(
                '<th scope="col"><abbr title="{}{}">{}</abbr>{}</th>',
                date_format(start, "DATETIME_FORMAT"),
                f" ({cancelled})" if was_cancelled else "",
                date_format(start, "MONTH_DAY_FORMAT"),
                format_html('<span class="visually-hidden"> {}</span>✕', cancelled) if was_cancelled else "",
            )
        )
    return tuple(heads)


@login_required
def cohort_overview(request, pk):
    cohort = _cohort_or_404(request, pk, "groups.view_cohort")
    grid = cohort_attendance_grid(cohort=cohort)
    labels = member_labels(row.membership.member for row in grid.rows)
    audit_record_many(
        actor=request.user,
        action=AuditAction.VIEW,
        objects=[row.membership.member for row in grid.rows],
        request=request,
        detail=f"overview {cohort.pk}",
    )
    # Each look of a cell written once for the page, and each row's cells joined from them by the template's
    # join (which leaves what format_html made as it is): the template wrote every cell of the grid (thousands)
    # itself, and format_html_join, asked to, formatted each cell again (a sixth of the page).
    looks = {
        look: format_html('<td class="{}">{}<span class="visually-hidden">{}</span></td>', css, symbol, label)
        for look, (css, symbol, label) in grid_cell_looks().items()
    }
    return render(
        request,
        "groups/cohort_overview.html",
        {
            "cohort": cohort,
            "grid": grid,
            "session_heads": overview_session_heads(grid.sessions),
            "rows": [
                (
                    row,
                    labels[row.membership.member_id],
                    [looks[cell.look] for cell in row.cells],
                )
                for row in grid.rows
            ],
            "flagged": [(row, labels[row.membership.member_id]) for row in grid.flagged_rows],
            "may_follow_up": request.user.has_perm("groups.follow_up_cohort", cohort),
        },
    )


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
            messages.success(
                request,
                ngettext("%(count)s session was added.", "%(count)s sessions were added.", len(sessions))
                % {"count": len(sessions)},
            )
            return redirect("groups:cohort_detail", pk=cohort.pk)
    return render(request, "groups/cohort_schedule.html", {"cohort": cohort, "form": form})
