from django import template

from reporting.charts import bar_chart, indicator_chart
from reporting.results import shown

register = template.Library()


@register.simple_tag
def results_chart(indicator):
    return indicator_chart(indicator)


@register.simple_tag
def programme_chart(measure):
    return bar_chart(
        chart_id=f"programme-{measure.code}",
        title=measure.label,
        categories=[title for title, _to_date, _target in measure.rows],
        actuals=[to_date for _title, to_date, _target in measure.rows],
        targets=[target for _title, _to_date, target in measure.rows],
        percent=measure.percent,
    )


@register.filter
def figure(value):
    return shown(value)
