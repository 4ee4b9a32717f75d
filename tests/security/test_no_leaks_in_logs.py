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


@pytest.fixture
def demo(caplog):
    caplog.set_level(logging.DEBUG)
    with override_settings(DEBUG=True):
        call_command("load_demo", stdout=io.StringIO())
    return _alias_pattern()


def test_no_alias_in_urls_or_log_lines(demo, caplog):
    urls = []
    for role in (Role.COORDINATOR, Role.COUNSELOR, Role.FACILITATOR, Role.PROJECT_MANAGER):
        urls += _crawl(_demo_user(role))
    assert len(urls) > 20
    leaking = [url for url in urls if demo.search(url)]
    assert leaking == []
    leaking_lines = [record.getMessage() for record in caplog.records if demo.search(record.getMessage())]
    assert leaking_lines == []
