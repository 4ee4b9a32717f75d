"""Small helpers for filling the case pages' forms exactly as a browser would (WebTest)."""

from cases.enums import RISK_QUESTIONS


def check(form, name, values):
    """Tick exactly `values` among the checkboxes called `name`."""
    wanted = {str(value) for value in values}
    for field in form.fields.get(name, []):
        field.checked = field._value in wanted


def answer_risk(form, yes=(), *, answer_rest="no", skip=()):
    for question in RISK_QUESTIONS:
        if question.code not in skip:
            form[f"q_{question.code}"] = "yes" if question.code in set(yes) else answer_rest


def messages_of(page) -> str:
    """The text of the page's messages (success, error, info)."""
    return " ".join(item.text for item in page.html.select(".messages li"))


def errors_of(page) -> str:
    return " ".join(item.text for item in page.html.select(".form-errors, .errorlist"))
