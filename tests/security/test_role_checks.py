"""Permissions in one place: "may she do this" is a named rule in the app's rules.py.

A role check anywhere else (a view, a service, a selector) is a second answer to the same question that
can drift from the rule. This test reads the source of every app and fails on one, except in the few
places that must ask for the role itself.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROLE_CHECK = re.compile(r"\b(has_role|user_roles|is_staff_role)\(|\bRole\.[A-Z_]+\s+(not\s+)?in\b")

# Places that must ask for the role itself, and why.
ALLOWED = {
    "accounts/roles.py": "where roles are defined and granted",
    "accounts/navigation.py": "the navigation shows each role its entries",
    "accounts/admin_sidebar.py": "the admin's sidebar is kept per set of roles, which the rules answer from",
    "accounts/middleware.py": "staff sessions: the second factor and shorter time-outs, before any view",
    "accounts/privacy.py": "her data export lists the roles she holds",
    "accounts/views.py": "her page names the roles she holds",
    "website/middleware.py": "work kept over a time-out is shown only after a staff session passed the second factor",
}

# Checks still outside a rules.py while each app moves them: this list only ever shrinks.
REMAINING: dict[str, str] = {}

SKIPPED_FOLDERS = {".venv", "tests", "bench", "migrations", "node_modules", "staticfiles", ".git"}


def _source_files():
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if SKIPPED_FOLDERS & set(relative.parts[:-1]) or relative.parts[0].startswith("."):
            continue
        yield relative.as_posix(), path


def role_checks_outside_rules():
    found = {}
    for name, path in _source_files():
        if name.endswith("/rules.py") or name in ALLOWED or name in REMAINING:
            continue
        lines = [
            f"{number}: {line.strip()}"
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if ROLE_CHECK.search(line) and not line.lstrip().startswith("#")
        ]
        if lines:
            found[name] = lines
    return found


@pytest.mark.slow
def test_no_role_check_outside_the_rules():
    found = role_checks_outside_rules()
    assert found == {}, (
        "Role checks outside rules.py: ask a named rule instead (user.has_perm('<app>.<rule>', obj)).\n"
        + "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in found.items())
    )


def test_the_exceptions_are_still_needed():
    """An exception whose file no longer checks a role is removed from the list, so the list only shrinks."""
    stale = []
    for name in (*ALLOWED, *REMAINING):
        path = ROOT / name
        if not path.exists() or not ROLE_CHECK.search(path.read_text(encoding="utf-8")):
            stale.append(name)
    assert stale == [], f"no longer needed, remove from the lists: {stale}"


def test_the_scanner_finds_a_role_check():
    assert ROLE_CHECK.search("if has_role(request.user, Role.COORDINATOR):")
    assert ROLE_CHECK.search("    if Role.COUNSELOR in roles:")
    assert ROLE_CHECK.search("return is_staff_role(user)")
    assert not ROLE_CHECK.search("if user.has_perm('cases.view_case', case):")
