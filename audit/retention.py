"""The retention registry: each app declares what in its tables identifies a survivor, and when it goes.

An app that keeps survivor data has a `retention.py` that registers, at import:

- `Subject`: a kind of survivor record with its own clock (a group member, a counseling client, a closed
  case, a handled intake request). `due(today=...)` returns the records whose period
  (settings.HAVEN_RETENTION_DAYS[name]) has ended; `replace` says what her identifying fields become
  (or, with `purge`, the rows are deleted).
- `Linked`: rows of any app that belong to a subject (her bookings, the texts of her case) and the text
  fields to blank when she is anonymised, with the lookup path from the row to her record.
- `Hold`: rows that keep a subject from being anonymised while they are active (an open case keeps her
  counseling file).
- `Kept`: text fields of a survivor-linked model that identify nobody, with the reason. The coverage
  test (tests/security/test_retention_registry.py) walks the model graph from every subject and fails
  on any text field that is neither blanked nor kept for a stated reason.

The retention run (website/security_retention.py) walks these declarations and names no app's model.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat

ANONYMISED = "Anonymised"


def anonymous_code(prefix: str):
    """A unique replacement for an internal code, from the row's own id: "anon-<prefix><id>"."""
    return Concat(Value(f"anon-{prefix}"), Cast("pk", CharField()))


@dataclass(frozen=True)
class Subject:
    name: str
    model: str
    due: Callable
    replace: Mapping[str, object] = field(default_factory=dict)
    stamp: str | None = None
    purge: bool = False  # delete the rows instead (an intake request once handled)

    @property
    def model_class(self):
        return apps.get_model(self.model)


@dataclass(frozen=True)
class Linked:
    model: str
    subject: str
    path: str
    blank: tuple[str, ...]

    @property
    def model_class(self):
        return apps.get_model(self.model)


@dataclass(frozen=True)
class Hold:
    subject: str
    model: str
    path: str
    active: Q

    @property
    def model_class(self):
        return apps.get_model(self.model)


@dataclass(frozen=True)
class Kept:
    model: str
    fields: tuple[str, ...]
    reason: str


_REGISTRY: dict[type, dict] = {Subject: {}, Linked: {}, Hold: {}, Kept: {}}


def register(*declarations) -> None:
    """Add declarations; registering the same one again (a re-import) changes nothing."""
    for declaration in declarations:
        key = declaration.name if isinstance(declaration, Subject) else repr(declaration)
        _REGISTRY[type(declaration)][key] = declaration


def load() -> None:
    """Import every installed app's `retention` module, so each has registered what it keeps."""
    for config in apps.get_app_configs():
        module = f"{config.name}.retention"
        try:
            import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


def subjects() -> list[Subject]:
    load()
    return list(_REGISTRY[Subject].values())


def linked_to(subject_name: str) -> list[Linked]:
    load()
    return [linked for linked in _REGISTRY[Linked].values() if linked.subject == subject_name]


def holds_on(subject_name: str) -> list[Hold]:
    load()
    return [hold for hold in _REGISTRY[Hold].values() if hold.subject == subject_name]


def kept() -> list[Kept]:
    load()
    return list(_REGISTRY[Kept].values())


def all_linked() -> list[Linked]:
    load()
    return list(_REGISTRY[Linked].values())


register(
    Kept(
        "audit.CompelledDisclosure",
        ("released_what", "released_to", "legal_reference", "not_told_reason"),
        "the register of what the law compelled the organisation to release is kept as a legal record",
    )
)
