"""Every day of a non-leap year (2027) and a leap year (2028), walked through Haven's date rules.

Each rule is tried with the clock set to that day, so the rules that read "today" read the day walked.
Month ends, 29 February and the nights the clocks change are all on the way.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from core import dates

YEARS = (2027, 2028)


def every_day(year):
    day = dt.date(year, 1, 1)
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


def test_every_day_is_walked():
    assert sum(1 for year in YEARS for _day in every_day(year)) == 365 + 366


@pytest.mark.parametrize("year", YEARS)
def test_cti_window_on_every_start_day(year, clock):
    """A course of nine months that starts three months before she moves in ends exactly six months
    after the move: no reason asked. One month later, a reason is asked; a year after the move, never."""
    from cases.selectors import cti_planned_end
    from cases.services import cti_window_check

    for day in every_day(year):
        clock(day)
        moved_in = dates.add_months(day, 3)
        assert cti_planned_end(day) == dates.add_months(day, 9)
        cti_window_check(start_on=day, moved_in_on=moved_in)
        with pytest.raises(ValidationError) as needs_reason:
            cti_window_check(start_on=day, moved_in_on=dates.add_months(day, 2))
        assert needs_reason.value.error_dict["extension_reason"][0].code == "extension_reason_required", day
        cti_window_check(start_on=day, moved_in_on=dates.add_months(day, 2), extension_reason="Čeka stan")
        cti_window_check(start_on=day, moved_in_on=dates.add_months(day, -3), extension_reason="Čeka stan")
        with pytest.raises(ValidationError) as too_late:
            cti_window_check(start_on=day, moved_in_on=dates.add_months(day, -4), extension_reason="Čeka stan")
        assert too_late.value.error_dict["start_on"][0].code == "window_exceeded", day


@pytest.mark.parametrize("year", YEARS)
def test_reporting_periods_from_every_start_day(year):
    """Periods of 1, 3, 6 and 12 months from any start day cover the project without gap or overlap."""
    from reporting.services import period_spans

    for day in every_day(year):
        end = dates.add_years(day, 2) - dt.timedelta(days=1)
        for months in (1, 3, 6, 12):
            spans = period_spans(start=day, end=end, months=months)
            assert spans[0][0] == day and spans[-1][1] == end, (day, months)
            for (_start, last), (following, _end) in zip(spans, spans[1:], strict=False):
                assert following == last + dt.timedelta(days=1), (day, months)
            assert len(spans) == 24 // months, (day, months)


@pytest.mark.django_db
@pytest.mark.parametrize("year", YEARS)
def test_weekly_group_sessions_keep_their_wall_clock_time_from_every_first_day(year, clock):
    """Twelve weekly sessions at 18:00 from any first day stay at 18:00 across the clock changes; a time
    that does not exist on the night the clocks spring forward is refused with a message."""
    from groups.models import Cohort, GroupProgramme
    from groups.services import cohort_schedule_generate

    tz = ZoneInfo("Europe/Belgrade")
    programme = GroupProgramme.objects.create(name="Self-support")
    cohort = Cohort.objects.create(programme=programme, name="Walk", start_date=dt.date(year, 1, 1))
    for day in every_day(year):
        clock(day)
        try:
            with transaction.atomic():
                sessions = cohort_schedule_generate(
                    cohort=cohort, first_date=day, start_time=dt.time(18, 0), duration_minutes=90, count=12
                )
                assert [s.start.astimezone(tz).time() for s in sessions] == [dt.time(18, 0)] * 12, day
                assert all(s.end - s.start == dt.timedelta(minutes=90) for s in sessions), day
                raise _Rollback
        except _Rollback:
            pass
    spring_forward = max(d for d in every_day(year) if d.month == 3 and d.weekday() == 6)
    with pytest.raises(ValidationError, match="clocks change"):
        cohort_schedule_generate(
            cohort=cohort, first_date=spring_forward, start_time=dt.time(2, 30), duration_minutes=60, count=1
        )


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("months", [1, 12, 60])
def test_certificate_expiry_from_every_issue_day(year, months, clock):
    """A certificate issued on any day is valid through its last valid day and expired the day after, as its
    holder's page, the verification page and the credential read it."""
    from certificates.enums import CertificateStatus, VerificationState
    from certificates.models import Accreditation, Certificate
    from certificates.services import certificate_expires_on

    accreditation = Accreditation(certificate_validity_months=months)
    for day in every_day(year):
        last_valid_day = certificate_expires_on(issued_on=day, accreditation=accreditation)
        assert last_valid_day == dates.add_months(day, months), day
        if day.day > 28:  # a day the later month may lack: never past that month's end
            assert last_valid_day <= dates.month_end(dates.add_months(dates.month_start(day), months)), day
        certificate = Certificate(status=CertificateStatus.VALID, issued_on=day, expires_on=last_valid_day)
        clock(last_valid_day)
        assert certificate.verification_state() == VerificationState.VALID, day
        clock(last_valid_day + dt.timedelta(days=1))
        assert certificate.verification_state() == VerificationState.EXPIRED, day
    assert certificate_expires_on(issued_on=dt.date(year, 3, 1), accreditation=Accreditation()) is None


class _Rollback(Exception):
    pass


def test_a_time_typed_on_the_nights_the_clocks_change_is_taken_not_refused(settings):
    """02:30 happens twice when the clocks go back (the first is taken) and never when they go forward (it
    moves on by the hour skipped): a form prefilled with "now" in that hour must accept its own value."""
    import datetime as dt

    from core.forms import WallClockDateTimeField

    settings.TIME_ZONE = "Europe/Belgrade"
    field = WallClockDateTimeField()
    back = field.clean("2027-10-31T02:30")
    assert back.utcoffset() == dt.timedelta(hours=2) and back.hour == 2  # summer time, the first 02:30
    forward = field.clean("2027-03-28T02:30")
    assert (forward.hour, forward.minute, forward.utcoffset()) == (3, 30, dt.timedelta(hours=2))
    assert field.clean("2027-06-01T10:00").hour == 10
