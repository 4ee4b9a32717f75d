"""Reads of the website app."""

from website.models import CalendarFeed


def calendar_feed_by_token(token: str) -> CalendarFeed | None:
    """The active feed for a token, with its owner; None for unknown and revoked tokens alike."""
    if not token or len(token) > 64:
        return None
    return (
        CalendarFeed.objects.select_related("user", "user__profile")
        .filter(token=token, revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def group_sessions_for(user):
    """Group sessions the person may put in her calendar: those of cohorts she facilitates (all for coordinators)."""
    from groups.models import GroupSession

    sessions = GroupSession.objects.select_related("cohort")
    if user.has_perm("website.view_all_calendar_items"):
        return sessions
    return sessions.filter(cohort__facilitators=user).distinct()


def bookings_for(user):
    """Bookings the person may put in her calendar: her own as counselor (all for coordinators)."""
    from counseling.models import Booking

    bookings = Booking.objects.select_related("room")
    if user.has_perm("website.view_all_calendar_items"):
        return bookings
    return bookings.filter(counselor__user=user)


def editions_for(user):
    """Editions whose dates the person may download: every edition past planning (the catalogue is public),
    planned ones only for their trainers and coordinators."""
    from django.db.models import Q

    from trainings.enums import EditionStatus
    from trainings.models import Edition

    editions = Edition.objects.select_related("programme")
    if user.has_perm("website.view_all_calendar_items"):
        return editions
    visible = ~Q(status=EditionStatus.PLANNED)
    if user.is_authenticated:
        visible |= Q(pk__in=Edition.objects.filter(trainers=user).values("pk"))
    return editions.filter(visible)


def training_sessions_for(user):
    from trainings.models import TrainingSession

    return TrainingSession.objects.select_related("edition__programme").filter(edition__in=editions_for(user))


def contact_page_for_language(language_code: str):
    """The published contact page in this language, or in any language when it has not been translated."""
    from website.models import ContactPage

    pages = ContactPage.objects.live().select_related("locale")
    return pages.filter(locale__language_code=language_code).first() or pages.order_by("pk").first()
