"""Trainees from a coordinator's list (CSV or XLSX): read, checked row by row, shown, and only then saved.

`people_read` turns an uploaded file into rows; `import_preview` says for every row what will happen (a new
account or an existing one, a seat or the waitlist) or what is wrong with it. Nothing is written until the
coordinator confirms a preview without errors; `trainings.services.trainees_import` then enrols everyone in
one transaction, and checks again under the edition's lock.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trainings.enums import SEAT_HOLDING_STATUSES, EnrollmentStatus
from trainings.services import PERSON_FIELDS, REUSABLE_STATUSES

MAX_ROWS = 500
MAX_BYTES = 2 * 1024 * 1024
PREVIEW_SALT = "trainings.import"
PREVIEW_MAX_AGE = 60 * 60

# Column headings accepted for each field, in the three languages (compared without case and spaces).
HEADINGS = {
    "email": ("email", "e-mail", "emailaddress", "e-post", "e-mail-adresse", "imejl", "adresa e-pošte", "e-pošta"),
    "full_name": ("full name", "name", "fuldt navn", "navn", "ime i prezime", "ime"),
    "organisation": ("organisation", "organization", "organisation name", "arbejdssted", "organizacija", "ustanova"),
    "job_title": ("job title", "position", "stilling", "stillingsbetegnelse", "radno mesto", "zanimanje"),
    "language": ("language", "sprog", "jezik"),
}
LANGUAGE_WORDS = {
    "en": ("en", "english", "engelsk", "engleski"),
    "da": ("da", "dansk", "danish", "danski"),
    "sr-latn": ("sr", "sr-latn", "sr_latn", "srpski", "serbian", "serbisk"),
}


def _key(heading) -> str:
    return " ".join(str(heading or "").replace("_", " ").split()).casefold()


_FIELD_OF_HEADING = {_key(heading): name for name, headings in HEADINGS.items() for heading in headings}


def _table_read(upload) -> list[list]:
    name = (upload.name or "").lower()
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The file is larger than 2 MB: split the list into smaller files."), code="size")
    content = upload.read()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds of errors for a damaged or disguised file
            raise ValidationError(_("This file could not be read as an Excel workbook (.xlsx)."), code="xlsx") from None
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "cp1250", "cp1252"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - cp1252 decodes almost anything
            raise ValidationError(_("This file's text could not be read."), code="encoding")
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        return list(csv.reader(io.StringIO(text), dialect))
    raise ValidationError(_("Upload a .csv or .xlsx file."), code="type")


def people_read(upload) -> list[dict]:
    """Rows of the file as dicts with the fields found in its heading row, each with its line in the file."""
    table = [
        (line, row) for line, row in enumerate(_table_read(upload), start=1) if any(str(c or "").strip() for c in row)
    ]
    if not table:
        raise ValidationError(_("The file is empty."), code="empty")
    (_heading_line, heading), *rows = table
    columns = {index: _FIELD_OF_HEADING.get(_key(cell)) for index, cell in enumerate(heading)}
    if "email" not in columns.values():
        raise ValidationError(
            _("The first row must name the columns; an “Email” column is needed (and “Full name” for new people)."),
            code="no_email_column",
        )
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            _("The file has more than %(max)d people: split it into smaller files.") % {"max": MAX_ROWS},
            code="too_many",
        )
    people = []
    for line, row in rows:
        person = {"line": line}
        for index, value in enumerate(row):
            name = columns.get(index)
            if name:
                person[name] = " ".join(str(value if value is not None else "").split())
        people.append(person)
    return people


@dataclass
class PreviewRow:
    line: int
    person: dict
    errors: list = field(default_factory=list)
    outcome: str = ""


@dataclass
class Preview:
    rows: list
    new_accounts: int = 0
    seats: int = 0
    waitlist: int = 0

    @property
    def errors(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors

    def people(self) -> list[dict]:
        return [{name: row.person.get(name, "") for name in ("line", *PERSON_FIELDS)} for row in self.rows]


OUTCOME_SEAT = gettext_lazy("will be enrolled")
OUTCOME_WAITLIST = gettext_lazy("will join the waitlist")


def _language(value: str) -> str | None:
    word = value.strip().casefold()
    if not word:
        return ""
    return next((code for code, words in LANGUAGE_WORDS.items() if word in words), None)


def import_preview(*, edition, people: list[dict]) -> Preview:
    """What importing these people into the edition would do, row by row; reads only."""
    from django.contrib.auth import get_user_model

    emails = [person.get("email", "").strip().casefold() for person in people]
    users = {
        user.email_key: user
        for user in get_user_model()
        .objects.annotate(email_key=Lower("email"))
        .filter(email_key__in=[email for email in emails if email])
    }
    enrolled_user_ids = set(edition.enrollments.exclude(status__in=REUSABLE_STATUSES).values_list("user_id", flat=True))
    seats_left = max(0, edition.capacity - edition.enrollments.filter(status__in=SEAT_HOLDING_STATUSES).count())
    waiting = edition.enrollments.filter(status=EnrollmentStatus.WAITLISTED).exists()
    preview = Preview(rows=[])
    seen = set()
    for person, email in zip(people, emails, strict=True):
        row = PreviewRow(line=person["line"], person=person)
        preview.rows.append(row)
        try:
            validate_email(email)
        except ValidationError:
            row.errors.append(_("“%(email)s” is not an email address.") % {"email": person.get("email", "")})
            continue
        if email in seen:
            row.errors.append(_("This email address is already on an earlier row."))
            continue
        seen.add(email)
        language = _language(person.get("language", ""))
        if language is None:
            row.errors.append(
                _("Language “%(value)s” is not known: write en, da or sr.") % {"value": person.get("language")}
            )
        else:
            person["language"] = language
        user = users.get(email)
        if user is None:
            if len(person.get("full_name", "")) < 2:
                row.errors.append(_("A new person needs her full name, as it should print on a certificate."))
        elif user.pk in enrolled_user_ids:
            row.errors.append(_("She is already enrolled in this edition."))
        if row.errors:
            continue
        preview.new_accounts += user is None
        if seats_left > 0 and not waiting:
            seats_left -= 1
            preview.seats += 1
            row.outcome = OUTCOME_SEAT
        else:
            preview.waitlist += 1
            row.outcome = OUTCOME_WAITLIST
    return preview


def preview_token(*, edition, people: list[dict]) -> str:
    """The checked rows, signed, for the confirmation form: what she saw is what is saved."""
    return signing.dumps({"edition": edition.pk, "people": people}, salt=PREVIEW_SALT, compress=True)


def preview_token_read(*, edition, token: str) -> list[dict]:
    try:
        data = signing.loads(token, salt=PREVIEW_SALT, max_age=PREVIEW_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(
            _("This preview is more than an hour old: upload the file again."), code="expired"
        ) from None
    except signing.BadSignature:
        raise ValidationError(_("This preview is not valid: upload the file again."), code="invalid") from None
    if data.get("edition") != edition.pk:
        raise ValidationError(_("This preview is for another edition: upload the file again."), code="other")
    return data["people"]
