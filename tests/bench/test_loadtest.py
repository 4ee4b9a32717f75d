"""The load test's parts that need no server: the mix and its weights, what counts as the page asked for,
the percentiles and the verdict, and the setup's sessions and addresses (on the small data set, each page of
the mix requested through Django's test client with the session cookie the server would get)."""

import collections
import json
import math
import random

import pytest
from django.test import Client

from bench import loadtest
from bench.loadtest import ALL, MIX, MixPage, answer_problem, mix_misses, mix_picker, mix_summary, percentiles


def test_the_mix_covers_the_roles_and_its_weights_are_a_hundred():
    assert len(MIX) >= 13
    assert len({page.label for page in MIX}) == len(MIX)
    roles = {page.role for page in MIX}
    assert {"visitor", "trainee", "facilitator", "counselor", "coordinator", "project manager"} <= roles
    assert all(page.weight > 0 for page in MIX)
    assert sum(page.weight for page in MIX) == 100


def test_the_mix_picks_only_its_pages_each_in_proportion_to_its_weight():
    draws = 60_000
    pick = mix_picker(MIX, random.Random(7))
    counts = collections.Counter(pick().label for _ in range(draws))
    assert set(counts) == {page.label for page in MIX}
    total = sum(page.weight for page in MIX)
    for page in MIX:
        expected = page.weight / total
        spread = 5 * math.sqrt(expected * (1 - expected) / draws)  # five standard deviations
        assert abs(counts[page.label] / draws - expected) < spread, page.label


def test_a_page_of_weight_zero_is_never_picked_and_the_others_keep_their_ratio():
    pages = [MixPage("a", "visitor", 3), MixPage("b", "trainee", 1), MixPage("c", "trainee", 0)]
    pick = mix_picker(pages, random.Random(1))
    counts = collections.Counter(pick().label for _ in range(20_000))
    assert counts["c"] == 0
    assert 0.73 < counts["a"] / 20_000 < 0.77


def test_only_a_200_of_the_page_itself_is_the_page():
    page = b'<html><form method="post" action="/accounts/logout/"></form></html>'
    marker = 'accounts/logout/"'
    assert answer_problem(200, page, marker=marker) is None
    assert answer_problem(200, b"<html>public page</html>") is None
    assert answer_problem(302, location="/accounts/login/?next=/me/") == "302 to /accounts/login/?next=/me/"
    assert answer_problem(500) == "500"
    assert answer_problem(429) == "429"
    login_form = b'<form action="/accounts/login/"><input name="login"><input name="password" type="password">'
    assert answer_problem(200, login_form) == "200 login form"
    assert answer_problem(200, b"<html>someone else's session ended</html>", marker=marker) == (
        "200 without her logout button"
    )
    # Her language puts a prefix before the logout address: still hers.
    assert answer_problem(200, b'action="/sr-latn/accounts/logout/"', marker=marker) is None


def test_percentiles():
    cuts = percentiles(range(1, 101))
    assert cuts == {"p50": 50.5, "p95": pytest.approx(95.05), "p99": pytest.approx(99.01)}
    assert percentiles([42.0]) == {"p50": 42.0, "p95": 42.0, "p99": 42.0}
    assert all(math.isnan(value) for value in percentiles([]).values())


PAGES = [MixPage("catalogue", "visitor", 1), MixPage("dashboard", "trainee", 1)]


def _answers(ms=100.0, problems=None, count=200):
    """`count` answers alternating between the two pages, `problems` (index: problem) among them."""
    problems = problems or {}
    return [(PAGES[n % 2].label, problems.get(n), ms) for n in range(count)]


def test_a_run_of_pages_answered_in_time_meets_the_targets():
    summary = mix_summary(_answers(), elapsed=5.0, pages=PAGES)
    assert summary[ALL]["requests"] == 200
    assert summary[ALL]["ok"] == 200
    assert summary[ALL]["rate"] == 40.0
    assert summary["catalogue"]["requests"] == summary["dashboard"]["requests"] == 100
    assert summary["catalogue"]["rate"] == 20.0
    assert mix_misses(summary) == []


def test_a_single_answer_that_is_not_the_page_misses_and_is_named():
    summary = mix_summary(_answers(problems={3: "302 to /accounts/login/?next=/trainings/my/"}), 5.0, PAGES)
    assert summary["dashboard"]["ok"] == 99
    assert summary[ALL]["ok"] == 199
    assert mix_misses(summary) == [
        "dashboard: 1 of 100 not its page (1x 302 to /accounts/login/?next=/trainings/my/)",
    ]


def test_a_slow_p95_misses_and_is_named():
    answers = _answers(ms=100.0)
    answers[:20] = [(label, None, 900.0) for label, _problem, _ms in answers[:20]]  # 10% take 900 ms
    summary = mix_summary(answers, 5.0, PAGES)
    assert summary[ALL]["p50"] == 100.0
    assert summary[ALL]["p95"] == 900.0
    assert mix_misses(summary) == ["p95 900 ms over the mix (target <= 500 ms)"]
    assert mix_misses(summary, most_p95=1000) == []


def test_too_few_requests_per_second_miss_and_are_named():
    summary = mix_summary(_answers(count=100), elapsed=10.0, pages=PAGES)
    assert mix_misses(summary) == ["10.0 requests/s over the mix (target >= 20)"]


def test_no_answer_at_all_misses_and_answers_for_other_pages_are_refused():
    assert mix_misses(mix_summary([], 10.0, PAGES)) == ["no request was answered"]
    with pytest.raises(ValueError, match="not in the mix"):
        mix_summary([("elsewhere", None, 1.0)], 1.0, PAGES)


def test_only_paths_on_the_loopback_server_are_asked_for():
    base = "http://127.0.0.1:8123"
    assert loadtest.loopback_url(base, "/trainings/my/?x=1") == "http://127.0.0.1:8123/trainings/my/?x=1"
    for path in ["http://example.org/", "//example.org/", "trainings/", ""]:
        with pytest.raises(ValueError):
            loadtest.loopback_url(base, path)
    with pytest.raises(ValueError):
        loadtest.loopback_url("http://example.org:80", "/")


def test_the_setup_output_must_name_every_page_and_session():
    good = {
        "cookie_name": "sessionid",
        "database": "sqlite3",
        "sessions": {"trainee": "abc"},
        "pages": {"catalogue": {"path": "/trainings/", "marker": None}, "dashboard": {"path": "/x/", "marker": "m"}},
    }
    assert loadtest.setup_parse("building...\n" + json.dumps(good) + "\n", PAGES) == good
    for broken in [
        {**good, "sessions": {}},
        {**good, "pages": {"catalogue": good["pages"]["catalogue"]}},
        {**good, "pages": {**good["pages"], "catalogue": {"path": "http://example.org/", "marker": None}}},
    ]:
        with pytest.raises(ValueError):
            loadtest.setup_parse(json.dumps(broken), PAGES)


def test_every_page_of_the_mix_answers_its_person_on_the_small_data_set(small_dataset, settings):
    """The sessions the setup makes get every page past the session time-outs and the staff's second-factor
    gate (switched on here, as in production), and each answer is its page."""
    settings.HAVEN_REQUIRE_STAFF_MFA = True
    setup = loadtest.setup_parse("data set there\n" + json.dumps(loadtest.mix_setup()))
    assert set(setup["sessions"]) == {page.role for page in MIX} - {"visitor"}
    assert len(set(setup["sessions"].values())) == len(setup["sessions"])
    for page in MIX:
        target = setup["pages"][page.label]
        client = Client(HTTP_HOST="localhost")
        if page.role != "visitor":
            client.cookies[setup["cookie_name"]] = setup["sessions"][page.role]
        response = client.get(target["path"])
        problem = answer_problem(
            response.status_code, response.content, marker=target["marker"], location=response.get("Location")
        )
        assert problem is None, (page.label, target["path"], problem)
        if page.role != "visitor":
            # Without her session the same address is not her page: the check would catch a lost login.
            anonymous = Client(HTTP_HOST="localhost").get(target["path"])
            assert answer_problem(
                anonymous.status_code, anonymous.content, marker=target["marker"], location=anonymous.get("Location")
            ), page.label


def test_a_data_set_written_under_another_key_stops_the_setup_with_the_reason(small_dataset, settings):
    loadtest._encrypted_fields_readable()  # the key it was written under: readable
    settings.FIELD_ENCRYPTION_KEYS = ["bG9hZC10ZXN0LWFub3RoZXIta2V5LW5vdC1vdXJzISE="]
    with pytest.raises(SystemExit, match="written under another encryption key"):
        loadtest._encrypted_fields_readable()


def _fake_setup():
    return {
        "pages": {page.label: {"path": "/p/", "marker": None} for page in loadtest.MIX},
        "sessions": {},
        "cookie_name": "sessionid",
    }


class _Clock:
    """The load test's clock, moved only by its sleeps and by the (fake) server's answers."""

    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def _server_answering_in(monkeypatch, seconds):
    clock = _Clock()
    monkeypatch.setattr(loadtest, "time", clock)

    def fetch(url, headers, marker=None):
        clock.sleep(seconds)
        return None, seconds * 1000

    monkeypatch.setattr(loadtest, "_fetch", fetch)


def test_at_a_set_rate_the_requests_go_out_that_many_a_second(monkeypatch):
    _server_answering_in(monkeypatch, 0.005)
    answers, elapsed = loadtest.mix_run("http://127.0.0.1:1", _fake_setup(), seconds=1.0, concurrency=1, rate=40)
    assert len(answers) == 40
    assert len(answers) / elapsed == pytest.approx(40)
    assert all(ms == pytest.approx(5.0) for _label, _problem, ms in answers)  # each on time


def test_a_server_that_falls_behind_shows_in_the_times_and_the_rate(monkeypatch):
    _server_answering_in(monkeypatch, 0.05)  # 20 answers a second where 40 are due
    answers, elapsed = loadtest.mix_run("http://127.0.0.1:1", _fake_setup(), seconds=1.0, concurrency=1, rate=40)
    times = [ms for _label, _problem, ms in answers]
    assert len(answers) == 40  # every request due was sent, late
    assert times[0] == pytest.approx(50.0) and times[-1] == pytest.approx(975.0 + 50.0)  # 1.95 s sent, due 0.975
    assert len(answers) / elapsed == pytest.approx(40 / 1.95)  # the last went out at 1.95 s
    misses = loadtest.mix_misses(loadtest.mix_summary(answers, elapsed))
    assert len(misses) == 1 and misses[0].startswith("p95 ")  # 20.5 a second still met, the times not
