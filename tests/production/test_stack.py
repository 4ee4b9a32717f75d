"""The production-style stack on loopback, end to end.

PostgreSQL with two roles (the owner releases and migrates, the application role serves), gunicorn with two
workers, two RQ workers on Redis, DEBUG off and the proxy's X-Forwarded-Proto header, as the README's
"Deployment" describes. A trainee enrols, the trainer closes the edition, the certificate is issued once and
the confirmation email sent once with links on the site's own address; the Serbian interface is served; a
restore from the backup brings back the database and the uploaded images.

Needs HAVEN_TEST_STACK_DATABASE_URL (the owner role, an empty database), HAVEN_TEST_STACK_APP_DATABASE_URL
(the application role, same database) and HAVEN_TEST_REDIS_URL; `.ci/run` provides all three.
"""

import html
import http.client
import json
import os
import re
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from email import message_from_bytes
from pathlib import Path
from urllib.parse import urlencode

import dj_database_url
import polib
import pytest
from cryptography.fernet import Fernet

from tests.helpers import totp_code
from tests.production.conftest import service

ROOT = Path(__file__).resolve().parents[2]
SITE = "https://haven.example.org"
PASSWORD = "a-long-stack-test-password"
TRAINEE, TRAINER, COORDINATOR = "jelena.stack@example.org", "ana.trainer@example.org", "milica.coordinator@example.org"
LOGIN_FORM = 'action="/accounts/login/"'

SEED = """
import json
from datetime import timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from accounts.enums import Role
from accounts.roles import role_grant
from accounts.services import profile_save
from certificates.models import Accreditation
from core import dates
from trainings.enums import EditionStatus
from trainings.models import Edition, TrainingProgramme, TrainingSession


def person(email, role, name):
    user = get_user_model().objects.create_user(username=email, email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    profile_save(user=user, full_name=name, organisation="Centar za socijalni rad Niš", job_title="Socijalna radnica")
    role_grant(user=user, role=role)
    return user


today, now = dates.today(), dates.now()
trainee = person(TRAINEE, Role.TRAINEE, "Jelena Đurđević")
trainer = person(TRAINER, Role.TRAINER, "Ana Šarić")
coordinator = person(COORDINATOR, Role.COORDINATOR, "Milica Čolić")
totp_secret = generate_totp_secret()  # staff give a second factor at every login
TOTP.activate(coordinator, totp_secret)
programme = TrainingProgramme.objects.create(title="Procena rizika i plan bezbednosti", hours=Decimal("16.0"))
accreditation = Accreditation.objects.create(
    body="Republički zavod za socijalnu zaštitu", decision_number="153-02-STACK/2026",
    decision_date=today - timedelta(days=400), valid_from=today - timedelta(days=365),
    valid_until=today + timedelta(days=365), points=Decimal("12.0"), certificate_validity_months=60,
)
accreditation.programmes.add(programme)
start = today + timedelta(days=20)
edition = Edition.objects.create(
    programme=programme, start_date=start, end_date=start + timedelta(days=1), capacity=20,
    enrolment_opens=now - timedelta(days=1), enrolment_closes=now + timedelta(days=10), status=EditionStatus.OPEN,
)
edition.trainers.add(trainer)
for day in range(2):
    begins = dates.start_of_day(start + timedelta(days=day)) + timedelta(hours=9)
    TrainingSession.objects.create(edition=edition, start=begins, end=begins + timedelta(hours=8))
logo = Image.objects.create(title="Donor logo", file=get_test_image_file("donor-logo.png"))
rendition = logo.get_rendition("max-160x80").url
print(json.dumps({"edition": edition.pk, "image": logo.pk, "logo": rendition, "totp_secret": totp_secret}))
"""

# The edition took place: its sessions move into the past and she was there (what the trainer marks).
TIME_PASSES = """
from datetime import timedelta

from core import dates
from core.enums import AttendanceStatus
from trainings.models import Edition, Enrollment, TrainingAttendance

edition = Edition.objects.get(pk=EDITION)
shift = dates.start_of_day(dates.today() - timedelta(days=3)) - dates.start_of_day(edition.start_date)
Edition.objects.filter(pk=edition.pk).update(
    start_date=edition.start_date + shift, end_date=edition.end_date + shift,
    enrolment_opens=edition.enrolment_opens + shift - timedelta(days=30),
    enrolment_closes=edition.enrolment_closes + shift - timedelta(days=30),
)
for session in edition.sessions.all():
    type(session).objects.filter(pk=session.pk).update(start=session.start + shift, end=session.end + shift)
    for enrollment in Enrollment.objects.filter(edition=edition):
        TrainingAttendance.objects.create(session=session, enrollment=enrollment, status=AttendanceStatus.PRESENT)
"""

COUNT = """
import json
from certificates.models import Certificate
from wagtail.images.models import Image
print(json.dumps({
    "certificates": Certificate.objects.filter(enrollment__edition_id=EDITION, enrollment__user__email=TRAINEE).count(),
    "image_titles": list(Image.objects.values_list("title", flat=True)),
}))
"""


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink(socketserver.ThreadingTCPServer):
    """The mail server of the stack: takes what Django's SMTP backend sends and keeps it."""

    daemon_threads = allow_reuse_address = True

    def __init__(self):
        self.messages = []
        super().__init__(("127.0.0.1", 0), SmtpSession)


class SmtpSession(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 sink")
        while line := self.rfile.readline():
            verb = line.strip().split(b" ", 1)[0].upper()
            if verb == b"DATA":
                self.reply("354 go on")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                self.server.messages.append(message_from_bytes(b"".join(lines)))
                self.reply("250 kept")
            elif verb == b"EHLO":
                self.reply("250 sink")
            elif verb == b"QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


class Browser:
    """A visitor behind the TLS proxy: keeps cookies, follows no redirect, sends the proxy's header."""

    def __init__(self, port):
        self.port, self.cookies = port, {}

    def request(self, method, path, fields=None):
        headers = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields)
            origin = f"https://127.0.0.1:{self.port}"
            headers.update(
                {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin, "Referer": origin + path}
            )
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location", ""), content.decode("utf-8", "replace")

    def get(self, path):
        return self.request("GET", path)

    def submit(self, path, form_pattern, **fields):
        """Post the first form of the page at `path` matching `form_pattern` (tag or content), as a browser would:
        its hidden fields as rendered, plus `fields`."""
        status, _location, page = self.get(path)
        assert status == 200, (path, status)
        forms = [f for f in re.findall(r"<form[^>]*>.*?</form>", page, re.S) if re.search(form_pattern, f)]
        assert forms, f"no form matching {form_pattern} on {path}"
        action = re.search(r'action="([^"]*)"', forms[0].split(">", 1)[0])
        hidden = dict(re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', forms[0]))
        return self.request("POST", html.unescape(action.group(1)) if action else path, {**hidden, **fields})


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    owner_url = service("HAVEN_TEST_STACK_DATABASE_URL")
    app_url = service("HAVEN_TEST_STACK_APP_DATABASE_URL")
    redis_url = service("HAVEN_TEST_REDIS_URL")
    from certificates.signing import key_generate

    folder = tmp_path_factory.mktemp("stack")
    mail = SmtpSink()
    threading.Thread(target=mail.serve_forever, daemon=True).start()
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "DJANGO_SETTINGS_MODULE": "website.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "stack-test-" + Fernet.generate_key().decode(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "WAGTAILADMIN_BASE_URL": SITE,
        "HAVEN_FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "HAVEN_CREDENTIAL_KEYS": key_generate(),
        "HAVEN_REDIS_URL": redis_url,
        "HAVEN_TASKS_BACKEND": "rq",
        "DJANGO_EMAIL_HOST": "127.0.0.1",
        "DJANGO_EMAIL_PORT": str(mail.server_address[1]),
        "DJANGO_MEDIA_ROOT": str(folder / "media"),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    owner = {**base, "DATABASE_URL": owner_url}
    app = {**base, "DATABASE_URL": app_url}
    app_role = dj_database_url.parse(app_url)["USER"]
    state = {"folder": folder, "owner": owner, "app": app, "port": _free_port(), "processes": [], "mail": mail}

    def manage(env, *args, script=None, check=True):
        command = [sys.executable, "manage.py", *args]
        if script is not None:
            constants = (
                f"PASSWORD, TRAINEE, TRAINER, COORDINATOR, EDITION = "
                f"{(PASSWORD, TRAINEE, TRAINER, COORDINATOR, state.get('edition'))!r}\n"
            )
            command += ["-c", constants + script]
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
        if check and result.returncode:
            raise AssertionError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start():
        gunicorn = [sys.executable, "-m", "gunicorn", "website.wsgi", "--workers", "2"]
        commands = [
            [*gunicorn, "--bind", f"127.0.0.1:{state['port']}", "--log-level", "warning"],
            [sys.executable, "manage.py", "run_worker", "-v0"],
            [sys.executable, "manage.py", "run_worker", "-v0"],
        ]
        with (folder / "processes.log").open("a") as log:  # each process keeps its own copy of the file
            for command in commands:
                process = subprocess.Popen(command, cwd=ROOT, env=app, stdout=log, stderr=subprocess.STDOUT)
                state["processes"].append(process)
        deadline = time.monotonic() + 120
        browser = Browser(state["port"])
        while time.monotonic() < deadline:
            try:
                if browser.get("/health/")[0] == 200 and browser.get("/health/worker/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise AssertionError("the stack did not become healthy:\n" + (folder / "processes.log").read_text())

    def stop():
        for process in state["processes"]:
            process.send_signal(signal.SIGTERM)
        for process in state["processes"]:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        state["processes"].clear()

    state.update(manage=manage, start=start, stop=stop)
    manage(owner, "release", "--app-role", app_role)
    seeded = json.loads(manage(app, "shell", script=SEED).strip().splitlines()[-1])
    state.update(seeded)
    start()
    try:
        yield state
    finally:
        stop()
        mail.shutdown()
        mail.server_close()


def _messages_to(mail, address):
    return [message for message in mail.messages if address in (message["To"] or "")]


def _wait_for(condition, timeout=90, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"waited {timeout} s for {what}")


def test_enrol_close_certificate_once_email_once_serbian_and_restore(stack):
    port, manage, folder = stack["port"], stack["manage"], stack["folder"]
    trainee = Browser(port)

    # Static files come from whitenoise with their hashed names; the health answers carry no data.
    status, _location, page = trainee.get("/accounts/login/")
    assert status == 200
    stylesheet = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet and trainee.get(stylesheet.group(1))[0] == 200
    assert json.loads(trainee.get("/health/")[2]) == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok"},
    }

    # She logs in and enrols.
    status, location, _page = trainee.submit("/accounts/login/", LOGIN_FORM, login=TRAINEE, password=PASSWORD)
    assert status == 302, location
    status, location, _page = trainee.submit(f"/trainings/editions/{stack['edition']}/enrol/", r">\s*Enrol\s*</button>")
    assert (status, location) == (302, "/trainings/my/")

    # The worker sends her confirmation, once, with links on the site's own address.
    _wait_for(lambda: _messages_to(stack["mail"], TRAINEE), what="the confirmation email")
    # The edition takes place; the coordinator logs in with her second factor and closes it.
    manage(stack["app"], "shell", script=TIME_PASSES)
    coordinator = Browser(port)
    status, location, _page = coordinator.submit("/accounts/login/", LOGIN_FORM, login=COORDINATOR, password=PASSWORD)
    assert (status, location) == (302, "/accounts/2fa/authenticate/")
    status, location, _page = coordinator.submit(location, r'name="code"', code=totp_code(stack["totp_secret"]))
    assert status == 302, location
    participants = f"/trainings/teach/editions/{stack['edition']}/participants/"
    status, location, _page = coordinator.submit(participants, r'action="[^"]*/close/"')
    assert (status, location) == (302, participants)

    def counts():
        return json.loads(manage(stack["app"], "shell", script=COUNT).strip().splitlines()[-1])

    _wait_for(lambda: counts()["certificates"], what="the certificate")
    _wait_for(lambda: Browser(port).get("/health/worker/")[0] == 200, what="an empty queue")
    time.sleep(3)  # a second delivery, were there one, would have run by now
    assert counts()["certificates"] == 1
    mails = _messages_to(stack["mail"], TRAINEE)
    assert len(mails) == 1, [m["Subject"] for m in mails]
    body = (
        mails[0].get_payload(decode=True)
        if not mails[0].is_multipart()
        else mails[0].get_payload(0).get_payload(decode=True)
    )
    assert SITE.encode() in body and b"127.0.0.1:8000" not in body

    # The Serbian interface: strings of the catalogue appear translated.
    english = html.unescape(Browser(port).get("/accounts/login/")[2])
    status, _location, serbian = Browser(port).get("/sr-latn/accounts/login/")
    serbian = html.unescape(serbian)
    assert status == 200 and 'lang="sr-latn"' in serbian
    catalogue = polib.pofile(str(ROOT / "locale" / "sr_Latn" / "LC_MESSAGES" / "django.po"))
    shown = [
        e for e in catalogue if e.msgstr and e.msgstr != e.msgid and len(e.msgid) > 3 and f">{e.msgid}<" in english
    ]
    assert shown, "no translatable string found on the login page"
    assert all(f">{e.msgstr}<" in serbian for e in shown), [e.msgid for e in shown if f">{e.msgstr}<" not in serbian]

    # Backup, then lose the uploads and change the image's row; the restore brings both back.
    logo = stack["logo"]
    assert trainee.get(logo)[0] == 200
    backup = folder / "backups" / "haven.dump"
    manage(stack["owner"], "backup", "--output", str(backup))
    assert backup.exists() and Path(f"{backup}.media.tar.gz").exists()
    stack["stop"]()
    shutil.rmtree(folder / "media")
    # (A change, not a deletion: deleting an image queues the deletion of its files, which would run after.)
    manage(stack["app"], "shell", "-c", "from wagtail.images.models import Image; Image.objects.update(title='x')")
    assert counts()["image_titles"] == ["x"]
    manage(stack["owner"], "restore", str(backup), "--yes")
    stack["start"]()
    assert counts()["image_titles"] == ["Donor logo"]
    status, _location, _content = Browser(port).get(logo)
    assert status == 200
    # The application role still works on the restored database (its rights came back with it).
    assert Browser(port).get("/trainings/")[0] == 200
