"""The organisation's Ed25519 keys and Data Integrity proofs (`eddsa-rdfc-2022`) over JSON-LD documents.

Why Data Integrity with pyld rather than VC-JOSE: the signed credential stays one plain JSON document that
wallets, the 1EdTech validator and our own verification page read as it is, with the proof inside it; the
only network access JSON-LD would need (its contexts) is served from copies shipped in
`certificates/standards/`, so signing and verifying work offline and after our server is gone.

A proof is made as the W3C `eddsa-rdfc-2022` cryptosuite describes: the document (without its proof) and
the proof options (with the document's `@context`) are each canonicalised with RDFC-1.0 (pyld's
URDNA2015, the same algorithm), hashed with SHA-256, and the two hashes, options first, are signed with
Ed25519. Keys are written as Multikey strings (`z...`, base58btc): `secretKeyMultibase` for the private key
in the environment, `publicKeyMultibase` in the published issuer profile.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

STANDARDS = Path(__file__).resolve().parent / "standards"
CONTEXT_FILES = {
    "https://www.w3.org/ns/credentials/v2": "credentials_v2_context.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob_v3p0_context-3.0.3.json",
}
CRYPTOSUITE = "eddsa-rdfc-2022"
# Development only (debug and the test suite, see website/settings.py): published, so it proves nothing.
DEVELOPMENT_KEY = "z3u2TwcScy58Yv1dCXB8cQiWoSb8HWht2JK4CdQxcrGqsu2x"

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ED25519_PUBLIC = b"\xed\x01"  # multicodec ed25519-pub
_ED25519_PRIVATE = b"\x80\x26"  # multicodec ed25519-priv


class SigningError(Exception):
    """A document that cannot be signed or checked: malformed, or using contexts we do not ship."""


def base58_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    encoded = ""
    while number:
        number, remainder = divmod(number, 58)
        encoded = _ALPHABET[remainder] + encoded
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + encoded


def base58_decode(text: str) -> bytes:
    number = 0
    for character in text:
        index = _ALPHABET.find(character)
        if index < 0:
            raise SigningError("not base58")
        number = number * 58 + index
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def multibase_decode(value: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("z"):
        raise SigningError("not a base58btc multibase value")
    return base58_decode(value[1:])


@dataclass(frozen=True)
class SigningKey:
    private_key: object  # cryptography's Ed25519PrivateKey
    public_multibase: str

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)


def _parse_key(secret: str) -> SigningKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        raw = multibase_decode(secret.strip())
    except SigningError:
        raw = b""
    if len(raw) != 34 or not raw.startswith(_ED25519_PRIVATE):
        raise ImproperlyConfigured(
            "HAVEN_CREDENTIAL_KEYS holds a value that is not an Ed25519 secret key; make one with "
            "`python manage.py generate_credential_key`."
        )
    private_key = Ed25519PrivateKey.from_private_bytes(raw[2:])
    public = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return SigningKey(private_key=private_key, public_multibase="z" + base58_encode(_ED25519_PUBLIC + public))


def key_generate() -> str:
    """A new secret key as `secretKeyMultibase` text, for HAVEN_CREDENTIAL_KEYS."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    seed = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return "z" + base58_encode(_ED25519_PRIVATE + seed)


def _configured_secrets() -> tuple[str, ...]:
    # website/settings.py reads HAVEN_CREDENTIAL_KEYS and gives debug and the test suite DEVELOPMENT_KEY.
    configured = tuple(settings.HAVEN_CREDENTIAL_KEYS)
    if not configured:
        raise ImproperlyConfigured(
            "HAVEN_CREDENTIAL_KEYS is not set: certificates cannot be signed. Generate a key with "
            "`python manage.py generate_credential_key` and keep it out of database backups."
        )
    return configured


@cache
def _keys_for(secrets: tuple[str, ...]) -> tuple[SigningKey, ...]:
    return tuple(_parse_key(secret) for secret in secrets)


def signing_keys() -> tuple[SigningKey, ...]:
    """The configured keys, newest (the one that signs) first."""
    return _keys_for(_configured_secrets())


def public_keys() -> list[str]:
    """Every published public key (Multikey): the current one and those that signed earlier credentials."""
    return [key.public_multibase for key in signing_keys()]


def public_key_bytes(public_multibase: str) -> bytes:
    raw = multibase_decode(public_multibase)
    if len(raw) != 34 or not raw.startswith(_ED25519_PUBLIC):
        raise SigningError("not an Ed25519 public key")
    return raw[2:]


# JSON-LD ---------------------------------------------------------------------------------------------------


@cache
def context_document(url: str) -> dict:
    return json.loads((STANDARDS / CONTEXT_FILES[url]).read_text(encoding="utf-8"))


def document_loader(url, options=None):
    """pyld's document loader: the contexts we ship, and nothing from the network."""
    from pyld.jsonld import JsonLdError

    if url not in CONTEXT_FILES:
        raise JsonLdError(
            f"Haven resolves only the contexts it ships; refused {url}",
            "jsonld.LoadDocumentError",
            code="loading remote context failed",
        )
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": context_document(url),
        # "static": pyld keeps the resolved context for the life of the process instead of per call.
        "tag": "static",
    }


_SCOPED_KEYS: dict[int, tuple[object, str]] = {}


def _resolver():
    """pyld's context resolver, remembering the cache key of each scoped context it meets.

    Our contexts define many type-scoped contexts; pyld finds their processed form by a key it makes by
    canonicalising the context object every time it meets one (a fifth of a signature's cost). The objects
    are the same each time (pyld keeps the processed shipped contexts), so their keys are remembered by
    identity, holding the object so that its identity is never reused.
    """
    from c14n.Canonicalize import canonicalize
    from frozendict import frozendict
    from pyld import jsonld
    from pyld.context_resolver import ContextResolver
    from pyld.resolved_context import ResolvedContext

    class ShippedContextResolver(ContextResolver):
        def resolve(self, active_ctx, context, base, cycles=None):
            if isinstance(context, dict | frozendict) and "@context" not in context:
                remembered = _SCOPED_KEYS.get(id(context))
                if remembered is None or remembered[0] is not context:
                    remembered = (context, canonicalize(dict(context)).decode("UTF-8"))
                    _SCOPED_KEYS[id(context)] = remembered
                key = remembered[1]
                resolved = self._get(key)
                if not resolved:
                    resolved = ResolvedContext(context)
                    self._cache_resolved_context(key, resolved, "static")
                return [resolved]
            return super().resolve(active_ctx, context, base, cycles)

    return ShippedContextResolver(jsonld._resolved_context_cache, document_loader)


@cache
def _defined_terms() -> frozenset[str]:
    """Every term the shipped contexts define, scoped contexts included."""
    terms = set()

    def collect(context):
        if isinstance(context, list):
            for item in context:
                collect(item)
        elif isinstance(context, dict):
            for name, definition in context.items():
                if not name.startswith("@"):
                    terms.add(name)
                if isinstance(definition, dict) and "@context" in definition:
                    collect(definition["@context"])

    for url in CONTEXT_FILES:
        collect(context_document(url)["@context"])
    return frozenset(terms)


def _undefined_terms(node, *, top=True) -> set[str]:
    """Terms the shipped contexts do not define; a context inside the document counts as one too (we never
    write one, and it would bring definitions of its own)."""
    found = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                if not top:
                    found.add(key)
                continue
            if not key.startswith("@") and key not in _defined_terms():
                found.add(key)
            found |= _undefined_terms(value, top=False)
    elif isinstance(node, list):
        for item in node:
            found |= _undefined_terms(item, top=False)
    return found


def canonical_nquads(document: dict) -> str:
    """The RDFC-1.0 canonical N-Quads of a JSON-LD document that uses only the contexts we ship."""
    from pyld import jsonld

    contexts = document.get("@context")
    if not isinstance(contexts, list) or any(url not in CONTEXT_FILES for url in contexts):
        raise SigningError("the document uses contexts Haven does not ship")
    # JSON-LD drops properties its contexts do not define; they would be left out of the signature, so a
    # document that carries any is refused rather than half-signed.
    try:
        undefined = _undefined_terms(document)
        if undefined:
            raise SigningError(f"terms the contexts do not define: {', '.join(sorted(undefined))}")
        return jsonld.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": document_loader,
                "contextResolver": _resolver(),
            },
        )
    except (jsonld.JsonLdError, RecursionError, TypeError, ValueError) as error:
        # A hostile document (nested past any credential's depth, or of the wrong shapes) is simply not ours.
        raise SigningError(str(error)) from error


def canonical_hash(document: dict) -> bytes:
    """SHA-256 of the RDFC-1.0 canonical N-Quads of a JSON-LD document."""
    return hashlib.sha256(canonical_nquads(document).encode("utf-8")).digest()


_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_PLACEHOLDER = "2000-01-01T00:00:00Z"


@lru_cache(maxsize=32)
def _options_template(options_json: str) -> str | None:
    nquads = canonical_nquads(json.loads(options_json))
    # One blank node (the proof) and the placeholder once: only then is a substituted time canonical too
    # (lines sort by predicate before the literal, and a lone blank node is always _:c14n0).
    if "_:c14n1" in nquads or nquads.count(f'"{_PLACEHOLDER}"') != 1:
        return None
    return nquads


def _options_hash(options: dict) -> bytes:
    """The proof options' canonical hash. Options differ between proofs only by their creation time, so
    their canonical form is made once per key and the time written into it (a third of a signature's cost)."""
    created = options.get("created")
    if isinstance(created, str) and _TIMESTAMP.fullmatch(created):
        template = _options_template(json.dumps({**options, "created": _PLACEHOLDER}, sort_keys=True))
        if template is not None:
            nquads = template.replace(f'"{_PLACEHOLDER}"', f'"{created}"')
            return hashlib.sha256(nquads.encode("utf-8")).digest()
    return canonical_hash(options)


def _hash_data(document: dict, proof_options: dict) -> bytes:
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    options = {key: value for key, value in proof_options.items() if key != "proofValue"}
    options["@context"] = document["@context"]
    return _options_hash(options) + canonical_hash(unsecured)


def proof_add(document: dict, *, verification_method: str, created: str, key: SigningKey | None = None) -> dict:
    """The document with a DataIntegrityProof (`eddsa-rdfc-2022`) made with `key` (the current key)."""
    key = key or signing_keys()[0]
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(_hash_data(document, proof))
    # A list of one proof: Open Badges 3.0's schema accepts no other shape.
    return {**document, "proof": [{**proof, "proofValue": "z" + base58_encode(signature)}]}


def the_proof(document: dict) -> dict | None:
    """The document's one proof (an object, or a list holding one); None for none or several."""
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    return proof if isinstance(proof, dict) else None


def proof_check(document: dict, *, public_key: bytes) -> bool:
    """True when the document's proof was made by `public_key` over exactly this document."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    proof = the_proof(document)
    if proof is None or proof.get("cryptosuite") != CRYPTOSUITE:
        return False
    if proof.get("type") != "DataIntegrityProof" or proof.get("proofPurpose") != "assertionMethod":
        return False
    try:
        signature = multibase_decode(proof.get("proofValue"))
        data = _hash_data(document, proof)
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except (SigningError, InvalidSignature, ValueError):
        return False
    return True
