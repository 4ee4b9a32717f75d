"""Signals other apps listen to, so that trainings never imports them (certificates builds on trainings).

Both are sent after the transaction that made the decision has committed, so a listener never sees a
half-written edition.

`completion_changed` is the one to follow. It is sent once for every enrolment whose completion is decided
(when the edition closes) or changes (when attendance corrected after closing changes the result), with:

    enrollment       the Enrollment, as saved (status COMPLETED or NOT_COMPLETED, hours_attended set)
    completed        True when she has now completed, False when she has not
    previous_status  the status before: "enrolled" at closing; "completed" or "not_completed" after a
                     correction. completed=False with previous_status="completed" means a certificate
                     issued for her must be revoked; completed=True means one is due.
    hours_attended   Decimal, the hours she was present at sessions held (cancelled sessions left out)
    reason           why, in the organisation's language, fit for a revocation log
                     (e.g. "Attendance corrected after closing: attended 4.0 of 8.0 hours (50%); 75% is needed.")
    by               the user whose action led to the decision (who closed, who corrected), or None
    change           the trainings.CompletionChange row that records it (append-only)

`enrollment_completed` (enrollment=...) is also sent whenever an enrolment becomes completed, at closing or
after a correction; it is kept for listeners written before `completion_changed` existed.
"""

from django.dispatch import Signal

completion_changed = Signal()
enrollment_completed = Signal()
