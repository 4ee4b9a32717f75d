"""Survivor records in the Wagtail admin: each list, opening, creation, change and deletion is audited, and
Wagtail's own history log never keeps her alias."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from wagtail.models import ModelLogEntry

from accounts.roles import role_permissions_sync
from audit.models import AuditEntry
from audit.selectors import audit_entries_about
from counseling.models import Client
from groups.models import Member

# Its delete and usage pages read Wagtail's reference index (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.reference_index]


@pytest.fixture
def admin_web(client_for, coordinator):
    role_permissions_sync()  # what migrate does for the Coordinator group
    return client_for(coordinator)


def _entries(model, action, **extra):
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), action=action, **extra)


@pytest.mark.parametrize(("viewset", "model"), [("group_members", Member), ("counseling_clients", Client)])
def test_listing_survivors_in_the_admin_audits_each_one_shown(admin_web, viewset, model):
    shown = [model.objects.create(alias=f"Vera {n}", code=f"A-LIST-{n}") for n in range(3)]
    response = admin_web.get(reverse(f"{viewset}:index"))
    assert response.status_code == 200
    (listing,) = _entries(model, "view", detail="admin list")  # one entry for the whole screen
    assert set(listing.listed_ids.strip(",").split(",")) == {str(m.pk) for m in shown}
    for member in shown:
        assert audit_entries_about(member).filter(pk=listing.pk).exists()
    results = admin_web.get(reverse(f"{viewset}:index_results"), {"q": "Vera 1"})
    assert results.status_code == 200
    assert _entries(model, "view", detail="admin list").count() == 2


def test_member_opened_changed_and_deleted_in_the_admin_is_audited(admin_web):
    response = admin_web.post(
        reverse("group_members:add"), {"alias": "Dragana", "code": "M-ADM-1", "children_count": 0}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    her = Member.objects.get(code="M-ADM-1")
    assert _entries(Member, "create", object_id=str(her.pk)).exists()

    assert admin_web.get(reverse("group_members:edit", args=[her.pk])).status_code == 200
    assert _entries(Member, "view", object_id=str(her.pk), detail="admin").exists()

    response = admin_web.post(
        reverse("group_members:edit", args=[her.pk]), {"alias": "Dragana", "code": "M-ADM-1", "children_count": 2}
    )
    assert response.status_code == 302
    assert _entries(Member, "change", object_id=str(her.pk)).exists()

    assert admin_web.post(reverse("group_members:delete", args=[her.pk])).status_code == 302
    assert not Member.objects.filter(pk=her.pk).exists()
    assert _entries(Member, "delete", object_id=str(her.pk)).exists()

    logged = ModelLogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Member))
    assert logged.count() == 3  # Wagtail's own history: created, edited, deleted ...
    assert not [entry.label for entry in logged if "Dragana" in entry.label]  # ... never by her alias


def test_client_created_and_opened_in_the_admin_is_audited_and_wagtail_keeps_no_alias(admin_web):
    response = admin_web.post(
        reverse("counseling_clients:add"),
        {
            "alias": "Zorica",
            "code": "C-ADM-1",
            "preferred_language": "sr-latn",
            "children_count": 1,
            "contact_channel": "never",
            "safe_contact_instructions": "Only after 18h",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    her = Client.objects.get(code="C-ADM-1")
    assert _entries(Client, "create", object_id=str(her.pk)).exists()
    assert admin_web.get(reverse("counseling_clients:edit", args=[her.pk])).status_code == 200
    assert _entries(Client, "view", object_id=str(her.pk), detail="admin").exists()
    history = admin_web.get(reverse("wagtailadmin_reports:site_history"))
    assert history.status_code == 200
    assert ModelLogEntry.objects.filter(object_id=str(her.pk)).exists()
    assert "Zorica" not in history.content.decode()
    assert "Zorica" not in "".join(ModelLogEntry.objects.values_list("label", flat=True))


def test_migration_relabels_survivor_titles_kept_before(admin_web):
    import importlib

    from django.apps import apps

    her = Client.objects.create(alias="Zorica", code="C-OLD-1")
    entry = ModelLogEntry.objects.log_action(her, "wagtail.edit")
    ModelLogEntry.objects.filter(pk=entry.pk).update(label=str(her))  # as written before the relabelling
    importlib.import_module("audit.migrations.0004_survivor_log_labels").forwards(apps, None)
    entry.refresh_from_db()
    assert entry.label == f"client {her.pk}"
