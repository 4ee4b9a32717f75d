"""Verification codes: unguessable, and easy to read from paper and type back.

Crockford's base32 has no I, L, O or U, so a code read aloud or typed from a printed certificate is not
misread; 20 characters carry 100 random bits. Certificates issued before these codes keep their longer
URL-safe codes, which their QR codes carry: those are looked up exactly as they are.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 20
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def code_new() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def code_normalise(value: str) -> str:
    """A typed code as stored: upper case, without spaces or dashes, look-alike letters mapped."""
    return "".join(value.split()).replace("-", "").upper().translate(_LOOKALIKES)


def code_display(code: str) -> str:
    """A code in groups of four, as printed; an older code as it is."""
    if len(code) == LENGTH and all(character in ALPHABET for character in code):
        return "-".join(code[i : i + 4] for i in range(0, LENGTH, 4))
    return code
