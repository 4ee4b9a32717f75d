"""Forms written as Django's templates write them, without rendering those templates.

A form field on a page costs four to six small templates (the field group, its label and the label's
attributes, its list of errors, even empty, its widget and the widget's attributes): about a quarter of a
millisecond a field, a tenth of a page such as the slot finder's. The templates below are short and fixed,
so `WrittenFormRenderer` writes their HTML in Python, byte for byte, and renders any other template (and
these too, where an app or the project has replaced one, or where a value is not of the kinds written here)
through Django's templates as before.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import escape
from django.utils.safestring import SafeData

from core.formatting import shown

_ATTRS = (
    "{% for name, value in attrs.items %}{% if value is not False %} {{ name }}{% if value is not True %}"
    "=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}{% endfor %}"
)
_WIDGET_ATTRS = _ATTRS.replace("attrs.items", "widget.attrs.items")
_INPUT = (
    '<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %} '
    'value="{{ widget.value|stringformat:\'s\' }}"{% endif %}{% include "django/forms/widgets/attrs.html" %}>\n'
)
_INCLUDE_INPUT = '{% include "django/forms/widgets/input.html" %}\n'
_LABEL = (
    "{% if use_tag %}<{{ tag }}{% include 'django/forms/attrs.html' %}>{{ label }}</{{ tag }}>"
    "{% else %}{{ label }}{% endif %}\n"
)
_FIELD = """{% if field.use_fieldset %}
  <fieldset{% if field.aria_describedby %} aria-describedby="{{ field.aria_describedby }}"{% endif %}>
  {% if field.label %}{{ field.legend_tag }}{% endif %}
{% else %}
  {% if field.label %}{{ field.label_tag }}{% endif %}
{% endif %}
{% if field.help_text %}<div class="helptext"{% if field.auto_id %} id="{{ field.auto_id }}_helptext"{% endif %}>\
{{ field.help_text|safe }}</div>{% endif %}
{{ field.errors }}
{{ field }}{% if field.use_fieldset %}</fieldset>{% endif %}
"""
_ERRORS = '{% include "django/forms/errors/list/ul.html" %}'
_SELECT = """<select name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>\
{% for group_name, group_choices, group_index in widget.optgroups %}{% if group_name %}
  <optgroup label="{{ group_name }}">{% endif %}{% for option in group_choices %}
  {% include option.template_name with widget=option %}{% endfor %}{% if group_name %}
  </optgroup>{% endif %}{% endfor %}
</select>
"""
_OPTION = (
    '<option value="{{ widget.value|stringformat:\'s\' }}"{% include "django/forms/widgets/attrs.html" %}>'
    "{{ widget.label }}</option>\n"
)
_TEXTAREA = """<textarea name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>
{% if widget.value %}{{ widget.value }}{% endif %}</textarea>
"""

_INPUT_TEMPLATES = (
    "checkbox",
    "color",
    "date",
    "datetime",
    "email",
    "file",
    "hidden",
    "number",
    "password",
    "search",
    "tel",
    "text",
    "time",
    "url",
)


class _Unwritten(Exception):
    """A value this module does not write as the template would: the template renders it."""


def _shown(value) -> str:
    """What {{ value }} writes."""
    if callable(value):  # a template calls it first
        raise _Unwritten
    return shown(value)


def _formatted(value) -> str:
    """What {{ value|stringformat:'s' }} writes: the value as a string, escaped unless it is safe already."""
    if callable(value):
        raise _Unwritten
    text = str(value)
    return text if isinstance(value, SafeData) else escape(text)


def written_attrs(attrs) -> str:
    """attrs.html, the form's and the widgets' alike (and Wagtail's shared/attrs.html, the same template):
    each attribute that is not False, its value unless it is True, escaped as {{ }} would."""
    out = []
    for name, value in attrs.items():
        if value is not False:
            out.append(f" {_shown(name)}")
            if value is not True:
                out.append(f'="{_formatted(value)}"')
    return "".join(out)


def _input(widget) -> str:
    value = widget["value"]
    written = f' value="{_formatted(value)}"' if value is not None else ""
    attrs = written_attrs(widget["attrs"])
    return f'<input type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"{written}{attrs}>\n'


def _option(option) -> str:
    if option.get("template_name") != "django/forms/widgets/select_option.html":
        raise _Unwritten
    attrs = written_attrs(option["attrs"])
    return f'<option value="{_formatted(option["value"])}"{attrs}>{_shown(option["label"])}</option>\n'


def _select(widget) -> str:
    out = [f'<select name="{_shown(widget["name"])}"{written_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in group_choices:
            out.append(f"\n  {_option(option)}")
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>\n")
    return "".join(out)


def _textarea(widget) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{_shown(widget["name"])}"{written_attrs(widget["attrs"])}>\n'
        f"{_shown(value) if value else ''}</textarea>\n"
    )


def _label(context) -> str:
    label = _shown(context["label"])
    if not context["use_tag"]:
        return f"{label}\n"
    tag = _shown(context["tag"])
    return f"<{tag}{written_attrs(context['attrs'])}>{label}</{tag}>\n"


def _field(context) -> str:
    field = context["field"]
    if field.use_fieldset:
        raise _Unwritten
    label = _shown(field.label_tag()) if field.label else ""
    help_text = ""
    if field.help_text:
        described = f' id="{_shown(field.auto_id)}_helptext"' if field.auto_id else ""
        help_text = f'<div class="helptext"{described}>{field.help_text}</div>'
    return f"\n  {label}\n\n{help_text}\n{_shown(field.errors)}\n{_shown(field)}\n"


def _errors(context) -> str:
    if context["errors"]:  # an empty list writes nothing: the lists with errors are the template's
        raise _Unwritten
    return ""


class WrittenFormRenderer(DjangoTemplates):
    """Django's form renderer, writing the templates above in Python where they are Django's own."""

    # template name -> (the sources it must have: its own and those it includes; how it is written)
    _WRITTEN = {
        "django/forms/field.html": ({"django/forms/field.html": _FIELD}, _field),
        "django/forms/label.html": (
            {"django/forms/label.html": _LABEL, "django/forms/attrs.html": _ATTRS},
            _label,
        ),
        "django/forms/errors/list/default.html": (
            {"django/forms/errors/list/default.html": _ERRORS},
            _errors,
        ),
        "django/forms/widgets/select.html": (
            {
                "django/forms/widgets/select.html": _SELECT,
                "django/forms/widgets/select_option.html": _OPTION,
                "django/forms/widgets/attrs.html": _WIDGET_ATTRS,
            },
            lambda context: _select(context["widget"]),
        ),
        "django/forms/widgets/textarea.html": (
            {"django/forms/widgets/textarea.html": _TEXTAREA, "django/forms/widgets/attrs.html": _WIDGET_ATTRS},
            lambda context: _textarea(context["widget"]),
        ),
        "django/forms/widgets/input.html": (
            {"django/forms/widgets/input.html": _INPUT, "django/forms/widgets/attrs.html": _WIDGET_ATTRS},
            lambda context: _input(context["widget"]),
        ),
        **{
            f"django/forms/widgets/{kind}.html": (
                {
                    f"django/forms/widgets/{kind}.html": _INCLUDE_INPUT,
                    "django/forms/widgets/input.html": _INPUT,
                    "django/forms/widgets/attrs.html": _WIDGET_ATTRS,
                },
                lambda context: _input(context["widget"]),
            )
            for kind in _INPUT_TEMPLATES
        },
    }

    def __init__(self):
        super().__init__()
        self._writers = {}

    def _writer(self, template_name):
        """How `template_name` is written, or None: resolved once, and only where every template it stands
        for is the one read above."""
        if template_name not in self._writers:
            sources, write = self._WRITTEN.get(template_name, ({}, None))
            if write is not None and not all(
                self.get_template(name).template.source == source for name, source in sources.items()
            ):
                write = None
            self._writers[template_name] = write
        return self._writers[template_name]

    def render(self, template_name, context, request=None):
        write = self._writer(template_name) if request is None else None
        if write is not None:
            try:
                return write(context).strip()
            except _Unwritten:
                pass
        return super().render(template_name, context, request)
