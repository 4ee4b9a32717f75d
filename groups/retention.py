"""What identifies a group member, and when it goes (the retention registry, audit/retention.py).

A member is due when every membership of hers ended (she left, or the cohort ended) before the cut-off.
Her alias and code go, and what the reports count her by (age band, municipality, target group): together
those could point to her. Memberships and attendance stay, so every count of the reports stays the same;
a report computed again counts her under "Not stated" in its tables by age, municipality and target group.
"""

from django.db.models import Exists, OuterRef, Q

from audit.retention import ANONYMISED, Kept, Subject, anonymous_code, register
from core import dates


def members_due(*, cutoff):
    from groups.models import Member, Membership

    ended = Q(left_on__lt=cutoff) | Q(left_on__isnull=True, cohort__end_date__lt=cutoff)
    still_running = Membership.objects.filter(member=OuterRef("pk")).exclude(ended)
    any_membership = Membership.objects.filter(member=OuterRef("pk"))
    return (
        Member.objects.filter(anonymised_at__isnull=True).filter(Exists(any_membership)).exclude(Exists(still_running))
    )


register(
    Subject(
        name="group_membership",
        model="groups.Member",
        due=members_due,
        # Her age band, municipality and target group go too: together they could point to her.
        replace={
            "alias": ANONYMISED,
            "code": anonymous_code("m"),
            "age_band": "",
            "municipality": None,
            "target_group": "",
            "anonymised_at": dates.now,
        },
        stamp="anonymised_at",
    ),
    Kept(
        "groups.Attendance",
        ("client_id",),
        "a random id the facilitator's device gave the mark, to recognise a resent copy",
    ),
    Kept(
        "groups.MonthlyPresence",
        ("month",),
        "the calendar month her attendance marks count in for the donor reports, as their sessions say it",
    ),
    Kept(
        "groups.AttendanceChange",
        ("client_id",),
        "a random id the facilitator's device gave the mark, to recognise a resent copy",
    ),
)
