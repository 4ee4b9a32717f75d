"""get_FOO_display() of the project's models (core.choices): Django's own text, for every value of every
field with choices, in every language."""

from functools import partialmethod

import pytest
from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.choices import CallableChoiceIterator

from core.choices import project_models


def _fields_with_choices():
    for model in project_models():
        for field in model._meta.concrete_fields:
            if field.choices is not None:
                yield model, field


def _defined(model, name):
    return next(klass.__dict__[name] for klass in model.__mro__ if name in klass.__dict__)


def test_every_field_with_choices_of_the_project_has_the_quick_display():
    found = list(_fields_with_choices())
    assert len(found) >= 60
    plain = []
    for model, field in found:
        if isinstance(field.choices, CallableChoiceIterator):
            continue  # computed anew on each call: left to Django
        method = _defined(model, f"get_{field.name}_display")
        if isinstance(method, partialmethod) or getattr(method, "choice_field", field) is not field:
            plain.append(f"{model._meta.label}.{field.name}")
    assert plain == []  # a method a model writes itself is neither: it stays


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_the_quick_display_gives_djangos_text_for_every_value(language):
    compared = 0
    with translation.override(language):
        for model, field in _fields_with_choices():
            display = getattr(model, f"get_{field.name}_display")
            instance = model()
            for value in [*(value for value, _label in field.flatchoices), None, "", "no such value", 999]:
                setattr(instance, field.attname, value)
                expected = models.Model._get_FIELD_display(instance, field)
                assert display(instance) == expected, (model, field.name, value)
                assert type(display(instance)) is type(expected)
                compared += 1
    assert compared > 500
