"""One client-IP function for every rate limit and the audit log (core.clientip)."""

import pytest
from django.test import RequestFactory, override_settings

from core.clientip import client_ip


def _request(remote="10.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_forwarded_header_is_ignored():
    assert client_ip(_request("198.51.100.4", forwarded="203.0.113.9")) == "198.51.100.4"


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_one_trusted_proxy_gives_the_address_it_saw():
    assert client_ip(_request("127.0.0.1", forwarded="203.0.113.9")) == "203.0.113.9"
    # The client wrote the first address itself: never believed.
    assert client_ip(_request("127.0.0.1", forwarded="6.6.6.6, 203.0.113.9")) == "203.0.113.9"


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=2)
def test_two_trusted_proxies():
    assert client_ip(_request("127.0.0.1", forwarded="6.6.6.6, 203.0.113.9, 10.0.0.2")) == "203.0.113.9"
    assert client_ip(_request("127.0.0.1", forwarded="203.0.113.9")) == "203.0.113.9"


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("", "127.0.0.1"),
        ("not-an-address", None),
        ("203.0.113.9:5555", "203.0.113.9"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:DB8::1", "2001:db8::1"),
    ],
)
def test_odd_headers(forwarded, expected):
    assert client_ip(_request("127.0.0.1", forwarded=forwarded)) == expected


def test_no_request():
    assert client_ip(None) is None


def test_allauth_asks_the_same_function():
    from allauth.account.adapter import get_adapter

    with override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1):
        assert get_adapter().get_client_ip(_request("127.0.0.1", forwarded="203.0.113.9")) == "203.0.113.9"


@pytest.mark.django_db
def test_the_audit_log_records_the_visitors_address(counselor):
    from audit.enums import AuditAction
    from audit.services import audit_record

    with override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1):
        entry = audit_record(
            actor=counselor, action=AuditAction.VIEW, obj=counselor, request=_request("127.0.0.1", "203.0.113.9")
        )
    assert entry.ip_address == "203.0.113.9"


def test_certificate_lookups_count_per_visitor():
    from certificates.ratelimit import client_ip as certificates_client_ip

    with override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1):
        assert certificates_client_ip(_request("127.0.0.1", "203.0.113.9")) == "203.0.113.9"
