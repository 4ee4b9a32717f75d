"""Every URL of the project, every role: the expected answer, from one table (tests/security/matrix.py).

A URL without a row fails `test_every_url_has_a_row`, so nobody can add a page without deciding who may
see it. Answers: "200", "login" (302 to the login page), "302" (elsewhere), "403", "404", "405".
"""

import os

import pytest
from django.contrib.auth import get_user_model

from tests.security.matrix import MATRIX, project_urls
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
