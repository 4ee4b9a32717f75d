"""What certificates count for donor reports, registered with reporting (reporting.measures)."""

from django.db.models import Count
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from certificates.enums import CertificateStatus
from certificates.models import Certificate
from reporting.enums import IndicatorKind
from reporting.measures import Measure, register_measures


def issued(project, span):
    """Certificates issued in the span for the project's editions; revoked ones do not count, and a
    replacement is not counted again (one per enrolment)."""
    return Certificate.objects.filter(
        edition__project=project, issued_on__gte=span.start_date, issued_on__lte=span.end_date
    ).exclude(status=CertificateStatus.REVOKED)


class CertificatesIssued(Measure):
    code = "certificates_issued"
    label = _("Certificates issued")
    kind = IndicatorKind.PROFESSIONAL
    order = 32
    dimensions = ("edition",)
    # A revocation takes a certificate out of the span it was issued in, a replacement is not counted again:
    # the project's figure is counted whole, not carried from the last frozen report.
    carry = ""

    def value(self, project, span):
        return issued(project, span).aggregate(n=Count("enrollment", distinct=True))["n"]

    def split(self, project, span, dimension):
        rows = issued(project, span).values("edition_id").annotate(n=Count("enrollment", distinct=True)).order_by()
        return {row["edition_id"]: row["n"] for row in rows}


@receiver(register_measures, dispatch_uid="certificates_measures")
def certificates_measures(sender, **kwargs):
    return [CertificatesIssued()]
