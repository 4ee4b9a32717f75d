from django.contrib.auth import get_user_model
from django.tasks import task
from django.utils.translation import gettext as _

from certificates import services
from certificates.models import Certificate
from trainings.models import Enrollment


@task
def certificate_issue_task(*, enrollment_id: int) -> int | None:
    enrollment = Enrollment.objects.filter(pk=enrollment_id).first()
    if enrollment is None:
        return None
    certificate = services.certificate_ensure(enrollment=enrollment)
    return certificate.pk if certificate else None


@task
def certificate_completion_sync_task(*, enrollment_id: int, reason: str = "", by_id: int | None = None) -> int | None:
    enrollment = Enrollment.objects.filter(pk=enrollment_id).first()
    if enrollment is None:
        return None
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    certificate = services.certificate_completion_sync(
        enrollment=enrollment, reason=reason or _("Completion was recomputed after attendance changed."), by=by
    )
    return certificate.pk if certificate else None


@task
def certificate_expiry_reminder_send(*, certificate_id: int) -> None:
    certificate = Certificate.objects.select_related("holder__profile").filter(pk=certificate_id).first()
    if certificate is not None:
        services.certificate_expiry_reminder_email(certificate=certificate)
