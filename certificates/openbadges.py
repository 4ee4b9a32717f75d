"""Open Badges 3.0: each certificate as an `OpenBadgeCredential` (W3C Verifiable Credentials 2.0), the
issuer profile with its public keys, and the Bitstring Status List that says which credentials are revoked.

Everything here is built from what the certificate froze at issue, so a credential signed today and one
built again from the same row are the same document. URLs are absolute, under the site's configured URL
(`WAGTAILADMIN_BASE_URL`) in the default language, so they do not depend on who asked or in which language.
"""

import base64
import datetime as dt
import gzip
import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from certificates import signing
from core import dates
from core.forms import id_from

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# The W3C minimum: 16 KiB of bits, so that one list hides which of many credentials a verifier asks about.
STATUS_LIST_SIZE = 131_072
MAX_CREDENTIAL_BYTES = 200_000


def site_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _reverse(name, **kwargs) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return site_url(reverse(name, kwargs=kwargs or None))


def issuer_id() -> str:
    return _reverse("certificates:issuer_profile")


def verification_method(public_multibase: str) -> str:
    return f"{issuer_id()}#{public_multibase}"


def status_list_url(list_number: int) -> str:
    return _reverse("certificates:status_list", number=list_number)


def credential_id(certificate) -> str:
    return _reverse("certificates:verify", code=certificate.verification_code)


def _timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _day_start(day: dt.date) -> str:
    return _timestamp(dates.start_of_day(day))


def _number(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral() else float(value)


def _achievement_id(certificate) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, site_url(f'/programmes/{certificate.edition.programme_id}'))}"


def _issuer_profile(certificate) -> dict:
    issuer = certificate.issuer
    return {
        "id": issuer_id(),
        "type": ["Profile"],
        "name": (issuer.organisation_name if issuer else "") or settings.HAVEN_ORGANISATION_NAME,
        "url": site_url("/"),
    }


def _hashed_email(email: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def credential_build(certificate, *, criteria: str, description: str, email: str) -> dict:
    """The unsigned OpenBadgeCredential of a certificate, from its frozen fields."""
    profile = _issuer_profile(certificate)
    achievement = {
        "id": _achievement_id(certificate),
        "type": ["Achievement"],
        "achievementType": "CertificateOfCompletion",
        "name": certificate.programme_title,
        "description": description,
        "criteria": {"narrative": criteria},
        "creator": profile,
    }
    subject = {
        "type": ["AchievementSubject"],
        "identifier": [
            {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": certificate.holder_name}
        ],
        "activityStartDate": _day_start(certificate.edition_start),
        "activityEndDate": _day_start(certificate.edition_end),
        "achievement": achievement,
    }
    if email:
        # The recipient as a salted hash: a verifier who knows her address can match it, nobody can read it.
        salt = secrets.token_hex(8)
        subject["identifier"].append(
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": True,
                "identityHash": _hashed_email(email, salt),
                "salt": salt,
            }
        )
    if certificate.hours is not None:
        subject["creditsEarned"] = _number(certificate.hours)
    if certificate.accreditation_number:
        alignment = {
            "type": ["Alignment"],
            "targetType": "ext:Accreditation",
            "targetName": certificate.accreditation_body,
            "targetCode": certificate.accreditation_number,
            "targetFramework": certificate.accreditation_body,
            "targetUrl": _reverse("certificates:register"),
        }
        if certificate.accreditation_valid_from and certificate.accreditation_valid_until:
            alignment["targetDescription"] = (
                f"{certificate.accreditation_valid_from.isoformat()}/{certificate.accreditation_valid_until.isoformat()}"
            )
        achievement["alignment"] = [alignment]
    if certificate.accreditation_points is not None:
        points_id = f"{achievement['id']}#points"
        achievement["resultDescription"] = [
            {
                "id": points_id,
                "type": ["ResultDescription"],
                "name": "Accreditation points",
                "resultType": "ext:AccreditationPoints",
            }
        ]
        subject["result"] = [
            {
                "type": ["Result"],
                "resultDescription": points_id,
                "value": str(_number(certificate.accreditation_points)),
            }
        ]
    credential = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id(certificate),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": certificate.programme_title,
        "issuer": profile,
        "validFrom": _timestamp(certificate.issued_at),
        "awardedDate": _timestamp(certificate.issued_at),
        "credentialSubject": subject,
        "credentialStatus": status_entry(certificate.status_list_index),
    }
    if certificate.expires_on:
        credential["validUntil"] = _timestamp(dates.end_of_day(certificate.expires_on))
    return credential


def credential_sign(credential: dict, *, created: dt.datetime) -> str:
    """The credential with its proof, as the JSON text that is stored and handed out."""
    key = signing.signing_keys()[0]
    signed = signing.proof_add(
        credential, verification_method=verification_method(key.public_multibase), created=_timestamp(created), key=key
    )
    return json.dumps(signed, ensure_ascii=False, separators=(",", ":"))


def issuer_profile_document() -> dict:
    """The issuer profile published at its id: who we are and every key that signs our credentials."""
    methods = [
        {"id": verification_method(key), "type": "Multikey", "controller": issuer_id(), "publicKeyMultibase": key}
        for key in signing.public_keys()
    ]
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT, "https://w3id.org/security/multikey/v1"],
        "id": issuer_id(),
        "type": ["Profile"],
        "name": settings.HAVEN_ORGANISATION_NAME,
        "url": site_url("/"),
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


# Bitstring Status List ---------------------------------------------------------------------------------------


def status_entry(index: int) -> dict:
    list_number, position = divmod(index, STATUS_LIST_SIZE)
    url = status_list_url(list_number)
    return {
        "id": f"{url}#{position}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(position),
        "statusListCredential": url,
    }


def encoded_list(positions) -> str:
    """GZIP-compressed, base64url (multibase `u`) bits; bit 0 is the left-most bit of the first byte."""
    bits = bytearray(STATUS_LIST_SIZE // 8)
    for position in positions:
        bits[position // 8] |= 0x80 >> (position % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decoded_bit(encoded: str, position: int) -> bool:
    if not encoded.startswith("u"):
        raise ValueError("not a base64url multibase value")
    data = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    return bool(bits[position // 8] & (0x80 >> (position % 8)))


def status_list_credential(list_number: int, *, revoked_positions, created: dt.datetime) -> str:
    url = status_list_url(list_number)
    credential = {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(),
        "validFrom": _timestamp(created),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list(revoked_positions),
        },
    }
    return credential_sign(credential, created=created)


# Checking a credential handed to us ------------------------------------------------------------------------


@dataclass
class CredentialCheck:
    """What the verification page says about a credential someone pasted or uploaded."""

    readable: bool = False
    ours: bool = False
    signature_valid: bool = False
    status_checked: bool = False
    revoked: bool = False
    expired: bool = False
    credential: dict = field(default_factory=dict)
    status_position: int | None = None
    status_list: int | None = None

    @property
    def valid(self) -> bool:
        return self.signature_valid and self.status_checked and not self.revoked and not self.expired


def credential_parse(text: str) -> dict | None:
    if not text or len(text.encode("utf-8", "ignore")) > MAX_CREDENTIAL_BYTES:
        return None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or "VerifiableCredential" not in (document.get("type") or []):
        return None
    return document


def _our_key(document: dict) -> bytes | None:
    proof = signing.the_proof(document)
    issuer = document.get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    if not isinstance(method, str) or "#" not in method:
        return None
    controller, key = method.split("#", 1)
    if controller != issuer or key not in signing.public_keys():
        return None
    return signing.public_key_bytes(key)


def credential_check(text: str, *, status_bit, now: dt.datetime | None = None) -> CredentialCheck:
    """Check a credential's proof against our published keys and its entry in our status list.

    `status_bit(list_number, position)` answers from the status list we publish.
    """
    check = CredentialCheck()
    document = credential_parse(text)
    if document is None:
        return check
    check.readable, check.credential = True, document
    public_key = _our_key(document)
    if public_key is None:
        return check
    check.ours = True
    check.signature_valid = signing.proof_check(document, public_key=public_key)
    entry = document.get("credentialStatus")
    if check.signature_valid and isinstance(entry, dict) and entry.get("statusPurpose") == "revocation":
        prefix = status_list_url(0).removesuffix("0/")
        url = entry.get("statusListCredential", "")
        number, position = id_from(url.removeprefix(prefix).rstrip("/")), id_from(entry.get("statusListIndex"))
        if url.startswith(prefix) and number is not None and position is not None:
            check.status_list, check.status_position = number, position
            if check.status_position < STATUS_LIST_SIZE:
                check.revoked = status_bit(check.status_list, check.status_position)
                check.status_checked = True
    valid_until = document.get("validUntil")
    if isinstance(valid_until, str):
        try:
            moment = dt.datetime.fromisoformat(valid_until)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
            check.expired = moment < (now or dates.now())
        except ValueError:
            check.expired = True
    return check
