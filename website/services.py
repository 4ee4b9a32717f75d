"""Writes of the website app: calendar feed tokens."""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction

from core import dates
from website.models import CalendarFeed


def calendar_feed_get_or_create(*, user) -> CalendarFeed:
    """The person's active feed; the first visit to her calendar page creates it."""
    feed = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()
    if feed is not None:
        return feed
    with transaction.atomic():
        # Lock the person's row so that two first visits at once do not make two feeds.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        feed = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()
        return feed or CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32))


def calendar_feed_regenerate(*, user) -> CalendarFeed:
    """Revoke every active feed of the person and issue a new secret: the old URL stops working at once."""
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=dates.now())
        return CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32))
