"""Every form page of the project, on the demo data, is the same HTML with its fields written in Python
(core.form_renderer) as with Django's templates: the administration's listings (their filters), add and edit
forms, and the site's own form pages."""

import difflib
import re

import pytest
from django.urls import NoReverseMatch, reverse

from accounts.models import Profile
from core.form_renderer import WrittenFormRenderer
from tests.core.demo.test_admin_cells import _project_viewsets, _without_tokens

SITE_PAGES = [
    "counseling:slots",
    "counseling:booking_new",
    "counseling:client_new",
    "counseling:client_list",
    "counseling:intake",
    "cases:case_list",
    "cases:case_create",
    "trainings:catalogue",
    "accounts:profile",
    "home",
]


def _comparable(response) -> str:
    """A page without what differs from response to response: the form tokens, a script's nonce, the editing
    session each visit to an edit form opens, the code a new member or client is offered."""
    html = re.sub(r'(/editing-sessions/[^"]*/)\d+/"', r'\g<1>0/"', _without_tokens(response.content.decode()))
    html = re.sub(r'name="form_token" value="[^"]*"', 'name="form_token"', html)  # a one-time form's token
    return re.sub(r'name="code" value="[A-Z]+-[0-9A-F]+"', 'name="code"', html)  # a new record's random code


def _difference(ours: str, theirs: str) -> str:
    return "\n".join(difflib.unified_diff(theirs.splitlines(), ours.splitlines(), lineterm="", n=1))


@pytest.fixture
def demo(demo_loaded, db):
    """The demo data, loaded once for this package."""


def _admin_pages():
    for viewset in _project_viewsets():
        for name in ("index", "add"):
            try:
                yield reverse(f"{viewset.url_namespace}:{name}")
            except NoReverseMatch:
                continue
        record = viewset.model._default_manager.order_by("pk").first()
        if record is not None:
            try:
                yield reverse(f"{viewset.url_namespace}:edit", args=[record.pk])
            except NoReverseMatch:
                continue


@pytest.mark.slow
def test_form_pages_are_the_same_html_written_as_rendered_through_templates(demo, make_user, client, monkeypatch):
    from accounts.enums import Role
    from accounts.middleware import session_record_mfa

    coordinator = make_user(Role.COORDINATOR)
    # In Serbian: its labels and formats go through the writing too (every language: tests/core/test_form_renderer).
    Profile.objects.filter(user=coordinator).update(preferred_language="sr-latn")
    client.force_login(coordinator)
    session = client.session
    session_record_mfa(session, coordinator)
    session.save()

    written = []
    real_writer = WrittenFormRenderer._writer
    monkeypatch.setattr(
        WrittenFormRenderer, "_writer", lambda self, name: written.append(name) or real_writer(self, name)
    )
    compared = 0
    for url in [*_admin_pages(), *(reverse(name) for name in SITE_PAGES)]:
        ours = client.get(url, follow=True)  # a page that sends her elsewhere says why there, and is left out
        if ours.redirect_chain or ours.status_code != 200:
            continue
        with monkeypatch.context() as templates:
            templates.setattr(WrittenFormRenderer, "_writer", lambda self, name: None)
            theirs = client.get(url)
        assert theirs.status_code == 200, url
        ours_html, theirs_html = _comparable(ours), _comparable(theirs)
        assert ours_html == theirs_html, (url, _difference(ours_html, theirs_html))
        compared += 1
    assert compared >= 40
    assert len(written) > 500  # the fields were written, not rendered
