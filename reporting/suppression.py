"""Small-cell suppression: the one function every table of survivor figures goes through.

Primary: a count from 1 up to the project's threshold is shown as "<N" (N = threshold + 1).
Secondary: where a total is shown and exactly one cell of the group is hidden, the total minus the shown
cells would give that cell away, so the smallest other non-zero cell is hidden as well (shown as "*").
Zero is shown: "nobody" identifies nobody.
"""

from collections.abc import Sequence

SECONDARY = "*"


def small_cell_label(threshold: int) -> str:
    return f"<{threshold + 1}"


def suppress(values: Sequence[int | None], *, threshold: int, total: int | None = None):
    """Return (cells, total_cell): each an int as it may be shown, a "<N" or "*" string, or None."""
    primary = small_cell_label(threshold)
    hidden = {index for index, value in enumerate(values) if value is not None and 1 <= value <= threshold}
    total_hidden = total is not None and 1 <= total <= threshold
    secondary = set()
    if total is not None and not total_hidden and len(hidden) == 1:
        candidates = [index for index, value in enumerate(values) if index not in hidden and value]
        if candidates:
            secondary.add(min(candidates, key=lambda index: (values[index], index)))
        else:
            # The hidden cell is the only one: the total equals it, so the total must go too.
            total_hidden = True
    cells = []
    for index, value in enumerate(values):
        if index in hidden:
            cells.append(primary)
        elif index in secondary:
            cells.append(SECONDARY)
        else:
            cells.append(value)
    total_cell = primary if total_hidden and 1 <= (total or 0) <= threshold else SECONDARY if total_hidden else total
    return cells, total_cell


def suppress_one(value, *, threshold: int):
    return suppress([value], threshold=threshold)[0][0]
