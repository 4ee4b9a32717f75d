"""The due items' rows, written in Python (cases.templatetags.case_tags), say what the row template said."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.template import engines
from django.template.context import make_context
from django.test import RequestFactory
from django.utils import translation

from cases.selectors import DueAction, DueItem
from core.fields import Sealed, encrypt_text
from tests.helpers import tags_squeezed

# The rows as cases/_due_items.html wrote them before they were written in Python.
TEMPLATE_ROWS = """{% load i18n %}{% with next=request.get_full_path %}
{% for item in items %}
<tr{% if item.overdue %} class="overdue"{% endif %}>
    <th scope="row">{{ item.due_on|date:"DATE_FORMAT" }}{% if item.overdue %} <span class="badge badge-warn">{% translate "overdue" %}</span>{% endif %}</th>
    <td><a href="{{ item.url }}">{{ item.kind_label }}: {{ item.title }}</a>{% if item.detail %}<br><span class="muted">{{ item.detail|truncatechars:120 }}</span>{% endif %}</td>
    {% if show_case %}<td><a href="{{ item.case_url }}">{{ item.case.client.alias }} ({{ item.case.client.code }})</a></td>{% endif %}
    <td>{% for action in item.actions %}<form method="post" action="{{ action.url }}" class="inline-form" id="due-{{ item.key }}-{{ forloop.counter }}">{% csrf_token %}<input type="hidden" name="next" value="{{ next }}">{% for name, value in action.fields.items %}<input type="hidden" name="{{ name }}" value="{{ value }}">{% endfor %}<button type="submit" class="button-small">{{ action.label }}</button></form> {% endfor %}</td>
</tr>
{% endfor %}{% endwith %}"""  # noqa: E501
TAG_ROWS = "{% load case_tags %}{% due_item_rows items show_case %}"


def _items():
    client = SimpleNamespace(alias='Ana "A" <b>', code="C-7&1")
    case = SimpleNamespace(pk=7, client=client)
    return [
        DueItem(
            "action_step",
            "Housing & <safety>",
            case,
            dt.date(2028, 2, 29),
            True,
            "/cases/7/steps/3/?a=1&b=2",
            Sealed(encrypt_text("Call the shelter " + "about the room " * 12 + "<today>")),
            [DueAction("Done", "/cases/7/steps/3/done/", {"version": 12345, "note": 'a"b'})],
            "step-3",
            case_url="/cases/7/",
            kind_label="Action step",
        ),
        DueItem(
            "aftercare",
            "Follow-up call",
            case,
            dt.date(2027, 12, 31),
            False,
            "/cases/7/aftercare/",
            "",
            [
                DueAction("Held", "/cases/7/aftercare/9/", {"status": "done"}),
                DueAction("Missed", "/cases/7/aftercare/9/", {"status": "missed"}),
            ],
            "aftercare-9",
            case_url="/cases/7/",
            kind_label="Aftercare",
        ),
        DueItem(
            "risk_review",
            "the first one",
            case,
            dt.date(2027, 1, 1),
            False,
            "/r/",
            "",
            [],
            "risk-7",
            case_url="/cases/7/",
            kind_label="Risk",
        ),
        # Short, with a combining accent (NFC joins it), and around the length where truncation begins.
        *(
            DueItem(
                "aftercare",
                "Call",
                case,
                dt.date(2027, 1, 2),
                False,
                "/a/",
                detail,
                [],
                f"a-{index}",
                case_url="/cases/7/",
                kind_label="Aftercare",
            )
            for index, detail in enumerate(
                ["Zvati Snez\u030canu", Sealed(encrypt_text("x" * 119)), "y" * 120, "z" * 121, "s\u030c" * 70]
            )
        ),
    ]


@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
@pytest.mark.parametrize("show_case", [True, False])
def test_the_rows_say_what_the_template_said(rf: RequestFactory, language, show_case):
    request = rf.get("/cases/caseload/?counselor=3&page=2")
    engine = engines["django"]
    items = _items()
    with translation.override(language):
        # One context for both, as one page has one CSRF token.
        context = make_context({"items": items, "show_case": show_case}, request)
        reference = engine.from_string(TEMPLATE_ROWS).template
        with context.bind_template(reference):
            expected = reference.render(context)
            written = engine.from_string(TAG_ROWS).template.render(context)
    assert (
        "csrfmiddlewaretoken" in written and "about the room" in written and "Housing &amp; &lt;safety&gt;" in written
    )
    assert ("Ana &quot;A&quot; &lt;b&gt;" in written) is show_case
    assert tags_squeezed(written) == tags_squeezed(expected)


def test_a_sealed_detail_says_nothing_until_shown():
    sealed = Sealed(encrypt_text("She moved to her sister's"))
    assert repr(sealed) == "<Sealed>" and bool(sealed)
    assert str(sealed) == "She moved to her sister's" and sealed == "She moved to her sister's"
    assert not Sealed("") and str(Sealed(None)) == ""
