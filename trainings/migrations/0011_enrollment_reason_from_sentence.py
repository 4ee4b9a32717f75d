"""Reasons stored as sentences become their code and figures, so that each reader sees them in her language.

A sentence matches when it is one the project wrote, in any of its languages (the message files give the
translations); what a person typed stays as she typed it. The sentences are copied here, not imported, so
that a later change to the wording leaves this migration as it was.
"""

import re

from django.conf import settings
from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

# Marked for the message files, which keep their translations while stored sentences may still be in them.
SENTENCES = {
    "no_sessions": gettext_noop("The edition had no sessions."),
    "all_sessions": gettext_noop("Attended all %(total)d sessions."),
    "sessions_missed": gettext_noop("Attended %(attended)d of %(total)d sessions; all sessions are required."),
    "hours_met": gettext_noop("Attended %(hours)s of %(total)s hours (%(share)d%%; %(needed)d%% needed)."),
    "hours_short": gettext_noop("Attended %(hours)s of %(total)s hours (%(share)d%%); %(needed)d%% is needed."),
    "edition_cancelled": gettext_noop("The edition was cancelled."),
    "offer_expired": gettext_noop("The seat offer was not confirmed in time."),
    "not_approved": gettext_noop("Not approved by the coordinator."),
    "closed_waiting": gettext_noop("The edition was closed before a seat became free."),
}
CORRECTED = gettext_noop("Attendance corrected after closing: %(reason)s")
PLACEHOLDER = re.compile(r"%\\\((\w+)\\\)([sd])")


def _pattern(sentence):
    """A translated sentence as a regular expression whose groups are its figures."""
    escaped = re.escape(sentence).replace("%%", "%")
    return PLACEHOLDER.sub(lambda m: rf"(?P<{m[1]}>\d+)" if m[2] == "d" else rf"(?P<{m[1]}>[\d.,]+)", escaped)


def _patterns():
    patterns = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            corrected = re.escape(gettext(CORRECTED)).replace(r"%\(reason\)s", "(?P<reason>.+)")
            for code, sentence in SENTENCES.items():
                patterns.append((code, re.compile(_pattern(gettext(sentence)) + r"\Z")))
            patterns.append(("corrected", re.compile(corrected + r"\Z")))
    return patterns


def _match(text, patterns):
    """(code, figures) for a sentence the project wrote, or None."""
    for code, pattern in patterns:
        found = pattern.match(text)
        if found is None:
            continue
        if code == "corrected":
            inner = _match(found["reason"], patterns)
            return None if inner is None else (inner[0], {**inner[1], "corrected": True})
        figures = {}
        for name, value in found.groupdict().items():
            if code in ("hours_met", "hours_short") and name in ("hours", "total"):
                figures[name] = value.replace(",", ".")
            else:
                figures[name] = int(value)
        return code, figures
    return None


def reason_codes_from_sentences(apps, schema_editor):
    Enrollment = apps.get_model("trainings", "Enrollment")
    patterns = _patterns()
    batch = []
    for enrollment in Enrollment.objects.exclude(completion_reason="").only("pk", "completion_reason").iterator():
        found = _match(enrollment.completion_reason, patterns)
        if found is None:
            continue
        enrollment.completion_code, enrollment.completion_details = found
        enrollment.completion_reason = ""
        batch.append(enrollment)
        if len(batch) == 1000:
            Enrollment.objects.bulk_update(batch, ["completion_reason", "completion_code", "completion_details"])
            batch = []
    Enrollment.objects.bulk_update(batch, ["completion_reason", "completion_code", "completion_details"])


class Migration(migrations.Migration):
    dependencies = [
        ("trainings", "0010_enrollment_reason_code"),
    ]

    operations = [
        migrations.RunPython(reason_codes_from_sentences, migrations.RunPython.noop),
    ]
