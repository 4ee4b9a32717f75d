"""A bounded load test on loopback: start gunicorn (two workers, as `make serve`), send a fixed number of
requests per page, report requests/s and the latency percentiles p50/p95/p99, and fail when a target is
missed.

    .venv/bin/python -m bench.loadtest [--requests 400] [--concurrency 8]
    BENCH_DATABASE_URL=postgres://... .venv/bin/python -m bench.loadtest   # as in production

Pages: the training catalogue (public), a trainee's dashboard and her home page (logged in through a real
session cookie), on the benchmarks' data set. Redirects are not followed: an answer other than 200 is
counted as a failure and named, so a login page or a language redirect is never measured instead of the
page. Only 127.0.0.1 is ever contacted; the server is stopped at the end.
"""

import argparse
import collections
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
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
    cuts = statistics.quantiles([ms for _status, ms in answers], n=100, method="inclusive")
    return {"rate": requests / elapsed, "statuses": statuses, "p50": cuts[49], "p95": cuts[94], "p99": cuts[98]}


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)

    (ROOT / "var").mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"),
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
    cookie = subprocess.run(
        [python, "-c", _SESSION_SNIPPET], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()

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
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(base + "/trainings/")
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
            request = urllib.request.Request(base + path, headers={"Cookie": jar} if jar else {})  # noqa: S310
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
                path = urllib.parse.urlsplit(response.url).path
            _hammer(base + path, requests=20, concurrency=2, cookie=jar)  # warm-up
            found = _hammer(base + path, requests=args.requests, concurrency=args.concurrency, cookie=jar)
            ok = found["statuses"][200]
            least_rate, most_p95 = TARGETS[label]
            verdict = "ok"
            if ok != args.requests:
                answers = sorted(found["statuses"].items(), key=str)
                verdict = "MISSED: answers " + ", ".join(f"{n}x {code}" for code, n in answers)
            elif found["rate"] < least_rate or found["p95"] > most_p95:
                verdict = f"MISSED (>= {least_rate} req/s, p95 <= {most_p95} ms)"
            if verdict != "ok":
                missed.append(label)
            print(
                f"{label + ' ' + path:<52} {args.requests:>8} {ok:>6} {found['rate']:>8.1f} {found['p50']:>7.0f} "
                f"{found['p95']:>7.0f} {found['p99']:>7.0f}  {verdict}"
            )
    finally:
        server.terminate()
        server.wait(timeout=20)
    if missed:
        sys.exit(f"load test: target missed for {', '.join(missed)}")


# A session cookie for the data set's trainee who comes back (building the data set if it is not there).
_SESSION_SNIPPET = """
import django; django.setup()
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from bench.dataset import TRAINEE, dataset_ensure, dataset_user
dataset_ensure()
user = dataset_user(TRAINEE)
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
"""

if __name__ == "__main__":
    main()
