from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.enums import AuditAction
from audit.services import audit_record, audit_record_many
from core import dates
from counseling import selectors, services
from counseling.enums import BookingStatus
from counseling.forms import (
    BookingForm,
    CancelForm,
    ClientCreateForm,
    ClientForm,
    IntakeAcceptForm,
    IntakeForm,
    MarkForm,
    NotesForm,
    RescheduleForm,
    SlotSearchForm,
)


def _require(request, perm, obj=None):
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def _errors_to_form(form, exc: ValidationError):
    for message in exc.messages:
        form.add_error(None, message)


def _parse_day(value) -> date:
    try:
        return date.fromisoformat(value) if value else dates.today()
    except ValueError:
        return dates.today()


def _booking_for(request, pk):
    """A booking the user may see, or 404: a foreign id reveals nothing."""
    return get_object_or_404(selectors.bookings_for(request.user), pk=pk)


# Bookings ---------------------------------------------------------------------------------------------------


@login_required
def my_bookings(request):
    _require(request, "counseling.add_booking")
    view = "week" if request.GET.get("view") == "week" else "day"
    day = _parse_day(request.GET.get("date"))
    first = day - timedelta(days=day.weekday()) if view == "week" else day
    length = 7 if view == "week" else 1
    bookings = list(selectors.bookings_between(user=request.user, first_day=first, days=length))
    audit_record_many(
        actor=request.user,
        action=AuditAction.VIEW,
        objects={b.client_id: b.client for b in bookings}.values(),
        request=request,
        detail="counseling bookings list",
    )
    days = []
    for offset in range(length):
        current = first + timedelta(days=offset)
        days.append({"date": current, "bookings": [b for b in bookings if dates.local_time(b.start).date() == current]})
    step = timedelta(days=length)
    return render(
        request,
        "counseling/my_bookings.html",
        {
            "view": view,
            "day": day,
            "days": days,
            "previous": first - step,
            "next": first + step,
            "today": dates.today(),
            "is_empty": not bookings,
        },
    )


@login_required
def booking_new(request):
    _require(request, "counseling.add_booking")
    may_override = request.user.has_perm("counseling.override_availability")
    counselors = selectors.counselors_for(request.user)
    clients = selectors.clients_for(request.user)
    initial = {
        key: request.GET[key]
        for key in ("counselor", "client", "kind", "room", "date", "start_time", "end_time")
        if key in request.GET
    }
    form = BookingForm(
        request.POST or None, initial=initial, counselors=counselors, clients=clients, may_override=may_override
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booking = services.booking_create(
                counselor=data["counselor"],
                client=data["client"],
                room=data["room"],
                start=data["start"],
                end=data["end"],
                kind=data["kind"],
                status=data["status"],
                by=request.user,
                confirm_outside_availability=data.get("confirm_outside_availability", False),
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            audit_record(actor=request.user, action=AuditAction.CREATE, obj=booking, request=request)
            messages.success(request, _("The booking was saved."))
            return redirect("counseling:booking_detail", pk=booking.pk)
    return render(request, "counseling/booking_form.html", {"form": form, "title": _("New booking")})


@login_required
def booking_detail(request, pk):
    booking = _booking_for(request, pk)
    _require(request, "counseling.view_booking", booking)
    may_notes = request.user.has_perm("counseling.view_booking_notes", booking)
    notes_form = None
    if may_notes:
        notes_form = NotesForm(request.POST or None, initial={"notes": booking.notes})
        if request.method == "POST" and notes_form.is_valid():
            services.booking_notes_save(booking=booking, notes=notes_form.cleaned_data["notes"], by=request.user)
            audit_record(actor=request.user, action=AuditAction.CHANGE, obj=booking, request=request, detail="notes")
            messages.success(request, _("The notes were saved."))
            return redirect("counseling:booking_detail", pk=booking.pk)
        audit_record(actor=request.user, action=AuditAction.VIEW, obj=booking, request=request, detail="notes")
    elif request.method == "POST":
        raise PermissionDenied
    open_status = booking.status in (BookingStatus.REQUESTED, BookingStatus.CONFIRMED)
    return render(
        request,
        "counseling/booking_detail.html",
        {
            "booking": booking,
            "notes_form": notes_form,
            "may_change": request.user.has_perm("counseling.change_booking", booking),
            "open_status": open_status,
            "may_confirm": booking.status == BookingStatus.REQUESTED,
            "may_mark": booking.status != BookingStatus.CANCELLED and booking.start <= dates.now(),
            "mark_form": MarkForm(),
        },
    )


@login_required
def booking_reschedule(request, pk):
    booking = _booking_for(request, pk)
    _require(request, "counseling.change_booking", booking)
    may_override = request.user.has_perm("counseling.override_availability")
    local_start, local_end = dates.local_time(booking.start), dates.local_time(booking.end)
    initial = {
        "room": booking.room_id,
        "date": local_start.date(),
        "start_time": local_start.time(),
        "end_time": local_end.time(),
    }
    form = RescheduleForm(request.POST or None, initial=initial, may_override=may_override)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.booking_reschedule(
                booking=booking,
                start=data["start"],
                end=data["end"],
                room=data["room"],
                by=request.user,
                confirm_outside_availability=data.get("confirm_outside_availability", False),
            )
        except ValidationError as exc:
            booking.refresh_from_db()
            _errors_to_form(form, exc)
        else:
            audit_record(actor=request.user, action=AuditAction.CHANGE, obj=booking, request=request, detail="time")
            messages.success(request, _("The booking was moved."))
            return redirect("counseling:booking_detail", pk=booking.pk)
    return render(
        request, "counseling/booking_form.html", {"form": form, "title": _("Reschedule booking"), "booking": booking}
    )


@login_required
def booking_cancel(request, pk):
    booking = _booking_for(request, pk)
    _require(request, "counseling.change_booking", booking)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_cancel(booking=booking, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            audit_record(actor=request.user, action=AuditAction.CHANGE, obj=booking, request=request, detail="cancel")
            messages.success(request, _("The booking was cancelled."))
            return redirect("counseling:booking_detail", pk=booking.pk)
    return render(
        request,
        "counseling/booking_form.html",
        {"form": form, "title": _("Cancel booking"), "booking": booking, "submit_label": _("Cancel booking")},
    )


@login_required
@require_POST
def booking_mark(request, pk):
    booking = _booking_for(request, pk)
    _require(request, "counseling.change_booking", booking)
    form = MarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Confirm the booking, or mark the session as held or as a no-show."))
        return redirect("counseling:booking_detail", pk=booking.pk)
    status = form.cleaned_data["status"]
    try:
        if status == BookingStatus.CONFIRMED:
            services.booking_confirm(booking=booking, by=request.user)
        else:
            services.booking_mark(booking=booking, status=status, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        audit_record(actor=request.user, action=AuditAction.CHANGE, obj=booking, request=request, detail="marked")
        messages.success(request, _("Marked as %(status)s.") % {"status": booking.get_status_display()})
    if request.POST.get("back") == "list":
        return redirect("counseling:my_bookings")
    return redirect("counseling:booking_detail", pk=booking.pk)


@login_required
def slots(request):
    _require(request, "counseling.find_slots")
    counselors = selectors.counselors_for(request.user)
    data = request.GET if "kind" in request.GET else None
    form = SlotSearchForm(data, counselors=counselors, initial={"first_day": dates.today(), "weeks": 1, "minutes": 60})
    found = None
    if form.is_valid():
        chosen = form.cleaned_data["counselor"]
        found = selectors.slots_free(
            counselors=counselors.filter(pk=chosen.pk) if chosen else counselors,
            kind=form.cleaned_data["kind"],
            duration=form.duration,
            first_day=form.cleaned_data["first_day"],
            days=7 * form.cleaned_data["weeks"],
            room=form.cleaned_data["room"],
            limit=selectors.SLOTS_SHOWN,
        )
    return render(request, "counseling/slots.html", {"form": form, "slots": found})


# Clients ----------------------------------------------------------------------------------------------------


@login_required
def client_list(request):
    _require(request, "counseling.list_client")
    clients = list(selectors.clients_for(request.user).order_by("alias", "pk"))
    audit_record_many(actor=request.user, action=AuditAction.VIEW, objects=clients, request=request, detail="list")
    return render(request, "counseling/client_list.html", {"clients": clients})


@login_required
def client_detail(request, pk):
    client = get_object_or_404(selectors.clients_for(request.user), pk=pk)
    _require(request, "counseling.view_client", client)
    may_assign = request.user.has_perm("counseling.override_availability")
    form = ClientForm(request.POST or None, instance=client, may_assign=may_assign)
    if request.method == "POST":
        _require(request, "counseling.change_client", client)
        if form.is_valid():
            data = dict(form.cleaned_data)
            counselors = data.pop("counselors", None)
            try:
                services.client_update(client=client, by=request.user, counselors=counselors, **data)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                audit_record(actor=request.user, action=AuditAction.CHANGE, obj=client, request=request)
                messages.success(request, _("Her file was saved."))
                return redirect("counseling:client_detail", pk=client.pk)
        client.refresh_from_db()
    audit_record(actor=request.user, action=AuditAction.VIEW, obj=client, request=request)
    bookings = selectors.client_bookings(user=request.user, client=client)
    return render(request, "counseling/client_detail.html", {"client": client, "form": form, "bookings": bookings})


@login_required
def client_new(request):
    _require(request, "counseling.add_client")
    may_assign = request.user.has_perm("counseling.override_availability")
    form = ClientCreateForm(request.POST or None, may_assign=may_assign)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        counselors = data.pop("counselors", ())
        try:
            client = services.client_create(by=request.user, counselors=counselors, **data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            audit_record(actor=request.user, action=AuditAction.CREATE, obj=client, request=request)
            messages.success(request, _("Her file was created."))
            return redirect("counseling:client_detail", pk=client.pk)
    return render(request, "counseling/client_form.html", {"form": form})


# Intake -----------------------------------------------------------------------------------------------------


def intake(request):
    """Public: no account. Nothing she types is echoed back or put in a URL."""
    form = IntakeForm(request.POST or None, initial={"preferred_language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        try:
            services.intake_submit(**form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            return redirect("counseling:intake_done")
    return render(request, "counseling/intake.html", {"form": form})


def intake_done(request):
    return render(request, "counseling/intake_done.html")


@login_required
def intake_queue(request):
    _require(request, "counseling.view_intakerequest")
    intakes = list(selectors.intake_queue())
    audit_record_many(actor=request.user, action=AuditAction.VIEW, objects=intakes, request=request, detail="queue")
    accept_form = IntakeAcceptForm(counselors=selectors.counselors_for(request.user))
    return render(request, "counseling/intake_queue.html", {"intakes": intakes, "accept_form": accept_form})


@login_required
@require_POST
def intake_accept(request, pk):
    _require(request, "counseling.change_intakerequest")
    intake_request = get_object_or_404(selectors.intake_queue(), pk=pk)
    form = IntakeAcceptForm(request.POST, counselors=selectors.counselors_for(request.user))
    if not form.is_valid():
        raise Http404
    client = services.intake_accept(intake=intake_request, by=request.user, counselors=form.cleaned_data["counselors"])
    audit_record(actor=request.user, action=AuditAction.CREATE, obj=client, request=request, detail="from intake")
    messages.success(request, _("Her file was created from the request."))
    return redirect("counseling:client_detail", pk=client.pk)


@login_required
@require_POST
def intake_close(request, pk):
    _require(request, "counseling.change_intakerequest")
    intake_request = get_object_or_404(selectors.intake_queue(), pk=pk)
    services.intake_close(intake=intake_request, by=request.user)
    audit_record(actor=request.user, action=AuditAction.CHANGE, obj=intake_request, request=request, detail="closed")
    messages.success(request, _("The request was closed."))
    return redirect("counseling:intake_queue")
