from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from audit.models import AuditEntry
from audit.selectors import audit_entries_about
from core.enums import AgeBand, TargetGroup
from core.models import Municipality
from counseling import services, views
from counseling.enums import BookingStatus, SessionKind
from counseling.models import Booking, Client, CounselorProfile, Room
from tests.counseling.conftest import at, booked_at_ten, booked_tonight, home_visit_booked
from tests.helpers import queries_of, rendered, texts_decrypted, tokened

pytestmark = pytest.mark.django_db


def booking_post(profile, client, room, day, start="10:00", end="11:00", kind=SessionKind.EXPERIENTIAL, **extra):
    return {
        "counselor": profile.pk,
        "client": client.pk,
        "kind": kind,
        "room": room.pk if room else "",
        "date": day.isoformat(),
        "start_time": start,
        "end_time": end,
        "status": BookingStatus.CONFIRMED,
        **extra,
    }


def _form_with(page, field):
    """The page's form that has this field."""
    return next(form for form in page.forms.values() if field in form.fields)


def _fill(form, data):
    """Fill the rendered form as she would: a select or radio refuses a value it does not offer."""
    for name, value in data.items():
        form[name] = str(value)
    return form


def test_coordinator_books_through_the_form(client_for, coordinator, profile, make_client, room, monday):
    her = make_client()
    response = client_for(coordinator).post(
        reverse("counseling:booking_new"),
        rendered(client_for(coordinator), reverse("counseling:booking_new"), booking_post(profile, her, room, monday)),
    )
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("counseling:booking_detail", args=[booking.pk])
    assert booking.start == at(monday, 10)
    assert str(her.alias) not in response["Location"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start_time": "11:00", "end_time": "10:00"}, "The end must be after the start."),
        ({"start_time": "19:00", "end_time": "20:00"}, "outside the counselor&#x27;s availability"),
        ({"start_time": "10:30", "end_time": "11:30"}, "already has a booking"),
    ],
)
def test_bad_booking_input_is_refused_with_a_message(
    client_for, coordinator, profile, make_client, room, monday, changes, message
):
    booked_at_ten(
        counselor=profile,
        client=make_client(),
        room=room,
        day=monday,
        by=coordinator,
    )
    data = booking_post(profile, make_client(), room, monday) | changes
    response = client_for(coordinator).post(
        reverse("counseling:booking_new"), rendered(client_for(coordinator), reverse("counseling:booking_new"), data)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Booking.objects.count() == 1


def test_untrained_counselor_refused_for_case_work_in_the_form(
    client_for, coordinator, make_counselor, make_client, room, monday
):
    untrained = make_counselor(trained=False)
    data = booking_post(untrained, make_client(), room, monday, kind=SessionKind.CASE_BASED)
    response = client_for(coordinator).post(
        reverse("counseling:booking_new"), rendered(client_for(coordinator), reverse("counseling:booking_new"), data)
    )
    assert "trained for work with victims of violence" in response.content.decode()
    assert not Booking.objects.exists()


def test_coordinator_confirms_outside_availability(client_for, coordinator, profile, make_client, room, monday):
    data = booking_post(profile, make_client(), room, monday, start="19:00", end="20:00")
    response = client_for(coordinator).post(
        reverse("counseling:booking_new"),
        rendered(
            client_for(coordinator), reverse("counseling:booking_new"), data | {"confirm_outside_availability": "on"}
        ),
    )
    assert response.status_code == 302
    assert Booking.objects.get().outside_availability


def test_counselor_cannot_book_another_counselor_or_foreign_client(
    client_for, counselor, profile, make_counselor, make_client, room, monday
):
    other = make_counselor()
    foreign = make_client(counselors=[other])
    web = client_for(counselor)
    # A crafted request: her form offers neither that counselor nor that client.
    response = web.post(reverse("counseling:booking_new"), tokened(booking_post(other, foreign, room, monday)))
    assert response.status_code == 200
    assert not Booking.objects.exists()
    assert "confirm_outside_availability" not in response.content.decode()


@pytest.mark.parametrize(
    "url_name", ["counseling:booking_detail", "counseling:booking_reschedule", "counseling:booking_cancel"]
)
def test_foreign_booking_gives_404(
    client_for, make_user, make_counselor, make_client, room, monday, url_name, coordinator
):
    from accounts.enums import Role

    other = make_counselor()
    booking = booked_at_ten(
        counselor=other,
        client=make_client(counselors=[other]),
        room=room,
        day=monday,
        by=coordinator,
    )
    intruder = make_user(Role.COUNSELOR)
    make_counselor(intruder)
    web = client_for(intruder)
    assert web.get(reverse(url_name, args=[booking.pk])).status_code == 404
    # crafted: no page of hers offers a button on another counselor's booking.
    assert web.post(reverse("counseling:booking_mark", args=[booking.pk]), {"status": "held"}).status_code == 404
    assert Booking.objects.get().status == BookingStatus.CONFIRMED


def test_foreign_client_gives_404(client_for, counselor, profile, make_counselor, make_client):
    foreign = make_client(counselors=[make_counselor()])
    assert client_for(counselor).get(reverse("counseling:client_detail", args=[foreign.pk])).status_code == 404


def test_trainee_reaches_nothing(client_for, trainee):
    web = client_for(trainee)
    assert web.get(reverse("counseling:my_bookings")).status_code == 403
    assert web.get(reverse("counseling:client_list")).status_code == 403
    assert web.get(reverse("counseling:intake_queue")).status_code == 403


def test_my_bookings_day_and_week_views(client_for, counselor, profile, her_client, room, monday):
    booked_at_ten(
        counselor=profile,
        client=her_client,
        room=room,
        day=monday + timedelta(days=2),
        by=counselor,
    )
    web = client_for(counselor)
    day = web.get(reverse("counseling:my_bookings"), {"date": monday.isoformat(), "view": "day"}).content.decode()
    assert her_client.alias not in day
    week = web.get(reverse("counseling:my_bookings"), {"date": monday.isoformat(), "view": "week"}).content.decode()
    assert her_client.alias in week
    assert "10:00–11:00" in week


@pytest.mark.parametrize("viewer", ["counselor", "coordinator"])
@pytest.mark.parametrize("count", [5, 40])
def test_my_bookings_week_has_constant_queries(
    request, client_for, profile, make_client, room, monday, count, viewer, django_assert_max_num_queries
):
    """Every fact a calendar shows (room, interpreter, the counselor's name for a coordinator) is read with
    the bookings: the selector reads only those fields, and any other one would cost a query a booking."""
    for n in range(count):
        day = monday + timedelta(days=n % 5)
        hour = 8 + (n // 5) % 9
        needs = {"interpreter_needed": True, "interpreter_language": "Arabic"} if n % 3 == 0 else {}
        Booking.objects.create(
            counselor=profile,
            client=make_client(counselors=[profile], **needs),
            room=room if n % 2 else None,
            kind=SessionKind.EXPERIENTIAL if n % 2 else SessionKind.HOME_VISIT,
            start=at(day, hour),
            end=at(day, hour, 45),
        )
    web = client_for(request.getfixturevalue(viewer))
    with django_assert_max_num_queries(14):
        response = web.get(reverse("counseling:my_bookings"), {"date": monday.isoformat(), "view": "week"})
    html = response.content.decode()
    assert html.count('class="week-booking ') == count
    assert html.count(escape(room.name)) == count // 2
    assert html.count("Interpreter: Arabic") == (count + 2) // 3
    assert (html.count(f" · {escape(str(profile))}</span>") == count) is (viewer == "coordinator")


@pytest.mark.parametrize("count", [5, 40])
def test_client_list_has_constant_queries(client_for, coordinator, make_client, count, django_assert_max_num_queries):
    for _n in range(count):
        make_client()
    web = client_for(coordinator)
    with django_assert_max_num_queries(12):
        response = web.get(reverse("counseling:client_list"))
    assert response.status_code == 200
    assert all(audit_entries_about(her).filter(action="view").exists() for her in Client.objects.all())


def test_client_pages_show_her_status_and_interpreter_badges(
    client_for, counselor, profile, her_client, make_client, room, monday
):
    her_client.interpreter_needed, her_client.interpreter_language = True, "Arabic <script>"
    her_client.save()
    other = make_client(counselors=[profile])
    booked_at_ten(counselor=profile, client=her_client, room=room, day=monday, by=counselor)
    web = client_for(counselor)
    listing = web.get(reverse("counseling:client_list")).content.decode()
    badge = '<span class="badge badge-warn">Interpreter: Arabic &lt;script&gt;</span>'
    assert listing.count(badge) == 1 and other.alias in listing
    detail = web.get(reverse("counseling:client_detail", args=[her_client.pk])).content.decode()
    assert badge in detail
    assert '<span class="badge badge-ok">Confirmed</span>' in detail  # her booking, coloured as in the calendars


def test_mark_cancel_reschedule_through_the_ui(django_app, counselor, profile, her_client, room, monday):
    booking = booked_at_ten(counselor=profile, client=her_client, room=room, day=monday, by=counselor)
    page = django_app.get(reverse("counseling:booking_reschedule", args=[booking.pk]), user=counselor)
    form = _fill(
        _form_with(page, "start_time"),
        {"room": room.pk, "date": monday.isoformat(), "start_time": "12:00", "end_time": "13:00"},
    )
    assert form.submit().status_code == 302
    booking.refresh_from_db()
    assert booking.start == at(monday, 12) and booking.sequence == 1

    page = django_app.get(reverse("counseling:booking_cancel", args=[booking.pk]))
    response = _form_with(page, "reason").submit()
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    form = _form_with(response, "reason")
    form["reason"] = "She is ill"
    form.submit()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.cancel_reason == "She is ill"

    past = Booking.objects.create(
        counselor=profile,
        client=her_client,
        room=room,
        kind=SessionKind.EXPERIENTIAL,
        start=timezone.now() - timedelta(hours=2),
        end=timezone.now() - timedelta(hours=1),
    )
    page = django_app.get(reverse("counseling:booking_detail", args=[past.pk]))
    _form_with(page, "status").submit("status", value=BookingStatus.HELD)
    past.refresh_from_db()
    assert past.status == BookingStatus.HELD


def test_session_notes_private_and_audited(
    client_for, django_app, counselor, profile, her_client, room, monday, make_user, coordinator
):
    booking = booked_at_ten(counselor=profile, client=her_client, room=room, day=monday, by=counselor)
    form = _form_with(django_app.get(reverse("counseling:booking_detail", args=[booking.pk]), user=counselor), "notes")
    form["notes"] = "Spoke about her sister."
    form.submit()
    booking.refresh_from_db()
    assert booking.notes == "Spoke about her sister."
    before = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Booking), object_id=str(booking.pk), action="view"
    ).count()
    page = client_for(coordinator).get(reverse("counseling:booking_detail", args=[booking.pk]))
    assert "Spoke about her sister." in page.content.decode()
    after = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Booking), object_id=str(booking.pk), action="view"
    ).count()
    assert after == before + 1


def test_client_new_and_detail_through_the_ui(client_for, django_app, counselor, profile):
    web = client_for(counselor)
    response = web.post(
        reverse("counseling:client_new"),
        rendered(
            web,
            reverse("counseling:client_new"),
            {"alias": "Ljiljana", "preferred_language": "sr-latn", "contact_channel": "never", "children_count": "2"},
        ),
    )
    her = Client.objects.get()
    assert response["Location"] == reverse("counseling:client_detail", args=[her.pk])
    assert list(her.counselors.all()) == [profile]
    page = web.get(response["Location"])
    assert "Ljiljana" in page.content.decode()
    assert AuditEntry.objects.filter(object_id=str(her.pk), action="view").exists()

    page = django_app.get(reverse("counseling:client_detail", args=[her.pk]), user=counselor)
    form = _fill(_form_with(page, "contact_channel"), {"contact_channel": "email", "contact_address": ""})
    response = form.submit()
    assert response.status_code == 200
    her.refresh_from_db()
    assert her.contact_channel == "never"


def test_her_file_records_what_reports_count_her_by_as_the_pages_offer_it(client_for, django_app, counselor, profile):
    pancevo = Municipality.objects.create(name="Pančevo")
    web = client_for(counselor)
    typed = {
        "alias": "Ljiljana",
        "preferred_language": "sr-latn",
        "contact_channel": "never",
        "age_band": AgeBand.AGE_25_34,
        "municipality": str(pancevo.pk),
        "target_group": TargetGroup.ROMA,
    }
    response = web.post(reverse("counseling:client_new"), rendered(web, reverse("counseling:client_new"), typed))
    assert response.status_code == 302
    her = Client.objects.get()
    assert (her.age_band, her.municipality, her.target_group) == ("25_34", pancevo, "roma")

    # Her file as the page renders it, changed as a browser sends it: each of them optional.
    page = django_app.get(reverse("counseling:client_detail", args=[her.pk]), user=counselor)
    form = next(form for form in page.forms.values() if "age_band" in form.fields)
    assert (form["age_band"].value, form["municipality"].value) == ("25_34", str(pancevo.pk))
    form["age_band"] = ""
    form["municipality"] = ""
    form["target_group"] = TargetGroup.OTHER
    assert form.submit().status_code == 302
    her.refresh_from_db()
    assert (her.age_band, her.municipality, her.target_group) == ("", None, "other")


def test_the_client_service_refuses_a_target_group_not_on_the_list(counselor, profile):
    with pytest.raises(ValidationError):
        services.client_create(by=counselor, alias="Ljiljana", target_group="somebody")
    assert not Client.objects.exists()


def test_slot_finder_page_proposes_bookable_times(client_for, counselor, profile, room, monday):
    response = client_for(counselor).get(
        reverse("counseling:slots"),
        {"kind": SessionKind.EXPERIENTIAL, "first_day": monday.isoformat(), "weeks": 1, "minutes": 60},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("counseling:booking_new") + f"?counselor={profile.pk}" in html


def test_slot_finder_rows_write_names_as_text(client_for, counselor, profile, room, monday):
    """The rows are written in Python (counseling.views._slot_rows): a name with markup in it is shown as
    the text it is, never as markup."""
    from accounts.models import Profile

    Profile.objects.filter(user=profile.user).update(full_name='Ana <b>"Perić"</b> & Co')
    room.name = "Soba <i>1</i>"
    room.save()
    response = client_for(counselor).get(
        reverse("counseling:slots"),
        {"kind": SessionKind.EXPERIENTIAL, "first_day": monday.isoformat(), "weeks": 1, "minutes": 60},
    )
    html = response.content.decode()
    assert "Ana &lt;b&gt;&quot;Perić&quot;&lt;/b&gt; &amp; Co" in html
    assert html.count("Soba &lt;i&gt;1&lt;/i&gt;") > 1  # the rows and the room filter
    assert "<b>" not in html and "<i>1</i>" not in html
    assert f"counselor={profile.pk}&amp;kind=" in html  # the link's ampersands as a template writes them


def test_the_slot_finder_reads_its_counselors_once_for_its_choices_and_its_search_and_finds_hers_alone(
    django_app, coordinator, profile, make_counselor, room, monday
):
    """The form's counselors and the search's are the same rows, read once (counseling.selectors.
    counselor_rows): by name, inactive ones left out; the one she picks is the one every time found is hers."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Profile

    Profile.objects.filter(user=profile.user).update(full_name="Zorica")
    other = make_counselor()
    Profile.objects.filter(user=other.user).update(full_name="Anka")
    Profile.objects.filter(user=make_counselor(kinds=[]).user).update(full_name="Mira")
    CounselorProfile.objects.filter(pk=make_counselor().pk).update(active=False)
    search = {"kind": SessionKind.EXPERIENTIAL, "first_day": monday.isoformat(), "weeks": 1, "minutes": 60}
    with CaptureQueriesContext(connection) as queries:
        page = django_app.get(reverse("counseling:slots"), search, user=coordinator)
    read = [q["sql"] for q in queries if 'FROM "counseling_counselorprofile"' in q["sql"]]
    assert len(read) == 1, read
    form = next(form for form in page.forms.values() if "first_day" in form.fields)
    assert [label for _value, _selected, label in form["counselor"].options] == ["Any", "Anka", "Mira", "Zorica"]
    names = {row.select("td")[0].get_text() for row in page.html.select("tbody tr")}
    assert names == {"Anka", "Zorica"}  # Mira holds no kind of session
    form["counselor"] = str(other.pk)
    found = form.submit()
    assert {row.select("td")[0].get_text() for row in found.html.select("tbody tr")} == {"Anka"}


def test_the_slot_finder_offers_the_active_rooms_by_name_and_finds_times_in_the_one_she_picks(
    django_app, coordinator, profile, room, monday
):
    """The rooms are offered as values read by name (counseling.selectors.room_names), as a model choice
    would offer them; the room she picks is the one every time found is in."""
    other = Room.objects.create(name="Atelje", location="Sprat")
    Room.objects.create(name="Zatvorena", active=False)
    page = django_app.get(reverse("counseling:slots"), user=coordinator)
    form = next(form for form in page.forms.values() if "first_day" in form.fields)
    assert form["room"].options == [
        ("", True, "Any"),
        (str(other.pk), False, "Atelje"),
        (str(room.pk), False, "Soba 1"),
    ]
    form["kind"] = SessionKind.EXPERIENTIAL
    form["first_day"] = monday.isoformat()
    form["room"] = str(room.pk)
    found = form.submit()
    rooms = {row.select("td")[1].get_text() for row in found.html.select("tbody tr")}
    assert rooms == {"Soba 1"}
    form = next(form for form in found.forms.values() if "first_day" in form.fields)
    form["room"] = ""
    rooms = {row.select("td")[1].get_text() for row in form.submit().html.select("tbody tr")}
    assert rooms == {"Atelje"}  # the first free room by name, when she picks none


def test_home_panel_shows_todays_sessions(client_for, counselor, profile, her_client, room):
    booked_tonight(counselor=profile, client=her_client, room=room)
    page = client_for(counselor).get(reverse("home")).content.decode()
    assert "Today&#x27;s sessions" in page or "Today's sessions" in page
    assert her_client.alias in page


def test_requested_booking_is_confirmed_through_the_ui(
    client_for, django_app, counselor, profile, her_client, room, monday
):
    booking = booked_at_ten(
        counselor=profile,
        client=her_client,
        room=room,
        day=monday,
        by=counselor,
        status=BookingStatus.REQUESTED,
    )
    page = django_app.get(reverse("counseling:booking_detail", args=[booking.pk]), user=counselor)
    assert "Confirm booking" in page.text
    _form_with(page, "status").submit("status", value=BookingStatus.CONFIRMED)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    # Held before the session began: refused with a message, nothing changes. crafted: the page offers
    # "Mark as held" only once the session has begun (a page left open from before is the same post).
    web = client_for(counselor)
    response = web.post(reverse("counseling:booking_mark", args=[booking.pk]), {"status": "held"}, follow=True)
    assert "has not begun yet" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_a_booking_sent_twice_is_saved_once_with_a_clear_message(
    client_for, coordinator, profile, make_client, room, monday
):
    client = client_for(coordinator)
    data = rendered(client, reverse("counseling:booking_new"), booking_post(profile, make_client(), room, monday))
    assert client.post(reverse("counseling:booking_new"), data).status_code == 302
    again = client.post(reverse("counseling:booking_new"), data)
    assert again.status_code == 200
    assert "This form was already sent" in again.content.decode()
    assert Booking.objects.count() == 1


def test_a_new_client_form_sent_twice_creates_one_file(client_for, coordinator):
    client = client_for(coordinator)
    data = rendered(
        client,
        reverse("counseling:client_new"),
        {"alias": "Vesna", "preferred_language": "sr-latn", "contact_channel": "never"},
    )
    assert client.post(reverse("counseling:client_new"), data).status_code == 302
    again = client.post(reverse("counseling:client_new"), data)
    assert "This form was already sent" in again.content.decode()
    assert Client.objects.filter(alias="Vesna").count() == 1


def test_a_refused_booking_can_be_corrected_and_sent_with_the_new_token(
    django_app, coordinator, profile, make_client, room, monday
):
    """A service refusal hands the form a fresh token, so the corrected form is not taken for a replay."""
    her = make_client()
    booked_at_ten(counselor=profile, client=her, room=room, day=monday, by=coordinator)
    other = make_client()
    page = django_app.get(reverse("counseling:booking_new"), user=coordinator)
    refused = _fill(_form_with(page, "client"), booking_post(profile, other, room, monday)).submit()
    assert refused.status_code == 200
    corrected = _fill(_form_with(refused, "client"), {"start_time": "12:00", "end_time": "13:00"})
    assert corrected.submit().status_code == 302
    assert Booking.objects.count() == 2


# The counselor's pages ---------------------------------------------------------------------------------------


def test_the_week_is_a_grid_of_seven_days_with_today_marked(client_for, counselor, profile, her_client, room, today):
    booked_tonight(counselor=profile, client=her_client, room=room)
    page = client_for(counselor).get(reverse("counseling:my_bookings"), {"view": "week"}).content.decode()
    assert page.count('<li class="week-day') == 7
    assert page.count('aria-current="date"') == 1
    assert her_client.alias in page


def test_the_slot_finder_opens_on_the_next_two_weeks(django_app, counselor, profile, room, today):
    page = django_app.get(reverse("counseling:slots"), user=counselor)
    form = next(form for form in page.forms.values() if "first_day" in form.fields)
    assert form["first_day"].value == today.isoformat()
    assert form["weeks"].value == "2"
    assert "Free times" in page.text and reverse("counseling:booking_new") + "?counselor=" in page.text


def test_client_search_is_posted_scoped_to_her_clients_and_keeps_the_alias_out_of_urls(
    django_app, counselor, profile, make_client, make_counselor
):
    mine = make_client(alias="Snežana", counselors=[profile])
    make_client(alias="Milica", counselors=[profile])
    make_client(alias="Snežana Druga", counselors=[make_counselor()])
    page = django_app.get(reverse("counseling:client_list"), user=counselor)
    form = page.forms["client-search"]
    assert form.method.upper() == "POST"
    form["q"] = "snež"
    results = form.submit()
    assert results.request.url.endswith(reverse("counseling:client_list"))
    assert "Snežana" in results.text and "Milica" not in results.text and "Druga" not in results.text
    assert "snež" not in "".join(a.get("href", "") for a in results.html.select("a"))
    form = results.forms["client-search"]
    form["q"] = mine.code
    assert "Snežana" in form.submit().text
    # A query in the URL filters nothing.
    assert "Milica" in django_app.get(reverse("counseling:client_list") + "?q=Sne", user=counselor).text


def test_a_refused_booking_form_opens_with_an_error_summary_linking_to_its_fields(django_app, coordinator, profile):
    page = django_app.get(reverse("counseling:booking_new"), user=coordinator)
    form = next(form for form in page.forms.values() if "client" in form.fields)
    response = form.submit()
    summary = response.html.select_one(".error-summary")
    assert summary is not None and summary.has_attr("autofocus")
    assert summary.find_previous("h1") is None  # first on the page, above the heading
    links = {a["href"] for a in summary.select("a")}
    assert {"#id_client", "#id_date", "#id_start_time"} <= links


def test_cancelling_asks_first_then_cancels_through_the_service_with_an_audit_entry(
    django_app, counselor, profile, her_client, room, monday
):
    booking = booked_at_ten(counselor=profile, client=her_client, room=room, day=monday, by=counselor)
    detail = django_app.get(reverse("counseling:booking_detail", args=[booking.pk]), user=counselor)
    confirm = detail.click(href=reverse("counseling:booking_cancel", args=[booking.pk]))
    assert "Cancelling cannot be undone." in confirm.text
    assert Booking.objects.get().status == BookingStatus.CONFIRMED  # opening the page changes nothing
    # ... but is audited: the page names her, as the booking's own page does.
    viewed = AuditEntry.objects.filter(object_id=str(booking.pk), action="view")
    assert viewed.filter(detail="cancel").count() == 1 and viewed.filter(detail="notes").count() == 1
    form = next(form for form in confirm.forms.values() if "reason" in form.fields)
    form["reason"] = "She is ill"
    form.submit().follow()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.sequence == 1
    assert AuditEntry.objects.filter(object_id=str(booking.pk), action="change", detail="cancel").count() == 1


def test_rescheduling_through_the_form_is_audited_by_the_service(
    django_app, counselor, profile, her_client, room, monday
):
    booking = booked_at_ten(counselor=profile, client=her_client, room=room, day=monday, by=counselor)
    page = django_app.get(reverse("counseling:booking_reschedule", args=[booking.pk]), user=counselor)
    form = next(form for form in page.forms.values() if "start_time" in form.fields)
    form["start_time"], form["end_time"] = "12:00", "13:00"
    assert form.submit().status_code == 302
    assert AuditEntry.objects.filter(object_id=str(booking.pk), action="change", detail="time").count() == 1


def test_her_interpreter_need_is_shown_when_booking(django_app, counselor, profile, make_client, room, monday):
    her = make_client(alias="Amina", counselors=[profile], interpreter_needed=True, interpreter_language="Arabic")
    page = django_app.get(reverse("counseling:booking_new"), user=counselor)
    form = next(form for form in page.forms.values() if "client" in form.fields)
    labels = [label for _value, _selected, label in form["client"].options]
    assert any("Amina" in label and "Arabic" in label for label in labels)
    booking = booked_at_ten(counselor=profile, client=her, room=room, day=monday, by=counselor)
    assert "Arabic" in django_app.get(reverse("counseling:booking_detail", args=[booking.pk]), user=counselor).text


# The week a page at a time ------------------------------------------------------------------------------------


def _fill_week(monday, counselors, make_client, count):
    """`count` bookings over the week of `monday`, each with its own client, a quarter of an hour apart."""
    bookings = []
    for n in range(count):
        counselor = counselors[n % len(counselors)]
        start = at(monday + timedelta(days=n % 7), 7) + timedelta(minutes=15 * (n // 7))
        bookings.append(home_visit_booked(make_client, counselor, start))
    return sorted(bookings, key=lambda booking: (booking.start, booking.pk))


def _week(web, monday, **params):
    return web.get(reverse("counseling:my_bookings"), {"view": "week", "date": monday.isoformat(), **params})


def test_the_coordinators_week_comes_a_page_at_a_time(
    client_for, coordinator, profile, make_counselor, make_client, monday
):
    per_page = views.BOOKINGS_PER_PAGE
    bookings = _fill_week(monday, [profile, make_counselor()], make_client, per_page + 5)
    web = client_for(coordinator)

    first = _week(web, monday).content.decode()
    assert first.count('class="week-booking ') == per_page
    assert all(reverse("counseling:booking_detail", args=[b.pk]) + '"' in first for b in bookings[:per_page])
    assert f"?view=week&amp;date={monday.isoformat()}&amp;page=2" in first
    assert 'aria-label="Pages"' in first and "Page 1 of 2" in first
    assert f"Bookings 1 to {per_page} of {per_page + 5}, earliest first." in first
    assert "more bookings on other pages." in first  # the last day on page 1 goes on on page 2

    second = _week(web, monday, page=2).content.decode()
    assert second.count('class="week-booking ') == 5
    assert all(reverse("counseling:booking_detail", args=[b.pk]) + '"' in second for b in bookings[per_page:])
    assert f"?view=week&amp;date={monday.isoformat()}&amp;page=1" in second and "Page 2 of 2" in second
    # The week's navigation starts the other week on its first page.
    assert f'href="?view=week&amp;date={(monday + timedelta(days=7)).isoformat()}" rel="next"' in second


@pytest.mark.parametrize(("asked", "shown"), [("99", 2), ("0", 2), ("-1", 2), ("two", 1), ("", 1)])
def test_a_page_number_out_of_range_or_not_a_number_gives_the_nearest_page(
    client_for, coordinator, profile, make_client, monday, asked, shown
):
    _fill_week(monday, [profile], make_client, views.BOOKINGS_PER_PAGE + 1)
    response = _week(client_for(coordinator), monday, page=asked)
    assert response.status_code == 200
    assert response.context["page_obj"].number == shown


def test_the_day_view_comes_a_page_at_a_time_too(client_for, coordinator, profile, make_counselor, make_client, monday):
    counselors = [profile, make_counselor()]
    for n in range(views.BOOKINGS_PER_PAGE + 3):
        start = at(monday, 8) + timedelta(minutes=5 * (n // 2))
        home_visit_booked(make_client, counselors[n % 2], start, minutes=5)
    web = client_for(coordinator)
    params = {"view": "day", "date": monday.isoformat()}
    first = web.get(reverse("counseling:my_bookings"), params)
    assert len(first.context["days"][0]["bookings"]) == views.BOOKINGS_PER_PAGE
    assert "3 more bookings on other pages." in first.content.decode()
    second = web.get(reverse("counseling:my_bookings"), {**params, "page": 2}).content.decode()
    assert "Page 2 of 2" in second and f"?view=day&amp;date={monday.isoformat()}&amp;page=1" in second


def test_a_day_with_bookings_only_on_other_pages_says_so(client_for, coordinator, profile, make_client, monday):
    # Monday fills the first page; Tuesday's bookings are all on the second.
    for n in range(views.BOOKINGS_PER_PAGE):
        start = at(monday, 7) + timedelta(minutes=12 * n)
        Booking.objects.create(
            counselor=profile, client=make_client(), room=None, kind=SessionKind.HOME_VISIT,
            start=start, end=start + timedelta(minutes=10),
        )  # fmt: skip
    _fill_week(monday + timedelta(days=1), [profile], make_client, 1)
    days = _week(client_for(coordinator), monday).context["days"]
    shown = [(len(day["bookings"]), day["elsewhere"]) for day in days[:3]]
    assert shown == [(views.BOOKINGS_PER_PAGE, 0), (0, 1), (0, 0)]


def test_the_week_audit_entry_names_only_the_clients_on_the_page(client_for, coordinator, profile, make_client, monday):
    bookings = _fill_week(monday, [profile], make_client, views.BOOKINGS_PER_PAGE + 5)
    web = client_for(coordinator)
    for page, shown in ((1, bookings[: views.BOOKINGS_PER_PAGE]), (2, bookings[views.BOOKINGS_PER_PAGE :])):
        _week(web, monday, page=page)
        entry = AuditEntry.objects.filter(detail="counseling bookings list").latest("pk")
        assert sorted(int(pk) for pk in entry.listed_ids.strip(",").split(",")) == sorted(b.client_id for b in shown)


def test_the_paged_week_makes_as_many_queries_at_three_times_the_bookings(
    client_for, coordinator, profile, make_counselor, make_client, monday
):
    counselors = [profile, make_counselor(), make_counselor()]
    web = client_for(coordinator)
    params = {"view": "week", "date": monday.isoformat()}
    url = reverse("counseling:my_bookings")
    _fill_week(monday, counselors, make_client, 60)
    once = [queries_of(web, url, {**params, "page": page}) for page in (1, 2)]
    Booking.objects.all().delete()
    _fill_week(monday, counselors, make_client, 180)
    assert [queries_of(web, url, {**params, "page": page}) for page in (1, 4)] == once
    assert once[0] <= 14


def test_a_counselor_pages_through_her_own_week_only(
    client_for, counselor, profile, make_counselor, make_client, monday
):
    mine = _fill_week(monday, [profile], make_client, views.BOOKINGS_PER_PAGE + 2)
    _fill_week(monday, [make_counselor()], make_client, 30)
    response = _week(client_for(counselor), monday, page=2)
    assert response.context["page_obj"].paginator.count == len(mine)
    assert [b.pk for day in response.context["days"] for b in day["bookings"]] == [
        b.pk for b in mine[views.BOOKINGS_PER_PAGE :]
    ]


@pytest.mark.parametrize(("language", "monday_word"), [("en", "Mon"), ("da", "man"), ("sr-latn", "pon")])
def test_a_free_time_reads_in_her_language_and_its_link_books_exactly_it(
    django_app, coordinator, profile, her_client, room, monday, language, monday_word
):
    coordinator.profile.preferred_language = language  # her pages speak her profile's language
    coordinator.profile.save()
    page = django_app.get(
        reverse("counseling:slots"),
        {"kind": SessionKind.EXPERIENTIAL, "first_day": monday.isoformat(), "weeks": 1, "minutes": 60},
        user=coordinator,
    )
    first = page.html.select_one("tbody tr")
    assert first.th.get_text().startswith(monday_word) and "08:00" in first.th.get_text()
    assert [cell.get_text() for cell in first.select("td")][:2] == [str(profile), str(room)]
    form_page = django_app.get(first.a["href"], user=coordinator)  # her tap on "Book"
    form = next(form for form in form_page.forms.values() if "client" in form.fields)
    assert (form["counselor"].value, form["room"].value) == (str(profile.pk), str(room.pk))
    assert (form["date"].value, form["start_time"].value, form["end_time"].value) == (
        monday.isoformat(),
        "08:00",
        "09:00",
    )
    form["client"] = str(her_client.pk)
    assert form.submit().status_code == 302
    booking = Booking.objects.get()
    assert (booking.start, booking.end, booking.room) == (at(monday, 8), at(monday, 9), room)


def test_no_list_decrypts_a_clients_safe_contact_details(client_for, counselor, profile, room, make_client, make_user):
    """Where and when she may be contacted safely is shown on her own page, never in a list: the calendar, the
    home panel, a booking's page, the list of her clients and the admin's listing leave those fields in the
    database (counseling.models.CLIENT_SECRET_FIELDS), so they are neither decrypted nor held in memory for
    every client or booking read."""
    from accounts.enums import Role

    secrets = {"contact_address": "Ulica 7", "safe_contact_instructions": "Only after 18h", "safe_times": "Tue"}
    her = make_client(counselors=[profile], **secrets)
    booking = booked_tonight(counselor=profile, client=her, room=room)
    with pytest.MonkeyPatch.context() as patch:
        read = texts_decrypted(patch)
        web = client_for(counselor)
        pages = [
            web.get(reverse("counseling:my_bookings"), {"view": "week"}),
            web.get(reverse("home")),
            web.get(reverse("counseling:client_list")),
            web.get(reverse("counseling:booking_detail", args=[booking.pk])),
        ]
        coordinator = client_for(make_user(Role.COORDINATOR))
        pages.append(coordinator.get(reverse("counseling_clients:index")))
        bookings = coordinator.get(reverse("counseling_bookings:index"))
    assert [(page.status_code, her.alias in page.content.decode()) for page in pages] == [(200, True)] * 5
    assert bookings.status_code == 200
    assert reverse("counseling_bookings:inspect", args=[booking.pk]) in bookings.content.decode()
    assert not set(read) & set(secrets.values())
    her_page = client_for(counselor).get(reverse("counseling:client_detail", args=[her.pk]))
    assert "Only after 18h" in her_page.content.decode()  # on her own page, as before
