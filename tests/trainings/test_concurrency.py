import threading

import pytest
from django.db import close_old_connections, connection

from accounts.enums import Role
from trainings import services
from trainings.enums import SEAT_HOLDING_STATUSES, EnrollmentStatus
from trainings.models import Enrollment


@pytest.mark.django_db(transaction=True)
def test_simultaneous_enrolments_never_overbook(make_edition, make_user):
    capacity, attempts = 3, 12
    edition = make_edition(capacity=capacity)
    users = [make_user(Role.TRAINEE) for _ in range(attempts)]
    barrier = threading.Barrier(attempts)
    errors = []

    def enrol(user):
        try:
            barrier.wait()
            services.enrollment_create(edition=edition, user=user)
        except Exception as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=enrol, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Enrollment.objects.filter(edition=edition, status__in=SEAT_HOLDING_STATUSES).count() == capacity
    assert Enrollment.objects.filter(edition=edition, status=EnrollmentStatus.WAITLISTED).count() == attempts - capacity
