"""Who may do what in counseling. Views ask request.user.has_perm("counseling.<action>_<model>", obj)."""

import rules

from accounts.rules import is_coordinator, is_counselor


@rules.predicate
def is_booking_counselor(user, booking):
    return booking is not None and booking.counselor.user_id == user.pk


@rules.predicate
def is_client_counselor(user, client):
    return client is not None and client.counselors.filter(user_id=user.pk).exists()


rules.add_perm("counseling.add_booking", is_coordinator | is_counselor)
rules.add_perm("counseling.view_booking", is_coordinator | is_booking_counselor)
rules.add_perm("counseling.change_booking", is_coordinator | is_booking_counselor)
# Session notes: only the counselor of the booking and coordinators.
rules.add_perm("counseling.view_booking_notes", is_coordinator | is_booking_counselor)
rules.add_perm("counseling.override_availability", is_coordinator)
rules.add_perm("counseling.find_slots", is_coordinator | is_counselor)
rules.add_perm("counseling.list_client", is_coordinator | is_counselor)
rules.add_perm("counseling.add_client", is_coordinator | is_counselor)
rules.add_perm("counseling.view_client", is_coordinator | is_client_counselor)
rules.add_perm("counseling.change_client", is_coordinator | is_client_counselor)
rules.add_perm("counseling.view_intakerequest", is_coordinator)
rules.add_perm("counseling.change_intakerequest", is_coordinator)
