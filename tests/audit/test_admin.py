"""The audit listings of the Wagtail admin (the log and the register of compelled disclosures) ask a fixed
number of queries, however many rows they hold."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import translation
from wagtail.users.models import UserProfile

from audit.enums import AuditAction, LegalBasis
from audit.models import AuditEntry, CompelledDisclosure
from audit.services import audit_record, audit_record_many
from audit.wagtail_hooks import content_type_label
from counseling.models import Client
from groups.models import Member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("coordinator_permissions")]


def _survivors(n):
    """A counseling client and a group member, each with her own code."""
    return (
        Client.objects.create(alias=f"Zorica {n}", code=f"C-AUD-{n}"),
        Member.objects.create(alias=f"Dušica {n}", code=f"M-AUD-{n}"),
    )


@pytest.mark.parametrize("size", [2, 12])
def test_the_disclosure_register_runs_a_constant_number_of_queries(
    size, admin, coordinator, django_assert_max_num_queries
):
    # Each disclosure concerns her own client or member and was recorded by the coordinator: a row that
    # fetched whom it concerns, or who recorded it, would add queries with every disclosure.
    for n in range(size):
        client, member = _survivors(n)
        CompelledDisclosure.objects.create(
            client=client if n % 2 else None,
            member=None if n % 2 else member,
            released_what="Dates of the last three sessions",
            released_to=f"Basic Court {n}",
            legal_basis=LegalBasis.COURT_ORDER if n % 2 else LegalBasis.STATUTE,
            legal_reference=f"P-{n}/2026",
            released_on=datetime.date(2026, 11, 1) + datetime.timedelta(days=n),
            recorded_by=coordinator,
        )
    url = reverse("compelled_disclosures:index")
    admin(url)  # warm the session and Wagtail's caches (content types, site, permissions)
    # Measured on SQLite: 13 queries at 2 and at 12 disclosures, the audit entry of the listing included.
    with django_assert_max_num_queries(14):
        page = admin(url)
    assert page.text.count("Basic Court ") >= size


@pytest.mark.parametrize("size", [2, 12])
def test_the_unfiltered_audit_log_runs_a_constant_number_of_queries(
    size, admin, make_user, django_assert_max_num_queries
):
    # Entries by different people about records of different kinds (a client, a member, a list of both):
    # the kind of record is shown on every row, and fetched one by one it would add queries per entry.
    for n in range(size):
        actor = make_user()
        client, member = _survivors(n)
        audit_record(actor=actor, action=AuditAction.VIEW, obj=client)
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=member)
        audit_record_many(actor=actor, action=AuditAction.VIEW, objects=[client], detail="admin list")
    url = reverse("audit_log:index")
    admin(url)  # warm the session and Wagtail's caches (content types, site, permissions)
    # Measured on SQLite: 13 queries at 2 and at 12 sets of entries (6 and 36 rows).
    with django_assert_max_num_queries(14):
        page = admin(url)
    assert len(page.context["object_list"]) == min(AuditEntry.objects.count(), 50)  # one page of 50


@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
def test_the_kinds_of_record_are_named_as_django_names_them_in_each_language(language, admin, coordinator, make_user):
    """The audit log's kinds of record, kept per language (audit.wagtail_hooks.content_type_label), read as
    `str(content_type)`: in every row's cell and every option of its filter."""
    client, member = _survivors(1)
    actor = make_user()
    audit_record(actor=actor, action=AuditAction.VIEW, obj=client)
    audit_record(actor=actor, action=AuditAction.CHANGE, obj=member)
    UserProfile.objects.update_or_create(user=coordinator, defaults={"preferred_language": language})
    with translation.override(language):
        named = {ct.pk: str(ct) for ct in ContentType.objects.all()}
        for ct in ContentType.objects.all():
            assert content_type_label(ct.app_label, ct.model) == named[ct.pk]
    page = admin(reverse("audit_log:index") + f"?actor_email={actor.email}")
    options = {
        int(option["value"]): option.get_text()
        for option in page.html.select("select[name=content_type] option[value]")
        if option["value"]
    }
    assert options == named
    cells = [cell.get_text().strip() for cell in page.html.select("tbody tr td:nth-of-type(4)")]
    assert cells == [named[ContentType.objects.get_for_model(model).pk] for model in (Member, Client)]
    with translation.override("en"):
        in_english = [str(ContentType.objects.get_for_model(model)) for model in (Member, Client)]
    assert (cells == in_english) == (language == "en")  # the page is in her language


@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
def test_the_logs_columns_are_named_in_her_language(language, admin, coordinator):
    """The records' column is a property of the entry: named by its own words, not by its Python name."""
    UserProfile.objects.update_or_create(user=coordinator, defaults={"preferred_language": language})
    audit_record(actor=coordinator, action=AuditAction.VIEW, obj=coordinator)
    page = admin(reverse("audit_log:index"))
    headers = [th.get_text(" ", strip=True) for th in page.html.select("thead th")]
    with translation.override(language):
        assert AuditEntry.record_ids.fget.short_description.capitalize() in headers, headers
    assert "Record ids" not in headers
    assert ("Records" in headers) == (language == "en"), headers


@pytest.mark.parametrize(("language", "words"), [("da", "Der er ingen"), ("sr-latn", "Nema stavki")])
def test_an_empty_register_says_so_in_her_language_with_the_way_to_add_one(language, words, admin, coordinator):
    """Wagtail's own empty listing ("There are no ... to display. Why not add one?"), from the project's
    catalog of Wagtail's strings, with its link to the add form kept."""
    UserProfile.objects.update_or_create(user=coordinator, defaults={"preferred_language": language})
    page = admin(reverse("compelled_disclosures:index"))
    assert "There are no" not in page.text
    (empty,) = [p for p in page.html.select("p") if words in p.get_text()]
    assert empty.find("a")["href"] == reverse("compelled_disclosures:add")
