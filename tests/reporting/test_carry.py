"""A live report's "to date" column carried from the last frozen report: the days since it are counted, not
the project's whole history, and the figures are those a whole count gives."""

from datetime import date
from importlib import import_module

import pytest

from reporting import report
from reporting.enums import Transition
from reporting.measures import measures
from reporting.report import report_figures
from reporting.services import period_transition

pytestmark = pytest.mark.django_db

APRIL = [date(2022, 4, 5), date(2022, 4, 12), date(2022, 5, 3)]
JULY = [date(2022, 7, 5), date(2022, 7, 12)]
OCTOBER = [date(2022, 10, 4)]


def lock(period, by, coordinator):
    for step in (Transition.SUBMIT_FOR_REVIEW, Transition.APPROVE, Transition.LOCK):
        period = period_transition(period=period, transition=step, by=coordinator if step == "approve" else by)
    return period


def periods(project):
    return list(project.periods.order_by("start_date"))


@pytest.fixture
def activity(groups_data, counseling_data, trainings_data, make_user):
    """Women, clients and trainees in the project's first three quarters, some of them coming back."""
    _c, spring = groups_data("Spring", APRIL, 8)
    groups_data("Summer", JULY, [*spring[:4], *groups_data("Newcomers", JULY, 6)[1]])
    groups_data("Autumn", OCTOBER, [*spring[4:6], *groups_data("Latecomers", OCTOBER, 3)[1]])
    client = counseling_data(date(2022, 4, 6))
    for _ in range(5):
        counseling_data(date(2022, 4, 7))
    counseling_data(date(2022, 7, 6), client=client)
    counseling_data(date(2022, 7, 7))
    counseling_data(date(2022, 10, 5), client=client)
    trainees = [make_user(f"Trainee {n}") for n in range(6)]
    trainings_data(date(2022, 4, 20), trainees[:5])
    trainings_data(date(2022, 7, 20), trainees[2:])


def whole(period):
    """The figures counted over the project's whole history, as before any report was frozen."""
    original = report._carry_base
    report._carry_base = lambda project, period: None
    try:
        return report_figures(period=period)
    finally:
        report._carry_base = original


def to_date(figures):
    return {item["code"]: item["to_date"] for item in figures["indicators"]}


def spans_asked(monkeypatch, code):
    """The spans the measure is asked to count while a report is computed."""
    asked = []
    measure = measures()[code]
    counts = measure.parts if measure.carry == "parts" else measure.value

    def spy(project, span):
        asked.append((span.start_date, span.end_date))
        return counts(project, span)

    monkeypatch.setattr(measure, "parts" if measure.carry == "parts" else "value", spy)
    return asked


def test_to_date_is_carried_from_the_last_locked_report_and_equals_a_whole_count(
    project, activity, project_manager, coordinator, monkeypatch
):
    first, second = periods(project)[:2]
    lock(first, project_manager, coordinator)
    expected = to_date(whole(second))
    assert expected["women_in_groups"] == 14 and expected["clients_counselled"] == 7
    assert expected["group_attendances"] == 8 * 3 + 6 * 2 + 10 * 2  # the newcomers met twice in their own cohort too

    asked = {code: spans_asked(monkeypatch, code) for code in ("group_attendances", "attendance_rate")}
    asked["women_in_groups"] = spans_asked(monkeypatch, "women_in_groups")
    assert to_date(report_figures(period=second)) == expected
    # Only the period itself was counted: nothing from the project's start.
    for spans in asked.values():
        assert spans == [(second.start_date, second.end_date)]


def test_periods_still_open_since_the_locked_one_are_counted_with_the_current_one(
    project, activity, project_manager, coordinator, monkeypatch
):
    first, second, third = periods(project)[:3]
    lock(first, project_manager, coordinator)
    expected = to_date(whole(third))
    asked = spans_asked(monkeypatch, "group_attendances")
    assert to_date(report_figures(period=third)) == expected
    assert (second.start_date, third.end_date) in asked
    assert expected["women_in_groups"] == 17 and expected["trainees_trained"] == 6


def test_the_chain_of_locked_reports_carries_on(project, activity, project_manager, coordinator):
    first, second, third = periods(project)[:3]
    lock(first, project_manager, coordinator)
    lock(second, project_manager, coordinator)
    assert to_date(report_figures(period=third)) == to_date(whole(third))


def test_nothing_is_carried_over_a_period_that_is_not_frozen(project, activity, project_manager, coordinator):
    first, second, third = periods(project)[:3]
    lock(second, project_manager, coordinator)  # the first is still open: its activity may change
    assert report._carry_base(project, third) is None
    assert to_date(report_figures(period=third)) == to_date(whole(third))


def test_nothing_is_carried_from_a_report_that_counted_from_another_start(
    project, activity, project_manager, coordinator
):
    first, second = periods(project)[:2]
    lock(first, project_manager, coordinator)
    assert report._carry_base(project, second) is not None
    project.start_date = date(2022, 3, 1)
    project.save()
    assert report._carry_base(project, second) is None


def history_counted(monkeypatch, app="groups"):
    """The days before which the people an app met in the project's history were looked up in the database."""
    module = import_module(f"{app}.measures")
    original, looked_up = module.history_kept, []

    def spy(name, project, before, compute):
        def counted():
            looked_up.append(before)
            return compute()

        return original(name, project, before, counted)

    monkeypatch.setattr(module, "history_kept", spy)
    return looked_up


def test_the_clients_met_in_a_frozen_history_are_looked_up_once_while_the_open_period_changes(
    project, activity, counseling_data, project_manager, coordinator, monkeypatch
):
    first, second = periods(project)[:2]
    spring = counseling_data(date(2022, 5, 9))
    lock(first, project_manager, coordinator)
    looked_up = history_counted(monkeypatch, "counseling")
    before = to_date(report_figures(period=second))
    assert looked_up == [second.start_date]

    counseling_data(date(2022, 8, 9), client=spring)  # she comes back
    counseling_data(date(2022, 8, 10))  # and someone new comes
    after = to_date(report_figures(period=second))
    assert looked_up == [second.start_date]
    assert after == to_date(whole(second))
    assert after["clients_counselled"] == before["clients_counselled"] + 1


def test_the_women_met_in_a_frozen_history_are_looked_up_once_while_the_open_period_changes(
    project, activity, groups_data, project_manager, coordinator, monkeypatch
):
    first, second = periods(project)[:2]
    _cohort, spring = groups_data("Spring again", [date(2022, 5, 17)], 1)
    lock(first, project_manager, coordinator)
    looked_up = history_counted(monkeypatch)
    before = to_date(report_figures(period=second))
    assert looked_up == [second.start_date]

    # New activity in the open period: the woman from the spring comes back, and one comes for the first time.
    groups_data("Late summer", [date(2022, 8, 9)], [*spring, *groups_data("First time", [date(2022, 8, 10)], 1)[1]])
    after = to_date(report_figures(period=second))
    assert looked_up == [second.start_date]
    assert after == to_date(whole(second))
    assert after["women_in_groups"] == before["women_in_groups"] + 1  # the spring one was counted in April


def test_a_history_unlocked_for_late_data_and_frozen_again_is_looked_up_again(
    project, activity, groups_data, project_manager, coordinator, monkeypatch
):
    first, second = periods(project)[:2]
    lock(first, project_manager, coordinator)
    looked_up = history_counted(monkeypatch)
    before = to_date(report_figures(period=second))

    first = period_transition(period=first, transition=Transition.UNLOCK, by=coordinator, reason="Late records")
    _cohort, late = groups_data("Late spring", [date(2022, 5, 24)], 1)
    groups_data("Late summer", [date(2022, 8, 9)], late)  # she comes back in the open period
    assert to_date(report_figures(period=second)) == to_date(whole(second))  # nothing carried: counted whole
    lock(first, project_manager, coordinator)
    looked_up.clear()
    after = to_date(report_figures(period=second))
    assert looked_up == [second.start_date]  # not the set kept under the report frozen before
    assert after == to_date(whole(second))
    assert after["women_in_groups"] == before["women_in_groups"] + 1
    looked_up.clear()
    assert to_date(report_figures(period=second)) == after
    assert looked_up == []


def test_the_trainees_and_organisations_met_in_a_frozen_history_are_looked_up_once_while_the_open_period_changes(
    project, activity, trainings_data, make_user, project_manager, coordinator, monkeypatch
):
    first, second = periods(project)[:2]
    spring = make_user(organisation="Safe House Subotica")
    trainings_data(date(2022, 5, 18), [spring])
    lock(first, project_manager, coordinator)
    looked_up = history_counted(monkeypatch, "trainings")
    before = to_date(report_figures(period=second))
    assert looked_up == [second.start_date, second.start_date]  # the trainees, then their organisations
    assert before == to_date(whole(second))

    # In the open period: the spring trainee comes back, one comes from an organisation reached in the spring,
    # and one from an organisation never reached before.
    colleague = make_user(organisation="Safe House Subotica")
    newcomer = make_user(organisation="SOS Line Kikinda")
    trainings_data(date(2022, 8, 17), [spring, colleague, newcomer])
    after = to_date(report_figures(period=second))
    assert looked_up == [second.start_date, second.start_date]
    assert after == to_date(whole(second))
    assert after["trainees_trained"] == before["trainees_trained"] + 2
    assert after["organisations_reached"] == before["organisations_reached"] + 1
