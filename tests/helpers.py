"""Small helpers shared by tests of several apps."""

import contextlib
import os
import re
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.security import FORM_TOKEN_FIELD, form_token_issue

# What a fresh Python process is given to run: start every app as a server does (two seconds of CPU), or
# only read the settings module, where every refusal of unsafe settings is raised (a tenth of a second).
PROCESS_STARTS_APPS = "import django; django.setup(); print('started')"
PROCESS_READS_SETTINGS = "from django.conf import settings; settings.INSTALLED_APPS; print('started')"
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def python_run(code, *, env, timeout=120, check=False) -> subprocess.CompletedProcess:
    """`code` run by a fresh Python in the project's directory with exactly `env`, its output kept as text."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
    )


def login_form(page):
    """The login form of a page as WebTest got it (the login page's, or the one a refusal shows)."""
    return next(form for form in page.forms.values() if "login" in form.fields)


def log_in_through_the_login_page(app, user, *, password="a-long-test-pass", next_url=None):
    """`user` logged in with WebTest through the login form as rendered; the page she is sent on to."""
    from django.urls import reverse

    url = reverse("account_login") + (f"?next={next_url}" if next_url else "")
    form = login_form(app.get(url))
    form["login"] = user.email
    form["password"] = password
    return form.submit().maybe_follow()


@contextlib.contextmanager
def outer_transaction_rolled_back(django_db_blocker, *, reference_index=False):
    """A transaction around several tests (a module's, a package's), rolled back after the last: data built
    once inside it is seen by each test, whose own transaction is a savepoint within it. Wagtail's reference
    index is written while that data is built only when the tests ask for it (`reference_index_switched`)."""
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with reference_index_switched(on=reference_index):
            yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# Wagtail's reference index (which record points to which, for the admin's usage and delete pages) is written
# after every save of a model the admin lists: about a tenth of the suite's time, read by a few tests only.
# Those ask for it with the `reference_index` marker; HAVEN_TEST_REFERENCE_INDEX=1 keeps it on in every test.
REFERENCE_INDEX = os.environ.get("HAVEN_TEST_REFERENCE_INDEX", "") not in ("", "0")


@contextlib.contextmanager
def reference_index_switched(*, on):
    """Wagtail's reference index written (`on`, or HAVEN_TEST_REFERENCE_INDEX=1) or not, inside, and as it
    was after: a test inside a module's data may ask for it when the module did not. Wagtail's own switch
    cannot be nested (leaving the inner one switches the index on for the rest of the outer)."""
    from wagtail.signal_handlers import reference_index_auto_update_disabled as switched_off

    was_off = getattr(switched_off, "value", False)
    if on or REFERENCE_INDEX:
        if was_off:
            del switched_off.value
    else:
        switched_off.value = True
    try:
        yield
    finally:
        if was_off:
            switched_off.value = True
        elif hasattr(switched_off, "value"):
            del switched_off.value


def package_transaction_fixture():
    """The fixture `package_transaction`, to be assigned in a package's conftest: as module_transaction
    (tests/conftest.py), one transaction around the tests of that package. A fixture of package scope lasts
    until the last test of the package whose conftest holds it (in tests/conftest.py it would be the whole
    suite). No test there may be transactional: its live server's connection would wait for this one."""
    import pytest

    @pytest.fixture(scope="package", name="package_transaction")
    def _package_transaction(django_db_setup, django_db_blocker):
        with outer_transaction_rolled_back(django_db_blocker):  # no package-wide marker asks for the index
            yield

    return _package_transaction


def users_maker():
    """make_user(role=None, *, email=None, full_name=None, ...) -> a verified, active user with that role: the
    fixture `make_user`, and data built once for several tests, where no test's fixture can be asked."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from accounts.roles import role_grant
    from accounts.services import profile_save

    counter = {"n": 0}

    def _make(role=None, *, email=None, full_name=None, organisation="Test NGO", password="a-long-test-pass"):
        counter["n"] += 1
        email = email or f"user{counter['n']}-{(role or 'none').lower().replace(' ', '-')}@example.org"
        user = get_user_model().objects.create_user(username=email, email=email, password=password)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        profile_save(
            user=user,
            full_name=full_name or f"Test Person {counter['n']}",
            organisation=organisation,
            job_title="Social worker",
        )
        if role:
            role_grant(user=user, role=role)
        return user

    return _make


def totp_activate(user) -> str:
    """Her authenticator set up, as if she had scanned its code: the secret her phone keeps."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str) -> str:
    """The authenticator's code for this moment, as her phone shows it.

    allauth accepts only the current 30-second period's code (no tolerance) and reads the real clock: a code
    taken in a period's last moments could be checked in the next period and refused. So in those moments
    this waits for the next period first (at most two seconds)."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    left = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
    if left < 2:
        time.sleep(left + 0.01)
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def tokened(data=None, **extra) -> dict:
    """Form data with a fresh form token, for tests of the token itself and of crafted requests (values no
    page offers, as a hostile user sends them). A test of a page's form uses `rendered` instead."""
    return {**(data or {}), **extra, FORM_TOKEN_FIELD: form_token_issue()}


class _Forms(HTMLParser):
    """The forms of a page: each one's id, action, hidden values, field names and allowed choices."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"id": attrs.get("id"), "action": attrs.get("action"), "hidden": {}, "names": set(),
                               "choices": {}})  # fmt: skip
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = attrs.get("name")
        if tag == "input" and name:
            form["names"].add(name)
            kind = attrs.get("type", "text")
            if kind == "hidden":
                form["hidden"][name] = attrs.get("value", "")
            elif kind in ("radio", "checkbox"):
                form["choices"].setdefault(name, set()).add(attrs.get("value", "on"))
        elif tag in ("select", "textarea", "button") and name:
            form["names"].add(name)
            self._select = name if tag == "select" else None
        elif tag == "option" and self._select:
            form["choices"].setdefault(self._select, set()).add(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def rendered(client, url, data=None, *, form_id=None) -> dict:
    """What a browser sends from the form on the page at `url` as the page renders it now: its hidden
    fields (the form token among them) plus the fields the test fills in. A field the page does not render,
    or a choice it does not offer, fails the test instead of being sent anyway."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    parser = _Forms()
    parser.feed(page.content.decode())
    forms = [f for f in parser.forms if FORM_TOKEN_FIELD in f["hidden"] and (form_id is None or f["id"] == form_id)]
    assert forms, f"{url} renders no form{f' #{form_id}' if form_id else ''} with a form token"
    form = forms[0]
    data = dict(data or {})
    missing = sorted(set(data) - form["names"])
    assert not missing, f"the form on {url} has no field {missing}"
    for name, value in data.items():
        allowed = form["choices"].get(name)
        values = value if isinstance(value, list | tuple) else [value]
        if allowed is not None and value != "":
            wrong = [v for v in values if str(v) not in allowed]
            assert not wrong, f"the form on {url} offers no {wrong} for {name!r}"
    return {**form["hidden"], **data}


def queries_of(client, url, params=None) -> int:
    """How many database queries the page at `url` makes, asked a second time (the first warms the caches of
    content types, roles and the session), for comparing the same page at two sizes of data."""
    client.get(url, params or {})
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code)
    return len(context.captured_queries)


def donor_project():
    """The donor project the tests count for: April 2022 to April 2023, without periods."""
    from datetime import date

    from reporting.models import DonorProject

    return DonorProject.objects.create(
        title="Safe Together",
        donor="Ministry of Family Welfare",
        grant_number="G-1",
        start_date=date(2022, 4, 1),
        end_date=date(2023, 4, 1),
    )


def donor_project_with_quarters(*, managers=()):
    """The donor project most reporting tests use (`donor_project`), with a period per quarter."""
    from datetime import timedelta

    from reporting.models import ReportingPeriod
    from reporting.services import period_label, period_spans

    project = donor_project()
    project.managers.add(*managers)
    for start, end in period_spans(start=project.start_date, end=project.end_date, months=3):
        ReportingPeriod.objects.create(
            project=project,
            label=period_label(start, end, 3),
            start_date=start,
            end_date=end,
            due_date=end + timedelta(days=30),
        )
    return project


def accreditation_of(programme, **extra):
    """A valid accreditation of the programme: decided 400 days ago, valid a year either side of today."""
    from datetime import timedelta
    from decimal import Decimal

    from certificates.models import Accreditation
    from core import dates

    today = dates.today()
    accreditation = Accreditation.objects.create(
        body="Republički zavod za socijalnu zaštitu",
        decision_number="153-02-00042/2025",
        decision_date=today - timedelta(days=400),
        valid_from=today - timedelta(days=365),
        valid_until=today + timedelta(days=365),
        points=Decimal("12.0"),
        professions="Socijalni radnici, psiholozi",
        **extra,
    )
    accreditation.programmes.add(programme)
    return accreditation


def tags_squeezed(html, *, between: str = "", tokens_masked: bool = False) -> str:
    """Markup with each run of space between two tags made `between` ("" where it cannot show, as between
    a table's cells; " " where it can, between inline elements): to compare rows written in Python with the
    template they replace. `tokens_masked` makes every CSRF token the same, for two renderings that each
    asked for one (each comes masked anew)."""
    html = str(html)
    if tokens_masked:
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value="X"', html)
    return re.sub(r">\s+<", f">{between}<", html.strip())


def texts_decrypted(monkeypatch) -> list[str]:
    """From now on, every text an encrypted field decrypts (core.fields.decrypt_text), in the returned list:
    what a page read of a client's secrets, whether it showed them or not."""
    from core import fields

    read = []
    real = fields.decrypt_text

    def counted(token):
        read.append(real(token))
        return read[-1]

    monkeypatch.setattr(fields, "decrypt_text", counted)
    return read


def passing_once(real):
    """A service's period check as it went before the period was locked: passed the first time it is asked;
    asked again (by the words said for the database's refusal), it is the real one and finds the lock."""
    asked = []

    def guard(**kwargs):
        asked.append(kwargs)
        if len(asked) > 1:
            real(**kwargs)

    return guard


def switcher_links(content: str) -> dict[str, str]:
    """The language switcher's links of a Wagtail page, by language code."""
    nav = re.search(r'<nav class="language-switcher".*?</nav>', content, re.S).group(0)
    return {code: url for url, code in re.findall(r'<a href="([^"]+)" lang="([^"]+)"', nav)}


def reloaded_offline(page) -> None:
    """Reload a phone's page while it is offline, the new page knowing it is offline.

    In Chromium 150 (not in the build the suite ran on before) the document a reload gives while the browser
    context is offline (the kept copy the service worker answers with) believes it is online: the context's
    switch does not reach it, so it would get no "online" event when the connection returns, unlike a phone
    that really had none. Switched on and off again, the context tells it (nothing is sent meanwhile: a kept
    copy sends only when told it is online)."""
    page.reload()
    page.context.set_offline(False)
    page.context.set_offline(True)
    assert page.evaluate("navigator.onLine") is False
