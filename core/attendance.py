"""Attendance marks: the rules every app with an attendance screen (groups, trainings) applies the same way.

A mark comes from the attendance form or from a phone that kept it while offline (core/offline.py). Each app
applies its marks in its own service, under a lock on the session's row, and decides each mark here:

- a mark her phone sent before (its id is in the change log) is never applied twice, whatever changed since;
- the later of two marks by the time marked wins, whoever made them, and the one that lost is kept in the
  change log, not applied; she is told when the later one was someone else's change her screen did not show;
- the time marked is what her phone says, kept within what can be true.

The change log itself is written by the database (`change_log_sql`), so a mark changed through any door (a
queryset update, raw SQL) is recorded as surely as one from the screen. A table of marks has the columns
`id`, `status`, `recorded_by_id`, `recorded_at` (marked), `received_at` and `client_id`; its change log has
`changed_by_id`, `changed_at` (received), `marked_at`, a before and an after column per tracked column,
`client_id` (unique) and `applied`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import dates
from core.appendonly import AppendOnlyModel
from core.enums import AttendanceStatus

# A mark kept on a phone is sent within this time or not at all (the phone keeps its copy seven days).
DEVICE_MARK_MAX_AGE = timedelta(days=7)


@dataclass(frozen=True)
class Mark:
    """One person's mark. Marks from her phone also carry the phone's id for the mark, when she made it,
    and the time of the mark her screen showed (None: it showed none), to notice someone else's change."""

    status: str
    children: int = 0  # groups count the children who came with her; trainings have none
    client_id: str | None = None
    marked_at: datetime | None = None
    seen: datetime | None = None


@dataclass(frozen=True)
class SavedMark:
    """The mark the database holds now, as the decision needs it."""

    status: str
    children: int
    by_id: int | None
    at: datetime  # when it was marked


class Outcome:
    SAVED = "saved"  # applied
    UNCHANGED = "unchanged"  # the mark already said this
    ALREADY = "already"  # this very mark was received before: nothing done twice
    SUPERSEDED = "superseded"  # a later mark stands (someone else's, or her own): this one is in the change log
    REFUSED = "refused"  # a rule refused it; `message` says which


@dataclass
class DeviceOutcome:
    client_id: str
    subject_id: int  # a member (groups) or an enrolment (trainings)
    outcome: str
    changed_by_someone_else: bool = False
    status: str = ""
    children: int = 0
    message: str = ""


def device_marked_at(mark: Mark, *, opens_at: datetime, now: datetime) -> datetime:
    """When she marked, as her phone says, kept within what can be true: not before attendance could be
    taken, not after the server received it (a phone's clock can be wrong)."""
    marked = mark.marked_at or now
    return min(max(marked, opens_at), now)


def device_marks_age_check(marks: dict, *, now: datetime) -> None:
    for mark in marks.values():
        if mark.client_id and mark.marked_at and now - mark.marked_at > DEVICE_MARK_MAX_AGE:
            raise ValidationError(
                _("These marks were kept on the phone for more than seven days, so they were not saved.")
            )


def mark_decide(*, subject_id, mark: Mark, saved: SavedMark | None, by_id, marked_at, received_before) -> DeviceOutcome:
    """What becomes of one mark: SAVED (the caller applies it) or why not.

    `received_before` holds the ids of device marks already in the change log. The later mark wins, by the
    time each was made. Someone else's change is named to her only when it is not the mark her screen
    showed (`seen`): a change she saw before marking is hers to overrule without being told.
    """
    someone_else = bool(mark.client_id and saved is not None and saved.by_id != by_id and saved.at != mark.seen)
    outcome = DeviceOutcome(
        client_id=mark.client_id or "", subject_id=subject_id, outcome=Outcome.SAVED,
        changed_by_someone_else=someone_else, status=mark.status, children=mark.children,
    )  # fmt: skip
    if mark.client_id in received_before:
        outcome.outcome, outcome.changed_by_someone_else = Outcome.ALREADY, False
    elif saved is not None and saved.status == mark.status and saved.children == mark.children:
        outcome.outcome = Outcome.UNCHANGED
    elif saved is not None and saved.at > marked_at:
        # The saved mark is the later one: it stands, whoever made it (her own later mark on another screen
        # too: a resend of an older mark from her phone must not undo it); hers goes to the change log, not
        # applied.
        outcome.outcome = Outcome.SUPERSEDED
        outcome.status, outcome.children = saved.status, saved.children
    return outcome


def device_marks_apply(*, marks: dict, apply) -> list[DeviceOutcome]:
    """Marks her phone kept, applied by `apply()` (the app's service): a list of DeviceOutcome.

    A refusal (the session was cancelled meanwhile, its period was locked) comes back as a refused outcome
    for each mark, never as an error, so her phone does not send them again and again.
    """
    if any(not mark.client_id for mark in marks.values()):
        raise ValidationError(_("A mark from a device needs the id the device gave it."))
    try:
        return apply()
    except ValidationError as refusal:
        message = " ".join(refusal.messages)
        return [
            DeviceOutcome(client_id=m.client_id, subject_id=subject_id, outcome=Outcome.REFUSED, message=message)
            for subject_id, m in marks.items()
        ]


# The change log, written by the database -------------------------------------------------------------------


class MarkChange(AppendOnlyModel):
    """A row of an app's change log of marks (see the module's docstring); the app adds the mark it belongs
    to, as `attendance`, and any column it tracks besides the status."""

    append_only_clearable = ("changed_by",)

    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(gettext_lazy("received"), default=dates.now)
    old_status = models.CharField(gettext_lazy("before"), max_length=10, choices=AttendanceStatus.choices, blank=True)
    new_status = models.CharField(gettext_lazy("after"), max_length=10, choices=AttendanceStatus.choices)
    marked_at = models.DateTimeField(gettext_lazy("marked"), null=True, blank=True)
    # Unique: a mark sent again from her phone is recognised and never applied twice.
    client_id = models.CharField(
        gettext_lazy("mark id from the device"), max_length=64, null=True, blank=True, unique=True
    )
    applied = models.BooleanField(gettext_lazy("applied"), default=True)

    class Meta:
        abstract = True
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.attendance_id}: {self.old_status or '-'} -> {self.new_status}"


@dataclass(frozen=True)
class Tracked:
    column: str  # in the table of marks
    before: str  # the log's column for the value before the change
    after: str  # ... and after it
    before_new: str  # SQL for "before" when the mark is new: '' for text, NULL for a number


@dataclass(frozen=True)
class ChangeLog:
    name: str  # of the triggers (and of the PostgreSQL function)
    table: str  # the marks
    log_table: str  # their change log
    mark_column: str  # the log's column naming the mark
    tracked: tuple[Tracked, ...]


def _columns(log: ChangeLog) -> str:
    pairs = ", ".join(f'"{t.before}", "{t.after}"' for t in log.tracked)
    return f'"{log.mark_column}", "changed_by_id", "changed_at", "marked_at", {pairs}, "client_id", "applied"'


def change_log_sql(log: ChangeLog, vendor: str) -> tuple[list[str], list[str]]:
    """(statements that install, statements that remove) the triggers that log every insert and change of a
    mark. The row copies who marked (`recorded_by`), when the mark was made (`recorded_at`), when the server
    received it (`received_at`) and the id her phone gave it. A writer that changes a mark without stamping it
    (no new `recorded_at`) is logged with nobody as the author and the database's clock as the time
    received: the change is visible, not attributed to whoever marked last."""
    columns = _columns(log)
    new = ", ".join(f'{t.before_new}, NEW."{t.column}"' for t in log.tracked)
    old_new = ", ".join(f'OLD."{t.column}", NEW."{t.column}"' for t in log.tracked)
    # Fixed names and SQL throughout: no value from outside the apps' own constants.
    if vendor == "sqlite":
        now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
        stamped = 'NEW."recorded_at" IS NOT OLD."recorded_at"'
        changed = " OR ".join(f'NEW."{t.column}" IS NOT OLD."{t.column}"' for t in log.tracked)
        drop = [f'DROP TRIGGER IF EXISTS "{log.name}_insert"', f'DROP TRIGGER IF EXISTS "{log.name}_update"']
        create = [
            f'CREATE TRIGGER "{log.name}_insert" AFTER INSERT ON "{log.table}" BEGIN '  # noqa: S608
            f'INSERT INTO "{log.log_table}" ({columns}) VALUES (NEW."id", NEW."recorded_by_id", '
            f'COALESCE(NEW."received_at", {now}), NEW."recorded_at", {new}, NEW."client_id", 1); END',
            f'CREATE TRIGGER "{log.name}_update" AFTER UPDATE ON "{log.table}" WHEN {changed} BEGIN '  # noqa: S608
            f'INSERT INTO "{log.log_table}" ({columns}) VALUES (NEW."id", '
            f'CASE WHEN {stamped} THEN NEW."recorded_by_id" END, '
            f'CASE WHEN NEW."received_at" IS NOT OLD."received_at" THEN NEW."received_at" ELSE {now} END, '
            f'CASE WHEN {stamped} THEN NEW."recorded_at" END, {old_new}, '
            'CASE WHEN NEW."client_id" IS NOT OLD."client_id" THEN NEW."client_id" END, 1); END',
        ]
        return drop + create, drop
    if vendor == "postgresql":
        stamped = 'NEW."recorded_at" IS DISTINCT FROM OLD."recorded_at"'
        changed = "\n          OR ".join(f'NEW."{t.column}" IS DISTINCT FROM OLD."{t.column}"' for t in log.tracked)
        function = (
            f'CREATE OR REPLACE FUNCTION "{log.name}"() RETURNS trigger AS $$\n'  # noqa: S608
            "BEGIN\n"
            "    IF TG_OP = 'INSERT' THEN\n"
            f'        INSERT INTO "{log.log_table}" ({columns}) VALUES (NEW."id", NEW."recorded_by_id",\n'
            f'            COALESCE(NEW."received_at", clock_timestamp()), NEW."recorded_at", {new},\n'
            '            NEW."client_id", TRUE);\n'
            f"    ELSIF {changed} THEN\n"
            f'        INSERT INTO "{log.log_table}" ({columns}) VALUES (NEW."id",\n'
            f'            CASE WHEN {stamped} THEN NEW."recorded_by_id" END,\n'
            '            CASE WHEN NEW."received_at" IS DISTINCT FROM OLD."received_at" THEN NEW."received_at"\n'
            "                 ELSE clock_timestamp() END,\n"
            f'            CASE WHEN {stamped} THEN NEW."recorded_at" END, {old_new},\n'
            '            CASE WHEN NEW."client_id" IS DISTINCT FROM OLD."client_id" THEN NEW."client_id" END, TRUE);\n'
            "    END IF;\n"
            "    RETURN NEW;\n"
            "END;\n"
            "$$ LANGUAGE plpgsql"
        )
        drop = [f'DROP TRIGGER IF EXISTS "{log.name}" ON "{log.table}"', f'DROP FUNCTION IF EXISTS "{log.name}"()']
        create = [
            function,
            f'DROP TRIGGER IF EXISTS "{log.name}" ON "{log.table}"',
            f'CREATE TRIGGER "{log.name}" AFTER INSERT OR UPDATE ON "{log.table}" '
            f'FOR EACH ROW EXECUTE FUNCTION "{log.name}"()',
        ]
        return create, drop
    return [], []
