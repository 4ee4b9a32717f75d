"""A bounded load test on loopback: start gunicorn (two workers, as `make serve`) on the benchmarks' data set,
send requests with a number of clients in flight, report requests/s and the latency percentiles
p50/p95/p99, and fail when a target is missed.

    .venv/bin/python -m bench.loadtest [--seconds 60] [--concurrency 8] [--requests 400] [--phase both]
    BENCH_DATABASE_URL=postgres://... .venv/bin/python -m bench.loadtest   # as in production
    BENCH_DATABASE_URL=postgres://.../haven_load_10x .venv/bin/python -m bench.loadtest --scale 10

Two phases (`--phase pages`, `--phase mixed`, or both, the default):

- **pages**: the training catalogue (public), a trainee's dashboard and her home page, one after the
  other, `--requests` each; targets per page (`TARGETS`).
- **mixed**: `--concurrency` clients for `--seconds`, each picking its next page from `MIX`: 16 pages that
  the visitor, a trainee, a trainer, a facilitator, a counselor, the coordinator and the project manager
  open, weighted by how often they open them. Targets (the performance issue's): at least 20 requests per
  second and a p95 of at most 500 ms over the whole mix, and every request answered with its page.

Everyone logged in has a real session cookie, made in the database before the server starts, as her login
would leave it (the session time-out clocks started, the second factor recorded for staff). Redirects are
not followed: an answer other than 200 is a failure and named, and so is a 200 that is the login form or,
on a logged-in page, one without her logout button; a login page or a language redirect is never measured
instead of the page. Only 127.0.0.1 is ever contacted; the server is stopped at the end, whatever happens.

The database is the load test's own, `var/bench-load.sqlite3` (`var/bench-load-10x.sqlite3` with
`--scale 10`), or BENCH_DATABASE_URL (an empty database, or one it built before at the same scale): the
server runs with production settings and an encryption key of its own, which cannot read a data set
`make bench` wrote under the development key. The data set is built there when it is missing (a few
minutes at 1x, about twenty at 10x).
"""

import argparse
import collections
import http.client
import itertools
import json
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not answer at {url}")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 3xx answer itself is returned (as an HTTPError) and counted


_OPENER = urllib.request.build_opener(_NoRedirects)


def loopback_url(base, path):
    """`base` (the loopback server) + a path the setup found; anything but a path on that server is refused."""
    if not base.startswith("http://127.0.0.1:") or not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"not a path on the loopback server: {base!r} {path!r}")
    return base + path


# The per-page phase ------------------------------------------------------------------------------------

# Per page, with eight requests in flight on two gunicorn workers (so a request mostly waits for the one
# before it): at least this many requests per second and at most this p95 in ms.
TARGETS = {
    "training catalogue (anonymous)": (25, 400),
    "trainee dashboard (logged in)": (25, 400),
    "personal home page (logged in)": (25, 400),
}


def _hammer(url, *, requests, concurrency, cookie=None):
    headers = {"Cookie": cookie} if cookie else {}

    def one(_):
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback only
        started = time.perf_counter()
        try:
            with _OPENER.open(request, timeout=30) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status = f"{error.code} to {error.headers.get('Location')}" if 300 <= error.code < 400 else error.code
        return status, (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        answers = list(pool.map(one, range(requests)))
    elapsed = time.perf_counter() - started
    statuses = collections.Counter(status for status, _ms in answers)  # 200, 404, "302 to /login/", ...
    cuts = percentiles([ms for _status, ms in answers])
    return {"rate": requests / elapsed, "statuses": statuses, **cuts}


def _pages_phase(base, cookie, *, requests, concurrency):
    print(f"{'page':<52} {'requests':>8} {'ok':>6} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}  target")
    missed = []
    for label, path, use_cookie in [
        ("training catalogue (anonymous)", "/trainings/", False),
        ("trainee dashboard (logged in)", "/trainings/my/", True),
        ("personal home page (logged in)", "/me/", True),
    ]:
        jar = cookie if use_cookie else None
        # The catalogue hands over to its Wagtail page where there is one: that page is what is measured
        # (found once here; during the run any redirect is a failure).
        request = urllib.request.Request(loopback_url(base, path), headers={"Cookie": jar} if jar else {})  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
            path = urllib.parse.urlsplit(response.url).path
        _hammer(loopback_url(base, path), requests=20, concurrency=2, cookie=jar)  # warm-up
        found = _hammer(loopback_url(base, path), requests=requests, concurrency=concurrency, cookie=jar)
        ok = found["statuses"][200]
        least_rate, most_p95 = TARGETS[label]
        verdict = "ok"
        if ok != requests:
            answers = sorted(found["statuses"].items(), key=str)
            verdict = "MISSED: answers " + ", ".join(f"{n}x {code}" for code, n in answers)
        elif found["rate"] < least_rate or found["p95"] > most_p95:
            verdict = f"MISSED (>= {least_rate} req/s, p95 <= {most_p95} ms)"
        if verdict != "ok":
            missed.append(f"pages: {label}")
        print(
            f"{label + ' ' + path:<52} {requests:>8} {ok:>6} {found['rate']:>8.1f} {found['p50']:>7.0f} "
            f"{found['p95']:>7.0f} {found['p99']:>7.0f}  {verdict}"
        )
    return missed


# The mixed phase ---------------------------------------------------------------------------------------

VISITOR, TRAINEE, TRAINER, FACILITATOR = "visitor", "trainee", "trainer", "facilitator"
COUNSELOR, COORDINATOR, MANAGER = "counselor", "coordinator", "project manager"


@dataclass(frozen=True)
class MixPage:
    label: str
    role: str
    weight: int  # in a hundred requests


# What each of them opens, and how often (in a hundred requests): the public and the trainees most, staff
# through their working day, the project manager her report now and then.
MIX = [
    MixPage("training catalogue (its Wagtail page)", VISITOR, 14),
    MixPage("a certificate's public verification page", VISITOR, 4),
    MixPage("trainee dashboard", TRAINEE, 12),
    MixPage("personal home page", TRAINEE, 10),
    MixPage("her certificates", TRAINEE, 7),
    MixPage("trainer's editions", TRAINER, 4),
    MixPage("facilitator's cohorts", FACILITATOR, 6),
    MixPage("attendance screen of her latest session", FACILITATOR, 8),
    MixPage("counselor's week", COUNSELOR, 8),
    MixPage("counselor's clients", COUNSELOR, 5),
    MixPage("a case of hers", COUNSELOR, 6),
    MixPage("coordinator's week (every counselor)", COORDINATOR, 5),
    MixPage("slot finder, next 4 weeks", COORDINATOR, 3),
    MixPage("admin: enrolments listing", COORDINATOR, 4),
    MixPage("donor report of the quarter being reported (live)", MANAGER, 2),
    MixPage("donor report of the quarter before (locked)", MANAGER, 2),
]
# The performance issue's goal for the whole mix, with eight clients in flight.
MIX_TARGET_RATE = 20.0
MIX_TARGET_P95_MS = 500.0
ALL = "all pages"

# A 200 that is the login form (or any form asking for a password) is not the page asked for.
LOGIN_FORM = b'name="password"'
# Each logged-in person has an address of her own (TEST-NET-2); each visitor's request comes from one of
# many (TEST-NET-3), as behind the TLS proxy, which tells Haven the visitor's address (the server runs with
# ALLAUTH_TRUSTED_PROXY_COUNT=1): the public verification page allows 30 requests a minute per address.
STAFF_ADDRESSES = {role: f"198.51.100.{10 + n}" for n, role in enumerate(dict.fromkeys(p.role for p in MIX))}


def visitor_address(rng):
    return f"203.0.113.{rng.randint(1, 254)}"


def mix_picker(pages, rng):
    """A function that picks the next page of `pages`, each in proportion to its weight."""
    pages = list(pages)
    cumulative, total = [], 0
    for page in pages:
        total += page.weight
        cumulative.append(total)
    return lambda: rng.choices(pages, cum_weights=cumulative)[0]


def answer_problem(status, body=b"", *, marker=None, location=None):
    """None when the answer is the page asked for, else what came instead ("302 to /accounts/login/...",
    "500", "200 login form", ...). `marker`: bytes the page must contain (her logout button)."""
    if status != 200:
        return f"{status} to {location}" if 300 <= status < 400 else str(status)
    if LOGIN_FORM in body:
        return "200 login form"
    if marker and marker.encode() not in body:
        return "200 without her logout button"
    return None


def percentiles(values):
    """p50, p95 and p99 of `values` (NaN when there are none)."""
    values = list(values)
    if len(values) < 2:
        value = values[0] if values else math.nan
        return {"p50": value, "p95": value, "p99": value}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98]}


def mix_summary(answers, elapsed, pages=MIX):
    """Per page (by label) and over all of them (`ALL`): requests, ok, req/s, p50/p95/p99 and the answers
    that were not the page. `answers`: (label, problem or None, ms) of every request of the run."""
    by_label = collections.defaultdict(list)
    for label, problem, ms in answers:
        by_label[label].append((problem, ms))
        by_label[ALL].append((problem, ms))
    rows = {}
    for label in [*(page.label for page in pages), ALL]:
        answered = by_label.get(label, [])
        rows[label] = {
            "requests": len(answered),
            "ok": sum(1 for problem, _ms in answered if problem is None),
            "rate": len(answered) / elapsed if elapsed > 0 else 0.0,
            "problems": collections.Counter(problem for problem, _ms in answered if problem is not None),
            **percentiles(ms for _problem, ms in answered),
        }
    strays = set(by_label) - {page.label for page in pages} - {ALL}
    if strays:
        raise ValueError(f"answers for pages not in the mix: {sorted(strays)}")
    return rows


def mix_misses(summary, *, least_rate=MIX_TARGET_RATE, most_p95=MIX_TARGET_P95_MS):
    """The targets the run missed, each named (empty: all met)."""
    overall = summary[ALL]
    if not overall["requests"]:
        return ["no request was answered"]
    misses = []
    for label, row in summary.items():
        if label != ALL and row["ok"] < row["requests"]:
            answers = ", ".join(f"{n}x {problem}" for problem, n in sorted(row["problems"].items()))
            misses.append(f"{label}: {row['requests'] - row['ok']} of {row['requests']} not its page ({answers})")
    if overall["rate"] < least_rate:
        misses.append(f"{overall['rate']:.1f} requests/s over the mix (target >= {least_rate:g})")
    if overall["p95"] > most_p95:
        misses.append(f"p95 {overall['p95']:.0f} ms over the mix (target <= {most_p95:g} ms)")
    return misses


def _fetch(url, headers, *, marker=None):
    """(problem or None, ms) of one GET, body read; a connection that fails is a problem too."""
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback only
    started = time.perf_counter()
    try:
        with _OPENER.open(request, timeout=30) as response:
            body, status = response.read(), response.status
        problem = answer_problem(status, body, marker=marker)
    except urllib.error.HTTPError as error:
        problem = answer_problem(error.code, location=error.headers.get("Location"))
        error.close()
    except (OSError, http.client.HTTPException) as error:
        problem = f"no answer ({type(error).__name__})"
    return problem, (time.perf_counter() - started) * 1000


def _request_headers(setup, page, rng):
    session = setup["sessions"].get(page.role)
    headers = {"X-Forwarded-For": STAFF_ADDRESSES[page.role] if session else visitor_address(rng)}
    if session:
        headers["Cookie"] = f"{setup['cookie_name']}={session}"
    return headers


def mix_run(base, setup, *, seconds, concurrency, seed=1, pages=MIX, rate=None):
    """`concurrency` clients, each asking for the page `mix_picker` gives it, one after the other, for
    `seconds`. Returns every answer and the time the run's rate is reckoned over.

    With `rate`, the requests are due at that many a second in all, spread over the clients (client i's
    k-th at (k x clients + i) / rate); a client that is still waiting for an answer when its next one is
    due sends it late, and the lateness counts in that request's time (a server that falls behind cannot
    hide it by slowing the clients down). The rate is then reckoned over `seconds`, or over the time the
    requests took to go out where that was longer.
    Without `rate`, each client asks again as soon as it is answered, and the rate is reckoned up to the
    last answer."""
    started = time.monotonic()
    deadline = started + seconds
    answers, sent = [], []  # list.append is atomic: the clients share them

    def client(number):
        rng = random.Random(seed * 1000 + number)
        pick = mix_picker(pages, rng)
        for k in itertools.count():
            if rate:
                due = started + (k * concurrency + number) / rate
                if due >= deadline:
                    return
                time.sleep(max(0.0, due - time.monotonic()))
            elif time.monotonic() >= deadline:
                return
            else:
                due = time.monotonic()
            late_ms = (time.monotonic() - due) * 1000
            sent.append(time.monotonic() - started)
            page = pick()
            target = setup["pages"][page.label]
            problem, ms = _fetch(
                loopback_url(base, target["path"]), _request_headers(setup, page, rng), marker=target["marker"]
            )
            answers.append((page.label, problem, late_ms + ms))

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(client, range(concurrency)))  # re-raises what a client raised
    if rate and sent:
        # On time, every request went out within `seconds`; a server that fell behind stretches the sending.
        return answers, max(seconds, max(sent))
    return answers, time.monotonic() - started


def _mixed_phase(base, setup, *, seconds, concurrency, seed, rate=MIX_TARGET_RATE):
    rng = random.Random(seed)

    # Warm-up: each page once, then twice more two at a time (so both workers have compiled its templates
    # and the live report's protection is in the cache, as on a server that has been up a while).
    def warm(page):
        target = setup["pages"][page.label]
        _fetch(loopback_url(base, target["path"]), _request_headers(setup, page, rng), marker=target["marker"])

    for page in MIX:
        warm(page)
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(warm, [page for page in MIX for _twice in range(2)]))

    answers, elapsed = mix_run(base, setup, seconds=seconds, concurrency=concurrency, seed=seed, rate=rate)
    summary = mix_summary(answers, elapsed)
    roles = len({page.role for page in MIX})
    print(
        f"\nmixed: {len(MIX)} pages of {roles} roles, {concurrency} clients "
        + (f"sending {rate:g} requests/s in all" if rate else "as fast as they are answered")
        + f" for {seconds:g} s (the rate reckoned over {elapsed:.1f} s)"
    )
    width = max(len(f"{page.role}: {page.label}") for page in MIX)
    print(
        f"{'page':<{width}} {'weight':>6} {'requests':>8} {'ok':>6} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7}  not its page"
    )
    for name, label, weight in [
        *((f"{page.role}: {page.label}", page.label, f"{page.weight}%") for page in MIX),
        (ALL, ALL, ""),
    ]:
        row = summary[label]
        cuts = " ".join(f"{row[p]:>7.0f}" if row["requests"] else f"{'-':>7}" for p in ("p50", "p95", "p99"))
        problems = ", ".join(f"{n}x {problem}" for problem, n in sorted(row["problems"].items()))
        print(
            f"{name:<{width}} {weight:>6} {row['requests']:>8} {row['ok']:>6} {row['rate']:>6.1f} {cuts}  "
            f"{problems or '-'}"
        )
    misses = mix_misses(summary)
    print(
        f"targets: >= {MIX_TARGET_RATE:g} requests/s and p95 <= {MIX_TARGET_P95_MS:g} ms over the mix, every "
        f"request answered with its page: {'met' if not misses else 'MISSED'}"
    )
    for miss in misses:
        print(f"  MISSED: {miss}")
    return [f"mixed: {miss}" for miss in misses]


# Sessions and addresses, made inside the server's settings -----------------------------------------------


def mix_setup():
    """The data set's people logged in (a session each, in the session store the server reads) and the
    address of every page of the mix. Runs in a process with Django set up (`_SETUP_SNIPPET`); builds the
    data set if this database does not have it yet. JSON-ready."""
    from datetime import timedelta
    from types import SimpleNamespace

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import translation
    from django.utils.module_loading import import_string

    from accounts.middleware import session_record_mfa, session_stamp
    from bench import dataset
    from cases.models import Case
    from certificates.models import Certificate
    from core import dates
    from counseling.enums import SessionKind
    from groups.enums import CohortStatus
    from groups.models import Cohort
    from reporting.enums import PeriodStatus
    from trainings.models import Edition
    from trainings.selectors import catalogue_page_for_language
    from website.middleware import LANGUAGE_SESSION_KEY

    project = dataset.dataset_ready(scale=int(os.environ.get("BENCH_SCALE", "1")), stdout=sys.stderr)
    _encrypted_fields_readable()
    today, now = dates.today(), dates.now()
    trainee = dataset.dataset_user(dataset.TRAINEE)  # the one who comes back: 11 trainings, certificates
    latest_edition = Edition.objects.filter(project=project, start_date__lt=today).order_by("-start_date", "pk").first()
    cohort = Cohort.objects.filter(project=project, status=CohortStatus.RUNNING).order_by("pk").first()
    facilitator = cohort.facilitators.order_by("pk").first()
    latest_session = cohort.sessions.filter(start__lte=now).order_by("-start").first()
    case = (  # the open case with the longest action plan, and the counselor who leads it
        Case.objects.filter(lead_counselor__user__username__startswith=dataset.COUNSELOR, closed_on__isnull=True)
        .annotate(steps=Count("action_plan__steps"))
        .order_by("-steps", "pk")
        .first()
    )
    ended = project.periods.filter(end_date__lt=today).order_by("-start_date")
    live, locked = ended.filter(status=PeriodStatus.OPEN).first(), ended.filter(status=PeriodStatus.LOCKED).first()
    certificate = Certificate.objects.filter(holder=trainee).order_by("pk").first()
    people = {
        TRAINEE: trainee,
        TRAINER: latest_edition.trainers.order_by("pk").first(),
        FACILITATOR: facilitator,
        COUNSELOR: case.lead_counselor.user,
        COORDINATOR: dataset.dataset_user(dataset.COORDINATOR),
        MANAGER: dataset.dataset_user(dataset.MANAGER),
    }
    next_monday = today + timedelta(days=7 - today.weekday())
    slots = urllib.parse.urlencode(
        {"kind": SessionKind.EXPERIENTIAL, "first_day": next_monday.isoformat(), "weeks": 4, "minutes": 60}
    )
    with translation.override(settings.LANGUAGE_CODE):
        catalogue = catalogue_page_for_language()
        catalogue_path = urllib.parse.urlsplit(catalogue.get_url(None)).path if catalogue else None
        week = reverse("counseling:my_bookings") + "?view=week"
        paths = {
            "training catalogue (its Wagtail page)": catalogue_path or reverse("trainings:catalogue"),
            "a certificate's public verification page": reverse(
                "certificates:verify", args=[certificate.verification_code]
            ),
            "trainee dashboard": reverse("trainings:dashboard"),
            "personal home page": reverse("home"),
            "her certificates": reverse("certificates:mine"),
            "trainer's editions": reverse("trainings:trainer_editions"),
            "facilitator's cohorts": reverse("groups:my_cohorts"),
            "attendance screen of her latest session": reverse("groups:session_attendance", args=[latest_session.pk]),
            "counselor's week": week,
            "counselor's clients": reverse("counseling:client_list"),
            "a case of hers": reverse("cases:case_detail", args=[case.pk]),
            "coordinator's week (every counselor)": week,
            "slot finder, next 4 weeks": reverse("counseling:slots") + "?" + slots,
            "admin: enrolments listing": reverse("enrolments:index"),
            "donor report of the quarter being reported (live)": reverse("reporting:period", args=[live.pk]),
            "donor report of the quarter before (locked)": reverse("reporting:period", args=[locked.pk]),
        }
        # On a logged-in page her logout button shows the session was hers (the site's, or the admin's).
        logout = {"site": reverse("account_logout"), "admin": reverse("wagtailadmin_logout")}

    store = import_string(settings.SESSION_ENGINE).SessionStore

    def session_for(user):
        """Her session as her login leaves it, the second factor done."""
        session = store()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session_stamp(SimpleNamespace(session=session), user)  # the time-out clocks, as at login
        session_record_mfa(session, user)
        profile = getattr(user, "profile", None)
        session[LANGUAGE_SESSION_KEY] = getattr(profile, "preferred_language", "") or ""
        session.create()
        return session.session_key

    def marker(page):
        if page.role == VISITOR:
            return None
        path = paths[page.label]
        # Her language may put a prefix before the site's logout address; the admin's has none.
        return (logout["admin"] if path.startswith("/admin/") else logout["site"].lstrip("/")) + '"'

    return {
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "sessions": {role: session_for(user) for role, user in people.items()},
        "pages": {page.label: {"path": paths[page.label], "marker": marker(page)} for page in MIX},
    }


def _encrypted_fields_readable():
    """Stop, saying why, when the data set's encrypted fields were written under another key than the
    server's: `make bench` writes with the development key, which production settings refuse."""
    from django.apps import apps
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    from core.fields import EncryptedTextField

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, EncryptedTextField):
                continue
            rows = model._default_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True)
            try:
                if rows.first():
                    return  # the data set is written under one key: one value read is enough
            except ImproperlyConfigured:
                database = settings.DATABASES["default"]["NAME"]
                raise SystemExit(
                    f"load test: the data set in {database} was written under another encryption key than the "
                    "load test's (`make bench` writes with the development key, which production settings "
                    "refuse). Give the load test a database of its own: var/bench-load.sqlite3 (the default), "
                    "or an empty PostgreSQL database in BENCH_DATABASE_URL; it builds the data set there."
                ) from None


def setup_parse(stdout, pages=MIX):
    """The setup's JSON (the last line of its output), checked: a path on this server for every page of the
    mix, a session for everyone of it who logs in."""
    setup = json.loads(stdout.strip().splitlines()[-1])
    for page in pages:
        found = setup["pages"].get(page.label)
        if found is None:
            raise ValueError(f"the setup found no address for {page.label!r}")
        loopback_url("http://127.0.0.1:1", found["path"])
        if page.role != VISITOR and not setup["sessions"].get(page.role):
            raise ValueError(f"the setup made no session for the {page.role}")
    return setup


_SETUP_SNIPPET = """
import django; django.setup()
import json
from bench.loadtest import mix_setup
print(json.dumps(mix_setup()))
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phase", choices=["both", "pages", "mixed"], default="both")
    parser.add_argument("--requests", type=int, default=400, help="per page, in the pages phase")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight (clients of the mix)")
    parser.add_argument("--seconds", type=float, default=60, help="how long the mix runs")
    parser.add_argument(
        "--rate",
        type=float,
        default=MIX_TARGET_RATE,
        help="requests per second the mix's clients send in all (0: each asks again as soon as answered)",
    )
    parser.add_argument("--seed", type=int, default=1, help="of the clients' choices in the mix")
    parser.add_argument(
        "--scale", type=int, default=1, help="size of the data set: 10 is `make bench`'s 10x (a database of its own)"
    )
    args = parser.parse_args(argv)

    (ROOT / "var").mkdir(exist_ok=True)
    env = {
        **os.environ,
        # A database of its own: its data set is written under the load test's encryption key below, which
        # `make bench`'s (the development key, refused by production settings) is not.
        "DATABASE_URL": os.environ.get(
            "BENCH_DATABASE_URL",
            f"sqlite:///{ROOT / 'var' / (f'bench-load-{args.scale}x' if args.scale != 1 else 'bench-load')}.sqlite3",
        ),
        "BENCH_SCALE": str(args.scale),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        # Production settings refuse the development key; the load test's own key is as public, and is
        # only ever used on this loopback server's data set.
        "HAVEN_FIELD_ENCRYPTION_KEYS": "aGF2ZW4tbG9hZC10ZXN0LWtleS1ub3QtZm9yLXVzZSE=",
        "WAGTAILADMIN_BASE_URL": "http://127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "website.settings",
        "DJANGO_LOG_LEVEL": "WARNING",
        # As behind the TLS proxy: the visitor's address is the one the proxy forwards (X-Forwarded-For).
        "ALLAUTH_TRUSTED_PROXY_COUNT": "1",
    }
    python = sys.executable
    # A signing key for this run only (production settings refuse to sign without one).
    env["HAVEN_CREDENTIAL_KEYS"] = subprocess.run(
        [python, "manage.py", "generate_credential_key"],
        cwd=ROOT,
        env={**env, "DJANGO_DEBUG": "1"},
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    # The data set (built if missing; its progress on stderr), the sessions and the pages' addresses.
    made = subprocess.run([python, "-c", _SETUP_SNIPPET], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    if made.returncode:
        sys.exit("load test: the setup (data set, sessions, addresses) failed, see above")
    setup = setup_parse(made.stdout)
    print(f"load test on {setup['database']}, gunicorn with 2 workers, DEBUG off")

    port = _free_port()
    server = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "website.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    missed = []
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(base + "/trainings/")
        if args.phase in ("both", "pages"):
            cookie = f"{setup['cookie_name']}={setup['sessions'][TRAINEE]}"
            missed += _pages_phase(base, cookie, requests=args.requests, concurrency=args.concurrency)
        if args.phase in ("both", "mixed"):
            missed += _mixed_phase(
                base, setup, seconds=args.seconds, concurrency=args.concurrency, seed=args.seed, rate=args.rate
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    if missed:
        sys.exit("load test: target missed for " + "; ".join(missed))


if __name__ == "__main__":
    main()
