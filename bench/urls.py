"""The site's URLs plus the floor pages the benchmarks compare every page with (never served by the site)."""

import io

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.template import engines
from django.urls import path, reverse

from core.exports import XLSX_CONTENT_TYPE
from website.urls import handler400, handler403, handler404, handler500  # noqa: F401 - the site's error pages
from website.urls import urlpatterns as site_urlpatterns

TEMPLATE = engines["django"].from_string(
    "<!DOCTYPE html><html><body><ul>{% for user in users %}<li>{{ user.email }}</li>{% endfor %}</ul>"
    "<p>{{ padding }}</p></body></html>"
)


def floor_page(request, size):
    """A page of `size` bytes from one query and one template, nothing else."""
    users = list(get_user_model().objects.all()[:50])
    body = TEMPLATE.render({"users": users, "padding": ""}, request)
    padding = "x" * max(0, size - len(body.encode()))
    return HttpResponse(TEMPLATE.render({"users": users, "padding": padding}, request))


def floor_url(size: int) -> str:
    return reverse("bench_floor", args=[size])


# A workbook's floor is not an HTML page of its bytes: a workbook is compressed XML, so the same bytes hold
# several times the content. Its floor is the same cells written as a bare workbook: the sheets of a page
# the harness answered with (bench.harness.page), by key.
FLOOR_WORKBOOKS: dict[int, list[tuple[str, list[tuple]]]] = {}


def floor_workbook_register(content: bytes) -> int:
    """Keep the sheets and cell values of a workbook a page answered with; the key of its floor."""
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    sheets = [(sheet.title, [tuple(row) for row in sheet.iter_rows(values_only=True)]) for sheet in workbook]
    workbook.close()
    key = len(FLOOR_WORKBOOKS) + 1
    FLOOR_WORKBOOKS[key] = sheets
    return key


def floor_workbook(request, key):
    """The same sheets and cells as the page's workbook, from one query, written with the same library and
    nothing else: no formats, widths, row heights, print setup or charts."""
    import xlsxwriter

    list(get_user_model().objects.all()[:50])  # the one query every floor makes
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    for title, rows in FLOOR_WORKBOOKS[key]:
        sheet = workbook.add_worksheet(title)
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                if value is not None:
                    sheet.write(row, column, value)
    workbook.close()
    return HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)


def floor_workbook_url(key: int) -> str:
    return reverse("bench_floor_workbook", args=[key])


urlpatterns = [
    path("_bench/floor/<int:size>/", floor_page, name="bench_floor"),
    path("_bench/floor-workbook/<int:key>/", floor_workbook, name="bench_floor_workbook"),
    *site_urlpatterns,
]
