import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from accounts.enums import Role
from audit.enums import SECURITY_ACTIONS, AuditAction, LegalBasis
from audit.models import AuditEntry, CompelledDisclosure
from audit.selectors import audit_entries_about
from audit.services import audit_record, audit_record_many
from core import dates
from core.admin_listings import CappedCountPaginator
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


def test_audit_record_many_is_one_entry_naming_every_record(django_assert_num_queries, counselor):
    clients = [Client.objects.create(alias=f"A{i}", code=f"C-AUD-M{i}") for i in range(30)]
    ContentType.objects.get_for_model(Client)  # warm the content type cache
    with django_assert_num_queries(1):
        audit_record_many(actor=counselor, action=AuditAction.VIEW, objects=clients)
    (entry,) = AuditEntry.objects.all()
    assert entry.listed_ids == "," + ",".join(str(c.pk) for c in clients) + ","
    assert entry.object_id == ""
    assert all(audit_entries_about(c).filter(pk=entry.pk).exists() for c in clients)
    # Id 1 is not found inside id 11 or 21.
    assert not audit_entries_about(Client(pk=999_999)).exists()


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
        # Logging in is itself a (security) entry: only the entries about her record are compared.
        return {entry.actor_email for entry in response.context["object_list"] if entry.action not in SECURITY_ACTIONS}

    assert actors() == {counselor.email, other.email}
    assert actors({"action": AuditAction.CHANGE}) == {other.email}
    assert actors({"actor_email": counselor.email.upper()}) == {counselor.email}
    assert actors({"record": str(survivor.pk)}) == {counselor.email, other.email}
    assert actors({"record": "999999"}) == set()
    today = dates.today().isoformat()
    assert actors({"on_or_after": today, "on_or_before": today}) == {counselor.email, other.email}
    assert actors({"on_or_after": "2999-01-01"}) == set()
    # Dates at the edge of the calendar narrow nothing and break nothing.
    assert actors({"on_or_after": "0001-01-01", "on_or_before": "9999-12-31"}) == {counselor.email, other.email}
    assert client.get(index, {"on_or_after": "31-02-2026"}).status_code == 200


@pytest.mark.parametrize(
    "day",
    [
        datetime.date(2026, 3, 29),  # clocks go forward in Europe/Belgrade
        datetime.date(2026, 10, 25),  # and back
        datetime.date(2028, 2, 29),
        datetime.date(2026, 12, 31),
    ],
)
def test_a_day_is_the_whole_local_day_on_awkward_days(clock, counselor, survivor, day):
    from audit.selectors import audit_entries_between

    moments = [
        dates.start_of_day(day),
        dates.end_of_day(day) - datetime.timedelta(seconds=1),
        dates.start_of_day(day) - datetime.timedelta(seconds=1),
        dates.end_of_day(day),
    ]
    made = []
    for moment in moments:
        clock(moment, tick=False)
        made.append(audit_record(actor=counselor, action=AuditAction.VIEW, obj=survivor))
    found = set(audit_entries_between(AuditEntry.objects.all(), first_day=day, last_day=day))
    assert found == set(made[:2])


def test_date_filters_are_ranges_on_the_indexed_column(coordinator, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client_for(coordinator).get(
            reverse("audit_log:index"), {"on_or_after": "2026-11-01", "on_or_before": "2026-11-30"}
        )
    sql = " ".join(q["sql"] for q in captured.captured_queries if "audit_auditentry" in q["sql"]).lower()
    assert '"audit_auditentry"."at" >=' in sql and '"audit_auditentry"."at" <' in sql
    assert "cast_date" not in sql and "at time zone" not in sql  # no per-row function on the column


@pytest.mark.parametrize("count", [10, 120])
def test_audit_log_screen_has_constant_queries(
    client_for, coordinator, counselor, survivor, count, django_assert_max_num_queries
):
    for n in range(count):
        audit_record(actor=counselor, action=AuditAction.VIEW, obj=survivor, detail=f"n{n}")
    web = client_for(coordinator)
    web.get(reverse("audit_log:index"))  # warm per-process caches (content types, site)
    with django_assert_max_num_queries(20):
        response = web.get(
            reverse("audit_log:index"),
            {"record": str(survivor.pk), "content_type": ContentType.objects.get_for_model(Client).pk},
        )
    assert response.status_code == 200
    assert len(response.context["object_list"]) == min(count, 50)  # paginated


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


def test_each_entry_of_the_listing_is_opened_by_its_link_without_a_menu(client_for, coordinator, counselor, survivor):
    entries = [audit_record(actor=counselor, action=AuditAction.VIEW, obj=survivor) for _ in range(3)]
    html = client_for(coordinator).get(reverse("audit_log:index")).content.decode()
    for entry in entries:
        assert f'href="{reverse("audit_log:inspect", args=[entry.pk])}"' in html
    assert 'data-controller="w-dropdown"' not in html.partition('class="listing')[2]


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


def test_the_audit_log_is_filtered_through_its_own_form(admin, counselor, survivor, make_user):
    other_kind = make_user(Role.TRAINEE)
    audit_record(actor=counselor, action=AuditAction.VIEW, obj=survivor)
    audit_record(actor=counselor, action=AuditAction.CHANGE, obj=other_kind)
    page = admin(reverse("audit_log:index"))
    form = next(form for form in page.forms.values() if "content_type" in form.fields)
    kind = ContentType.objects.get_for_model(Client)
    assert str(kind.pk) in [value for value, _selected, _text in form["content_type"].options]
    form["content_type"] = str(kind.pk)
    form["action"] = AuditAction.VIEW
    found = form.submit()
    assert {(entry.content_type_id, entry.action) for entry in found.context["object_list"]} == {
        (kind.pk, AuditAction.VIEW)
    }


def test_a_log_longer_than_the_cap_lists_its_first_entries_and_says_there_are_more(
    admin, counselor, survivor, monkeypatch
):
    monkeypatch.setattr(CappedCountPaginator, "cap", 60)
    for _ in range(70):
        audit_record(actor=counselor, action=AuditAction.VIEW, obj=survivor)
    page = admin(reverse("audit_log:index"))
    assert len(page.context["object_list"]) == 50
    assert "Page 1 of 2" in page.text
    assert "More than 60 " in page.text
    assert "Only the first 60 entries in this order are listed" in page.text
    with CaptureQueriesContext(connection) as queries:
        second = page.click(href=r"\?p=2$", index=0)
    assert len(second.context["object_list"]) == 10
    assert not second.context["page_obj"].has_next()
    counts = [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"]]
    assert counts and all("LIMIT 61" in sql for sql in counts)


def test_a_filtered_log_longer_than_the_cap_says_there_are_more_matches(admin, counselor, survivor, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "cap", 60)
    for _ in range(65):
        audit_record(actor=counselor, action=AuditAction.CHANGE, obj=survivor)
    page = admin(reverse("audit_log:index"))
    form = next(form for form in page.forms.values() if "action" in form.fields)
    form["action"] = AuditAction.CHANGE
    found = form.submit()
    assert "There are more than 60 matches" in found.text
    assert "data-capped-count" in found.text


def test_a_log_within_the_cap_is_counted_exactly(admin, counselor, survivor):
    for _ in range(3):
        audit_record(actor=counselor, action=AuditAction.VIEW, obj=survivor)
    page = admin(reverse("audit_log:index"))
    total = AuditEntry.objects.count()
    assert page.context["paginator"].count == total
    assert not page.context["paginator"].capped
    assert "data-capped-count" not in page.text and "More than" not in page.text
