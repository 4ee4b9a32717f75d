"""Nothing identifying leaves by accident: the demo aliases never appear in URLs, email subjects, log
lines (written while the demo data is made and while its pages are served), calendar feeds or donor reports."""

import io
import logging
import re
import sys
from datetime import timedelta
from html.parser import HTMLParser
from logging.handlers import BufferingHandler
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import Client as BrowserClient
from django.test import override_settings
from django.utils import timezone

from accounts.enums import Role
from accounts.roles import has_role
from counseling.models import Client
from groups.models import Member

pytestmark = pytest.mark.django_db

# Short aliases that are also ordinary words or markup ("Line") would match by accident.
_TOO_COMMON = {"Line"}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"href", "src", "action", "formaction", "data-url"} and value:
                self.urls.append(value)


def _alias_pattern():
    aliases = set(Member.objects.values_list("alias", flat=True)) | set(Client.objects.values_list("alias", flat=True))
    aliases -= _TOO_COMMON
    assert len(aliases) >= 5, "the demo data should hold members and clients"
    return re.compile(r"\b(" + "|".join(re.escape(alias) for alias in sorted(aliases)) + r")\b")


@pytest.fixture(scope="module")
def _demo_once(module_transaction, django_db_blocker):
    """The log lines written while the demo is made, every level, as `caplog.set_level(DEBUG)` keeps them."""
    root, kept = logging.getLogger(), BufferingHandler(capacity=sys.maxsize)  # kept, never flushed
    level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(kept)
    try:
        with django_db_blocker.unblock(), override_settings(DEBUG=True):
            call_command("load_demo", stdout=io.StringIO())
    finally:
        root.removeHandler(kept)
        root.setLevel(level)
    return kept.buffer


@pytest.fixture
def demo(_demo_once, db):
    """The demo data, loaded once for this module (see module_transaction); the aliases as one pattern."""
    return _alias_pattern()


def _demo_user(role):
    return next(u for u in get_user_model().objects.filter(email__endswith="@example.org") if has_role(u, role))


def _crawl(user, *, limit=60):
    """Every internal URL reachable in two clicks from her home page (GET only, admin excluded)."""
    client = BrowserClient()
    client.force_login(user)
    seen, queue, urls = set(), ["/me/"], []
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        urls.append(path)
        if response.has_header("Location"):
            urls.append(response["Location"])
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Links()
        parser.feed(response.content.decode())
        for url in parser.urls:
            urls.append(url)
            parts = urlsplit(url)
            if parts.netloc or not parts.path.startswith("/") or parts.path.startswith(("/admin", "/static", "/i18n")):
                continue
            if path.count("/") <= 6:
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return urls


def test_no_alias_in_email_subjects(demo):
    for offset in range(0, 8):
        day = timezone.localdate() + timedelta(days=offset)
        call_command("send_counseling_reminders", "--day", day.isoformat(), stdout=io.StringIO())
    subjects = [message.subject for message in mail.outbox]
    assert [subject for subject in subjects if demo.search(subject)] == []


def test_no_alias_in_calendar_feeds(demo, client):
    from website.services import calendar_feed_get_or_create

    checked = 0
    for role in (Role.COUNSELOR, Role.FACILITATOR, Role.COORDINATOR):
        feed = calendar_feed_get_or_create(user=_demo_user(role))
        response = client.get(f"/feeds/{feed.token}.ics")
        assert response.status_code == 200
        body = response.content.decode()
        assert "BEGIN:VCALENDAR" in body
        assert not demo.search(body), demo.search(body)
        checked += body.count("BEGIN:VEVENT")
    assert checked > 0, "the demo should put sessions or bookings in somebody's feed"


def test_no_alias_in_donor_reports(demo, client):
    from openpyxl import load_workbook

    from reporting.models import ReportingPeriod

    client.force_login(_demo_user(Role.PROJECT_MANAGER))
    periods = list(ReportingPeriod.objects.all())
    assert periods
    for period in periods:
        response = client.get(f"/reports/periods/{period.pk}/report.xlsx")
        if response.status_code == 404:
            continue
        assert response.status_code == 200
        workbook = load_workbook(
            io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
        )
        text = "\n".join(
            str(cell)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell
        )
        assert not demo.search(text), (period.pk, demo.search(text))


def test_no_alias_in_urls_or_log_lines(demo, _demo_once, caplog):
    caplog.set_level(logging.DEBUG)
    urls = []
    for role in (Role.COORDINATOR, Role.COUNSELOR, Role.FACILITATOR, Role.PROJECT_MANAGER):
        urls += _crawl(_demo_user(role))
    assert len(urls) > 20
    leaking = [url for url in urls if demo.search(url)]
    assert leaking == []
    lines = [record.getMessage() for record in [*_demo_once, *caplog.records]]
    assert len(_demo_once) > 0, "making the demo writes log lines: the check would read none"
    leaking_lines = [line for line in lines if demo.search(line)]
    assert leaking_lines == []
