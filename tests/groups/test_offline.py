"""Attendance that survives a basement, in a real browser with its connection cut (issue: offline-first).

A facilitator opens her session while online; her phone keeps the screen. Offline she marks the whole
session, reloads (it is still there), and when the connection returns the marks are sent once. The same
with a coordinator changing a mark meanwhile, and what is left on the phone after log out or quick exit.
"""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from core import dates
from core.enums import AttendanceStatus
from groups.models import Attendance, AttendanceChange
from groups.services import Mark, attendance_record
from tests.helpers import reloaded_offline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

P, A, E = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED

KEPT = """url => caches.open("haven-screens-v1").then(c => c.match(url)).then(hit => Boolean(hit))"""
STORAGE = """async () => {
    const dbs = indexedDB.databases ? (await indexedDB.databases()).map(db => db.name) : [];
    const caches_ = await caches.keys();
    const workers = (await navigator.serviceWorker.getRegistrations()).length;
    let pending = 0;
    if (dbs.includes("haven-offline")) {
        pending = await new Promise(resolve => {
            const request = indexedDB.open("haven-offline");
            request.onsuccess = () => {
                const db = request.result;
                if (!db.objectStoreNames.contains("pending")) { db.close(); resolve(0); return; }
                const count = db.transaction("pending").objectStore("pending").count();
                count.onsuccess = () => { db.close(); resolve(count.result); };
            };
        });
    }
    return {dbs, caches: caches_, workers, pending};
}"""
# The children kept on the phone with a member's waiting mark (null while none is kept).
KEPT_CHILDREN = """subject => new Promise(resolve => {
    const request = indexedDB.open("haven-offline");
    request.onsuccess = () => {
        const db = request.result;
        const all = db.transaction("pending").objectStore("pending").getAll();
        all.onsuccess = () => {
            db.close();
            const mark = all.result.find(m => m.subject === subject);
            resolve(mark ? mark.children : null);
        };
    };
})"""


@pytest.fixture
def on_her_phone(live_server, page, facilitator):
    """Her phone, logged in (a session cookie instead of typing a password), at phone size."""
    client = Client()
    client.force_login(facilitator)
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    return page


@pytest.fixture
def session_now(cohort, add_members, add_session):
    memberships = add_members(cohort, 4, children_count=1)
    session = add_session(cohort, dates.now() - timedelta(minutes=5), topic="Contact with the children")
    return session, memberships


def _until(page, script, arg=None, *, seconds=15):
    """Poll `script` in the page until it returns something true (wait_for_function would need eval, which
    the page's content security policy rightly refuses)."""
    for _attempt in range(seconds * 10):
        if page.evaluate(script, arg):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {script}")


def _open_and_keep(page, live_server, session):
    """Open the attendance screen online and wait until the phone has kept it and its worker controls it."""
    url = reverse("groups:session_attendance", args=[session.pk])
    page.goto(live_server.url + url)
    _until(page, KEPT, url)
    _until(page, "() => navigator.serviceWorker.controller !== null")
    return url


def _mark(page, alias, choice):
    page.get_by_role("group", name=alias).get_by_role("radio", name=choice, exact=True).check()


def test_a_whole_session_marked_offline_survives_a_reload_and_is_saved_once(
    live_server, on_her_phone, session_now, screenshot
):
    page = on_her_phone
    session, memberships = session_now
    _open_and_keep(page, live_server, session)

    page.context.set_offline(True)
    expected = [P, P, A, E]
    for membership, choice in zip(memberships, ["Present", "Present", "Absent", "Excused"], strict=True):
        _mark(page, membership.member.alias, choice)
    page.get_by_label(f"Children present with {memberships[0].member.alias}").fill("2")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("4 marks are saved on this phone and not sent yet.")).to_be_visible()
    # The line above was already there after her fourth tap: the children she typed are kept once the store
    # the button started has finished, and a reload before that would cut it off.
    _until(page, f"subject => ({KEPT_CHILDREN})(subject).then(children => children === 2)", memberships[0].member_id)
    assert not Attendance.objects.exists()

    reloaded_offline(page)  # the kept copy, with her marks on it
    expect(page.get_by_text("You are offline.")).to_be_visible()
    for membership, choice in zip(memberships, ["Present", "Present", "Absent", "Excused"], strict=True):
        radio = page.get_by_role("group", name=membership.member.alias).get_by_role("radio", name=choice, exact=True)
        expect(radio).to_be_checked()
    expect(page.get_by_label(f"Children present with {memberships[0].member.alias}")).to_have_value("2")
    screenshot(page, "offline-marks-waiting")

    page.context.set_offline(False)
    expect(page.get_by_text("All marks were sent.")).to_be_visible(timeout=15000)
    statuses = dict(Attendance.objects.values_list("member_id", "status"))
    assert statuses == {m.member_id: s for m, s in zip(memberships, expected, strict=True)}
    assert Attendance.objects.get(member=memberships[0].member).children_present == 2

    page.reload()  # online again: nothing is sent twice
    expect(page.get_by_text("Attendance")).not_to_have_count(0)
    assert page.evaluate(STORAGE)["pending"] == 0
    changes = list(AttendanceChange.objects.all())
    assert len(changes) == 4 and all(c.client_id for c in changes)
    assert all(c.marked_at <= c.changed_at for c in changes)  # both times kept: marked, then received


def test_a_mark_changed_by_someone_else_meanwhile_is_named_and_both_are_kept(
    live_server, on_her_phone, session_now, coordinator, screenshot
):
    page = on_her_phone
    session, memberships = session_now
    _open_and_keep(page, live_server, session)

    page.context.set_offline(True)
    for membership in memberships:
        _mark(page, membership.member.alias, "Present")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("4 marks are saved on this phone and not sent yet.")).to_be_visible()

    # Meanwhile, in the office, the coordinator marks the first member excused: a later mark than hers.
    first = memberships[0]
    attendance_record(session=session, marks={first.member_id: Mark(E)}, by=coordinator)

    page.context.set_offline(False)
    notice = page.get_by_role("alert").filter(has_text="Marks changed by someone else")
    expect(notice).to_be_visible(timeout=15000)
    expect(notice).to_contain_text(f"{first.member.alias}: someone else marked her later")
    screenshot(page, "offline-conflict")

    assert Attendance.objects.get(member=first.member).status == E  # the later mark wins
    assert Attendance.objects.filter(status=P).count() == 3
    hers = AttendanceChange.objects.get(attendance__member=first.member, applied=False)
    assert (hers.new_status, hers.client_id is not None) == (P, True)
    assert AttendanceChange.objects.filter(attendance__member=first.member, new_status=E, applied=True).exists()


def test_log_out_leaves_nothing_on_the_phone(live_server, on_her_phone, session_now):
    page = on_her_phone
    session, _memberships = session_now
    _open_and_keep(page, live_server, session)
    assert page.evaluate(STORAGE)["caches"]

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    page.wait_for_load_state("networkidle")
    left = page.evaluate(STORAGE)
    assert left == {"dbs": [], "caches": [], "workers": 0, "pending": 0}


def test_the_quick_exit_deletes_what_the_phone_keeps_even_while_logged_in(
    live_server, on_her_phone, session_now, facilitator
):
    page = on_her_phone
    session, memberships = session_now
    _open_and_keep(page, live_server, session)
    page.context.set_offline(True)
    _mark(page, memberships[0].member.alias, "Present")
    page.get_by_role("button", name="Save attendance").click()
    # A busy machine (the suite runs on two processes) can take longer than the default five seconds.
    expect(page.get_by_text("1 mark is saved on this phone and not sent yet.")).to_be_visible(timeout=20_000)

    # Still offline: the neutral site does not load, but she has left, and the phone forgot.
    page.get_by_role("link", name="Leave this site", exact=True).click()
    page.wait_for_timeout(1000)
    page.context.set_offline(False)

    other = page.context.new_page()
    other.goto(live_server.url + reverse("website:leave_safely"))
    other.wait_for_load_state("networkidle")
    left = other.evaluate(STORAGE)
    assert left == {"dbs": [], "caches": [], "workers": 0, "pending": 0}
    assert not Attendance.objects.exists()  # the waiting mark was deleted, not sent


def test_when_her_login_ends_the_screens_go_and_the_waiting_marks_wait_for_her_next_login(
    live_server, on_her_phone, session_now, facilitator
):
    from django.contrib.sessions.models import Session

    page = on_her_phone
    session, memberships = session_now
    _open_and_keep(page, live_server, session)
    page.context.set_offline(True)
    _mark(page, memberships[0].member.alias, "Absent")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("1 mark is saved on this phone and not sent yet.")).to_be_visible()

    Session.objects.all().delete()  # her login ended while she was offline
    page.context.set_offline(False)
    expect(page.get_by_text("Log in again to send the marks kept on this phone.").first).to_be_visible()
    page.goto(live_server.url + reverse("home"))  # the login page: nobody is logged in
    page.wait_for_load_state("networkidle")
    left = page.evaluate(STORAGE)
    assert (left["caches"], left["workers"], left["pending"]) == ([], 0, 1)  # no aliases, one waiting mark
    assert not Attendance.objects.exists()

    client = Client()
    client.force_login(facilitator)
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    page.goto(live_server.url + reverse("home"))
    expect(page.get_by_text("All marks were sent.")).to_be_visible(timeout=15000)
    assert Attendance.objects.get().status == A


def test_after_seven_days_nothing_kept_on_the_phone_remains(live_server, on_her_phone, session_now):
    page = on_her_phone
    session, memberships = session_now
    url = _open_and_keep(page, live_server, session)
    page.context.set_offline(True)
    _mark(page, memberships[0].member.alias, "Absent")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("1 mark is saved on this phone and not sent yet.")).to_be_visible()

    # Eight days on, the phone still offline: the next page the phone opens (its kept copy) deletes the
    # screen and the mark, both older than seven days; the server would refuse such a mark anyway.
    page.clock.set_fixed_time(dates.now() + timedelta(days=8))
    page.reload()
    _until(page, f"async () => !(await ({KEPT})({url!r}))")
    _until(page, f"async () => (await ({STORAGE})()).pending === 0")
    page.context.set_offline(False)
    assert not Attendance.objects.exists()


def test_a_coordinator_keeps_nothing_on_her_phone(live_server, page, coordinator, session_now):
    session, _memberships = session_now
    client = Client()
    client.force_login(coordinator)
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    page.goto(live_server.url + reverse("groups:session_attendance", args=[session.pk]))
    page.wait_for_load_state("networkidle")
    assert page.evaluate(STORAGE) == {"dbs": [], "caches": [], "workers": 0, "pending": 0}


def test_without_javascript_the_form_is_the_plain_form(live_server, browser, facilitator, session_now):
    session, memberships = session_now
    context = browser.new_context(java_script_enabled=False)
    client = Client()
    client.force_login(facilitator)
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    page = context.new_page()
    page.goto(live_server.url + reverse("groups:session_attendance", args=[session.pk]))
    page.get_by_role("button", name="Mark everyone not marked yet as present").click()
    expect(page.get_by_text("Everyone not marked yet is set to present")).to_be_visible()
    _mark(page, memberships[3].member.alias, "Absent")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance saved.")).to_be_visible()
    assert sorted(Attendance.objects.values_list("status", flat=True)) == sorted([P, P, P, A])
    context.close()


def test_taps_made_while_the_phone_opens_its_storage_are_saved(live_server, on_her_phone, session_now):
    """On a slow phone the script may still be opening its storage when she taps. Those taps are hers: "Save
    attendance" waits for the storage and sends them, instead of saying nothing was changed."""
    page = on_her_phone
    session, memberships = session_now
    # The phone's storage answers only after 1.5 s.
    page.add_init_script(
        """(() => {
            const databases = indexedDB.databases.bind(indexedDB);
            indexedDB.databases = () => new Promise(r => setTimeout(r, 1500)).then(databases);
        })();"""
    )
    page.goto(live_server.url + reverse("groups:session_attendance", args=[session.pk]))
    for membership, choice in zip(memberships, ["Present", "Present", "Absent", "Excused"], strict=True):
        _mark(page, membership.member.alias, choice)
    page.wait_for_timeout(2000)  # the storage is open now; the taps came before it
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance saved.")).to_be_visible()
    statuses = dict(Attendance.objects.values_list("member_id", "status"))
    assert statuses == {m.member_id: s for m, s in zip(memberships, [P, P, A, E], strict=True)}


def test_the_phones_list_says_until_when_a_screen_is_kept_with_the_month_written_out(
    live_server, on_her_phone, session_now
):
    page = on_her_phone
    session, _memberships = session_now
    _open_and_keep(page, live_server, session)
    page.goto(live_server.url + reverse("groups:offline"))
    kept = page.locator("li .muted").first
    expect(kept).to_have_text(re.compile(r"kept until [A-Z][a-z]+ \d{1,2}, \d{4}"))
