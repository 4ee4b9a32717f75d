"""Why an enrolment ended: kept as a code and its figures, written in each reader's language."""

from importlib import import_module

import pytest
from django.apps import apps
from django.utils import translation

from trainings.enums import EndReason, EnrollmentStatus
from trainings.models import Enrollment
from trainings.reasons import reason_text

migration = import_module("trainings.migrations.0011_enrollment_reason_from_sentence")


@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
def test_every_reason_has_its_sentence_in_every_language(language):
    figures = {"hours": "7.5", "total": "16.0", "share": 46, "needed": 80, "attended": 1}
    with translation.override(language):
        for code in EndReason.values:
            details = figures if code in (EndReason.HOURS_MET, EndReason.HOURS_SHORT) else {**figures, "total": 2}
            text = reason_text(code, details)
            assert text and "%(" not in text, code
        corrected = reason_text(EndReason.HOURS_SHORT, {**figures, "corrected": True})
        assert reason_text(EndReason.HOURS_SHORT, figures) in corrected != reason_text(EndReason.HOURS_SHORT, figures)
    with translation.override("en"):
        english = reason_text(EndReason.HOURS_SHORT, {**figures, "corrected": True})
    assert (corrected == english) == (language == "en")
    assert ("7,5" in corrected) == (language != "en")
    assert reason_text("", {}) == ""


def test_a_sessions_count_of_one_is_said_in_the_singular():
    assert reason_text(EndReason.ALL_SESSIONS, {"total": 1}) == "Attended the session."
    assert reason_text(EndReason.ALL_SESSIONS, {"total": 3}) == "Attended all 3 sessions."


def test_the_words_a_person_gave_come_before_the_recorded_reason():
    enrollment = Enrollment(completion_reason="Moved to another city.", completion_code=EndReason.NOT_APPROVED)
    assert enrollment.reason_shown() == "Moved to another city."
    enrollment.completion_reason = ""
    assert enrollment.reason_shown() == "Not approved by the coordinator."


def test_sentences_stored_before_become_codes_in_whichever_language_they_were_written(edition, trainees):
    def sentence(language, text, **figures):
        with translation.override(language):
            return translation.gettext(text) % figures

    stored = {
        "en-hours": sentence(
            "en",
            "Attended %(hours)s of %(total)s hours (%(share)d%%); %(needed)d%% is needed.",
            hours="8.0",
            total="16.0",
            share=50,
            needed=80,
        ),
        "da-offer": sentence("da", "The seat offer was not confirmed in time."),
        "sr-corrected": sentence(
            "sr-latn",
            "Attendance corrected after closing: %(reason)s",
            reason=sentence("sr-latn", "Attended all %(total)d sessions.", total=2),
        ),
        "typed": "I have a new job and cannot come.",
    }
    people = trainees(len(stored))
    enrollments = {
        key: Enrollment.objects.create(
            edition=edition, user=person, status=EnrollmentStatus.CANCELLED, completion_reason=text
        )
        for (key, text), person in zip(stored.items(), people, strict=True)
    }
    assert stored["da-offer"] != "The seat offer was not confirmed in time."

    migration.reason_codes_from_sentences(apps, None)

    found = {key: Enrollment.objects.get(pk=e.pk) for key, e in enrollments.items()}
    assert (found["en-hours"].completion_code, found["en-hours"].completion_details) == (
        EndReason.HOURS_SHORT,
        {"hours": "8.0", "total": "16.0", "share": 50, "needed": 80},
    )
    assert (found["da-offer"].completion_code, found["da-offer"].completion_details) == (EndReason.OFFER_EXPIRED, {})
    assert (found["sr-corrected"].completion_code, found["sr-corrected"].completion_details) == (
        EndReason.ALL_SESSIONS,
        {"total": 2, "corrected": True},
    )
    assert all(found[key].completion_reason == "" for key in ("en-hours", "da-offer", "sr-corrected"))
    # What a person typed stays as she typed it.
    assert (found["typed"].completion_reason, found["typed"].completion_code) == (stored["typed"], "")
    with translation.override("da"):
        assert found["en-hours"].reason_shown() == reason_text(
            EndReason.HOURS_SHORT, found["en-hours"].completion_details
        )
        assert "8,0" in found["en-hours"].reason_shown()
