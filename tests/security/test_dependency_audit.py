"""`make audit` is honest: an audit that checked nothing never passes silently (.ci/dependency_audit.py)."""

import importlib.util
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location(
    "dependency_audit", Path(__file__).resolve().parents[2] / ".ci" / "dependency_audit.py"
)
dependency_audit = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(dependency_audit)

CHECKED = {"name": "django", "version": "6.1.3", "vulns": []}
SKIPPED = {"name": "wagtail", "version": "8.0.1", "skip_reason": "Dependency not found on PyPI"}


def _never(*args, **kwargs):
    raise AssertionError("the service is asked only when nothing was checked")


def test_checked_and_clean_passes():
    code, lines = dependency_audit.verdict({"dependencies": [CHECKED]}, reachable=_never)
    assert code == 0
    assert "1 of 1 dependencies checked, 0 vulnerable" in lines[-1]


def test_a_vulnerability_fails():
    vulnerable = {**CHECKED, "vulns": [{"id": "PYSEC-1", "fix_versions": ["6.1.4"]}]}
    code, lines = dependency_audit.verdict({"dependencies": [vulnerable]}, reachable=_never)
    assert code == 1
    assert any("VULNERABLE django" in line for line in lines)


def test_partly_checked_names_what_was_not():
    code, lines = dependency_audit.verdict({"dependencies": [CHECKED, SKIPPED]}, reachable=_never)
    assert code == 0
    assert "not checked: wagtail" in lines[-1]


def test_nothing_checked_while_the_service_answers_fails():
    code, lines = dependency_audit.verdict(
        {"dependencies": [SKIPPED]}, reachable=lambda url: url.endswith("/wagtail/8.0.1/json")
    )
    assert code == 1
    assert "NOTHING was audited" in lines[-1]


@pytest.mark.parametrize(("strict", "expected"), [(False, 0), (True, 1)])
def test_nothing_checked_without_the_service_says_so(strict, expected):
    code, lines = dependency_audit.verdict({"dependencies": [SKIPPED]}, reachable=lambda url: False, strict=strict)
    assert code == expected
    assert "NOT AUDITED" in lines[-1]


def test_an_unreachable_service_is_not_an_error(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("no route")

    monkeypatch.setattr(dependency_audit.urllib.request, "urlopen", refuse)
    assert dependency_audit.service_reachable() is False


def test_the_service_is_asked_about_a_skipped_dependency_as_pip_audit_asked():
    skipped = {
        "name": "asgiref",
        "skip_reason": "Dependency not found on PyPI and could not be audited: asgiref (3.13.0)",
    }
    assert dependency_audit.version_url(skipped) == "https://pypi.org/pypi/asgiref/3.13.0/json"
