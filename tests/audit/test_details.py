"""The audit log's details: written in the words of one vocabulary, shown in the reader's language."""

import ast
import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from wagtail.users.models import UserProfile

from audit.details import WORDS, detail_known, detail_shown
from audit.enums import AuditAction
from audit.models import AuditEntry
from audit.services import audit_record
from core.formatting import date_filter

APPS = (
    "accounts",
    "audit",
    "cases",
    "certificates",
    "core",
    "counseling",
    "groups",
    "reporting",
    "trainings",
    "website",
)
# What the code puts in a detail's placeholders, by the placeholder's source.
EXPANSIONS = {
    "authenticator.type": ["totp", "recovery_codes", "webauthn"],
    "step": ["contacted", "resolved"],
    "self.audit_detail": ["case detail", "risk form"],
    "on": ["2026-02-28"],
}


def _samples(node):
    """Every detail an expression of the code can write, its placeholders filled as the code fills them."""
    if isinstance(node, ast.Constant):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _samples(node.body) + _samples(node.orelse)
    if isinstance(node, ast.Attribute) and node.attr == "pk" or isinstance(node, ast.Attribute) and node.attr == "id":
        return ["12"]
    if isinstance(node, ast.FormattedValue):
        source = ast.unparse(node.value)
        if source in EXPANSIONS:
            return EXPANSIONS[source]
        return _samples(node.value)
    if isinstance(node, ast.JoinedStr):
        texts = [""]
        for part in node.values:
            texts = [text + piece for text in texts for piece in _samples(part)]
        return texts
    raise AssertionError(f"a detail the test cannot read: {ast.unparse(node)} (add it to EXPANSIONS)")


def _details_in_the_code():
    found = []
    for app in APPS:
        for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if (
                    isinstance(node, ast.keyword)
                    and node.arg in ("detail", "audit_detail")
                    or isinstance(node, ast.Assign)
                    and any(getattr(t, "id", None) == "audit_detail" for t in node.targets)
                ):
                    value = node.value
                else:
                    continue
                if (
                    isinstance(value, ast.Name | ast.Subscript)
                    or isinstance(value, ast.Attribute)
                    and value.attr != "pk"
                ):
                    continue  # passed on from a caller, whose own detail is read where it is written
                found += [(f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}", text) for text in _samples(value)]
    return found


def test_every_detail_the_code_writes_is_in_the_vocabulary():
    found = _details_in_the_code()
    assert len(found) > 60, len(found)  # the scan really reads the code's details
    unknown = [(where, text) for where, text in found if not detail_known(text)]
    assert not unknown, f"details outside audit.details.WORDS (add them, with their translations): {unknown}"


@pytest.mark.parametrize("language", ["da", "sr-latn"])
def test_every_word_of_the_vocabulary_is_translated(language):
    with translation.override(language):
        untranslated = [words for words, shown in WORDS.items() if str(shown) == words and words != "journal"]
    assert not untranslated


@pytest.mark.django_db
@pytest.mark.usefixtures("coordinator_permissions")
@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
def test_the_log_shows_each_detail_in_her_language(language, admin, coordinator):
    UserProfile.objects.update_or_create(user=coordinator, defaults={"preferred_language": language})
    stored = ["case close form", "attendance 12", "risk form as on 2026-02-28", "someone's own words"]
    for detail in stored:
        audit_record(actor=coordinator, action=AuditAction.VIEW, obj=coordinator, detail=detail)
    with translation.override(language):
        expected = [detail_shown(detail) for detail in reversed(stored)]
        day = date_filter(datetime.date(2026, 2, 28), "SHORT_DATE_FORMAT")
    assert expected[0] == "someone's own words" and expected[2].endswith(" 12") and day in expected[1]
    assert (expected[3] == "case close form") == (language == "en")

    page = admin(reverse("audit_log:index") + f"?actor_email={coordinator.email}")
    cells = [row.select("td")[-1].get_text(" ", strip=True) for row in page.html.select("tbody tr")]
    assert [cell for cell in cells if cell][:4] == expected, cells
    entry = AuditEntry.objects.get(detail="case close form")
    shown = admin(reverse("audit_log:inspect", args=[entry.pk])).html.get_text(" ")
    assert expected[3] in " ".join(shown.split())
