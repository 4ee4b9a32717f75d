"""Attendance that survives a basement: the pieces every app with an attendance screen shares.

A facilitator's or trainer's phone keeps the attendance screens of her sessions from yesterday to a week
ahead (static/js/offline.js stores them; static/offline/sw.js serves them when the network is gone). Marks
made offline wait on the phone and are sent later, each with an id the phone made, to an app's sync
endpoint, which reads them with `device_batch_parse` and applies them through the app's own attendance
service.

- An app's sync endpoint is `device_sync` given the app's sessions and its attendance service; the
  service decides each mark with core/attendance.py.
- An app announces where its offline screens live with `area_register` (in its AppConfig.ready): the
  permission that opens the area (other roles keep nothing), the URL its service worker scope covers, and
  the page the installed app opens on.
- The service worker and the web app manifest are served from the site root (`service_worker`,
  `web_manifest`), so their URLs never change with the language or with hashed static file names.
"""

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from core.attendance import Mark, Outcome
from core.enums import AttendanceStatus

# A phone sends at most this many marks at once; it sends the rest next time.
MAX_MARKS = 400
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@dataclass(frozen=True)
class OfflineArea:
    permission: str  # without an object: who keeps screens of this area on her phone
    scope_url_name: str  # the service worker controls pages under this URL
    start_url_name: str  # the installed app opens here: the list of screens kept on this phone


_AREAS: list[OfflineArea] = []


def area_register(*, permission: str, scope_url_name: str, start_url_name: str) -> None:
    area = OfflineArea(permission, scope_url_name, start_url_name)
    if area not in _AREAS:
        _AREAS.append(area)


def areas_for(user) -> list[OfflineArea]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [area for area in _AREAS if user.has_perm(area.permission)]


def area_urls(area: OfflineArea) -> dict:
    """The area's scope and start page in the active language (what the page script registers)."""
    try:
        return {"scope": reverse(area.scope_url_name), "start": reverse(area.start_url_name)}
    except NoReverseMatch:
        return {}


# Marks sent from a phone ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceMark:
    client_id: str
    session_id: int
    subject_id: int  # a member (groups) or an enrolment (trainings)
    status: str
    children: int
    marked_at: datetime
    seen: datetime | None  # the time of the mark her screen showed, None when it showed none

    def as_mark(self) -> Mark:
        return Mark(
            status=self.status, children=self.children, client_id=self.client_id, marked_at=self.marked_at,
            seen=self.seen,
        )  # fmt: skip


def _moment(value, *, required: bool):
    if value in (None, ""):
        if required:
            raise ValueError
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError
    return moment


@dataclass(frozen=True)
class DeviceBatch:
    marks: list[DeviceMark]
    from_form: bool  # sent by "Save attendance", not by a connection that came back


def device_batch_parse(body: bytes) -> DeviceBatch:
    """The marks a phone sent, or ValidationError with a message for a request no phone of ours makes."""
    refused = ValidationError(_("These marks could not be read. Reload the page and mark again."))
    try:
        payload = json.loads(body or b"{}")
        items = payload["marks"]
        if not isinstance(items, list) or len(items) > MAX_MARKS:
            raise refused
        marks = []
        for item in items:
            client_id = str(item["id"])
            if not _CLIENT_ID.match(client_id):
                raise refused
            marks.append(
                DeviceMark(
                    client_id=client_id,
                    session_id=int(item["session"]),
                    subject_id=int(item["subject"]),
                    status=str(item["status"]),
                    children=int(item.get("children") or 0),
                    marked_at=_moment(item.get("marked_at"), required=True),
                    seen=_moment(item.get("seen"), required=False),
                )
            )
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
        raise refused from None
    return DeviceBatch(marks=marks, from_form=payload.get("from_form") is True)


def device_login_needed() -> JsonResponse:
    """The answer to a phone whose login has ended: it keeps its marks and asks her to log in again."""
    return JsonResponse(
        {"error": "login", "message": _("Log in again to send the marks kept on this phone.")}, status=401
    )


def device_sync(request, *, sessions_of, may_record, record) -> JsonResponse:
    """An app's sync endpoint: marks a phone kept while offline, sent when the connection came back (JSON in,
    JSON out), each applied through the app's attendance service, the one its form uses.

    `sessions_of(ids)` gives the sessions among `ids` she may open, `may_record(session)` whether she may mark
    one, and `record(session, marks)` applies {subject id: Mark} and answers a DeviceOutcome for each. A
    login that ended meanwhile gets a 401 the phone understands: it keeps the marks until she logs in again.
    """
    if request.method != "POST":
        return JsonResponse({"error": "method"}, status=405)
    if not request.user.is_authenticated:
        return device_login_needed()
    try:
        batch = device_batch_parse(request.body)
    except ValidationError as refused:
        return JsonResponse({"error": "invalid", "message": " ".join(refused.messages)}, status=400)
    by_session = defaultdict(dict)
    for mark in sorted(batch.marks, key=lambda m: m.marked_at):
        # The later of two marks for one person wins; the earlier one is not sent again.
        by_session[mark.session_id][mark.subject_id] = mark
    sessions = {s.pk: s for s in sessions_of(list(by_session))}
    results = []
    for session_id, marks in by_session.items():
        session = sessions.get(session_id)
        if session is None or not may_record(session):
            message = _("This session is not one of yours, so these marks were not saved.")
            results.extend({"id": m.client_id, "outcome": Outcome.REFUSED, "message": message} for m in marks.values())
            continue
        outcomes = record(session, {subject_id: m.as_mark() for subject_id, m in marks.items()})
        results.extend(
            {
                "id": o.client_id,
                "session": session_id,
                "subject": o.subject_id,
                "outcome": o.outcome,
                "changed_by_someone_else": o.changed_by_someone_else,
                "status": o.status,
                "status_label": str(AttendanceStatus(o.status).label) if o.status else "",
                "children": o.children,
                "message": o.message,
            }
            for o in outcomes
        )
    sent = {m.client_id for m in batch.marks}
    answered = {r["id"] for r in results}
    # Earlier marks for the same person, replaced by her later one: nothing more to send.
    results.extend({"id": client_id, "outcome": Outcome.ALREADY} for client_id in sent - answered)
    if batch.from_form and not any(r["outcome"] == Outcome.REFUSED for r in results):
        # She pressed "Save attendance": the page she reloads says so, as after the plain form.
        messages.success(request, _("Attendance saved."))
    return JsonResponse({"results": results})


# The words the page script shows ---------------------------------------------------------------------


def _plural(text) -> dict:
    """One text per plural category of the page's language (the script picks one with Intl.PluralRules):
    1 is "one", 2 is "few" where the language has it (Serbian), 5 stands for every other count.
    `text(n)` is an ngettext call, written out so that makemessages finds its strings."""
    return {"one": text(1), "few": text(2), "many": text(5), "other": text(5)}


def device_strings() -> dict:
    return {
        "waiting": _plural(
            lambda n: ngettext(
                "%(count)s mark is saved on this phone and not sent yet.",
                "%(count)s marks are saved on this phone and not sent yet.",
                n,
            )
        ),
        "saved_count": _plural(lambda n: ngettext("%(count)s mark was saved.", "%(count)s marks were saved.", n)),
        "logout_confirm": _plural(
            lambda n: ngettext(
                "%(count)s mark on this phone has not been sent yet. If you log out now it is deleted. Log out anyway?",
                "%(count)s marks on this phone have not been sent yet. If you log out now they are deleted. "
                "Log out anyway?",
                n,
            )
        ),
        "offline": _("You are offline. Marks are saved on this phone and sent when the connection returns."),
        "send_now": _("Send now"),
        "sending": _("Sending…"),
        "sent": _("All marks were sent."),
        "login": _("Log in again to send the marks kept on this phone."),
        "failed": _("The marks could not be sent yet. They stay on this phone; try again later."),
        "unreadable": _("These marks could not be read. Reload the page and mark again."),
        "row_waiting": _("Saved on this phone, not sent yet"),
        "nothing": _("Nothing was changed, so nothing was sent."),
        "all_present": _("Everyone not marked yet is set to present. Change anyone who is not here, then save."),
        "not_open": _("Attendance can be taken from %(time)s. Until then this screen cannot be changed."),
        "conflicts_title": _("Marks changed by someone else"),
        "superseded": _(
            "%(name)s: someone else marked her later, so her mark stays %(status)s. "
            "Your mark is kept in the change log."
        ),
        "overrode": _(
            "%(name)s: someone else had changed her mark meanwhile; your later mark (%(status)s) replaced it. "
            "Both are in the change log."
        ),
        "refused": _("%(name)s: not saved. %(message)s"),
        "dismiss": _("Understood"),
        "kept_none": _("Nothing is kept on this phone."),
        "kept_until": _("kept until %(date)s"),
    }


# Files served from the site root -------------------------------------------------------------------------


@cache
def _static_text(path: str) -> str:
    found = finders.find(path)
    if not found:
        raise Http404
    with open(found, encoding="utf-8") as handle:
        return handle.read()


def service_worker(request):
    """The service worker at /sw.js. A worker's URL must stay the same across deployments (a hashed static
    name would install a second worker each time) and its location bounds the scopes it may control."""
    response = HttpResponse(_static_text("offline/sw.js"), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


def web_manifest(request):
    """The web app manifest: Haven installs as an app for the people who keep screens offline, and opens on
    the list of screens kept on the phone (which works offline)."""
    manifest = json.loads(_static_text("offline/manifest.webmanifest"))
    for icon in manifest.get("icons", []):
        icon["src"] = staticfiles_storage.url(icon["src"])
    areas = areas_for(request.user)
    urls = area_urls(areas[0]) if areas else {}
    manifest["start_url"] = urls.get("start") or reverse("home")
    # In her language, as every page: the phone shows it when she installs the app.
    manifest["description"] = _("Attendance for self-support groups and trainings, also without a connection.")
    manifest["lang"] = get_language()
    response = HttpResponse(json.dumps(manifest), content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


def device_page(request):
    """What this phone keeps: the screens kept for offline attendance and the marks waiting to be sent.

    The page itself holds nothing about anyone (the script fills it from the phone's own storage), so the
    service worker can show it when the network is gone and a screen was not kept."""
    # No messages: the page is kept on the phone as it is rendered, and a message belongs to the next page.
    return render(request, "offline/device.html", {"messages": []})
