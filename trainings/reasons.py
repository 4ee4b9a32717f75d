"""The sentence that says why an enrolment ended as it did, written in the reader's language when it is shown.

An enrolment keeps the reason's code and its figures (trainings.enums.EndReason): a sentence stored when the
edition closed stayed in the language of whoever was active then, and reached trainees and coordinators of
the other languages in it, its hours written with that language's decimal point.
"""

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from trainings.enums import EndReason

SENTENCES = {
    EndReason.NO_SESSIONS: _("The edition had no sessions."),
    EndReason.ALL_SESSIONS: ngettext_lazy("Attended the session.", "Attended all %(total)d sessions.", "total"),
    EndReason.SESSIONS_MISSED: ngettext_lazy(
        "Attended %(attended)d of %(total)d session; it is required.",
        "Attended %(attended)d of %(total)d sessions; all sessions are required.",
        "total",
    ),
    EndReason.HOURS_MET: _("Attended %(hours)s of %(total)s hours (%(share)d%%; %(needed)d%% needed)."),
    EndReason.HOURS_SHORT: _("Attended %(hours)s of %(total)s hours (%(share)d%%); %(needed)d%% is needed."),
    EndReason.EDITION_CANCELLED: _("The edition was cancelled."),
    EndReason.OFFER_EXPIRED: _("The seat offer was not confirmed in time."),
    EndReason.NOT_APPROVED: _("Not approved by the coordinator."),
    EndReason.CLOSED_WAITING: _("The edition was closed before a seat became free."),
}
HOURS = (EndReason.HOURS_MET, EndReason.HOURS_SHORT)
# A correction after closing says so around the reason.
CORRECTED = "corrected"


def reason_text(code, details=None) -> str:
    """The reason in the active language, its hours in that language's form; "" for no code."""
    sentence = SENTENCES.get(code)
    if sentence is None:
        return ""
    details = details or {}
    values = {key: value for key, value in details.items() if key != CORRECTED}
    if code in HOURS:
        for key in ("hours", "total"):
            values[key] = number_format(Decimal(str(values[key])), 1)
    text = str(sentence % values)
    if details.get(CORRECTED):
        text = gettext("Attendance corrected after closing: %(reason)s") % {"reason": text}
    return text
