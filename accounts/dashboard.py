"""The personal home page is made of panels that each app contributes.

An app registers a panel in its AppConfig.ready(): `dashboard.panel_register(my_panel, order=20)`.
A panel is a function `(request) -> Panel | None`; it returns None when it has nothing for this user.
Panels keep their own query count constant: the home page test asserts a ceiling.
"""

from dataclasses import dataclass, field


@dataclass
class Panel:
    template: str
    context: dict = field(default_factory=dict)


_PANELS: list[tuple[int, object]] = []


def panel_register(func, *, order=50):
    if all(existing is not func for _o, existing in _PANELS):
        _PANELS.append((order, func))
        _PANELS.sort(key=lambda item: item[0])
    return func


def panels_for(request) -> list[Panel]:
    panels = []
    for _order, func in _PANELS:
        panel = func(request)
        if panel is not None:
            panels.append(panel)
    return panels
