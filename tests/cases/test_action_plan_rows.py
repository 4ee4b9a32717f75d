"""The action plan's rows, written in the view (cases.views.ActionPlanScreen.step_rows), say what the
template said: every area, owner and status, a body that takes the step, no due date, several lines of
hostile text, with and without the right to change the plan, in every language."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation

from cases.enums import ActionArea, StepOwner, StepStatus
from cases.views import ActionPlanScreen
from tests.helpers import tags_squeezed

# The rows as cases/action_plan.html wrote them before they were written in the view.
TEMPLATE = """{% load i18n %}{% for step in steps %}
<tr>
    <th scope="row">{{ step.description|linebreaksbr }}</th>
    <td>{{ step.get_area_display }}</td>
    <td>{{ step.get_owner_display }}{% if step.owner_institution %}: {{ step.owner_institution }}{% endif %}</td>
    <td>{{ step.due_on|date:"DATE_FORMAT"|default:"-" }}</td>
    <td>{{ step.get_status_display }}</td>
    <td>{% if may_change %}<a href="{{ step.edit_url }}">{% translate "Change" %}</a>{% endif %}</td>
</tr>
{% endfor %}"""


def _steps():
    steps = []
    for index, (area, owner, status) in enumerate(
        zip(ActionArea.values, [*StepOwner.values] * 5, [*StepStatus.values] * 5, strict=False)
    ):
        steps.append(
            SimpleNamespace(
                pk=index + 1,
                description=f'Call <the> shelter & ask\nabout the room {index}\n\nthen "write" it down',
                area=area,
                owner=owner,
                status=status,
                owner_institution="Centre for <Social> Work" if owner == StepOwner.OTHER_BODY else None,
                due_on=None if index % 3 == 0 else dt.date(2028, 2, 29) + dt.timedelta(days=index),
                get_area_display=lambda area=area: ActionArea(area).label,
                get_owner_display=lambda owner=owner: StepOwner(owner).label,
                get_status_display=lambda status=status: StepStatus(status).label,
                edit_url=reverse("cases:action_step_edit", kwargs={"pk": 7, "step_pk": index + 1}),
            )
        )
    return steps


@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
@pytest.mark.parametrize("may_change", [True, False])
def test_the_rows_say_what_the_template_said(language, may_change):
    screen = SimpleNamespace(case=SimpleNamespace(pk=7))
    with translation.override(language):
        steps = _steps()
        expected = engines["django"].from_string(TEMPLATE).render({"steps": steps, "may_change": may_change})
        written = "".join(ActionPlanScreen.step_rows(screen, steps, may_change=may_change))
    assert "Call &lt;the&gt; shelter &amp; ask<br>about the room" in written and "Centre for &lt;Social&gt;" in written
    assert ("/action-plan/steps/1/" in written) is may_change and "<td>-</td>" in written
    assert tags_squeezed(written) == tags_squeezed(expected)
