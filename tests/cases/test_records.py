"""The case's running record and its histories: the journal, referrals' statuses, consent withdrawal,
risk assessment fidelity, conference minutes, CTI, aftercare plans and children."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from accounts.enums import Role
from cases import selectors, services
from cases.enums import ActivityStatus, DataCategory, DisclosureFormat, JournalKind, ReferralStatus, RiskLevel
from cases.models import (
    CaseConference,
    CaseJournalEntry,
    ConferenceDecision,
    ConferenceParticipant,
    CtiCourse,
    Disclosure,
    MinutesFinalError,
    ReferralStatusChange,
)
from core import dates
from core.appendonly import AppendOnlyError
from tests.cases.conftest import HIGH_YES, answers
from tests.cases.pages import answer_risk, check, errors_of, messages_of


def _raw(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


# Journal


def test_journal_entries_are_dated_signed_and_corrected_by_new_entries(django_app, case, counselor):
    page = django_app.get(reverse("cases:journal", args=[case.pk]), user=counselor)
    form = page.forms["journal-form"]
    form["kind"] = JournalKind.CALL
    form["text"] = "Zvala je: bivši partner je juče čekao ispred vrtića."
    page = form.submit().follow()
    assert "The entry was added to the journal." in messages_of(page)
    entry = CaseJournalEntry.objects.get()
    assert entry.written_by == counselor and entry.kind == JournalKind.CALL

    page = page.click(href=reverse("cases:journal_correct", args=[case.pk, entry.pk]))
    form = page.forms["correction-form"]
    assert form["text"].value == entry.text
    form["text"] = "Zvala je: bivši partner je juče čekao ispred škole."
    page = form.submit().follow()
    correction = CaseJournalEntry.objects.exclude(pk=entry.pk).get()
    assert correction.corrects == entry
    entry.refresh_from_db()
    assert entry.text.endswith("ispred vrtića.")  # the first entry stays as it was written
    assert "Corrected on" in page.text and "Corrects the entry of" in page.text


def test_a_journal_entry_cannot_be_changed_or_deleted(case, counselor):
    entry = services.journal_entry_add(
        case=case, kind=JournalKind.NOTE, occurred_at=dates.now(), text="Beleška", by=counselor
    )
    entry.text = "Izmenjeno"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        CaseJournalEntry.objects.filter(pk=entry.pk).update(kind=JournalKind.INCIDENT)
    with pytest.raises(DatabaseError):
        _raw("UPDATE cases_casejournalentry SET kind = 'incident' WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError):
        _raw("DELETE FROM cases_casejournalentry WHERE id = %s", [entry.pk])
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM cases_casejournalentry WHERE id = %s", [entry.pk])
        assert "Beleška" not in cursor.fetchone()[0]  # encrypted at rest


def test_a_journal_entry_tells_what_happened_not_what_will(case, counselor):
    with pytest.raises(ValidationError):
        services.journal_entry_add(
            case=case,
            kind=JournalKind.NOTE,
            occurred_at=dates.now() + dt.timedelta(hours=2),
            text="x",
            by=counselor,
        )
    with pytest.raises(ValidationError):
        services.journal_entry_add(case=case, kind=JournalKind.NOTE, occurred_at=dates.now(), text=" ", by=counselor)
    assert not CaseJournalEntry.objects.exists()


# Referrals: a dated history


def test_a_referral_keeps_every_status_with_its_date(django_app, case, counselor, csw, today):
    services.consent_record(
        case=case,
        recipient=csw,
        categories=["risk"],
        purpose="x",
        given_how="oral",
        valid_from=today - dt.timedelta(days=10),
        valid_until=today,
        by=counselor,
    )
    referral = services.referral_send(
        case=case,
        institution=csw,
        categories=["risk"],
        reason="Procena",
        sent_on=today - dt.timedelta(days=5),
        by=counselor,
    )
    url = reverse("cases:referral_detail", args=[case.pk, referral.pk])
    form = django_app.get(url, user=counselor).forms["referral-update-form"]
    form["status"] = ReferralStatus.ACCEPTED
    form["on"] = (today - dt.timedelta(days=2)).isoformat()
    form["outcome"] = "Preuzeto"
    page = form.submit().follow()
    form = page.forms["referral-update-form"]
    form["status"] = ReferralStatus.DONE
    form["outcome"] = "Mera izrečena."
    page = form.submit().follow()
    history = [(change.status, change.on) for change in selectors.referral_history(referral=referral)]
    assert history == [
        (ReferralStatus.SENT, today - dt.timedelta(days=5)),
        (ReferralStatus.ACCEPTED, today - dt.timedelta(days=2)),
        (ReferralStatus.DONE, today),
    ]
    referral.refresh_from_db()
    assert referral.answered_on == today - dt.timedelta(days=2) and referral.outcome == "Mera izrečena."
    assert "Preuzeto" in page.text  # the earlier outcome stays in the history
    with pytest.raises(AppendOnlyError):
        ReferralStatusChange.objects.filter(referral=referral).update(status=ReferralStatus.REJECTED)


def test_a_referral_status_before_it_was_sent_is_refused(case, coordinator, csw, today):
    referral = services.referral_send(
        case=case,
        institution=csw,
        categories=["risk"],
        reason="x",
        sent_on=today,
        override_reason="Zakonska obaveza",
        by=coordinator,
    )
    with pytest.raises(ValidationError):
        services.referral_update(
            referral=referral, status="accepted", outcome="", on=today - dt.timedelta(days=1), by=coordinator
        )
    assert referral.status_changes.count() == 1


# Consent withdrawal


def test_withdrawing_a_consent_lists_what_was_shared_and_sets_the_task_to_tell(django_app, case, counselor, csw, today):
    consent = services.consent_record(
        case=case,
        recipient=csw,
        categories=["risk"],
        purpose="Koordinacija",
        given_how="written",
        valid_from=today,
        valid_until=today + dt.timedelta(days=60),
        by=counselor,
    )
    services.disclosure_record(case=case, recipient=csw, categories=["risk"], format="print", by=counselor)
    page = django_app.get(reverse("cases:consent_withdraw", args=[case.pk, consent.pk]), user=counselor)
    assert "Print view" in page.text  # the disclosure made under it
    form = page.forms["withdraw-form"]
    form["reason"] = ""
    refused = form.submit()
    assert "Confirm the withdrawal." in refused.text
    form = refused.forms["withdraw-form"]
    form["reason"] = "Ne želi da centar dobija podatke."
    form["tell_recipient"] = True
    form["confirm"] = True
    form.submit().follow()
    consent.refresh_from_db()
    assert consent.withdrawn_on == today and consent.withdrawal_reason.startswith("Ne želi")
    assert consent.withdrawn_by == counselor and consent.tell_recipient
    with pytest.raises(ValidationError):
        services.disclosure_record(case=case, recipient=csw, categories=["risk"], format="print", by=counselor)
    page = django_app.get(reverse("cases:caseload"))
    assert "Tell a recipient of a withdrawal" in page.text
    page = django_app.get(reverse("cases:consent_withdraw", args=[case.pk, consent.pk]))
    page.forms["told-form"].submit().follow()
    consent.refresh_from_db()
    assert consent.recipient_told_on == today


# Risk fidelity


def test_dont_know_and_not_asked_add_nothing_and_are_counted(case, counselor, today):
    replies = answers(["strangled"])
    replies.update({"weapon": "dont_know", "stalking": "not_asked"})
    assessment = services.risk_assessment_record(case=case, assessed_on=today, answers=replies, by=counselor)
    assert assessment.score == 2
    shown = selectors.risk_history(case=case).get()
    assert (shown.unknown_count, shown.not_asked_count) == (1, 1)


def test_professional_judgement_raises_the_level_with_a_reason(django_app, case, counselor):
    form = django_app.get(reverse("cases:risk_create", args=[case.pk]), user=counselor).forms["risk-form"]
    answer_risk(form, ["frightened"], skip=["weapon"])
    form["q_weapon"] = "dont_know"
    form["raise_to"] = RiskLevel.HIGH
    refused = form.submit()
    assert "Say why your professional judgement raises the level." in refused.text
    form = refused.forms["risk-form"]
    form["judgement_reason"] = "Nabavio je pištolj prošle nedelje."
    page = form.submit().follow()
    assessment = case.risk_assessments.get()
    assert (assessment.scored_level, assessment.level, assessment.judgement_raised) == (
        RiskLevel.STANDARD,
        RiskLevel.HIGH,
        True,
    )
    assert "raised by professional judgement" in page.text
    assert "<svg" in page.text and "risk-chart-title" in page.text  # the chart, with the table beside it


def test_judgement_never_lowers_the_level(case, counselor, today):
    with pytest.raises(ValidationError):
        services.risk_assessment_record(
            case=case,
            assessed_on=today,
            answers=answers(HIGH_YES),
            raise_to=RiskLevel.MEDIUM,
            judgement_reason="x",
            by=counselor,
        )
    assert not case.risk_assessments.exists()


def test_the_next_assessment_may_be_due_earlier_but_not_later(case, counselor, today):
    with pytest.raises(ValidationError):
        services.risk_assessment_record(
            case=case, assessed_on=today, answers=answers(), next_due_on=today + dt.timedelta(weeks=9), by=counselor
        )
    assessment = services.risk_assessment_record(
        case=case, assessed_on=today, answers=answers(), next_due_on=today + dt.timedelta(weeks=2), by=counselor
    )
    assert assessment.next_due_on == today + dt.timedelta(weeks=2)


def test_the_chart_has_a_point_per_assessment_oldest_first(case, counselor, today):
    for weeks, yes in ((6, ["frightened"]), (3, HIGH_YES[:10]), (0, HIGH_YES)):
        services.risk_assessment_record(
            case=case, assessed_on=today - dt.timedelta(weeks=weeks), answers=answers(yes), by=counselor
        )
    chart = selectors.risk_chart(selectors.risk_history(case=case))
    assert [point.score for point in chart.points] == [1, 10, 16]
    assert chart.points[0].x < chart.points[-1].x and chart.points[0].y > chart.points[-1].y


# Conferences: frozen minutes, decisions with a history, minutes sent as a disclosure


@pytest.fixture
def held_conference(case, counselor, csw, today):
    services.risk_assessment_record(case=case, assessed_on=today, answers=answers(["threat_to_kill"]), by=counselor)
    conference = services.conference_schedule(
        case=case, held_at=dates.now() - dt.timedelta(hours=1), decisions="Prva odluka", by=counselor
    )
    services.conference_participant_add(conference=conference, institution=csw, name="Voditeljka", by=counselor)
    services.conference_update(conference=conference, decisions="Druga odluka", by=counselor)
    return conference


def test_decisions_keep_their_history(held_conference):
    texts = [decision.text for decision in ConferenceDecision.objects.filter(conference=held_conference)]
    assert texts == ["Druga odluka", "Prva odluka"]


def test_final_minutes_freeze_the_risk_assessment_and_the_participants(
    django_app, held_conference, case, counselor, csw, today, clock
):
    page = django_app.get(reverse("cases:conference_detail", args=[held_conference.pk]), user=counselor)
    form = page.forms["finalise-form"]
    form["confirm"] = True
    page = form.submit().follow()
    assert "The minutes are final." in messages_of(page)
    assert "participant-form" not in page.forms and "conference-form" not in page.forms
    held_conference.refresh_from_db()
    discussed = held_conference.risk_assessment
    assert discussed is not None and discussed.assessed_on == today
    # A later assessment does not rewrite what the meeting saw.
    clock(today + dt.timedelta(days=3))
    services.risk_assessment_record(
        case=case, assessed_on=dates.today(), answers=answers(["weapon", "escalating"]), by=counselor
    )
    minutes = django_app.get(reverse("cases:conference_minutes", args=[held_conference.pk]), user=counselor)
    assert "threatened to kill" in minutes.text and "weapons or objects" not in minutes.text
    with pytest.raises(MinutesFinalError):
        services.conference_participant_add(conference=held_conference, institution=csw, name="X", by=counselor)
    with pytest.raises(MinutesFinalError):
        ConferenceParticipant.objects.create(conference=held_conference, institution=csw, name="X")
    with pytest.raises(MinutesFinalError):
        services.conference_update(conference=held_conference, decisions="Treća", by=counselor)
    # The queryset's doors, which call neither the model's save nor its delete.
    participant = held_conference.participants.get()
    for door in (
        lambda: ConferenceParticipant.objects.filter(pk=participant.pk).delete(),
        lambda: held_conference.participants.all().delete(),
        lambda: ConferenceParticipant.objects.filter(pk=participant.pk).update(present=False, name="X"),
        lambda: CaseConference.objects.filter(pk=held_conference.pk).update(place="Elsewhere"),
    ):
        with pytest.raises(MinutesFinalError), transaction.atomic():
            door()
    assert held_conference.participants.get() == participant and participant.present
    assert CaseConference.objects.get(pk=held_conference.pk).place == held_conference.place
    # Retention still blanks what it wipes.
    ConferenceParticipant.objects.filter(pk=participant.pk).update(role="")


def test_printing_the_minutes_for_another_body_is_a_disclosure(django_app, held_conference, case, counselor, police):
    services.conference_minutes_finalise(conference=held_conference, by=counselor)
    page = django_app.get(reverse("cases:conference_minutes", args=[held_conference.pk]), user=counselor)
    form = page.forms["minutes-disclose-form"]
    form["recipient"] = str(police.pk)
    refused = form.submit()
    assert "There is no valid consent" in errors_of(refused)
    assert not Disclosure.objects.exists()
    services.consent_record(
        case=case,
        recipient=police,
        categories=[DataCategory.CONFERENCE],
        purpose="Zaštitne mere",
        given_how="written",
        valid_from=dates.today(),
        valid_until=dates.today(),
        by=counselor,
    )
    form = refused.forms["minutes-disclose-form"]
    form["recipient"] = str(police.pk)
    printed = form.submit()
    assert f"For {police.name}" in printed.text
    disclosure = Disclosure.objects.get()
    assert (disclosure.format, disclosure.conference, disclosure.categories) == (
        DisclosureFormat.MINUTES,
        held_conference,
        [DataCategory.CONFERENCE],
    )


def test_minutes_before_the_meeting_cannot_be_final(case, counselor):
    conference = services.conference_schedule(case=case, held_at=dates.now() + dt.timedelta(days=2), by=counselor)
    with pytest.raises(ValidationError):
        services.conference_minutes_finalise(conference=conference, by=counselor)


# CTI: the window rule with any combination of dates, reviews held or missed, her courses by phase


@pytest.mark.parametrize(
    "day", [dt.date(2027, 1, 31), dt.date(2028, 2, 29), dt.date(2027, 8, 31), dt.date(2027, 11, 30)]
)
def test_cti_window_with_any_combination_of_dates(clock, day):
    clock(day)
    check_window = services.cti_window_check
    check_window(start_on=day)  # nothing to measure against yet
    check_window(start_on=day, moved_out_on=dates.add_months(day, 1))  # starts before she moves out
    # Only a moved-out date: it stands in for the move in for the outer limit of 12 months.
    check_window(start_on=dates.add_months(day, -3), moved_out_on=day)
    check_window(start_on=dates.add_months(day, 3), moved_out_on=day)  # ends 12 months after she left
    for months in (4, 24):
        with pytest.raises(ValidationError) as too_late:
            check_window(start_on=dates.add_months(day, months), moved_out_on=day)
        assert too_late.value.error_dict["start_on"][0].code == "window_exceeded", months
    # With the move in known, more than 6 months after it needs a reason.
    with pytest.raises(ValidationError) as needs_reason:
        check_window(start_on=day, moved_out_on=day, moved_in_on=dates.add_months(day, 2))
    assert needs_reason.value.error_dict["extension_reason"][0].code == "extension_reason_required"
    check_window(start_on=day, moved_out_on=day, moved_in_on=dates.add_months(day, 2), extension_reason="Čeka stan")
    # Both dates: the move in counts.
    check_window(start_on=day, moved_out_on=dates.add_months(day, 1), moved_in_on=dates.add_months(day, 3))
    with pytest.raises(ValidationError) as inverted:
        check_window(start_on=day, moved_out_on=dates.add_months(day, 2), moved_in_on=dates.add_months(day, 1))
    assert inverted.value.error_dict["moved_in_on"][0].code == "moved_in_before_out"
    # A course that would end before she even leaves the shelter.
    with pytest.raises(ValidationError) as early:
        check_window(start_on=day, moved_out_on=dates.add_months(day, 10))
    assert early.value.error_dict["start_on"][0].code == "ends_before_move"
    # An ended course is measured by its end, not by the nine months it would have run.
    check_window(start_on=day, moved_in_on=day, ended_on=dates.add_months(day, 5))
    with pytest.raises(ValidationError):
        check_window(start_on=day, moved_in_on=day)


def test_a_course_starting_two_years_after_she_moved_out_is_refused_on_the_page(django_app, case, counselor, today):
    form = django_app.get(reverse("cases:cti", args=[case.pk]), user=counselor).forms["course-form"]
    form["start_on"] = today.isoformat()
    form["moved_out_on"] = dates.add_months(today, -24).isoformat()
    page = form.submit()
    assert "more than 12 months after she moved out of the shelter" in page.text
    assert not CtiCourse.objects.exists()


def test_cti_reviews_are_marked_held_or_missed(django_app, case, counselor, today):
    course = services.cti_course_save(case=case, start_on=dates.add_months(today, -3), by=counselor)
    review = course.reviews.get(phase=1)
    page = django_app.get(reverse("cases:cti", args=[case.pk]), user=counselor)
    page.forms[f"review-held-{review.pk}"].submit().follow()
    review.refresh_from_db()
    assert review.status == ActivityStatus.DONE
    ahead = course.reviews.get(phase=3)
    with pytest.raises(ValidationError):
        services.cti_review_mark(review=ahead, status=ActivityStatus.DONE, by=counselor)
    services.cti_review_mark(review=ahead, status=ActivityStatus.MISSED, by=counselor)


def test_a_counselor_sees_her_own_cti_courses_by_phase(client_for, make_case, counselor, outsider, today):
    mine = services.cti_course_save(case=make_case(counselor), start_on=dates.add_months(today, -4), by=counselor)
    theirs = services.cti_course_save(case=make_case(outsider), start_on=today, by=outsider)
    page = client_for(counselor).get(reverse("cases:cti_dashboard"))
    assert page.status_code == 200
    assert [course.pk for course in page.context["dashboard"].by_phase[2]] == [mine.pk]
    html = page.content.decode()
    assert theirs.case.client.code not in html
    # Each course names its client's code and the lead counselor, read beside the course.
    assert f">{mine.case.client.code}</a> · {mine.case.lead_counselor} · " in html


# Aftercare after a shelter stay


def test_aftercare_is_planned_after_a_shelter_stay_and_marked(django_app, case, counselor, today):
    from cases.models import Institution

    shelter = Institution.objects.create(name="Sigurna kuća Test", kind="shelter")
    page = django_app.get(reverse("cases:aftercare", args=[case.pk]), user=counselor)
    form = page.forms["stay-form"]
    form["shelter"] = str(shelter.pk)
    form["arrived_on"] = (today - dt.timedelta(days=90)).isoformat()
    form["left_on"] = (today - dt.timedelta(days=5)).isoformat()
    page = form.submit().follow()
    stay = case.shelter_stays.get()
    form = page.forms["aftercare-form"]
    form["kind"] = "lecture"
    form["status"] = ActivityStatus.PLANNED
    form["stay"] = str(stay.pk)
    form["held_on"] = (today + dt.timedelta(days=7)).isoformat()
    page = form.submit().follow()
    activity = case.aftercare.get()
    assert (activity.status, activity.stay) == (ActivityStatus.PLANNED, stay)
    page.forms[f"missed-{activity.pk}"].submit().follow()
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.MISSED
    with pytest.raises(ValidationError):
        services.aftercare_record(
            case=case, kind="home_visit", held_on=today - dt.timedelta(days=1), status="planned", by=counselor
        )


# Children


def test_children_are_recorded_by_pseudonym_age_band_and_support(django_app, case, counselor):
    page = django_app.get(reverse("cases:children", args=[case.pk]), user=counselor)
    form = page.forms["child-form"]
    form["label"] = "dete A"
    form["age_band"] = "7-11"
    check(form, "support", ["school", "counseling"])
    page = form.submit().follow()
    child = case.children.get()
    assert (child.age_band, child.support) == ("7-11", ["counseling", "school"])
    assert "School or daycare support" in page.text
    with connection.cursor() as cursor:
        cursor.execute("SELECT label FROM cases_casechild WHERE id = %s", [child.pk])
        assert "dete A" not in cursor.fetchone()[0]


def test_a_child_is_seen_only_by_her_counselors(client_for, case, outsider, make_user, counselor):
    services.child_record(case=case, label="dete B", age_band="0-2", by=counselor)
    assert client_for(outsider).get(reverse("cases:children", args=[case.pk])).status_code == 404
    assert client_for(make_user(Role.FACILITATOR)).get(reverse("cases:children", args=[case.pk])).status_code == 404
