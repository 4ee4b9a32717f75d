"""A bounded load test on loopback: start gunicorn, send a fixed number of requests, report requests/s.

    .venv/bin/python -m bench.loadtest [--requests 400] [--concurrency 8]

Targets the training catalogue (public), a trainee's dashboard and her home page (logged in through a
real session cookie), on the benchmarks' data set. Only 127.0.0.1 is ever contacted; the server is
stopped at the end.
"""

import argparse
import os
import socket
import subprocess
import sys
import time
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


def _hammer(url, *, requests, concurrency, cookie=None):
    headers = {"Cookie": cookie} if cookie else {}

    def one(_):
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback only
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()
            return response.status

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        statuses = list(pool.map(one, range(requests)))
    elapsed = time.perf_counter() - started
    ok = sum(1 for status in statuses if status == 200)
    return requests / elapsed, ok


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
        "HAVEN_FIELD_ENCRYPTION_KEYS": "aGF2ZW4tZGV2ZWxvcG1lbnQta2V5LW5vdC1wcm9kISE=",
        "DJANGO_SETTINGS_MODULE": "website.settings",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    python = sys.executable
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
        print(f"{'endpoint':<34} {'requests':>8} {'ok':>6} {'req/s':>8}")
        for label, path, use_cookie in [
            ("training catalogue (anonymous)", "/trainings/", False),
            ("trainee dashboard (logged in)", "/trainings/my/", True),
            ("personal home page (logged in)", "/me/", True),
        ]:
            _hammer(base + path, requests=20, concurrency=2, cookie=cookie if use_cookie else None)  # warm-up
            rate, ok = _hammer(
                base + path, requests=args.requests, concurrency=args.concurrency, cookie=cookie if use_cookie else None
            )
            print(f"{label:<34} {args.requests:>8} {ok:>6} {rate:>8.1f}")
    finally:
        server.terminate()
        server.wait(timeout=20)


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
