import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from core import dates
from core.choices import choice_labels
from core.enums import AttendanceStatus
from reporting.locks import PERIOD_LOCKED
from trainings import calendar, exports, offline, selectors, services
from trainings.dashboard import sections_for
from trainings.enums import EditionStatus, EnrollmentStatus
from trainings.forms import AttendanceForm, RejectForm, TransferForm
from trainings.models import Edition, TrainingSession
from trainings.selectors import ENROL_INTENT_SESSION_KEY

ENROLLED_MESSAGES = {
    EnrollmentStatus.ENROLLED: gettext_lazy("You are enrolled. A confirmation email is on its way."),
    EnrollmentStatus.PENDING_APPROVAL: gettext_lazy(
        "Your enrolment was received and waits for a coordinator's approval."
    ),
    EnrollmentStatus.WAITLISTED: gettext_lazy(
        "This edition is full: you are on the waitlist and will be told when a seat frees."
    ),
}


def _error_message(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _for_trainee(error: ValidationError) -> ValidationError:
    """A refusal as a trainee reads it: that a frozen donor report counts her place, not which report, of which
    project, locked by whom (the organisation's business, and no help to her)."""
    if any(getattr(item, "code", None) == PERIOD_LOCKED for item in getattr(error, "error_list", ())):
        return ValidationError(
            _(
                "Your place in this training is already counted in a report to its funder, so it can no longer "
                "change here. Please write to the organisers."
            ),
            code=PERIOD_LOCKED,
        )
    return error


def _require(request, perm, obj=None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


# Public catalogue -----------------------------------------------------------------------------------------


def catalogue(request):
    """The catalogue in the visitor's language: the Wagtail page of her locale, or this page's own list."""
    page = selectors.catalogue_page_for_language()
    if page is not None:
        url = page.get_url(request)
        if url:
            query = request.GET.urlencode()
            return redirect(f"{url}?{query}" if query else url)
    return render(request, "trainings/catalogue.html", selectors.catalogue_context(data=request.GET, user=request.user))


def edition_detail(request, pk):
    edition = selectors.edition_public(pk=pk)
    if edition is None:
        raise Http404
    enrollment = selectors.enrollments_of(request.user).filter(edition=edition).first()
    return render(
        request,
        "trainings/edition_detail.html",
        {
            "edition": edition,
            "programme": edition.programme,
            "sessions": list(edition.sessions.all()),
            "accreditations": selectors.edition_accreditations(edition),
            "enrollment": enrollment,
            "can_enrol": edition.status == EditionStatus.OPEN
            and edition.enrolment_opens <= dates.now() < edition.enrolment_closes
            and edition.start_date >= dates.today(),
        },
    )


def edition_ics(request, pk):
    """The same per-session events, with the same UIDs, as the personal calendar feeds."""
    edition = get_object_or_404(
        Edition.objects.exclude(status=EditionStatus.PLANNED).select_related("programme"), pk=pk
    )
    return exports.ics_response(calendar.edition_ics(edition=edition), filename=f"training-{edition.pk}.ics")


# Trainee --------------------------------------------------------------------------------------------------


def enrol(request, pk):
    edition = get_object_or_404(
        Edition.objects.exclude(status=EditionStatus.PLANNED).select_related("programme"), pk=pk
    )
    if not request.user.is_authenticated:
        return _enrol_signed_out(request, edition)
    request.session.pop(ENROL_INTENT_SESSION_KEY, None)
    if request.method == "POST":
        try:
            enrollment = services.enrollment_create(edition=edition, user=request.user)
        except ValidationError as error:
            _error_message(request, error)
            return redirect("trainings:edition_detail", pk=edition.pk)
        messages.success(request, ENROLLED_MESSAGES[enrollment.status])
        return redirect("trainings:dashboard")
    existing = selectors.enrollments_of(request.user).filter(edition=edition).first()
    if existing is not None and existing.status not in services.REUSABLE_STATUSES:
        messages.info(
            request, _("You are already on this edition: %(status)s.") % {"status": existing.get_status_display()}
        )
        return redirect("trainings:dashboard")
    return render(request, "trainings/enrol_confirm.html", {"edition": edition})


def _enrol_signed_out(request, edition):
    """She chose an edition before signing in: keep it, and bring her back to it after sign-up or sign-in.

    The sign-up and sign-in links carry this page as `next`, which allauth keeps through the email
    confirmation; the session keeps it too, so that her home page offers it if she arrives there instead.
    """
    request.session[ENROL_INTENT_SESSION_KEY] = edition.pk
    back = urlencode({"next": reverse("trainings:enrol", args=[edition.pk])})
    return render(
        request,
        "trainings/enrol_signed_out.html",
        {
            "edition": edition,
            "signup_url": f"{reverse('account_signup')}?{back}",
            "login_url": f"{reverse('account_login')}?{back}",
        },
    )


@login_required
@require_POST
def cancel(request, pk):
    enrollment = get_object_or_404(selectors.enrollments_of(request.user), pk=pk)
    _require(request, "trainings.manage_own_enrollment", enrollment)
    try:
        services.enrollment_cancel(enrollment=enrollment, by=request.user)
    except ValidationError as error:
        _error_message(request, _for_trainee(error))
    else:
        messages.success(request, _("Your enrolment was cancelled."))
    return redirect("trainings:dashboard")


@login_required
@require_POST
def confirm_offer(request, pk):
    enrollment = get_object_or_404(selectors.enrollments_of(request.user), pk=pk)
    _require(request, "trainings.manage_own_enrollment", enrollment)
    try:
        services.enrollment_offer_confirm(enrollment=enrollment, by=request.user)
    except ValidationError as error:
        _error_message(request, _for_trainee(error))
    else:
        messages.success(request, _("Your seat is confirmed."))
    return redirect("trainings:dashboard")


@login_required
def transfer(request, pk):
    enrollment = get_object_or_404(selectors.enrollments_of(request.user).select_related("edition__programme"), pk=pk)
    _require(request, "trainings.manage_own_enrollment", enrollment)
    form = TransferForm(request.POST or None, targets=selectors.transfer_targets(enrollment=enrollment))
    if request.method == "POST" and form.is_valid():
        try:
            new = services.enrollment_transfer(
                enrollment=enrollment, to_edition=form.cleaned_data["edition"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, _for_trainee(error))
        else:
            messages.success(request, ENROLLED_MESSAGES.get(new.status, _("Your enrolment was moved.")))
            return redirect("trainings:dashboard")
    return render(request, "trainings/transfer.html", {"enrollment": enrollment, "form": form})


@login_required
def dashboard(request):
    trainings = selectors.trainee_trainings(user=request.user)
    return render(
        request,
        "trainings/dashboard.html",
        {
            **trainings,
            "sections": sections_for(request),
            "attendance_labels": dict(AttendanceStatus.choices),
            "catalogue_url": reverse("trainings:catalogue"),
        },
    )


# Trainer --------------------------------------------------------------------------------------------------


@login_required
def trainer_editions(request):
    _require(request, "trainings.view_trainer_pages")
    editions = list(selectors.trainer_editions(user=request.user))
    today = dates.today()
    return render(
        request,
        "trainings/trainer_editions.html",
        {
            "upcoming": [e for e in editions if e.end_date >= today][::-1],
            "past": [e for e in editions if e.end_date < today],
            "device_keep": offline.device_keep_for(request.user),
        },
    )


def _managed_edition(request, pk) -> Edition:
    edition = get_object_or_404(selectors.editions_for(request.user).select_related("programme"), pk=pk)
    _require(request, "trainings.manage_edition", edition)
    return edition


@login_required
def participants(request, pk):
    edition = _managed_edition(request, pk)
    sessions, rows = selectors.edition_participants(edition=edition)
    return render(
        request,
        "trainings/participants.html",
        {
            "edition": edition,
            "sessions": sessions,
            "rows": rows,
            "waiting": list(selectors.edition_waiting(edition=edition)),
            "attendance_labels": dict(AttendanceStatus.choices),
            "can_close": request.user.has_perm("trainings.close_edition", edition)
            and edition.status not in (EditionStatus.CLOSED, EditionStatus.CANCELLED),
            "closes_after": selectors.edition_last_session_end(sessions),
        },
    )


@login_required
def participants_xlsx(request, pk):
    edition = _managed_edition(request, pk)
    sessions, rows = selectors.edition_participants(edition=edition)
    return exports.participants_xlsx(
        edition=edition, sessions=sessions, rows=rows, filename=f"participants-edition-{edition.pk}.xlsx"
    )


@login_required
def sign_in_sheet(request, pk):
    edition = _managed_edition(request, pk)
    sessions, rows = selectors.edition_participants(edition=edition)
    return render(request, "trainings/sign_in_sheet.html", {"edition": edition, "sessions": sessions, "rows": rows})


@login_required
def session_attendance(request, pk):
    session = get_object_or_404(selectors.sessions_for(request.user).select_related("edition__programme"), pk=pk)
    _require(request, "trainings.manage_edition", session.edition)
    kept = offline.attendance_screen_context(request, session)  # the copy a trainer's phone keeps offline
    participants = selectors.session_participants(session=session)
    form = AttendanceForm(request.POST or None, participants=participants)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.attendance_record(session=session, marks=form.marks(), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                ngettext("Attendance saved for %(count)d person.", "Attendance saved for %(count)d people.", saved)
                % {"count": saved},
            )
            return redirect("trainings:session_attendance", pk=session.pk)
    return render(
        request,
        "trainings/session_attendance.html",
        {
            "session": session,
            "edition": session.edition,
            "participants": participants,
            "rows": form.rows(),
            "form": form,
            # Each label translated once for the page, not once per participant.
            "attendance_choices": list(choice_labels(AttendanceStatus.choices).items()),
            "not_yet": dates.local_date(session.start) > dates.today() and not kept["device_copy"],
            # The copy kept on her phone holds the marks and names only, not who changed what.
            "changes": [] if kept["device_copy"] else selectors.session_attendance_changes(session=session),
            **kept,
        },
    )


@login_required
def check_in_qr(request, pk):
    """The trainer's screen: a QR code that changes every half minute, so a photo of it is soon useless."""
    import segno

    session = get_object_or_404(selectors.sessions_for(request.user).select_related("edition__programme"), pk=pk)
    _require(request, "trainings.manage_edition", session.edition)
    if not session.edition.self_check_in:
        raise Http404
    if not services.check_in_open(session=session):
        return render(request, "trainings/check_in_qr.html", {"session": session, "edition": session.edition})
    token = services.check_in_token(session=session)
    url = request.build_absolute_uri(reverse("trainings:check_in", args=[session.pk])) + f"?t={token}"
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=8, border=2, xmldecl=False, title=_("Check-in code"))
    return render(
        request,
        "trainings/check_in_qr.html",
        {
            "session": session,
            "edition": session.edition,
            "qr_svg": buffer.getvalue().decode(),
            "check_in_url": url,
            "refresh_seconds": services.CHECK_IN_ROTATION_SECONDS,
        },
    )


@login_required
def check_in(request, pk):
    session = get_object_or_404(
        TrainingSession.objects.filter(edition__enrollments__user=request.user).select_related("edition__programme"),
        pk=pk,
    )
    token = request.POST.get("t") or request.GET.get("t", "")
    if request.method == "POST":
        try:
            services.attendance_check_in(session=session, user=request.user, token=token)
        except ValidationError as error:
            _error_message(request, error)
        else:
            messages.success(request, _("You are checked in. Welcome!"))
            return redirect("trainings:dashboard")
    return render(
        request,
        "trainings/check_in.html",
        {"session": session, "token": token, "open": services.check_in_open(session=session)},
    )


# Coordinator ----------------------------------------------------------------------------------------------


@login_required
def approvals(request):
    _require(request, "trainings.approve_enrollment")
    return render(
        request,
        "trainings/approvals.html",
        {"pending": list(selectors.pending_approvals()), "reject_form": RejectForm()},
    )


@login_required
@require_POST
def approval_decide(request, pk, decision):
    _require(request, "trainings.approve_enrollment")
    enrollment = get_object_or_404(selectors.pending_approvals(), pk=pk)
    try:
        if decision == "approve":
            services.enrollment_approve(enrollment=enrollment, by=request.user)
            messages.success(request, _("The enrolment was approved."))
        else:
            form = RejectForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.enrollment_reject(enrollment=enrollment, by=request.user, reason=reason)
            messages.success(request, _("The enrolment was not approved."))
    except ValidationError as error:
        _error_message(request, error)
    return redirect("trainings:approvals")


@login_required
@require_POST
def edition_close(request, pk):
    edition = _managed_edition(request, pk)
    _require(request, "trainings.close_edition", edition)
    try:
        result = services.edition_close(edition=edition, by=request.user)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(
            request,
            _("The edition is closed: %(completed)d completed, %(not_completed)d did not complete.") % result,
        )
    return redirect("trainings:participants", pk=edition.pk)
