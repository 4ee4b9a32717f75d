"""Donor reports through disclosure control: which reports a reader already holds, what the new one may
show, and the method in plain words for the page and the XLSX cover.

reporting.disclosure does the arithmetic on plain figures; this module feeds it the project's published
reports (every snapshot ever taken: a report unlocked and submitted again was read in both versions) and
says what it decided in the reader's language.
"""

import hashlib
import json
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext as _

from reporting.disclosure import HIDDEN, ROUND, Instance, Policy, Protection, protect, shown_figures, shown_of
from reporting.enums import DisclosureMethod

FIGURES_VERSION = 2


def project_policy(project) -> Policy:
    return Policy(
        method=ROUND if project.disclosure_method == DisclosureMethod.ROUND else project.disclosure_method,
        threshold=project.suppression_threshold,
        publish_zeros=project.publish_zeros,
    )


def figures_policy(figures: dict) -> Policy:
    """The policy a report was protected with. Reports frozen before disclosure control (version 1) kept
    the largest hidden count as "threshold"; they hid zero never."""
    if "disclosure" in figures:
        return Policy.from_dict(figures["disclosure"])
    return Policy(threshold=int(figures.get("threshold", 4)) + 1, publish_zeros=True)


def report_schema():
    from reporting.measures import schema

    return schema()


@dataclass
class PeriodPlace:
    order: dict  # period id -> its place in the project
    first: dict  # period id -> starts with the project


def period_places(project) -> PeriodPlace:
    periods = list(project.periods.order_by("start_date").values_list("id", "start_date"))
    return PeriodPlace(
        order={pk: index for index, (pk, _start) in enumerate(periods)},
        first={pk: start <= project.start_date for pk, start in periods},
    )


def _instance(period_id, figures: dict, places: PeriodPlace, *, shown=None, schema=None) -> Instance:
    """A report a reader may hold, at its period's place; with what it showed, where that is known."""
    instance = Instance(
        order=places.order[period_id], figures=figures, policy=figures_policy(figures), first=places.first[period_id]
    )
    if shown is not None:
        instance.shown = shown_of(figures, shown, schema)
    return instance


def published_instances(project, places: PeriodPlace, *, schema, snapshots=None) -> list[Instance]:
    """Every report of the project a reader may hold, oldest first, with what it showed."""
    from reporting.models import ReportSnapshot

    if snapshots is None:
        snapshots = ReportSnapshot.objects.filter(period__project=project).order_by("created_at", "id")
    instances = []
    for snapshot in snapshots:
        figures = snapshot.data
        if snapshot.period_id not in places.order:
            continue
        instance = _instance(snapshot.period_id, figures, places, shown=figures.get("published"), schema=schema)
        if "published" not in figures:
            # Frozen before disclosure control: protected now, as the first report after the earlier ones.
            instance.shown = protect(
                figures=figures,
                order=instance.order,
                first=instance.first,
                policy=instance.policy,
                published=instances,
                schema=schema,
            ).shown
        instances.append(instance)
    return instances


# Bumped whenever what protect() chooses changes, so that no protection cached by older code is reused.
PROTECTION_VERSION = 3
PROTECTION_CACHE_SECONDS = 24 * 60 * 60


def report_protect(*, period, figures: dict, snapshots=None, drafts=()) -> Protection:
    """What the period's report may show, given every report of the project published so far, and the
    reports of earlier periods not yet frozen as they stand (`drafts`: period, figures, what it shows):
    those can be downloaded too, and a reader holding one beside this one must not subtract a hidden count.

    Protecting is the costly part of a live report (linear programs over all the project's reports), and it
    is a function of its inputs alone: this report's figures, its place, and the published reports. So it is
    kept in the cache under a digest of exactly those; any change of a figure or a newly frozen report gives
    another key."""
    from reporting.models import ReportSnapshot

    schema = report_schema()
    project = period.project
    places = period_places(project)
    named = snapshots
    if named is None:
        # A snapshot is written once (AppendOnlyModel): its id and the time it was made name its figures, which
        # are read only when the protection has to be worked out (reading and digesting every frozen report's
        # figures was a tenth of a live report's first view after a change, at ten times the data set).
        named = list(
            ReportSnapshot.objects.filter(period__project=project)
            .order_by("created_at", "id")
            .only("id", "period_id", "created_at")
        )
    order, first = places.order[period.pk], places.first[period.pk]
    key = _protection_key(figures, order, first, places, named, drafts)
    protection = cache.get(key)
    if protection is None:
        if snapshots is None:
            snapshots = ReportSnapshot.objects.filter(pk__in=[snapshot.pk for snapshot in named]).order_by(
                "created_at", "id"
            )
        published = published_instances(project, places, schema=schema, snapshots=snapshots)
        published += [
            _instance(draft.pk, draft_figures, places, shown=shown, schema=schema)
            for draft, draft_figures, shown in drafts
        ]
        protection = protect(
            figures=figures,
            order=order,
            first=first,
            policy=figures_policy(figures),
            published=published,
            schema=schema,
        )
        cache.set(key, protection, PROTECTION_CACHE_SECONDS)
    return protection


def _counted(figures: dict) -> dict:
    return {name: value for name, value in figures.items() if name not in ("computed_at", "narrative")}


def _protection_key(figures: dict, order: int, first: bool, places: PeriodPlace, snapshots, drafts) -> str:
    counted = _counted(figures)
    published = [
        (
            places.order.get(snapshot.period_id),
            places.first.get(snapshot.period_id),
            snapshot.pk,
            snapshot.created_at.isoformat(),
        )
        for snapshot in snapshots
    ]
    shown_drafts = [(places.order.get(draft.pk), _counted(counts), shown) for draft, counts, shown in drafts]
    text = json.dumps([PROTECTION_VERSION, counted, order, first, published, shown_drafts], sort_keys=True, default=str)
    return "reporting:protection:" + hashlib.sha256(text.encode()).hexdigest()


def published_report(figures: dict, protection: Protection) -> dict:
    """What a snapshot keeps besides the true figures: the report exactly as it was published."""
    return shown_figures(figures, protection.shown, report_schema())


def method_paragraphs(policy: Policy) -> list[str]:
    """The method in plain words, for the page and the XLSX cover."""
    if policy.method == ROUND:
        first = _(
            "To protect the women we work with, every count of survivors is rounded to the nearest multiple "
            "of 5 (0 stands for 0 to 2, 5 for 3 to 7, and so on). Each figure is rounded on its own, so "
            "totals may not add up exactly."
        )
    elif policy.publish_zeros:
        first = _(
            "To protect the women we work with, counts of survivors from 1 to %(largest)s are not shown. "
            "A count of zero is shown."
        ) % {"largest": policy.threshold - 1}
    else:
        first = _(
            "To protect the women we work with, counts of survivors below %(threshold)s, zero included, are not shown."
        ) % {"threshold": policy.threshold}
        # reporting.disclosure._nothing_took_place: a zero beside no session held is shown.
        first += " " + _(
            "Where nothing took place (no session was held), the count is shown as 0: it tells nothing about anyone."
        )
    return [
        first,
        _(
            "Other figures are hidden as well wherever adding or subtracting the figures shown, in this report "
            "or together with the project's earlier reports, would give a hidden count away. Every hidden "
            "figure is shown as “%(hidden)s”, whatever its size."
        )
        % {"hidden": HIDDEN},
        _(
            "Before a report is produced, each protected count is checked against all figures the project has "
            "published: they must leave it at least %(width)s possible values. Figures about professionals and "
            "activities are shown as they are."
        )
        % {"width": policy.threshold + 1 if policy.method != ROUND else 3},
    ]
