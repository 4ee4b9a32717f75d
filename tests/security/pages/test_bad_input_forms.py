"""Property-based: malformed values in every form of every page, sent as each role that sees the page.

The forms are found the way a person finds them: every URL of the permission matrix is opened as each
role allowed to open it, and each <form> on it is filled with hostile text in every field (a valid
one-time token included, so the values reach validation). Whatever is typed, the answer is never a 500,
and a form that is refused (its errors shown, or an error message after a redirect) saves nothing.

Every form gets every example's hostile values. The roles that share a form (the same action and fields)
take turns: each example sends it as one of them, and over the examples each role sends it at least once.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.db import connection
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from core.security import FORM_TOKEN_FIELD, form_token_issue
from tests.security.matrix import MATRIX, forms_of
from tests.security.matrix_world import ROLES
from tests.security.test_bad_input import nasty_text

# Forms whose acceptance ends the test's session or leaves the site: not what this test is about.
SKIPPED_ACTIONS = ("/accounts/logout/", "/i18n/setlang/", "/me/delete/", "/leave/")
NOT_FILLED = {"csrfmiddlewaretoken", FORM_TOKEN_FIELD}
POOL_SIZE = 13  # a prime: neighbouring fields and forms get different values
EXAMPLES = 6
# Rows that a refused form may still write: the audit of what was viewed, spent tokens, sessions.
UNCOUNTED_APPS = {"audit", "sessions", "contenttypes", "auth", "admin", "wagtailcore", "django_tasks_database"}
COUNTED_APPS = {"accounts", "groups", "counseling", "cases", "trainings", "certificates", "reporting", "website"}


@dataclass(frozen=True)
class FoundForm:
    role: str
    page: str
    action: str
    method: str
    fields: tuple
    seat: int = 0  # this role's place among the roles that share the form
    seats: int = 1

    def in_turn(self, turn):
        """With as many roles as examples or fewer, one role an example; with more, every sixth role."""
        cycle = min(self.seats, EXAMPLES)
        return self.seat % cycle == turn % cycle


@dataclass
class Crawl:
    clients: dict
    forms: list
    turns: dict = field(default_factory=dict)  # a pool of values -> its turn, the same when Hypothesis replays it
    sent: set = field(default_factory=set)


def _forms_of_every_page(every_page):
    found, seen = [], set()
    for name, answers in sorted(MATRIX.items()):
        for role in ROLES:
            if answers[role] != "200" or role == "anonymous" and name != "counseling:intake":
                continue
            visit = every_page.visits.get((name, role))
            if visit is None or not visit.html:
                continue
            page = visit.url
            for form in forms_of(visit.html):
                action = urlsplit(urljoin(page, form["action"] or page)).path
                key = (role, action, form["method"].lower(), tuple(sorted(set(form["f"]))))
                if action.startswith(SKIPPED_ACTIONS) or action.startswith("/admin/") or key in seen:
                    continue
                seen.add(key)
                found.append(FoundForm(role, page, action, key[2], key[3]))
    sharing = defaultdict(list)
    for form in found:
        sharing[form.action, form.method, form.fields].append(form)
    return [replace(form, seat=seat, seats=len(roles)) for roles in sharing.values() for seat, form in enumerate(roles)]


def _counted_tables():
    return [
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label in COUNTED_APPS and not model._meta.proxy and model._meta.managed
    ]


def _rows(tables):
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + " + ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables))  # noqa: S608 - model table names
        return cursor.fetchone()[0]


def _refused(client, response):
    if response.status_code == 200:
        content = response.content.decode(errors="replace")
        return 'class="errorlist' in content or 'class="form-errors"' in content or "message-error" in content
    if response.status_code == 302:
        follow = client.get(response["Location"])
        return follow.status_code == 200 and "message-error" in follow.content.decode(errors="replace")
    return response.status_code in (400, 403, 404, 405, 409, 429)


@pytest.fixture
def found(every_page):
    crawl = Crawl(every_page.clients, _forms_of_every_page(every_page))
    yield crawl
    # Every role has sent every form it can see: the turns reached them all.
    assert len(crawl.turns) == EXAMPLES, len(crawl.turns)
    assert crawl.sent == set(crawl.forms), [f for f in crawl.forms if f not in crawl.sent][:5]


@pytest.mark.slow
@pytest.mark.django_db
# No shrinking: the failure already names the form and its values, and shrinking across every form of the
# project runs for many minutes.
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
)
@given(data=st.data())
def test_every_form_refuses_hostile_values_without_a_500_and_saves_nothing(found, data):
    forms = found.forms
    assert len(forms) > 30, [f.action for f in forms]  # the finder really found the project's forms
    tables = _counted_tables()
    # One pool of hostile values per example, dealt out to every field of every form: drawing per field made
    # an example larger than Hypothesis keeps (it was thrown away and redrawn, for many minutes).
    pool = data.draw(st.lists(nasty_text, min_size=POOL_SIZE, max_size=POOL_SIZE), label="hostile values")
    turn = found.turns.setdefault(tuple(pool), len(found.turns))
    for number, form in enumerate(forms):
        if not form.in_turn(turn):
            continue
        found.sent.add(form)
        client = found.clients[form.role]
        values = {name: pool[(number + offset) % POOL_SIZE] for offset, name in enumerate(form.fields)}
        values = {k: v for k, v in values.items() if k not in NOT_FILLED}
        before = _rows(tables)
        if form.method == "post":
            if FORM_TOKEN_FIELD in form.fields:
                values[FORM_TOKEN_FIELD] = form_token_issue()
            response = client.post(form.action, values)
        else:
            response = client.get(form.action, values)
        assert response.status_code < 500, form
        if _refused(client, response):
            assert _rows(tables) == before, f"a refused form saved something: {form}"
