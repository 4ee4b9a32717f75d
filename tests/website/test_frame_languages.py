"""What every page's frame repeats (the offline script's words, the links to the public services, her
navigation) is worked out once per language and kept: each page still speaks its own language, in turn,
in one process."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.enums import Role

pytestmark = pytest.mark.django_db

WORDS = {
    "en": ("Send now", "Verify a certificate", "My bookings"),
    "da": ("Send nu", "Verificér et kursusbevis", "Mine bookinger"),
    "sr-latn": ("Pošalji sada", "Proveri sertifikat", "Moje rezervacije"),
}


def _offline_words(html: str) -> dict:
    found = re.search(r'<script id="haven-offline-strings" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


@pytest.mark.parametrize("order", [["en", "da", "sr-latn", "da"], ["sr-latn", "en", "da", "en"]])
def test_the_frame_speaks_each_pages_language_in_turn(client, make_user, order):
    for language in order:
        send_now, verify, my_bookings = WORDS[language]
        coordinator = make_user(Role.COORDINATOR)
        coordinator.profile.preferred_language = language  # her pages speak her profile's language
        coordinator.profile.save()
        client.force_login(coordinator)
        with translation.override(language):
            bookings, verifying = reverse("counseling:my_bookings"), reverse("certificates:verify_serial")
        html = client.get(bookings).content.decode()
        assert _offline_words(html)["send_now"] == send_now, language
        assert f'<li><a href="{verifying}">{verify}</a></li>' in html, language  # the footer's services
        assert f'<a href="{bookings}" aria-current="page">{my_bookings}</a>' in html, language
