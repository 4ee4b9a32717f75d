import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.test import override_settings

from accounts import demo
from accounts.enums import Role


class OneRoundHasher(PBKDF2PasswordHasher):
    """A second hasher, cheap enough for a test."""

    algorithm = "pbkdf2_one_round"
    iterations = 1


def _person(email, role):
    return demo.demo_user(email=email, role=role, full_name=email.split("@")[0])


@pytest.mark.django_db
def test_every_demo_login_takes_the_demo_password_whichever_hasher_the_site_uses():
    """The demo password is hashed once per hasher, not once per login: a hash made under another hasher
    setting must not be handed to logins made under this one."""
    first = _person("first@example.org", Role.FACILITATOR)
    second = _person("second@example.org", Role.COUNSELOR)
    assert first.check_password(demo.DEMO_PASSWORD)
    assert second.check_password(demo.DEMO_PASSWORD)
    with override_settings(PASSWORD_HASHERS=["tests.accounts.test_demo.OneRoundHasher"]):
        third = _person("third@example.org", Role.TRAINER)
        assert third.password.startswith("pbkdf2_one_round$")
        assert third.check_password(demo.DEMO_PASSWORD)
        assert not third.check_password("not the demo password")
