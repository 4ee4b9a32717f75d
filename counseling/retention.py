"""What identifies a counseling client, and when it goes (the retention registry, audit/retention.py).

An inactive client is due when nothing happened in her file (no booking, or, without bookings, its
creation) since the cut-off, and no active record of another app holds her (an open case does). Her alias,
code, ways to reach her, the language she needs interpreted and what the reports count her by (age band,
municipality, target group: together they could point to her) go; what she wrote in her intake request and
in bookings goes with them.
Handled intake requests are deleted after their own period: a request still waiting is never due.
"""

from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate

from audit.retention import ANONYMISED, Linked, Subject, anonymous_code, register
from core import dates

INTAKE_FIELDS = ("alias", "safe_contact", "safe_times", "needs")


def clients_due(*, cutoff):
    from counseling.models import Booking, Client

    last_booking = Booking.objects.filter(client=OuterRef("pk")).order_by("-start").values("start")[:1]
    return (
        Client.objects.filter(active=False, anonymised_at__isnull=True)
        .annotate(last_seen=TruncDate(Coalesce(Subquery(last_booking), F("created_at"))))
        .filter(last_seen__lt=cutoff)
    )


def intake_requests_handled_before(*, cutoff):
    """Accepted or closed requests handled before the cut-off (her file keeps what an accepted one said)."""
    from counseling.enums import IntakeStatus
    from counseling.models import IntakeRequest

    start = dates.start_of_day(cutoff)
    handled_long_ago = Q(handled_at__lt=start) | Q(handled_at__isnull=True, created_at__lt=start)
    return IntakeRequest.objects.exclude(status=IntakeStatus.NEW).filter(handled_long_ago)


def _contact_never():
    from counseling.enums import ContactChannel

    return ContactChannel.NEVER


register(
    Subject(
        name="counseling_client",
        model="counseling.Client",
        due=clients_due,
        replace={
            "alias": ANONYMISED,
            "code": anonymous_code("c"),
            "contact_channel": _contact_never,
            "contact_address": "",
            "safe_contact_instructions": "",
            "safe_times": "",
            "safe_from": None,
            "safe_until": None,
            "interpreter_language": "",
            # What the reports count her by: together these could point to her.
            "age_band": "",
            "municipality": None,
            "target_group": "",
            "anonymised_at": dates.now,
        },
        stamp="anonymised_at",
    ),
    Linked("counseling.Booking", subject="counseling_client", path="client", blank=("notes", "cancel_reason")),
    Linked("counseling.IntakeRequest", subject="counseling_client", path="client", blank=INTAKE_FIELDS),
    Subject(name="intake_request", model="counseling.IntakeRequest", due=intake_requests_handled_before, purge=True),
)
