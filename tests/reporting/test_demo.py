from accounts import demo as accounts_demo
from accounts.enums import Role
from reporting import demo
from reporting.enums import PeriodStatus
from reporting.models import DonorProject, ReportSnapshot


def test_demo_loads_twice_without_duplicates(db):
    users = {}
    accounts_demo.load(users=users)
    demo.load(users=users)
    demo.load(users=users)
    project = DonorProject.objects.get()
    assert project.donor.startswith("Ministry")
    assert (project.start_date.isoformat(), project.end_date.isoformat()) == ("2022-04-01", "2023-04-01")
    assert project.periods.count() == 4
    locked = project.periods.get(status=PeriodStatus.LOCKED)
    assert locked.label == "Q2 2022"
    assert ReportSnapshot.objects.filter(period=locked).count() == 1
    assert users[Role.PROJECT_MANAGER] in project.managers.all()
    assert project.indicators.count() == len(demo.TARGETS)
    assert demo.demo_project() == project


def test_demo_locked_report_has_figures_and_names_no_woman(db):
    from groups.models import Member
    from reporting.report import report_view

    users = {}
    accounts_demo.load(users=users)
    demo.load(users=users)
    locked = DonorProject.objects.get().periods.get(status=PeriodStatus.LOCKED)
    report = report_view(period=locked, user=users[Role.PROJECT_MANAGER])
    figures = {row.code: row.value for row in report.indicators}
    assert report.frozen
    assert figures["women_in_groups"] == 11
    assert figures["group_sessions_held"] == 12
    assert figures["trainees_trained"] == 1
    text = str(report)
    for alias in Member.objects.values_list("alias", flat=True):
        assert alias not in text


def test_the_demo_reports_cannot_be_subtracted_any_more(db):
    """The four quarterly reports, each locked in turn: the leaks found in them (to-date columns of two
    consecutive reports giving each hidden period cell exactly) are closed for every hidden small count."""
    from reporting.enums import Transition
    from reporting.services import period_transition
    from tests.reporting.attacker import assert_no_hidden_small_count_is_narrowed, attacker_for

    users = {}
    accounts_demo.load(users=users)
    demo.load(users=users)
    project = DonorProject.objects.get()
    coordinator = users[Role.COORDINATOR]
    for period in project.periods.exclude(status=PeriodStatus.LOCKED).order_by("start_date"):
        for step in (Transition.SUBMIT_FOR_REVIEW, Transition.APPROVE, Transition.LOCK):
            period = period_transition(period=period, transition=step, by=coordinator)
    attacker = attacker_for(project)
    # The cells the subtraction gave away: Q4 2022 experiential (2), aftercare (4), home visits (3);
    # Q1 2023 new women (3, the Kragujevac cohort); Q3 2022 new clients (1).
    for name, true in [
        ((2, "v", "counseling_sessions_experiential"), 2),
        ((2, "v", "counseling_sessions_aftercare"), 4),
        ((2, "v", "counseling_sessions_home_visit"), 3),
        ((3, "new", "women_in_groups"), 3),
        ((1, "new", "clients_counselled"), 1),
    ]:
        assert attacker.true_value(name) == true
        assert attacker.shown_value(name) == "x"
        low, high = attacker.interval(name)
        assert high - low >= project.suppression_threshold, (name, low, high)
    assert assert_no_hidden_small_count_is_narrowed(attacker, project.suppression_threshold) > 20


def test_the_demo_women_have_an_age_band_municipality_and_target_group_some_left_blank(db):
    from collections import Counter

    from counseling.models import Client
    from groups.models import Member

    users = {}
    accounts_demo.load(users=users)
    demo.load(users=users)
    women = list(
        Member.objects.filter(code__startswith="ST22-").values_list("age_band", "municipality__name", "target_group")
    )
    clients = list(
        Client.objects.filter(code__startswith="ST22-K").values_list("age_band", "municipality__name", "target_group")
    )
    for people in (women, clients):
        for position in range(3):
            values = Counter(person[position] for person in people)
            assert values[""] + values[None] >= 1, values  # some left it unanswered
            assert len(values) >= 3, values  # and the others differ
    assert {"Novi Sad", "Zrenjanin", "Kragujevac"} <= {municipality for _age, municipality, _group in women}
    # Deterministic: loading again gives every woman the same answers.
    demo.load(users=users)
    assert (
        list(
            Member.objects.filter(code__startswith="ST22-").values_list(
                "age_band", "municipality__name", "target_group"
            )
        )
        == women
    )
