"""No demo alias in a URL any role reaches or in a log line written while the demo data is made and those
pages are served. Its own module: the log lines of loading the demo are part of what it reads."""

import io
import logging

import pytest
from django.core.management import call_command
from django.test import override_settings

from accounts.enums import Role
from tests.security.test_no_leaks import _alias_pattern, _crawl, _demo_user

pytestmark = pytest.mark.django_db


class _Lines(logging.Handler):
    """Every log line's text, as written. Only the text is kept: pytest's own capture keeps each record with
    its arguments (every SQL statement's parameters, some hundred thousand objects here), which the garbage
    collector then walked at each full collection, seconds each time."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.fixture
def log_lines(caplog):
    caplog.set_level(logging.DEBUG)  # every logger writes, down to DEBUG (put back after the test)
    caplog.handler.setLevel(logging.WARNING)  # and pytest's capture keeps no more than it shows on a failure
    lines = _Lines()
    logging.getLogger().addHandler(lines)
    yield lines.lines
    logging.getLogger().removeHandler(lines)


@pytest.fixture
def demo(log_lines):
    with override_settings(DEBUG=True):
        call_command("load_demo", stdout=io.StringIO())
    return _alias_pattern()


def test_no_alias_in_urls_or_log_lines(demo, log_lines):
    urls = []
    for role in (Role.COORDINATOR, Role.COUNSELOR, Role.FACILITATOR, Role.PROJECT_MANAGER):
        urls += _crawl(_demo_user(role))
    assert len(urls) > 20
    assert len(log_lines) > 1000  # the SQL of loading the demo and of every page, and the requests
    leaking = [url for url in urls if demo.search(url)]
    assert leaking == []
    leaking_lines = [line for line in log_lines if demo.search(line)]
    assert leaking_lines == []
