"""Signals other apps listen to, so that trainings never imports them.

`enrollment_completed` is sent with `enrollment=<Enrollment>` after the transaction that closed the edition
has committed: a listener (certificates) can issue a certificate without a half-written edition.
"""

from django.dispatch import Signal

enrollment_completed = Signal()
