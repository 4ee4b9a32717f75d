import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import role_permissions_sync
from groups.models import Cohort, Member, Membership
from groups.services import member_create

VIEWSETS = ["group_programmes", "group_cohorts", "group_members", "group_memberships", "group_sessions"]


@pytest.fixture
def coordinator_client(client_for, coordinator):
    role_permissions_sync()  # what migrate does for the Coordinator group
    return client_for(coordinator)


def test_coordinator_gets_every_groups_model_permission(coordinator):
    role_permissions_sync()
    for model in ["groupprogramme", "cohort", "member", "membership", "groupsession"]:
        for action in ["add", "change", "delete", "view"]:
            assert coordinator.has_perm(f"groups.{action}_{model}"), (action, model)


@pytest.mark.parametrize("viewset", VIEWSETS)
def test_coordinator_lists_and_opens_the_add_form(coordinator_client, viewset, cohort, add_members):
    add_members(cohort, 2)
    assert coordinator_client.get(reverse(f"{viewset}:index")).status_code == 200
    assert coordinator_client.get(reverse(f"{viewset}:add")).status_code == 200


def test_facilitator_cannot_use_the_admin_screens(client_for, facilitator):
    response = client_for(facilitator).get(reverse("group_members:index"))
    assert response.status_code in (302, 403)


def test_coordinator_creates_a_cohort_with_facilitators(coordinator_client, programme, facilitator):
    response = coordinator_client.post(
        reverse("group_cohorts:add"),
        {
            "programme": programme.pk,
            "name": "Majke zajedno – Subotica",
            "start_date": "2027-02-01",
            "end_date": "2027-05-01",
            "facilitators": [facilitator.pk],
            "capacity": "10",
            "venue": "Ženski centar",
            "room": "Sala 1",
            "language": "sr-latn",
            "status": "planned",
            "project": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    cohort = Cohort.objects.get(name="Majke zajedno – Subotica")
    assert list(cohort.facilitators.all()) == [facilitator]


def test_admin_refuses_a_membership_beyond_capacity(coordinator_client, make_cohort, add_members):
    cohort = make_cohort(capacity=2)
    add_members(cohort, 2)
    newcomer = member_create(alias="Gordana")
    response = coordinator_client.post(
        reverse("group_memberships:add"),
        {"cohort": cohort.pk, "member": newcomer.pk, "joined_on": "2026-11-20", "left_on": "", "outcome": ""},
    )
    assert response.status_code == 200
    assert "This cohort is full" in response.content.decode()
    assert not Membership.objects.filter(member=newcomer).exists()


def test_admin_creates_a_member_pseudonymously(coordinator_client):
    response = coordinator_client.post(
        reverse("group_members:add"), {"alias": "Dušica", "code": "NS-0042", "children_count": "2"}
    )
    assert response.status_code == 302
    assert Member.objects.get(code="NS-0042").alias == "Dušica"


def test_admin_cancelling_a_session_needs_a_reason(coordinator_client, cohort, today_session):
    url = reverse("group_sessions:edit", args=[today_session.pk])
    data = {
        "cohort": cohort.pk,
        "start": timezone.localtime(today_session.start).strftime("%Y-%m-%d %H:%M"),
        "end": timezone.localtime(today_session.end).strftime("%Y-%m-%d %H:%M"),
        "topic": "",
        "room": "",
        "cancelled": "on",
        "cancel_reason": "",
    }
    response = coordinator_client.post(url, data)
    assert response.status_code == 200
    today_session.refresh_from_db()
    assert not today_session.cancelled
    response = coordinator_client.post(url, {**data, "cancel_reason": "The room is flooded"})
    assert response.status_code == 302, response.content.decode()[:3000]
    today_session.refresh_from_db()
    assert today_session.cancelled and today_session.cancel_reason == "The room is flooded"
