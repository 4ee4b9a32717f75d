"""get_FOO_display() that looks the value up instead of hashing every label of the field.

Django's get_FOO_display() builds a dictionary of the field's choices on every call, and hashing a lazily
translated label translates it: showing one step's status translated every status there is. An action
plan of forty steps spent a sixth of its time there. `choice_displays_install()` puts, on the project's
models at start-up, a get_FOO_display() that finds the value in a table built once per field and
translates only the label it returns, in the language active at the call: the same text as Django's own,
which Django puts on each model the same way (tests/core/test_choices.py compares them for every value of
every field in every language). A field whose choices a callable computes is left to Django, as is a
get_FOO_display() a model writes itself.
"""

from functools import partialmethod
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


def _display_of(field):
    labels = {make_hashable(value): label for value, label in field.flatchoices}

    def display(self):
        value = getattr(self, field.attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)

    display.__name__ = f"get_{field.name}_display"
    display.choice_field = field
    return display


def choice_labels(choices) -> dict:
    """Each value of `choices` (an enum's `.choices`) with its label translated now, in the active language:
    a page or a sheet that shows a label per row translates each label once, not once per row."""
    return {value: str(label) for value, label in choices}


def project_models():
    """The models of this project's apps (not those of the packages it uses)."""
    root = Path(settings.BASE_DIR).resolve()
    for app_config in apps.get_app_configs():
        path = Path(app_config.path).resolve()
        if path.is_relative_to(root) and "site-packages" not in path.parts:
            yield from app_config.get_models()


def choice_displays_install() -> int:
    """Replace Django's get_FOO_display() on the project's models; how many were replaced."""
    replaced = 0
    for model in project_models():
        for field in model._meta.concrete_fields:
            if field.choices is None or isinstance(field.choices, CallableChoiceIterator):
                continue
            name = f"get_{field.name}_display"
            if isinstance(model.__dict__.get(name), partialmethod):
                setattr(model, name, _display_of(field))
                replaced += 1
    return replaced
