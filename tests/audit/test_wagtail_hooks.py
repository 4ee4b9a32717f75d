import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse

from accounts.enums import Role
from audit.enums import AuditAction, LegalBasis
from audit.models import AuditEntry, CompelledDisclosure
from audit.services import audit_record, audit_record_many
from core import dates
from core.appendonly import AppendOnlyError
from counseling.models import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def survivor():
    return Client.objects.create(alias="Zorica", code="C-AUD-1")


def test_audit_record_keeps_who_what_when_and_address(rf, counselor, survivor):
    request = rf.get("/", REMOTE_ADDR="203.0.113.7")
    entry = audit_record(actor=counselor, action=AuditAction.VIEW, obj=survivor, request=request)
    entry.refresh_from_db()
    assert entry.actor == counselor
    assert entry.actor_email == counselor.email
    assert entry.content_type == ContentType.objects.get_for_model(Client)
    assert entry.object_id == str(survivor.pk)
    assert entry.ip_address == "203.0.113.7"
    assert entry.at is not None
    assert "Zorica" not in str(entry)


def test_audit_record_many_is_one_query(django_assert_num_queries, counselor):
    clients = [Client.objects.create(alias=f"A{i}", code=f"C-AUD-M{i}") for i in range(30)]
    ContentType.objects.get_for_model(Client)  # warm the content type cache
    with django_assert_num_queries(1):
        audit_record_many(actor=counselor, action=AuditAction.VIEW, objects=clients)
    assert AuditEntry.objects.count() == 30


def test_audit_entries_cannot_be_changed_or_deleted(counselor, survivor):
    entry = audit_record(actor=counselor, action=AuditAction.VIEW, obj=survivor)
    entry.detail = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(detail="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


def test_coordinator_searches_and_filters_the_audit_log(client_for, coordinator, counselor, make_user, survivor):
    other = make_user(Role.COUNSELOR, email="other.counselor@example.org")
    audit_record(actor=counselor, action=AuditAction.VIEW, obj=survivor)
    audit_record(actor=other, action=AuditAction.CHANGE, obj=survivor)
    client = client_for(coordinator)
    index = reverse("audit_log:index")

    def actors(params=None):
        response = client.get(index, params or {})
        assert response.status_code == 200
        return {entry.actor_email for entry in response.context["object_list"]}

    assert actors() == {counselor.email, other.email}
    assert actors({"q": "other.counselor"}) == {other.email}
    assert actors({"action": AuditAction.CHANGE}) == {other.email}
    assert actors({"actor_email__icontains": counselor.email}) == {counselor.email}
    assert actors({"at__date__gte": dates.today().isoformat()}) == {counselor.email, other.email}
    assert actors({"at__date__gte": "2999-01-01"}) == set()


def test_audit_log_has_no_add_edit_or_delete_screens(client_for, coordinator, counselor, survivor):
    entry = audit_record(actor=counselor, action=AuditAction.VIEW, obj=survivor)
    for name in ("add", "edit", "delete", "copy", "history"):
        with pytest.raises(NoReverseMatch):
            reverse(f"audit_log:{name}", args=[entry.pk] if name != "add" else [])
    client = client_for(coordinator)
    assert client.get(reverse("audit_log:inspect", args=[entry.pk])).status_code == 200
    for path in (f"/admin/audit_log/edit/{entry.pk}/", f"/admin/audit_log/delete/{entry.pk}/", "/admin/audit_log/new/"):
        assert client.post(path, {"detail": "x"}).status_code == 404
    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.COUNSELOR, Role.TRAINER, Role.PROJECT_MANAGER, Role.TRAINEE])
def test_only_coordinators_read_the_audit_log(client_for, make_user, role):
    response = client_for(make_user(role)).get(reverse("audit_log:index"))
    assert response.status_code in (302, 403)


def test_coordinator_records_a_compelled_disclosure(client_for, coordinator, survivor):
    client = client_for(coordinator)
    response = client.post(
        reverse("compelled_disclosures:add"),
        {
            "client": survivor.pk,
            "released_what": "Dates of the last three counseling sessions",
            "released_to": "Basic Court Novi Sad",
            "legal_basis": LegalBasis.COURT_ORDER,
            "legal_reference": "P-1234/2026",
            "released_on": "2026-11-02",
            "client_told_on": "2026-11-03",
            "not_told_reason": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    disclosure = CompelledDisclosure.objects.get()
    assert disclosure.recorded_by == coordinator
    assert disclosure.client_told_on == datetime.date(2026, 11, 3)
    entry = AuditEntry.objects.get(action=AuditAction.DISCLOSE)
    assert entry.object_id == str(survivor.pk)
    listing = client.get(reverse("compelled_disclosures:index")).content.decode()
    assert "Basic Court Novi Sad" in listing
    assert "Zorica" not in listing


def test_compelled_disclosure_needs_a_person_and_cannot_be_deleted(client_for, coordinator, survivor):
    client = client_for(coordinator)
    response = client.post(
        reverse("compelled_disclosures:add"),
        {
            "released_what": "x",
            "released_to": "Police",
            "legal_basis": LegalBasis.STATUTE,
            "legal_reference": "Art. 5",
            "released_on": "2026-11-02",
        },
    )
    assert response.status_code == 200
    assert not CompelledDisclosure.objects.exists()
    with pytest.raises(NoReverseMatch):
        reverse("compelled_disclosures:delete", args=[1])


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.COUNSELOR, Role.TRAINER, Role.PROJECT_MANAGER, Role.TRAINEE])
def test_only_coordinators_reach_the_disclosure_register(client_for, make_user, role):
    response = client_for(make_user(role)).get(reverse("compelled_disclosures:index"))
    assert response.status_code in (302, 403)
