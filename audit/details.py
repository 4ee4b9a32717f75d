"""The audit log's details in the reader's language.

A detail is written once, in English words of a fixed vocabulary (what was looked at or changed: "case close
form", "attendance 12", "risk form as on 2026-03-01"), so that the log keeps no reader's language and reads
the same in every export. The administration shows it in the reader's language: the words below, with a
record's number kept and a day written in her form of dates. Words outside the vocabulary are shown as
written (tests/audit/test_details.py fails when the code writes one).
"""

import re
from datetime import date

from django.utils.translation import gettext, pgettext_lazy

from core.formatting import date_filter

WORDS = {
    "no such account": pgettext_lazy("audit log detail", "no such account"),
    "logged out": pgettext_lazy("audit log detail", "logged out"),
    "ended from her session list": pgettext_lazy("audit log detail", "ended from her session list"),
    "totp added": pgettext_lazy("audit log detail", "authenticator app added"),
    "totp removed": pgettext_lazy("audit log detail", "authenticator app removed"),
    "totp renewed": pgettext_lazy("audit log detail", "authenticator app renewed"),
    "recovery_codes added": pgettext_lazy("audit log detail", "recovery codes made"),
    "recovery_codes removed": pgettext_lazy("audit log detail", "recovery codes removed"),
    "recovery_codes renewed": pgettext_lazy("audit log detail", "recovery codes renewed"),
    "webauthn added": pgettext_lazy("audit log detail", "security key added"),
    "webauthn removed": pgettext_lazy("audit log detail", "security key removed"),
    "webauthn renewed": pgettext_lazy("audit log detail", "security key renewed"),
    "compelled disclosure": pgettext_lazy("audit log detail", "compelled disclosure"),
    "admin list": pgettext_lazy("audit log detail", "admin list"),
    "admin": pgettext_lazy("audit log detail", "admin"),
    "attendance": pgettext_lazy("audit log detail", "attendance"),
    "excused": pgettext_lazy("audit log detail", "excused"),
    "session notes": pgettext_lazy("audit log detail", "session notes"),
    "looked up by code": pgettext_lazy("audit log detail", "looked up by code"),
    "joined cohort": pgettext_lazy("audit log detail", "joined cohort"),
    "membership dates": pgettext_lazy("audit log detail", "membership dates"),
    "membership": pgettext_lazy("audit log detail", "membership"),
    "follow-up contacted": pgettext_lazy("audit log detail", "follow-up contacted"),
    "follow-up resolved": pgettext_lazy("audit log detail", "follow-up resolved"),
    "cohort": pgettext_lazy("audit log detail", "cohort"),
    "device copy": pgettext_lazy("audit log detail", "device copy"),
    "sign-in sheet": pgettext_lazy("audit log detail", "sign-in sheet"),
    "notes": pgettext_lazy("audit log detail", "notes"),
    "overview": pgettext_lazy("audit log detail", "overview"),
    "overview xlsx": pgettext_lazy("audit log detail", "overview xlsx"),
    "time": pgettext_lazy("audit log detail", "time"),
    "cancel": pgettext_lazy("audit log detail", "cancel"),
    "confirmed": pgettext_lazy("audit log detail", "confirmed"),
    "marked": pgettext_lazy("audit log detail", "marked"),
    "from intake": pgettext_lazy("audit log detail", "from intake"),
    "accepted": pgettext_lazy("audit log detail", "accepted"),
    "closed": pgettext_lazy("audit log detail", "closed"),
    "home panel": pgettext_lazy("audit log detail", "home panel"),
    "counseling bookings list": pgettext_lazy("audit log detail", "counseling bookings list"),
    "list": pgettext_lazy("audit log detail", "list"),
    "queue": pgettext_lazy("audit log detail", "queue"),
    "case list": pgettext_lazy("audit log detail", "case list"),
    "caseload": pgettext_lazy("audit log detail", "caseload"),
    "team caseload": pgettext_lazy("audit log detail", "team caseload"),
    "case detail": pgettext_lazy("audit log detail", "case detail"),
    "case close form": pgettext_lazy("audit log detail", "case close form"),
    "case handover form": pgettext_lazy("audit log detail", "case handover form"),
    "case reopen form": pgettext_lazy("audit log detail", "case reopen form"),
    "needs": pgettext_lazy("audit log detail", "needs"),
    "risk history": pgettext_lazy("audit log detail", "risk history"),
    "risk form": pgettext_lazy("audit log detail", "risk form"),
    "safety plan": pgettext_lazy("audit log detail", "safety plan"),
    "action plan": pgettext_lazy("audit log detail", "action plan"),
    "action step": pgettext_lazy("audit log detail", "action step"),
    "action plan history": pgettext_lazy("audit log detail", "action plan history"),
    "information given": pgettext_lazy("audit log detail", "information given"),
    "consents": pgettext_lazy("audit log detail", "consents"),
    "consent withdrawal": pgettext_lazy("audit log detail", "consent withdrawal"),
    "disclosures": pgettext_lazy("audit log detail", "disclosures"),
    "referrals": pgettext_lazy("audit log detail", "referrals"),
    "referral": pgettext_lazy("audit log detail", "referral"),
    "aftercare": pgettext_lazy("audit log detail", "aftercare"),
    "children": pgettext_lazy("audit log detail", "children"),
    "child": pgettext_lazy("audit log detail", "child"),
    "journal": pgettext_lazy("audit log detail", "journal"),
    "journal entry": pgettext_lazy("audit log detail", "journal entry"),
    "CTI course": pgettext_lazy("audit log detail", "CTI course"),
    "CTI dashboard": pgettext_lazy("audit log detail", "CTI dashboard"),
    "case conferences": pgettext_lazy("audit log detail", "case conferences"),
    "case conference": pgettext_lazy("audit log detail", "case conference"),
    "case conference minutes": pgettext_lazy("audit log detail", "case conference minutes"),
    "retention": pgettext_lazy("audit log detail", "retention"),
}
_NUMBERED = re.compile(r"(?P<words>.+?) (?P<number>\d+)")
_AS_ON = re.compile(r"(?P<words>.+) as on (?P<day>\d{4}-\d{2}-\d{2})")


def _shown(detail: str):
    """The detail in the active language, or None when its words are not the vocabulary's."""
    if detail in WORDS:
        return str(WORDS[detail])
    found = _NUMBERED.fullmatch(detail)
    if found and found["words"] in WORDS:
        return f"{WORDS[found['words']]} {found['number']}"
    found = _AS_ON.fullmatch(detail)
    if found and found["words"] in WORDS:
        day = date_filter(date.fromisoformat(found["day"]), "SHORT_DATE_FORMAT")
        return gettext("%(view)s as on %(day)s") % {"view": WORDS[found["words"]], "day": day}
    return None


def detail_known(detail: str) -> bool:
    return not detail or _shown(detail) is not None


def detail_shown(detail: str) -> str:
    """The stored detail in the active language, or as written when its words are not the vocabulary's."""
    return (_shown(detail) if detail else None) or detail
