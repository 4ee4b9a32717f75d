"""One URL pattern for many rows.

A list of a few hundred rows, each linking to its record, spent a tenth of its time in `reverse()`: Django
resolves the pattern anew on every call. `UrlFiller` resolves each pattern once, with stand-in numbers, and
puts each row's numbers in their place; `key_parts` gives a one-key pattern's two parts, for a caller that
keeps them. Only for patterns whose parameters are all `<int:...>`.
"""

from django.urls import reverse

# Numbers no row has; a URL has no braces of its own (they would be percent-encoded), so the pattern's
# placeholders cannot clash with its text.
_STAND_IN = 900_000_000_001


class UrlFiller:
    """`urls("cases:case_detail", pk=7)` as `reverse("cases:case_detail", kwargs={"pk": 7})` would give,
    the pattern resolved once per name (in the language active at the first call)."""

    def __init__(self):
        self._patterns: dict[tuple, str] = {}

    def __call__(self, name: str, **kwargs: int) -> str:
        key = (name, *sorted(kwargs))
        pattern = self._patterns.get(key)
        if pattern is None:
            stand_ins = {param: _STAND_IN + index for index, param in enumerate(key[1:])}
            pattern = reverse(name, kwargs=stand_ins)
            for param, stand_in in stand_ins.items():
                pattern = pattern.replace(str(stand_in), "{" + param + "}")
            self._patterns[key] = pattern
        return pattern.format(**{param: int(value) for param, value in kwargs.items()})


def key_parts(name: str) -> tuple[str, str] | None:
    """The URL of `name` cut where its one key (`pk`) goes: a record's URL is `before + str(pk) + after`.
    None where the pattern writes the key more than once; NoReverseMatch where it takes anything else."""
    parts = reverse(name, kwargs={"pk": _STAND_IN}).split(str(_STAND_IN))
    return (parts[0], parts[1]) if len(parts) == 2 else None
