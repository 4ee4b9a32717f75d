"""Every URL of the project, every role: the expected answer, from one table (tests/security/matrix.py).

A URL without a row fails `test_every_url_has_a_row`, so nobody can add a page without deciding who may
see it. Answers: "200", "login" (302 to the login page), "302" (elsewhere), "403", "404", "405".
"""

import os

import pytest
from django.contrib.auth import get_user_model

from tests.security.matrix import MATRIX, forms_of, project_urls
from tests.security.matrix_world import ROLES


def test_every_url_has_a_row():
    urls = project_urls()
    missing = sorted(set(urls) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(urls))
    assert missing == [], f"URLs without a row in tests/security/matrix.py: {missing}"
    assert stale == [], f"rows for URLs that no longer exist: {stale}"
    for name, answers in MATRIX.items():
        assert set(answers) == set(ROLES), name


def _answer(visit):
    if visit.status == 302:
        return "login" if "/accounts/login/" in visit.location else "302"
    return str(visit.status)


@pytest.mark.slow
@pytest.mark.django_db
def test_permission_matrix(every_page):
    observed, mismatches = {}, []
    for (name, role), visit in every_page.visits.items():
        got = _answer(visit)
        observed.setdefault(name, {})[role] = got
        expected = MATRIX.get(name, {}).get(role)
        if got != expected:
            mismatches.append(f"{name} {visit.url} as {role}: expected {expected}, got {got}")
    if os.environ.get("HAVEN_MATRIX_PRINT"):
        for name, answers in observed.items():
            print(f'    "{name}": row({", ".join(repr(answers[r]) for r in ROLES)}),')
    assert mismatches == [], "\n".join(mismatches)
    assert get_user_model().objects.filter(email="other.counselor@example.net").exists()


# The same for everyone who asks, signed in or not, with nothing of hers in it: the credentials' public status
# list (verifiers fetch it), the offline attendance's service worker and the app's manifest.
CACHEABLE = {"certificates:status_list", "service_worker", "web_manifest"}


@pytest.mark.django_db
def test_no_answer_to_a_signed_in_person_is_kept_by_her_browser(every_page):
    """Every page and file a signed-in role is given says no-store: after she logs out (or leaves in a hurry),
    Back and the browser's cache show nothing of what she saw. A view that sets a cache header of its own
    would otherwise slip past the middleware that adds it (accounts/middleware.py, NoStoreMiddleware)."""
    kept = [
        f"{name} as {role}: {visit.cache_control or 'no Cache-Control'}"
        for (name, role), visit in every_page.visits.items()
        if role != "anonymous"
        and visit.status == 200
        and "no-store" not in visit.cache_control
        and name not in CACHEABLE
    ]
    answered = [
        visit for (_name, role), visit in every_page.visits.items() if role != "anonymous" and visit.status == 200
    ]
    assert len(answered) > 300, len(answered)
    assert kept == [], "\n".join(kept)


@pytest.mark.django_db
def test_every_page_has_the_quick_exit(every_page):
    """A woman can leave any page of the site at once, whoever she is signed in as: the quick exit's link and
    its script (Shift three times) are on every page the matrix opens, not only on the pages the browser
    tests walk through. A page whose template leaves the site's frame would otherwise lose it unnoticed."""
    pages = [(name, role, visit) for (name, role), visit in every_page.visits.items() if visit.html]
    assert len(pages) > 300, len(pages)
    missing = sorted(
        f"{name} as {role}"
        for name, role, visit in pages
        if "data-quick-exit" not in visit.html or "/static/js/quick-exit.js" not in visit.html
    )
    assert missing == [], "\n".join(missing)


@pytest.mark.django_db
def test_every_form_that_posts_carries_its_token(every_page):
    """A form posted without Django's CSRF token is refused whatever she typed: every posting form of every
    page the matrix opens, for every role, carries one (the hostile-forms test counts a refusal as a pass)."""
    forms, without = 0, []
    for (name, role), visit in every_page.visits.items():
        posting = [form for form in forms_of(visit.html) if form["method"].lower() == "post"]
        forms += len(posting)
        without += [
            f"{name} as {role}: {form['action'] or '(this page)'}"
            for form in posting
            if "csrfmiddlewaretoken" not in form["f"]
        ]
    assert forms > 300, forms
    assert without == [], "\n".join(sorted(without))
