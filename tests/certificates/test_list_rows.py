"""The coordinator's lists, written in the view (certificates.views), say what their template said: the
issued certificates (one replaced by another) and the enrolments awaiting one, in every language."""

from datetime import timedelta

import pytest
from django.db import connection
from django.template import engines
from django.utils import translation

from certificates import selectors
from certificates.services import certificate_issue, certificate_reissue, certificate_revoke
from certificates.views import _awaiting_rows, _certificate_rows
from core import dates
from tests.helpers import tags_squeezed
from trainings.enums import EnrollmentStatus
from trainings.models import Enrollment

pytestmark = pytest.mark.django_db

# Reading the stamp the awaiting count is kept under (reporting.inputs): its row on SQLite; on PostgreSQL its
# sequence, then whether a writer is at work.
STAMP_QUERIES = 2 if connection.vendor == "postgresql" else 1

# The rows as certificates/coordinator_list.html wrote them before they were written in the view.
CERTIFICATES = """{% load i18n %}{% for certificate in certificates %}
<tr>
    <th scope="row"><a href="{% url 'certificates:detail' certificate.pk %}">{{ certificate.serial }}</a></th>
    <td>{{ certificate.holder_name }}</td>
    <td>{{ certificate.programme_title }}</td>
    <td>{{ certificate.issued_on|date:"SHORT_DATE_FORMAT" }}</td>
    <td>{{ certificate.get_status_display }}{% if certificate.replaced_by %} ({% blocktranslate with serial=certificate.replaced_by.serial %}by {{ serial }}{% endblocktranslate %}){% endif %}</td>
</tr>
{% endfor %}"""  # noqa: E501
AWAITING = """{% load i18n %}{% for enrollment in enrollments %}
<tr>
    <th scope="row">{{ enrollment.user.profile.full_name|default:enrollment.user.email }}</th>
    <td>{{ enrollment.edition.programme.title }} ({{ enrollment.edition.start_date|date:"SHORT_DATE_FORMAT" }})</td>
    <td><form method="post" action="{% url 'certificates:issue' enrollment.pk %}">{% csrf_token %}<button type="submit" class="button-small">{% translate "Issue certificate" %}</button></form></td>
</tr>
{% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["en", "da", "sr-latn"])
def test_the_rows_say_what_the_template_said(rf, make_enrollment, coordinator, language):
    replaced = certificate_issue(enrollment=make_enrollment(full_name='Ana <b>"O\'Neil"</b> & co'))
    certificate_reissue(certificate=replaced, holder_name="Maja <i>Šćekić</i>", reason="New name", by=coordinator)
    certificate_issue(enrollment=make_enrollment())
    make_enrollment(full_name="Jelena <script>")
    make_enrollment(full_name="")  # her e-mail address instead
    certificates = list(selectors.certificates_coordinator_list())
    enrollments = selectors.enrollments_awaiting_certificate_page().object_list
    request = rf.get("/certificates/manage/")
    request.user = coordinator
    engine = engines["django"]
    with translation.override(language):
        expected = engine.from_string(CERTIFICATES).render({"certificates": certificates}, request)
        expected += engine.from_string(AWAITING).render({"enrollments": enrollments}, request)
        written = "".join(_certificate_rows(certificates)) + "".join(_awaiting_rows(request, enrollments))
    assert len(certificates) == 3 and len(enrollments) == 2
    assert "Maja &lt;i&gt;Šćekić&lt;/i&gt;" in written and "Jelena &lt;script&gt;" in written
    assert "csrfmiddlewaretoken" in written and written.count(" (") == 3
    assert tags_squeezed(written, tokens_masked=True) == tags_squeezed(expected, tokens_masked=True)


@pytest.mark.parametrize(
    ("asked", "number", "shown"),
    [(None, 1, 2), ("x", 1, 2), ("2.5", 1, 2), ("2", 2, 2), ("3", 3, 1), ("99", 3, 1), ("0", 3, 1), ("-3", 3, 1)],
)
def test_the_awaiting_page_is_the_one_asked_or_the_nearest(
    make_enrollment, asked, number, shown, django_assert_num_queries
):
    """Five awaiting, two a page: the page asked for, the first for no number, the last past either end (as
    Django's Paginator.get_page gives them); the count of them all in one query (after the stamp it is kept
    under), then the page's enrolments, whichever page is asked."""
    made = [make_enrollment() for _ in range(5)]
    with django_assert_num_queries(STAMP_QUERIES + 2):
        page = selectors.enrollments_awaiting_certificate_page(page=asked, per_page=2)
    assert (page.number, page.paginator.count, page.paginator.num_pages) == (number, 5, 3)
    assert len(page.object_list) == shown
    assert all(enrollment in made for enrollment in page.object_list)


def test_the_awaiting_pages_hold_every_completed_enrolment_without_a_current_certificate_oldest_edition_first(
    make_edition, make_enrollment, coordinator
):
    """Counted as a set difference and found edition by edition in the order of their last day: the same
    enrolments, in the same order (last day, then enrolment), as the plain rule gives. A valid or revoked
    certificate takes an enrolment off the list; a replaced one leaves the valid one that replaced it."""
    today = dates.today()
    later = make_edition(start=today - timedelta(days=10))
    earlier = make_edition(start=today - timedelta(days=40))
    same_last_day = make_edition(start=today - timedelta(days=40))
    awaiting_later = [make_enrollment(edition=later) for _ in range(2)]
    awaiting_earlier = [make_enrollment(edition=edition) for edition in (earlier, same_last_day, earlier)]
    certificate_issue(enrollment=make_enrollment(edition=earlier))
    revoked = certificate_issue(enrollment=make_enrollment(edition=earlier))
    certificate_revoke(certificate=revoked, reason="Issued in error", by=coordinator)
    replaced = certificate_issue(enrollment=make_enrollment(edition=later))
    certificate_reissue(certificate=replaced, holder_name="Maja Šćekić", reason="New name", by=coordinator)
    make_enrollment(edition=earlier, status=EnrollmentStatus.NOT_COMPLETED)

    pages = [selectors.enrollments_awaiting_certificate_page(page=number, per_page=2) for number in (1, 2, 3)]

    assert [enrollment for page in pages for enrollment in page.object_list] == awaiting_earlier + awaiting_later
    assert [(page.paginator.count, page.paginator.num_pages) for page in pages] == [(5, 3)] * 3


@pytest.mark.django_db(transaction=True)  # committed, as on a server: see reporting.inputs on PostgreSQL
def test_the_awaiting_count_is_read_back_until_a_change_through_any_door(make_enrollment, django_assert_num_queries):
    made = [make_enrollment() for _ in range(3)]
    assert selectors.enrollments_awaiting_certificate_count() == 3
    with django_assert_num_queries(STAMP_QUERIES):  # read back: not counted again
        assert selectors.enrollments_awaiting_certificate_count() == 3
    certificate_issue(enrollment=made[0])
    assert selectors.enrollments_awaiting_certificate_count() == 2
    # The ORM's update() sends no signal: the database's own stamp sees it.
    Enrollment.objects.filter(pk=made[1].pk).update(status=EnrollmentStatus.NOT_COMPLETED)
    assert selectors.enrollments_awaiting_certificate_count() == 1
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Enrollment._meta.db_table} SET status = %s WHERE id = %s",  # noqa: S608
            [EnrollmentStatus.COMPLETED, made[1].pk],
        )
    assert selectors.enrollments_awaiting_certificate_count() == 2
