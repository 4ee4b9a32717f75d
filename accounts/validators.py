"""Names print on certificates and appear in staff lists: they must read as they are written."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Characters that change how the text around them is shown without being seen: bidirectional overrides
# and isolates can make "Ana" read as someone else's name, zero-width ones hide inside a name.
INVISIBLE_CHARACTERS = frozenset(
    "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064"
    "\u2066\u2067\u2068\u2069\ufeff"
)
INVISIBLE_MESSAGE = _("Please type the name with visible letters only (no hidden formatting characters).")


def validate_visible_text(value: str) -> None:
    if any(ch in INVISIBLE_CHARACTERS or unicodedata.category(ch) in {"Cc", "Cf"} for ch in value or ""):
        raise ValidationError(INVISIBLE_MESSAGE, code="invisible_characters")
