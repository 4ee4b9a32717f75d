from datetime import date, timedelta
from functools import cache
from urllib import parse

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.enums import AuditAction
from audit.services import audit_record, audit_record_many
from core import clientip, dates
from core.formatting import local_time
from core.html import escaped
from core.ratelimit import rate_limit_hit
from counseling import rules, selectors, services
from counseling.enums import BookingStatus
from counseling.forms import (
    BookingForm,
    CancelForm,
    ClientCreateForm,
    ClientForm,
    ClientSearchForm,
    IntakeAcceptForm,
    IntakeForm,
    MarkForm,
    NotesForm,
    RescheduleForm,
    SlotSearchForm,
    date_out_of_range_message,
)
from counseling.models import CLIENT_SECRET_FIELDS

CLIENTS_PER_PAGE = 50
BOOKINGS_PER_PAGE = 50
# Service refusals that belong to one field: the error summary then links to that field.
ERROR_FIELDS = {
    "date_out_of_range": "date",
    "beyond_horizon": "date",
    "end_before_start": "end_time",
    "reason_missing": "reason",
    "reason_long": "reason",
    "room_home": "room",
    "room_missing": "room",
    "room_inactive": "room",
    "interpreter_language": "interpreter_language",
    "alias_missing": "alias",
}


def _require(request, perm, obj=None):
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def _errors_to_form(form, exc: ValidationError):
    for error in exc.error_list:
        field = ERROR_FIELDS.get(error.code)
        form.add_error(field if field in form.fields else None, error)


def _parse_day(value) -> tuple[date, str]:
    """The day asked for in the URL (today when none) and, for a day no calendar can show, why not."""
    if not value:
        return dates.today(), ""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return dates.today(), _("That is not a date. Showing today instead.")
    if not dates.is_sensible_date(day):
        return dates.today(), date_out_of_range_message(dates.latest_date())
    return day, ""


def _booking_for(request, pk):
    """A booking the user may see, or 404: a foreign id reveals nothing."""
    return get_object_or_404(rules.bookings_for(request.user), pk=pk)


# Bookings ---------------------------------------------------------------------------------------------------


def _bookings_page(in_range, *, days, number):
    """The page of bookings asked for (the nearest one, as Paginator.get_page), and how many of them start on
    each day when they fill more than one page. A first page that holds them all is read in one query and
    counted from its rows; otherwise they are counted in one query with each day's count, then the page read."""
    first = number in (None, "", "1")
    if first:
        rows = list(in_range[: BOOKINGS_PER_PAGE + 1])
        if len(rows) <= BOOKINGS_PER_PAGE:
            return Paginator(rows, BOOKINGS_PER_PAGE).page(1), {}
    total, counts = selectors.booking_counts_by_day(in_range, days=days)
    paginator = Paginator(in_range, BOOKINGS_PER_PAGE)
    paginator.count = total
    if first:
        return Page(rows[:BOOKINGS_PER_PAGE], 1, paginator), counts
    return paginator.get_page(number), counts


@login_required
def my_bookings(request):
    """Her calendar: one day, or a week as a grid (days as columns on a laptop, a list of days on a phone).

    A coordinator's week holds every counselor's bookings, so the bookings come BOOKINGS_PER_PAGE at a time,
    earliest first; every day still says how many of its bookings are on other pages."""
    _require(request, "counseling.add_booking")
    view = "week" if request.GET.get("view") == "week" else "day"
    day, bad_date = _parse_day(request.GET.get("date"))
    if bad_date:
        messages.error(request, bad_date)
    first = day - timedelta(days=day.weekday()) if view == "week" else day
    length = 7 if view == "week" else 1
    in_range = selectors.bookings_between(user=request.user, first_day=first, days=length)
    shown_days = [first + timedelta(days=offset) for offset in range(length)]
    page_obj, counts = _bookings_page(in_range, days=shown_days, number=request.GET.get("page"))
    bookings = list(page_obj.object_list)
    audit_record_many(
        actor=request.user,
        action=AuditAction.VIEW,
        objects={b.client_id: b.client for b in bookings}.values(),
        request=request,
        detail="counseling bookings list",
    )
    by_day = {day: [] for day in shown_days}
    for booking in bookings:
        by_day.setdefault(dates.local_date(booking.start), []).append(booking)
    step = timedelta(days=length)
    return render(
        request,
        "counseling/my_bookings.html",
        {
            "view": view,
            "day": day,
            "days": [
                {"date": d, "bookings": items, "elsewhere": max(counts.get(d, 0) - len(items), 0)}
                for d, items in by_day.items()
                if first <= d < first + step
            ],
            "previous": first - step,
            "next": first + step,
            "today": dates.today(),
            "is_empty": not bookings,
            # Whose bookings they are, for those who book for every counselor: asked once, not per booking.
            "show_counselor": request.user.has_perm("counseling.override_availability"),
            "page_obj": page_obj,
            # The page links keep the day or week shown, also when the URL asked for none (today).
            "query": urlencode({"view": view, "date": day.isoformat()}),
        },
        status=400 if bad_date else 200,
    )


@login_required
def booking_new(request):
    _require(request, "counseling.add_booking")
    may_override = request.user.has_perm("counseling.override_availability")
    counselors = rules.counselors_for(request.user)
    clients = rules.clients_for(request.user)
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
                request=request,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
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
            services.booking_notes_save(
                booking=booking, notes=notes_form.cleaned_data["notes"], by=request.user, request=request
            )
            messages.success(request, _("The notes were saved."))
            return redirect("counseling:booking_detail", pk=booking.pk)
    elif request.method == "POST":
        raise PermissionDenied
    # The page names her (alias and code) whether or not its reader may see the notes.
    audit_record(
        actor=request.user, action=AuditAction.VIEW, obj=booking, request=request, detail="notes" if may_notes else ""
    )
    return render(
        request,
        "counseling/booking_detail.html",
        {
            "booking": booking,
            "notes_form": notes_form,
            "may_change": request.user.has_perm("counseling.change_booking", booking),
            "may_reschedule": request.user.has_perm("counseling.reschedule_booking", booking),
            "may_cancel": request.user.has_perm("counseling.cancel_booking", booking),
            "may_open_client": request.user.has_perm("counseling.view_client", booking.client),
            "may_confirm": booking.status == BookingStatus.REQUESTED,
            "may_mark": booking.status != BookingStatus.CANCELLED and booking.start <= dates.now(),
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
                request=request,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The booking was moved."))
            return redirect("counseling:booking_detail", pk=booking.pk)
    return render(
        request, "counseling/booking_form.html", {"form": form, "title": _("Reschedule booking"), "booking": booking}
    )


@login_required
def booking_cancel(request, pk):
    """A page of its own that says what cancelling means, so that no single click cancels a session."""
    booking = _booking_for(request, pk)
    _require(request, "counseling.change_booking", booking)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_cancel(
                booking=booking, reason=form.cleaned_data["reason"], by=request.user, request=request
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The booking was cancelled."))
            return redirect("counseling:booking_detail", pk=booking.pk)
    if request.method == "GET":
        # The page names her (alias and code), as the booking's own page does.
        audit_record(actor=request.user, action=AuditAction.VIEW, obj=booking, request=request, detail="cancel")
    return render(
        request,
        "counseling/booking_cancel.html",
        {"form": form, "booking": booking, "may_cancel": request.user.has_perm("counseling.cancel_booking", booking)},
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
            services.booking_confirm(booking=booking, by=request.user, request=request)
        else:
            services.booking_mark(booking=booking, status=status, by=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Marked as %(status)s.") % {"status": booking.get_status_display()})
    if request.POST.get("back") == "list":
        return redirect("counseling:my_bookings")
    return redirect("counseling:booking_detail", pk=booking.pk)


@login_required
def slots(request):
    """Opens on the next two weeks' free times; the form narrows or moves the search."""
    _require(request, "counseling.find_slots")
    counselors = rules.counselors_for(request.user)
    rows = selectors.counselor_rows(counselors)  # read once for the form's choices and for the search
    data = request.GET if "kind" in request.GET else SlotSearchForm.next_two_weeks(counselors)
    form = SlotSearchForm(data, counselors=counselors, names=[(row.pk, row.name) for row in rows])
    found = None
    if form.is_valid():
        chosen = form.cleaned_data["counselor"]
        found = selectors.slots_free(
            counselors=[row for row in rows if row.pk == chosen.pk] if chosen else rows,
            kind=form.cleaned_data["kind"],
            duration=form.duration,
            first_day=form.cleaned_data["first_day"],
            days=7 * form.cleaned_data["weeks"],
            room=form.cleaned_data["room"],
            limit=selectors.SLOTS_SHOWN,
        )
    rows = None if found is None else _slot_rows(found, kind=form.cleaned_data["kind"])
    return render(
        request,
        "counseling/slots.html",
        {"form": form, "slots": rows, "shown": selectors.SLOTS_SHOWN},
    )


def _slot_rows(slots, *, kind) -> list[str]:
    """Each free time as the table's row, written here: two hundred rows of date filters and {% url %} tags
    were most of the page's time, and the template's loop over the rows still a tenth of it. Each time's cell
    and each room's is written once: the first two hundred free times of a large organisation are mostly
    the same few hours of its many counselors."""
    tz = timezone.get_current_timezone()
    # Numbers, a date, times and the kind quoted for an address: nothing in them to escape in an attribute
    # but the ampersands, written as &amp; here.
    book = f"{escaped(reverse('counseling:booking_new'))}?counselor="
    kind_quoted = escaped(parse.quote(kind))
    home_visit, book_label = escaped(_("Home visit")), escaped(_("Book"))

    @cache
    def when(start, end):
        day = start.date()
        day_text = f"{formats.date_format(day, 'D')} {formats.date_format(day, 'SHORT_DATE_FORMAT')}"
        cell = f"{escaped(f'{day_text} {local_time(start)}–{local_time(end)}')}"
        address = f"&amp;date={day.isoformat()}&amp;start_time={start:%H:%M}&amp;end_time={end:%H:%M}"
        return cell, address

    @cache
    def place(room):
        if room is None:
            return home_visit, ""
        return escaped(room), f"&amp;room={room.pk}"

    name_of = cache(escaped)  # a counselor, by her id
    rows = []
    for slot in slots:
        cell, at = when(slot.start.astimezone(tz), slot.end.astimezone(tz))
        room, in_room = place(slot.room)
        counselor = slot.counselor
        rows.append(
            mark_safe(  # noqa: S308  # nosec B308 B703 - every value escaped by `escaped`, as {{ }} would
                f'<tr><th scope="row">{cell}</th><td>{name_of(counselor)}</td><td>{room}</td>'
                f'<td><a href="{book}{counselor.pk}&amp;kind={kind_quoted}{in_room}{at}">{book_label}</a></td></tr>\n'
            )
        )
    return rows


# Clients ----------------------------------------------------------------------------------------------------


@login_required
def client_list(request):
    """Her clients, a page at a time; the search is sent by POST so that no alias reaches a URL or a log."""
    _require(request, "counseling.list_client")
    scoped = rules.clients_for(request.user).defer(*CLIENT_SECRET_FIELDS).order_by("alias", "pk")
    search = ClientSearchForm(request.POST if request.method == "POST" else None)
    page_obj = None
    if search.is_bound and search.is_valid():
        query = search.cleaned_data["q"].strip()
        clients = list(scoped.filter(Q(alias__icontains=query) | Q(code__iexact=query))[: CLIENTS_PER_PAGE + 1])
        too_many = len(clients) > CLIENTS_PER_PAGE
        clients = clients[:CLIENTS_PER_PAGE]
    else:
        page_obj = Paginator(scoped, CLIENTS_PER_PAGE).get_page(request.GET.get("page"))
        clients, too_many = list(page_obj.object_list), False
    audit_record_many(actor=request.user, action=AuditAction.VIEW, objects=clients, request=request, detail="list")
    return render(
        request,
        "counseling/client_list.html",
        {
            "clients": clients,
            "search": search,
            "searching": search.is_bound and search.is_valid(),
            "too_many": too_many,
            "page_obj": page_obj,
            "per_page": CLIENTS_PER_PAGE,
        },
    )


@login_required
def client_detail(request, pk):
    client = get_object_or_404(rules.clients_for(request.user), pk=pk)
    _require(request, "counseling.view_client", client)
    may_assign = request.user.has_perm("counseling.assign_client")
    form = ClientForm(request.POST or None, instance=client, may_assign=may_assign)
    if request.method == "POST":
        _require(request, "counseling.change_client", client)
        if form.is_valid():
            data = dict(form.cleaned_data)
            counselors = data.pop("counselors", None)
            try:
                services.client_update(client=client, by=request.user, counselors=counselors, request=request, **data)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Her file was saved."))
                return redirect("counseling:client_detail", pk=client.pk)
        client.refresh_from_db()
    audit_record(actor=request.user, action=AuditAction.VIEW, obj=client, request=request)
    bookings = selectors.client_bookings(user=request.user, client=client)
    return render(request, "counseling/client_detail.html", {"client": client, "form": form, "bookings": bookings})


@login_required
def client_new(request):
    _require(request, "counseling.add_client")
    may_assign = request.user.has_perm("counseling.assign_client")
    form = ClientCreateForm(request.POST or None, may_assign=may_assign)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        counselors = data.pop("counselors", ())
        try:
            client = services.client_create(by=request.user, counselors=counselors, request=request, **data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Her file was created."))
            return redirect("counseling:client_detail", pk=client.pk)
    return render(request, "counseling/client_form.html", {"form": form})


# Intake -----------------------------------------------------------------------------------------------------


def intake(request):
    """Public: no account. Nothing she types is echoed back or put in a URL.

    Refused, with a message in her language, when the hidden field is filled in (a program, not a person)
    or when more than HAVEN_INTAKE_PER_HOUR requests came from her address within the hour.
    """
    form = IntakeForm(request.POST or None, initial={"preferred_language": request.LANGUAGE_CODE})
    status = 200
    if request.method == "POST" and form.is_valid():
        address = clientip.client_ip(request) or "unknown"
        if rate_limit_hit(scope="intake", key=address, limit=settings.HAVEN_INTAKE_PER_HOUR, window=60 * 60):
            form.add_error(
                None,
                _(
                    "We have received several requests from this connection within the hour, so this one was not "
                    "sent. Please try again in an hour. If you are in danger now, call 112."
                ),
            )
            status = 429
        else:
            try:
                services.intake_submit(**form.request_values)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                return redirect("counseling:intake_done")
    return render(request, "counseling/intake.html", {"form": form}, status=status)


def intake_done(request):
    return render(request, "counseling/intake_done.html")


@login_required
def intake_queue(request):
    _require(request, "counseling.view_intakerequest")
    intakes = list(selectors.intake_queue())
    audit_record_many(actor=request.user, action=AuditAction.VIEW, objects=intakes, request=request, detail="queue")
    accept_form = IntakeAcceptForm(counselors=rules.counselors_for(request.user))
    return render(request, "counseling/intake_queue.html", {"intakes": intakes, "accept_form": accept_form})


@login_required
@require_POST
def intake_accept(request, pk):
    _require(request, "counseling.change_intakerequest")
    intake_request = get_object_or_404(selectors.intake_queue(), pk=pk)
    form = IntakeAcceptForm(request.POST, counselors=rules.counselors_for(request.user))
    if not form.is_valid():
        raise Http404
    client = services.intake_accept(
        intake=intake_request, by=request.user, counselors=form.cleaned_data["counselors"], request=request
    )
    messages.success(request, _("Her file was created from the request."))
    return redirect("counseling:client_detail", pk=client.pk)


@login_required
@require_POST
def intake_close(request, pk):
    _require(request, "counseling.change_intakerequest")
    intake_request = get_object_or_404(selectors.intake_queue(), pk=pk)
    services.intake_close(intake=intake_request, by=request.user, request=request)
    messages.success(request, _("The request was closed."))
    return redirect("counseling:intake_queue")
