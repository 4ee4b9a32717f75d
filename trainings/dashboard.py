"""Extension point of the trainee's "My trainings" page.

Another app (certificates) adds a section without trainings importing it: in its AppConfig.ready() it calls
`trainings.dashboard.section_register(func, order=N)`, where func(request) returns an
`accounts.dashboard.Panel(template, context)` or None. Sections keep their own query count constant.
"""

from accounts.dashboard import Panel

_SECTIONS: list[tuple[int, object]] = []


def section_register(func, *, order=50):
    if all(existing is not func for _order, existing in _SECTIONS):
        _SECTIONS.append((order, func))
        _SECTIONS.sort(key=lambda item: item[0])
    return func


def sections_for(request) -> list[Panel]:
    sections = []
    for _order, func in _SECTIONS:
        section = func(request)
        if section is not None:
            sections.append(section)
    return sections
