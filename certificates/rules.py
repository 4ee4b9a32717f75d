import rules

from accounts.rules import is_coordinator
from certificates.enums import CertificateStatus


@rules.predicate
def is_holder(user, certificate):
    return certificate is not None and certificate.holder_id == user.pk


@rules.predicate
def is_downloadable_by_holder(user, certificate):
    # A revoked or replaced certificate must not circulate: the holder gets the current one only.
    return certificate is not None and certificate.status == CertificateStatus.VALID


rules.add_perm("certificates.view_certificate", is_coordinator | is_holder)
rules.add_perm("certificates.download_certificate", is_coordinator | (is_holder & is_downloadable_by_holder))
rules.add_perm("certificates.manage_certificate", is_coordinator)
rules.add_perm("certificates.export_register", is_coordinator)
