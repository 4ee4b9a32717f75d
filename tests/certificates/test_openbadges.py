"""Issued credentials against the standard: the official 1EdTech JSON schema, a signature checked by code
of its own (not certificates.signing), and the status list bit that revocation flips."""

import base64
import gzip
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.urls import reverse
from jsonschema import Draft201909Validator
from pyld import jsonld

from certificates import openbadges, signing
from certificates.services import certificate_issue, certificate_reissue, certificate_revoke, status_bit

STANDARDS = Path(__file__).resolve().parents[2] / "certificates" / "standards"
SCHEMA = json.loads((STANDARDS / "ob_v3p0_achievementcredential_schema.json").read_text())
CONTEXTS = {
    "https://www.w3.org/ns/credentials/v2": STANDARDS / "credentials_v2_context.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": STANDARDS / "ob_v3p0_context-3.0.3.json",
}
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def schema_errors(credential) -> list[str]:
    validator = Draft201909Validator(SCHEMA, format_checker=Draft201909Validator.FORMAT_CHECKER)
    return [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(credential)]


def _offline_loader(url, options=None):
    if url not in CONTEXTS:
        raise jsonld.JsonLdError(f"offline: {url}", "jsonld.LoadDocumentError", code="loading document failed")
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": json.loads(CONTEXTS[url].read_text())}  # fmt: skip


def _b58decode(text: str) -> bytes:
    value = 0
    for character in text:
        value = value * 58 + B58.index(character)
    return value.to_bytes(64 if len(text) > 60 else 34, "big")


def _nquads_hash(document) -> bytes:
    nquads = jsonld.normalize(
        document, {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": _offline_loader}
    )
    return hashlib.sha256(nquads.encode()).digest()


def independently_verified(credential: dict, issuer_profile: dict) -> bool:
    """eddsa-rdfc-2022 as the W3C text describes it, written again here from the specification."""
    proofs = credential["proof"]
    proof = dict(proofs[0] if isinstance(proofs, list) else proofs)
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    method = next(m for m in issuer_profile["verificationMethod"] if m["id"] == proof["verificationMethod"])
    public = _b58decode(method["publicKeyMultibase"][1:])
    assert public[:2] == b"\xed\x01"
    signature = _b58decode(proof.pop("proofValue")[1:])
    unsecured = {k: v for k, v in credential.items() if k != "proof"}
    proof["@context"] = credential["@context"]
    try:
        Ed25519PublicKey.from_public_bytes(public[2:]).verify(signature, _nquads_hash(proof) + _nquads_hash(unsecured))
    except InvalidSignature:
        return False
    return True


def _status_bit_from_list(status_list: dict, position: int) -> int:
    encoded = status_list["credentialSubject"]["encodedList"]
    assert encoded[0] == "u"
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(raw) * 8 >= 131_072
    return (raw[position // 8] >> (7 - position % 8)) & 1


@pytest.fixture
def issued(completed_enrollment, accreditation, attend):
    attend(completed_enrollment, hours=7.5)
    accreditation.certificate_validity_months = 36
    accreditation.save()
    return certificate_issue(enrollment=completed_enrollment)


@pytest.mark.django_db
def test_every_issued_credential_validates_against_the_official_schema(issued, make_enrollment, make_edition):
    other = certificate_issue(enrollment=make_enrollment(edition=make_edition(days=1)))  # no accreditation
    for certificate in (issued, other):
        credential = json.loads(certificate.credential)
        assert schema_errors(credential) == []
        assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
        assert credential["@context"][1] == "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


@pytest.mark.django_db
def test_the_credential_carries_issuer_achievement_credits_and_accreditation(issued, client):
    credential = json.loads(issued.credential)
    subject = credential["credentialSubject"]
    achievement = subject["achievement"]
    assert credential["issuer"]["id"].endswith(reverse("certificates:issuer_profile"))
    assert credential["issuer"]["name"] == issued.issuer.organisation_name
    assert credential["validUntil"].startswith(str(issued.expires_on.year))
    assert subject["creditsEarned"] == 7.5
    assert {"identityType": "name", "hashed": False, "identityHash": issued.holder_name, "type": "IdentityObject"} in (
        subject["identifier"]
    )
    email = next(i for i in subject["identifier"] if i["identityType"] == "emailAddress")
    assert email["hashed"] and issued.holder.email not in json.dumps(credential)
    assert "80%" in achievement["criteria"]["narrative"]
    assert achievement["alignment"][0]["targetCode"] == "153-02-00042/2025"
    assert subject["result"][0]["value"] == "12"
    status = credential["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"


@pytest.mark.django_db
def test_signature_verifies_by_an_independent_code_path_and_breaks_when_changed(issued, client):
    credential = json.loads(issued.credential)
    profile = client.get(reverse("certificates:issuer_profile")).json()
    assert independently_verified(credential, profile)

    doctored = json.loads(issued.credential)
    doctored["credentialSubject"]["creditsEarned"] = 40
    assert not independently_verified(doctored, profile)
    renamed = json.loads(issued.credential)
    renamed["credentialSubject"]["identifier"][0]["identityHash"] = "Somebody Else"
    assert not independently_verified(renamed, profile)


@pytest.mark.django_db
def test_revoking_flips_the_status_list_bit(issued, coordinator, client):
    entry = json.loads(issued.credential)["credentialStatus"]
    url = entry["statusListCredential"].removeprefix("http://127.0.0.1:8000")
    position = int(entry["statusListIndex"])
    profile = client.get(reverse("certificates:issuer_profile")).json()

    before = client.get(url)
    assert before["Content-Type"] == "application/ld+json"
    status_list = before.json()
    assert independently_verified(status_list, profile)
    assert _status_bit_from_list(status_list, position) == 0

    certificate_revoke(certificate=issued, reason="Attendance was forged", by=coordinator)
    status_list = client.get(url).json()
    assert independently_verified(status_list, profile)
    assert _status_bit_from_list(status_list, position) == 1
    assert status_bit(0, position) is True


@pytest.mark.django_db
def test_a_replaced_certificate_is_marked_in_the_status_list(issued, coordinator):
    entry = json.loads(issued.credential)["credentialStatus"]
    new = certificate_reissue(certificate=issued, holder_name="Maja Jensen", by=coordinator)
    assert status_bit(0, int(entry["statusListIndex"])) is True
    assert status_bit(0, int(json.loads(new.credential)["credentialStatus"]["statusListIndex"])) is False


@pytest.mark.django_db
def test_check_of_a_pasted_credential(issued, coordinator):
    check = openbadges.credential_check(issued.credential, status_bit=status_bit)
    assert (check.ours, check.signature_valid, check.status_checked, check.revoked, check.valid) == (
        True,
        True,
        True,
        False,
        True,
    )
    doctored = json.loads(issued.credential)
    doctored["name"] = "Another programme"
    check = openbadges.credential_check(json.dumps(doctored), status_bit=status_bit)
    assert check.ours and not check.signature_valid and not check.valid

    unknown = json.loads(issued.credential)
    unknown["credentialSubject"]["notInTheContext"] = "would be left out of the signature"
    assert not openbadges.credential_check(json.dumps(unknown), status_bit=status_bit).signature_valid
    inline = json.loads(issued.credential)
    inline["credentialSubject"]["@context"] = {"creditsEarned": "https://example.org/other-meaning"}
    assert not openbadges.credential_check(json.dumps(inline), status_bit=status_bit).signature_valid

    certificate_revoke(certificate=issued, reason="Forged", by=coordinator)
    check = openbadges.credential_check(issued.credential, status_bit=status_bit)
    assert check.signature_valid and check.revoked and not check.valid

    assert not openbadges.credential_check("not json", status_bit=status_bit).readable
    deep = json.loads(issued.credential)
    nested = deep["credentialSubject"]
    for _ in range(600):  # deeper than any credential; refused without an error page
        nested["achievement"] = {}
        nested = nested["achievement"]
    assert not openbadges.credential_check(json.dumps(deep), status_bit=status_bit).valid
    naive = json.loads(issued.credential)
    naive["validUntil"] = "2020-01-01T00:00:00"
    assert openbadges.credential_check(json.dumps(naive), status_bit=status_bit).expired
    assert not openbadges.credential_check('{"type": ["Other"]}', status_bit=status_bit).readable


@pytest.mark.django_db
def test_a_credential_signed_with_another_key_is_not_ours(issued, settings):
    settings.HAVEN_CREDENTIAL_KEYS = [signing.key_generate()]
    assert not openbadges.credential_check(issued.credential, status_bit=status_bit).ours
    # Rotation: the old key stays published after the new one, and what it signed still verifies.
    settings.HAVEN_CREDENTIAL_KEYS = [signing.key_generate(), signing.DEVELOPMENT_KEY]
    assert openbadges.credential_check(issued.credential, status_bit=status_bit).signature_valid


def test_the_document_loader_refuses_the_network():
    with pytest.raises(jsonld.JsonLdError):
        signing.document_loader("https://example.org/context.json")
    with pytest.raises(signing.SigningError):
        signing.canonical_hash({"@context": ["https://example.org/context.json"], "name": "x"})


def test_keys_round_trip_and_bad_keys_are_refused(settings):
    from django.core.exceptions import ImproperlyConfigured

    secret = signing.key_generate()
    settings.HAVEN_CREDENTIAL_KEYS = [secret]
    key = signing.signing_keys()[0]
    assert key.public_multibase.startswith("z6Mk")
    settings.HAVEN_CREDENTIAL_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured):
        signing.signing_keys()
    settings.HAVEN_CREDENTIAL_KEYS = []  # production without a key
    with pytest.raises(ImproperlyConfigured):
        signing.signing_keys()


def test_generate_credential_key_command():
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("generate_credential_key", stdout=out)
    secret = out.getvalue().strip().splitlines()[0]
    assert secret.startswith("z3u2")
