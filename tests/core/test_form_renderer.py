"""Form fields written in Python (core.form_renderer) are the HTML Django's templates write, byte for byte, in
every language, bound or not, valid or not; a template the writer does not know is rendered as before."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe

from core.form_renderer import WrittenFormRenderer

HOSTILE = "Na<m>e \"x\" & 'y'"


class _Everything(forms.Form):
    required_css_class = "required"
    name = forms.CharField(label=HOSTILE, help_text="Help & <b>bold</b>", max_length=10)
    email = forms.EmailField(
        required=False,
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "data-x": 'a"b<', "disabled": True, "hidden": False, "n": None}
        ),
    )
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    count = forms.IntegerField(min_value=1, max_value=1000, initial=1500)
    amount = forms.DecimalField(required=False)
    agree = forms.BooleanField(required=False, label="Agree?")
    notes = forms.CharField(widget=forms.Textarea, required=False, initial='</textarea><script>"x"')
    kind = forms.ChoiceField(
        choices=[("a", "A & a"), ("Group <g>", [("b", "B"), ("c", "C")]), ("d", mark_safe("<i>D</i>"))]
    )
    many = forms.MultipleChoiceField(choices=[(1, "one"), (2, "two")], required=False)
    secret = forms.CharField(widget=forms.PasswordInput, required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False, initial="h'")
    radio = forms.ChoiceField(widget=forms.RadioSelect, choices=[("x", "X")], required=False)
    with_initial = forms.CharField(required=False, show_hidden_initial=True, initial="s")
    at = forms.TimeField(required=False, widget=forms.TimeInput)
    address = forms.URLField(required=False, label="")
    suffixed = forms.CharField(required=False, label_suffix="!")


BAD = {
    "name": "longer than ten <&>",
    "email": "x",
    "day": "2028-02-30",
    "count": "0",
    "amount": "1,5",
    "kind": "b",
    "many": ["1", "2"],
    "agree": "on",
    "notes": 'a\n"b"',
    "radio": "zz",
}
GOOD = {"name": "Ana", "day": "2028-02-29", "count": "5", "kind": "d"}


@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
@pytest.mark.parametrize("data", [None, BAD, GOOD], ids=["unbound", "invalid", "valid"])
def test_every_part_of_a_field_is_written_as_djangos_templates_write_it(language, data):
    written, templates = WrittenFormRenderer(), DjangoTemplates()
    with translation.override(language):
        ours, theirs = _Everything(data, renderer=written), _Everything(data, renderer=templates)
        if data is not None:
            assert ours.is_valid() == theirs.is_valid()
        for name in ours.fields:
            assert ours[name].as_field_group() == theirs[name].as_field_group(), name
            assert str(ours[name]) == str(theirs[name]), name
            assert ours[name].label_tag() == theirs[name].label_tag(), name
            assert str(ours[name].errors) == str(theirs[name].errors), name
        assert str(ours) == str(theirs)


def test_the_usual_fields_are_written_without_a_template(monkeypatch):
    rendered = []
    real = DjangoTemplates.render
    monkeypatch.setattr(
        DjangoTemplates, "render", lambda self, name, *a, **kw: rendered.append(name) or real(self, name, *a, **kw)
    )
    form = _Everything(GOOD, renderer=WrittenFormRenderer())
    assert form.is_valid()
    for name in ("name", "email", "day", "count", "agree", "notes", "kind", "many", "secret", "hidden", "at"):
        form[name].as_field_group()
    assert rendered == []
    form = _Everything(BAD, renderer=WrittenFormRenderer())
    form.is_valid()
    form["radio"].as_field_group()  # a fieldset of radio buttons is the template's
    form["name"].as_field_group()  # so is a list with errors in it
    assert "django/forms/field.html" in rendered and "django/forms/errors/list/default.html" in rendered


def test_a_template_replaced_by_an_app_is_rendered_not_written(monkeypatch):
    renderer = WrittenFormRenderer()
    real = renderer.get_template

    def get_template(name):
        template = real(name)
        if name == "django/forms/label.html":
            template.template.source = template.template.source.replace("</{{ tag }}>", "</{{ tag }}> ")
        return template

    monkeypatch.setattr(renderer, "get_template", get_template)
    assert renderer._writer("django/forms/label.html") is None
    assert renderer._writer("django/forms/widgets/text.html") is not None
