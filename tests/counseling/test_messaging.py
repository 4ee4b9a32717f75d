import io
from datetime import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from counseling import services
from counseling.enums import ContactChannel, MessageOutcome
from tests.counseling.conftest import at, booked_at_ten

pytestmark = pytest.mark.django_db

NEUTRAL = "Appointments <no-reply@example.org>"
PURPOSE_WORDS = ("counsel", "violence", "savetov", "nasilj", "rådgiv", "vold", "haven", "women")


@pytest.fixture
def booking(profile, make_client, room, monday, counselor):
    client = make_client(alias="Zorica Tajna", counselors=[profile])
    return booked_at_ten(counselor=profile, client=client, room=room, day=monday, by=counselor)


def test_clients_are_never_contacted_automatically_by_default(booking):
    assert booking.client.contact_channel == ContactChannel.NEVER
    assert services.client_reminder_send(booking=booking) == MessageOutcome.NEVER
    assert mail.outbox == []


@override_settings(NEUTRAL_FROM_EMAIL=NEUTRAL)
def test_client_email_reminder_is_neutral(booking, monday):
    client = booking.client
    client.contact_channel, client.contact_address, client.preferred_language = "email", "z@example.net", "en"
    client.save()
    assert services.client_reminder_send(booking=booking, now=at(monday, 9)) == MessageOutcome.SENT
    (message,) = mail.outbox
    assert message.from_email == NEUTRAL
    assert message.to == ["z@example.net"]
    text = f"{message.subject} {message.body}".lower()
    assert not any(word in text for word in PURPOSE_WORDS), text
    assert "zorica" not in text


def test_client_reminder_names_purpose_only_if_she_chose(booking, monday):
    client = booking.client
    client.contact_channel, client.contact_address, client.preferred_language = "email", "z@example.net", "en"
    client.messages_may_name_purpose = True
    client.save()
    services.client_reminder_send(booking=booking, now=at(monday, 9))
    assert "counseling" in mail.outbox[0].subject


def test_client_reminder_waits_for_her_safe_time(booking, monday):
    client = booking.client
    client.contact_channel, client.contact_address = "email", "z@example.net"
    client.safe_from, client.safe_until = time(9), time(11)
    client.save()
    assert services.client_reminder_send(booking=booking, now=at(monday, 20)) == MessageOutcome.NOT_SAFE_NOW
    assert mail.outbox == []
    assert services.client_reminder_send(booking=booking, now=at(monday, 9, 30)) == MessageOutcome.SENT


def test_sms_channel_without_gateway_sends_nothing(booking, monday):
    client = booking.client
    client.contact_channel, client.contact_address = "sms", "+381 60 000 0000"
    client.save()
    assert services.client_reminder_send(booking=booking, now=at(monday, 9)) == MessageOutcome.NO_GATEWAY
    assert mail.outbox == []


def test_reminder_command_emails_counselor_once_without_alias_in_subject(booking, monday, counselor):
    call_command("send_counseling_reminders", day=monday.isoformat(), stdout=io.StringIO())
    counselor_mails = [m for m in mail.outbox if m.to == [counselor.email]]
    assert len(counselor_mails) == 1
    assert "Zorica" not in counselor_mails[0].subject
    assert "Zorica" not in counselor_mails[0].body
    assert booking.client.code in counselor_mails[0].body
    call_command("send_counseling_reminders", day=monday.isoformat(), stdout=io.StringIO())
    assert len([m for m in mail.outbox if m.to == [counselor.email]]) == 1
