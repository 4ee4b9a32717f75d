"""Writes for case work. Every function is keyword-only, asks the same rule as the page (cases/rules.py),
validates, writes its audit entry, and raises ValidationError (or PermissionDenied) without saving
anything. `request`, when a page or the admin calls, only lends the audit entry its address."""

import datetime as dt
import json
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.enums import AuditAction
from audit.services import audit_record, audit_record_many
from cases import rules, selectors
from cases.enums import (
    RISK_LEVEL_ORDER,
    RISK_QUESTION_CODES,
    ActivityStatus,
    AgeBand,
    CaseEventKind,
    CaseOutcome,
    ChildSupport,
    ConferenceStatus,
    DataCategory,
    DisclosureFormat,
    JournalKind,
    NeedArea,
    NeedLevel,
    ReferralStatus,
    RiskLevel,
    RiskReply,
    SafetyPlanSection,
    StepChangeKind,
    StepOwner,
)
from cases.models import (
    ActionPlan,
    ActionStep,
    ActionStepChange,
    AftercareActivity,
    Case,
    CaseChild,
    CaseClosedError,
    CaseConference,
    CaseEvent,
    CaseJournalEntry,
    ConferenceDecision,
    ConferenceParticipant,
    ConsentRecord,
    CtiCourse,
    CtiGoal,
    CtiReview,
    Disclosure,
    FollowUpAction,
    InformationGiven,
    MinutesFinalError,
    Need,
    NeedsAssessment,
    Referral,
    ReferralStatusChange,
    RiskAnswer,
    RiskAssessment,
    SafetyPlan,
    SafetyPlanVersion,
    ShelterStay,
)
from core import dates


def _stale_error():
    return ValidationError(
        _(
            "Someone else changed this plan after you opened it. Nothing was saved: "
            "reload the page, check their changes and make yours again."
        ),
        code="stale",
    )


def _require(by, perm, obj):
    """The page's own rule, asked again here, so the admin, a command or a test meet it too."""
    if by is not None and by.has_perm(perm, obj):
        return
    case = obj if isinstance(obj, Case) else getattr(obj, "case", None)
    if case is not None and case.closed_on is not None:
        raise CaseClosedError()
    raise PermissionDenied(_("You may not do this in this case."))


def _audit(by, action, obj, detail, request=None):
    audit_record(actor=by, action=action, obj=obj, request=request, detail=detail)


def _date_check(day, field, message=None):
    if day is not None and not dates.is_sensible_date(day):
        raise ValidationError({field: ValidationError(message or _("Enter a real date."), code="date_out_of_range")})


def record_viewed(*, by, obj, detail, request=None) -> None:
    """Reading survivor data is audited like changing it: every page of a case calls this once."""
    _audit(by, AuditAction.VIEW, obj, detail, request)


def records_listed(*, by, objects, detail, request=None) -> None:
    audit_record_many(actor=by, action=AuditAction.VIEW, objects=objects, request=request, detail=detail)


# Cases


@transaction.atomic
def case_open(
    *, client, lead_counselor, opened_on, by, counselors=(), risk_review_weeks=None, project=None, request=None
) -> Case:
    if not by.has_perm("cases.add_case") or not rules.clients_for_new_case(by).filter(pk=client.pk).exists():
        raise PermissionDenied(_("You may not open a case for this client."))
    _date_check(opened_on, "opened_on")
    if opened_on > dates.today():
        raise ValidationError({"opened_on": ValidationError(_("A case cannot open in the future."), code="future")})
    if Case.objects.filter(client=client, closed_on__isnull=True).exists():
        raise ValidationError(_("This client already has an open case."), code="open_case_exists")
    case = Case.objects.create(
        client=client,
        lead_counselor=lead_counselor,
        opened_on=opened_on,
        risk_review_weeks=risk_review_weeks,
        project=project,
        created_by=by,
    )
    others = [c for c in counselors if c.pk != lead_counselor.pk]
    if others:
        case.counselors.set(others)
    SafetyPlan.objects.create(case=case)
    ActionPlan.objects.create(case=case)
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.OPENED,
        at=dates.now(),
        by=by,
        on=opened_on,
        lead_after=lead_counselor,
        coworkers_after=sorted(c.pk for c in others),
    )
    _audit(by, AuditAction.CREATE, case, "case opened", request)
    return case


@transaction.atomic
def case_close(*, case, closed_on, outcome, reason, by, request=None) -> Case:
    """Closing freezes every record of the case until a coordinator or its lead counselor reopens it."""
    case = Case.objects.select_for_update().select_related("lead_counselor").get(pk=case.pk)
    if case.closed_on:
        raise ValidationError(_("This case is already closed."), code="closed")
    _require(by, "cases.close_case", case)
    _date_check(closed_on, "closed_on")
    if closed_on < case.opened_on:
        raise ValidationError(
            {"closed_on": ValidationError(_("A case cannot close before it was opened."), code="close_before_open")}
        )
    if closed_on > dates.today():
        raise ValidationError({"closed_on": ValidationError(_("A case cannot close in the future."), code="future")})
    if outcome not in CaseOutcome.values:
        raise ValidationError({"outcome": ValidationError(_("Choose how the case ended."), code="outcome_required")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(_("Say why the case is closed."), code="reason_required")})
    case.closed_on, case.outcome, case.closure_reason = closed_on, outcome, reason
    case.save(update_fields=["closed_on", "outcome", "closure_reason"])
    CaseEvent.objects.create(
        case=case, kind=CaseEventKind.CLOSED, at=dates.now(), by=by, on=closed_on, outcome=outcome, reason=reason
    )
    _audit(by, AuditAction.CHANGE, case, "case closed", request)
    return case


@transaction.atomic
def case_reopen(*, case, reason, by, request=None) -> Case:
    """A reasoned, logged step: the reopening is written to the case's history before the case opens."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.closed_on is None:
        raise ValidationError(_("This case is open."), code="open")
    if not by.has_perm("cases.reopen_case", case):
        raise PermissionDenied(_("Only a coordinator or the case's lead counselor may reopen it."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(_("Say why the case is reopened."), code="reason_required")})
    CaseEvent.objects.create(
        case=case, kind=CaseEventKind.REOPENED, at=dates.now(), by=by, on=dates.today(), reason=reason
    )
    case.closed_on, case.outcome, case.closure_reason = None, "", ""
    case.save(update_fields=["closed_on", "outcome", "closure_reason"])
    _audit(by, AuditAction.CHANGE, case, "case reopened", request)
    return case


@transaction.atomic
def case_reassign(*, case, lead_counselor, counselors, reason, by, request=None) -> Case:
    """A coordinator hands a case over: a new lead counselor, other co-workers, or both. The reason and
    who worked on it before and after go to the case's history, and whoever joins it is told."""
    case = Case.objects.select_for_update().select_related("lead_counselor").get(pk=case.pk)
    _require(by, "cases.reassign_case", case)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(_("Say why the case is handed over."), code="reason_required")}
        )
    if not lead_counselor.active:
        raise ValidationError(
            {"lead_counselor": ValidationError(_("This counselor is not active."), code="inactive_counselor")}
        )
    lead_before = case.lead_counselor
    before = sorted(case.counselors.values_list("pk", flat=True))
    after = sorted({counselor.pk for counselor in counselors} - {lead_counselor.pk})
    if lead_before.pk == lead_counselor.pk and before == after:
        raise ValidationError(
            _("Nothing changed: choose another lead counselor or other co-workers."), code="unchanged"
        )
    case.lead_counselor = lead_counselor
    case.save(update_fields=["lead_counselor"])
    case.counselors.set(after)
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.REASSIGNED,
        at=dates.now(),
        by=by,
        on=dates.today(),
        reason=reason,
        lead_before=lead_before,
        lead_after=lead_counselor,
        coworkers_before=before,
        coworkers_after=after,
    )
    joined = set(after) - set(before)
    if lead_counselor.pk != lead_before.pk:
        joined.add(lead_counselor.pk)
    if joined:
        from cases import tasks

        transaction.on_commit(
            partial(tasks.case_handover_notify.enqueue, case_id=case.pk, counselor_ids=sorted(joined))
        )
    _audit(by, AuditAction.CHANGE, case, "case handed over", request)
    return case


def case_handover_notify(*, case_id: int, counselor_ids: list[int]) -> int:
    """Tell each counselor who joined a case. The message names the case's number only: no alias, nothing
    about her, because email leaves the organisation's systems."""
    from django.conf import settings
    from django.core.mail import EmailMessage
    from django.urls import reverse
    from django.utils import translation

    from counseling.models import CounselorProfile

    sent = 0
    url = settings.WAGTAILADMIN_BASE_URL + reverse("cases:case_detail", args=[case_id])
    for counselor in CounselorProfile.objects.filter(pk__in=counselor_ids).select_related("user__profile"):
        user = counselor.user
        if not user.email or not user.is_active:
            continue
        language = getattr(getattr(user, "profile", None), "preferred_language", None) or settings.LANGUAGE_CODE
        with translation.override(language):
            subject = _("A case was handed over to you")
            body = _("A coordinator handed case %(number)s over to you. It is on your caseload now:\n%(url)s") % {
                "number": case_id,
                "url": url,
            }
        EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email]).send()
        sent += 1
    return sent


# Needs


@transaction.atomic
def needs_assessment_record(*, case, assessed_on, needs: dict, by, request=None) -> NeedsAssessment:
    """`needs` maps each NeedArea value to (level, notes); a new assessment keeps the old ones as history."""
    _require(by, "cases.change_case", case)
    _date_check(assessed_on, "assessed_on")
    unknown = set(needs) - set(NeedArea.values)
    if unknown:
        raise ValidationError(_("Unknown area of need."), code="unknown_area")
    for level, _notes in needs.values():
        if level not in NeedLevel.values:
            raise ValidationError(_("Unknown level of need."), code="unknown_level")
    assessment = NeedsAssessment.objects.create(case=case, assessed_on=assessed_on, assessed_by=by)
    Need.objects.bulk_create(
        Need(
            assessment=assessment,
            area=area,
            level=needs.get(area, (NeedLevel.NONE, ""))[0],
            notes=needs.get(area, ("", ""))[1],
        )
        for area in NeedArea.values
    )
    _audit(by, AuditAction.CREATE, assessment, "needs assessment", request)
    return assessment


# Risk


def _risk_replies(answers: dict) -> dict[str, str]:
    """Every question answered: yes, no, don't know or not asked (True and False mean yes and no)."""
    if set(answers) != RISK_QUESTION_CODES:
        raise ValidationError(_("Answer every question of the risk checklist."), code="incomplete")
    replies = {}
    for code, value in answers.items():
        reply = {True: RiskReply.YES, False: RiskReply.NO}.get(value, value)
        if reply not in RiskReply.values:
            raise ValidationError(_("Unknown answer to a question of the risk checklist."), code="unknown_answer")
        replies[code] = reply
    return replies


@transaction.atomic
def risk_assessment_record(
    *,
    case,
    assessed_on,
    answers: dict,
    by,
    notes="",
    raise_to="",
    judgement_reason="",
    next_due_on=None,
    request=None,
) -> RiskAssessment:
    """The checklist's score gives a level; her counselor's professional judgement may raise it (never
    lower it), with the reason. The next assessment is due after the case's interval, or earlier."""
    _require(by, "cases.change_case", case)
    _date_check(assessed_on, "assessed_on")
    replies = _risk_replies(answers)
    if assessed_on > dates.today():
        raise ValidationError(_("A risk assessment cannot be dated in the future."), code="future")
    settings = selectors.risk_settings()
    score = selectors.risk_score(replies)
    scored_level = selectors.risk_level_for(score, settings)
    level = scored_level
    judgement_reason = (judgement_reason or "").strip()
    if raise_to:
        if raise_to not in RiskLevel.values or RISK_LEVEL_ORDER[raise_to] <= RISK_LEVEL_ORDER[scored_level]:
            raise ValidationError(
                {
                    "raise_to": ValidationError(
                        _("Professional judgement can only raise the level above the score's (%(level)s).")
                        % {"level": RiskLevel(scored_level).label},
                        code="not_higher",
                    )
                }
            )
        if not judgement_reason:
            raise ValidationError(
                {
                    "judgement_reason": ValidationError(
                        _("Say why your professional judgement raises the level."), code="reason_required"
                    )
                }
            )
        level = raise_to
    weeks = selectors.risk_review_weeks(case=case, settings=settings)
    latest_due = assessed_on + dt.timedelta(weeks=weeks)
    if next_due_on is not None:
        _date_check(next_due_on, "next_due_on")
        if not assessed_on < next_due_on <= latest_due:
            raise ValidationError(
                {
                    "next_due_on": ValidationError(
                        _("The next assessment is due after this one and at the latest on %(date)s.")
                        % {"date": latest_due.isoformat()},
                        code="next_due_out_of_range",
                    )
                }
            )
    assessment = RiskAssessment.objects.create(
        case=case,
        assessed_on=assessed_on,
        assessed_by=by,
        score=score,
        scored_level=scored_level,
        judgement_raised=bool(raise_to),
        judgement_reason=judgement_reason if raise_to else "",
        level=level,
        next_due_on=next_due_on or latest_due,
        notes=notes,
    )
    RiskAnswer.objects.bulk_create(
        RiskAnswer(assessment=assessment, question=code, answer=reply) for code, reply in replies.items()
    )
    _audit(by, AuditAction.CREATE, assessment, "risk assessment", request)
    return assessment


# Safety plan


@transaction.atomic
def safety_plan_save(
    *, case, sections: dict[str, str], expected_version: int, by, now=None, request=None
) -> SafetyPlan:
    """Save the plan if nobody saved it since `expected_version` was read, and keep this state as a version.

    `now` is for demo data that tells a plan's history; people always save at the present moment.
    """
    _require(by, "cases.change_case", case)
    plan, _created = SafetyPlan.objects.get_or_create(case=case)
    plan = SafetyPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.version != expected_version:
        raise _stale_error()
    unknown = set(sections) - set(SafetyPlanSection.values)
    if unknown:
        raise ValidationError(_("Unknown section of the safety plan."), code="unknown_section")
    changed = [name for name in SafetyPlanSection.values if sections.get(name, "") != getattr(plan, name)]
    if not changed:
        return plan
    for name in SafetyPlanSection.values:
        setattr(plan, name, sections.get(name, ""))
    now = now or dates.now()
    plan.version += 1
    plan.updated_at = now
    plan.updated_by = by
    plan.save()
    SafetyPlanVersion.objects.create(
        plan=plan,
        version=plan.version,
        sections=json.dumps({name: getattr(plan, name) for name in SafetyPlanSection.values}),
        changed_sections=changed,
        saved_at=now,
        saved_by=by,
    )
    _audit(by, AuditAction.CHANGE, plan, f"safety plan v{plan.version}", request)
    return plan


# Action plan

STEP_FIELDS = ("area", "description", "owner", "owner_institution", "due_on", "status")


def _step_snapshot(step) -> str:
    return json.dumps(
        {
            "id": step.pk,
            "area": step.area,
            "area_label": str(step.get_area_display()),
            "description": step.description,
            "owner": step.owner,
            "owner_label": str(step.get_owner_display()),
            "owner_institution": step.owner_institution.name if step.owner_institution else "",
            "due_on": step.due_on.isoformat() if step.due_on else None,
            "status": step.status,
            "status_label": str(step.get_status_display()),
        }
    )


def _step_validate(fields):
    _date_check(fields.get("due_on"), "due_on")
    if fields.get("owner") == StepOwner.OTHER_BODY and not fields.get("owner_institution"):
        raise ValidationError(
            {
                "owner_institution": ValidationError(
                    _("Name the body that takes this step."), code="institution_required"
                )
            }
        )
    if fields.get("owner") != StepOwner.OTHER_BODY:
        fields["owner_institution"] = None
    if not (fields.get("description") or "").strip():
        raise ValidationError({"description": ValidationError(_("Describe the step."), code="description_required")})


def _plan_lock(plan, expected_version, by, now):
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.version != expected_version:
        raise _stale_error()
    plan.version += 1
    plan.updated_at = now
    plan.updated_by = by
    plan.save(update_fields=["version", "updated_at", "updated_by"])
    return plan


@transaction.atomic
def action_step_add(*, case, expected_version: int, by, request=None, **fields) -> ActionStep:
    _require(by, "cases.change_case", case)
    _step_validate(fields)
    now = dates.now()
    plan, _created = ActionPlan.objects.get_or_create(case=case)
    plan = _plan_lock(plan, expected_version, by, now)
    step = ActionStep.objects.create(plan=plan, **{name: fields.get(name) for name in STEP_FIELDS if name in fields})
    ActionStepChange.objects.create(
        step=step,
        plan_version=plan.version,
        kind=StepChangeKind.ADDED,
        snapshot=_step_snapshot(step),
        changed_fields=[name for name in STEP_FIELDS if fields.get(name)],
        changed_at=now,
        changed_by=by,
    )
    _audit(by, AuditAction.CREATE, step, "action step added", request)
    return step


@transaction.atomic
def action_step_change(*, step, expected_version: int, by, request=None, **fields) -> ActionStep:
    _require(by, "cases.change_case", step.plan.case)
    if step.removed_at:
        raise ValidationError(_("This step was removed from the plan."), code="removed")
    _step_validate(fields)
    changed = [name for name in STEP_FIELDS if name in fields and fields[name] != getattr(step, name)]
    if not changed:
        return step
    now = dates.now()
    plan = _plan_lock(step.plan, expected_version, by, now)
    for name in changed:
        setattr(step, name, fields[name])
    step.save()
    ActionStepChange.objects.create(
        step=step,
        plan_version=plan.version,
        kind=StepChangeKind.CHANGED,
        snapshot=_step_snapshot(step),
        changed_fields=changed,
        changed_at=now,
        changed_by=by,
    )
    _audit(by, AuditAction.CHANGE, step, "action step changed", request)
    return step


@transaction.atomic
def action_step_remove(*, step, expected_version: int, by, request=None) -> ActionStep:
    _require(by, "cases.change_case", step.plan.case)
    if step.removed_at:
        raise ValidationError(_("This step was removed from the plan."), code="removed")
    now = dates.now()
    _plan = _plan_lock(step.plan, expected_version, by, now)
    step.removed_at = now
    step.save(update_fields=["removed_at"])
    ActionStepChange.objects.create(
        step=step,
        plan_version=_plan.version,
        kind=StepChangeKind.REMOVED,
        snapshot=_step_snapshot(step),
        changed_at=now,
        changed_by=by,
    )
    _audit(by, AuditAction.DELETE, step, "action step removed", request)
    return step


# Information given


@transaction.atomic
def information_record(*, case, topics, given_on, by, notes="", request=None) -> list[InformationGiven]:
    _require(by, "cases.change_case", case)
    _date_check(given_on, "given_on")
    if not topics:
        raise ValidationError(_("Choose at least one right or service that was explained."), code="no_topic")
    rows = InformationGiven.objects.bulk_create(
        InformationGiven(case=case, topic=topic, given_on=given_on, notes=notes, given_by=by) for topic in topics
    )
    _audit(by, AuditAction.CHANGE, case, "information given", request)
    return rows


# Consent and disclosure


def _categories_check(categories):
    if not categories:
        raise ValidationError(_("Choose at least one category of data."), code="no_category")
    if set(categories) - set(DataCategory.values):
        raise ValidationError(_("Unknown category of data."), code="unknown_category")


@transaction.atomic
def consent_record(
    *, case, recipient, categories, purpose, given_how, valid_from, valid_until, by, request=None
) -> ConsentRecord:
    _require(by, "cases.change_case", case)
    _categories_check(categories)
    _date_check(valid_from, "valid_from")
    _date_check(valid_until, "valid_until")
    if valid_until < valid_from:
        raise ValidationError(_("A consent cannot end before it starts."), code="until_before_from")
    if not purpose.strip():
        raise ValidationError(_("Say for what purpose she agreed to share her data."), code="purpose_required")
    consent = ConsentRecord.objects.create(
        case=case,
        recipient=recipient,
        categories=sorted(set(categories)),
        purpose=purpose,
        given_how=given_how,
        valid_from=valid_from,
        valid_until=valid_until,
        recorded_by=by,
    )
    _audit(by, AuditAction.CREATE, consent, "consent recorded", request)
    return consent


@transaction.atomic
def consent_withdraw(*, consent, withdrawn_on, by, reason, tell_recipient=False, request=None) -> ConsentRecord:
    """She withdraws her consent: nothing more is shared on its ground from that day. Why, and whether she
    asks that the recipient (who already received data under it) is told, are recorded; telling them is
    then a task on the caseload until it is done."""
    _require(by, "cases.change_case", consent.case)
    _date_check(withdrawn_on, "withdrawn_on")
    if consent.withdrawn_on:
        raise ValidationError(_("This consent was already withdrawn."), code="withdrawn")
    if withdrawn_on > dates.today():
        raise ValidationError(
            {"withdrawn_on": ValidationError(_("A withdrawal cannot be dated in the future."), code="future")}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(_("Write down why she withdrew her consent."), code="reason_required")}
        )
    consent.withdrawn_on = max(withdrawn_on, consent.valid_from)
    consent.withdrawal_reason = reason
    consent.withdrawn_by = by
    consent.tell_recipient = bool(tell_recipient)
    consent.save(update_fields=["withdrawn_on", "withdrawal_reason", "withdrawn_by", "tell_recipient"])
    _audit(by, AuditAction.CHANGE, consent, "consent withdrawn", request)
    return consent


@transaction.atomic
def consent_recipient_told(*, consent, told_on, by, request=None) -> ConsentRecord:
    _require(by, "cases.change_case", consent.case)
    _date_check(told_on, "told_on")
    if not (consent.withdrawn_on and consent.tell_recipient):
        raise ValidationError(_("Nobody has to be told about this consent."), code="nothing_to_tell")
    if consent.recipient_told_on:
        raise ValidationError(_("The recipient was already told."), code="already_told")
    if told_on < consent.withdrawn_on or told_on > dates.today():
        raise ValidationError(
            {"told_on": ValidationError(_("Give the day the recipient was told."), code="told_on_out_of_range")}
        )
    consent.recipient_told_on = told_on
    consent.save(update_fields=["recipient_told_on"])
    _audit(by, AuditAction.CHANGE, consent, "recipient told of the withdrawal", request)
    return consent


@transaction.atomic
def consent_expiry_checked(*, consent, by, request=None) -> ConsentRecord:
    """Her counselor asked her whether to renew a consent that ends soon (a new consent is recorded apart)."""
    _require(by, "cases.change_case", consent.case)
    if consent.withdrawn_on:
        raise ValidationError(_("This consent was already withdrawn."), code="withdrawn")
    consent.expiry_checked_on = dates.today()
    consent.save(update_fields=["expiry_checked_on"])
    _audit(by, AuditAction.CHANGE, consent, "consent end checked", request)
    return consent


def disclosure_ground(*, case, recipient, categories, by, override_reason="", on=None):
    """Consent or override: returns (consent, override_reason) or raises ValidationError.

    The one gate for summaries, minutes and referrals. A valid consent always wins; without one, only a
    coordinator may share, and only with a legal reason that is recorded.
    """
    _categories_check(categories)
    consent = selectors.consent_covering(case=case, recipient=recipient, categories=categories, on=on)
    if consent is not None:
        return consent, ""
    override_reason = (override_reason or "").strip()
    if not override_reason:
        raise ValidationError(
            _(
                "There is no valid consent for sharing these data with this recipient. Record her consent "
                "first, or ask a coordinator to record the legal reason for sharing without it."
            ),
            code="no_consent",
        )
    if not by.has_perm("cases.override_consent", case):
        raise ValidationError(_("Only a coordinator may share data without her consent."), code="override_not_allowed")
    return None, override_reason


@transaction.atomic
def disclosure_record(
    *, case, recipient, categories, format, by, override_reason="", referral=None, conference=None, request=None
) -> Disclosure:
    _require(by, "cases.change_case", case)
    consent, reason = disclosure_ground(
        case=case, recipient=recipient, categories=categories, by=by, override_reason=override_reason
    )
    disclosure = Disclosure.objects.create(
        case=case,
        recipient=recipient,
        categories=sorted(set(categories)),
        format=format,
        consent=consent,
        override_reason=reason,
        referral=referral,
        conference=conference,
        disclosed_by=by,
    )
    _audit(by, AuditAction.DISCLOSE, disclosure, f"{format} to institution {recipient.pk}", request)
    return disclosure


# Referrals


@transaction.atomic
def referral_send(*, case, institution, categories, reason, sent_on, by, override_reason="", request=None) -> Referral:
    _require(by, "cases.change_case", case)
    _date_check(sent_on, "sent_on")
    if not reason.strip():
        raise ValidationError(_("Say why she is referred."), code="reason_required")
    # Check the ground before anything is written, so that a refusal leaves no referral behind.
    disclosure_ground(case=case, recipient=institution, categories=categories, by=by, override_reason=override_reason)
    referral = Referral.objects.create(
        case=case,
        institution=institution,
        categories=sorted(set(categories)),
        reason=reason,
        sent_on=sent_on,
        created_by=by,
    )
    ReferralStatusChange.objects.create(
        referral=referral, status=ReferralStatus.SENT, on=sent_on, by=by, at=dates.now()
    )
    disclosure_record(
        case=case,
        recipient=institution,
        categories=categories,
        format=DisclosureFormat.REFERRAL,
        by=by,
        override_reason=override_reason,
        referral=referral,
        request=request,
    )
    return referral


@transaction.atomic
def referral_update(*, referral, status, outcome, by, on=None, request=None) -> Referral:
    """A new status of the referral, dated, with what was learnt: added to its history, never overwritten."""
    _require(by, "cases.change_case", referral.case)
    if status not in ReferralStatus.values:
        raise ValidationError(_("Unknown referral status."), code="unknown_status")
    on = on or dates.today()
    _date_check(on, "on")
    if on < referral.sent_on or on > dates.today():
        raise ValidationError(
            {"on": ValidationError(_("The date lies between the referral and today."), code="on_out_of_range")}
        )
    outcome = (outcome or "").strip()
    if status == referral.status and outcome == referral.outcome:
        raise ValidationError(_("Nothing changed: choose another status or write the outcome."), code="unchanged")
    ReferralStatusChange.objects.create(referral=referral, status=status, on=on, note=outcome, by=by, at=dates.now())
    referral.status = status
    referral.outcome = outcome
    fields = ["status", "outcome", "updated_at"]
    if status != ReferralStatus.SENT and referral.answered_on is None:
        referral.answered_on = on
        fields.append("answered_on")
    referral.save(update_fields=fields)
    _audit(by, AuditAction.CHANGE, referral, "referral status", request)
    return referral


# Aftercare


@transaction.atomic
def shelter_stay_record(*, case, shelter, arrived_on, by, left_on=None, request=None) -> ShelterStay:
    _require(by, "cases.change_case", case)
    _date_check(arrived_on, "arrived_on")
    _date_check(left_on, "left_on")
    if left_on and left_on < arrived_on:
        raise ValidationError(
            {"left_on": ValidationError(_("She cannot leave before she arrived."), code="left_before_arrived")}
        )
    stay = ShelterStay.objects.create(case=case, shelter=shelter, arrived_on=arrived_on, left_on=left_on)
    _audit(by, AuditAction.CREATE, stay, "shelter stay", request)
    return stay


@transaction.atomic
def aftercare_record(
    *,
    case,
    kind,
    held_on,
    by,
    status=ActivityStatus.DONE,
    stay=None,
    duration_minutes=None,
    notes="",
    request=None,
) -> AftercareActivity:
    """An activity after her shelter stay: planned ahead (it is due on the caseload until marked held or
    missed), or recorded once it was held."""
    _require(by, "cases.change_case", case)
    _date_check(held_on, "held_on")
    if status not in ActivityStatus.values:
        raise ValidationError(_("Unknown status."), code="unknown_status")
    if stay is not None and stay.case_id != case.pk:
        raise ValidationError({"stay": ValidationError(_("Choose a stay of this case."), code="foreign_stay")})
    if status == ActivityStatus.PLANNED and held_on < dates.today():
        raise ValidationError(
            {"held_on": ValidationError(_("A planned activity lies ahead: record a past one as held."), code="past")}
        )
    if status != ActivityStatus.PLANNED and held_on > dates.today():
        raise ValidationError({"held_on": ValidationError(_("An activity ahead can only be planned."), code="future")})
    activity = AftercareActivity.objects.create(
        case=case,
        stay=stay,
        kind=kind,
        status=status,
        held_on=held_on,
        duration_minutes=duration_minutes,
        notes=notes,
        recorded_by=by,
    )
    _audit(by, AuditAction.CREATE, activity, "aftercare activity", request)
    return activity


@transaction.atomic
def aftercare_mark(*, activity, status, by, request=None) -> AftercareActivity:
    """A planned activity was held or missed."""
    _require(by, "cases.change_case", activity.case)
    if activity.status != ActivityStatus.PLANNED:
        raise ValidationError(_("This activity was already marked."), code="marked")
    if status not in (ActivityStatus.DONE, ActivityStatus.MISSED):
        raise ValidationError(_("Mark it held or missed."), code="unknown_status")
    if status == ActivityStatus.DONE and activity.held_on > dates.today():
        raise ValidationError(_("An activity cannot be held before its day."), code="future")
    activity.status = status
    activity.save(update_fields=["status"])
    _audit(by, AuditAction.CHANGE, activity, f"aftercare {status}", request)
    return activity


# Children


def _child_fields(label, age_band, support):
    if not (label or "").strip():
        raise ValidationError(
            {"label": ValidationError(_('Give the child a pseudonym, such as "child A".'), code="label_required")}
        )
    if age_band not in AgeBand.values:
        raise ValidationError({"age_band": ValidationError(_("Choose an age."), code="unknown_age")})
    if set(support) - set(ChildSupport.values):
        raise ValidationError({"support": ValidationError(_("Unknown kind of support."), code="unknown_support")})


@transaction.atomic
def child_record(*, case, label, age_band, by, support=(), notes="", request=None) -> CaseChild:
    _require(by, "cases.change_case", case)
    _child_fields(label, age_band, support)
    child = CaseChild.objects.create(
        case=case,
        label=label.strip(),
        age_band=age_band,
        support=sorted(set(support)),
        notes=notes,
        recorded_on=dates.today(),
    )
    _audit(by, AuditAction.CREATE, child, "child", request)
    return child


@transaction.atomic
def child_update(*, child, label, age_band, by, support=(), notes="", request=None) -> CaseChild:
    _require(by, "cases.change_case", child.case)
    _child_fields(label, age_band, support)
    if age_band != child.age_band:
        child.recorded_on = dates.today()
    child.label, child.age_band, child.support, child.notes = label.strip(), age_band, sorted(set(support)), notes
    child.save()
    _audit(by, AuditAction.CHANGE, child, "child", request)
    return child


# Journal


@transaction.atomic
def journal_entry_add(*, case, kind, occurred_at, text, by, corrects=None, request=None) -> CaseJournalEntry:
    """A dated entry of the case's running record, signed by its writer. A mistake is corrected by a new
    entry that names the one it corrects; the earlier entry stays as it was written."""
    _require(by, "cases.change_case", case)
    if kind not in JournalKind.values:
        raise ValidationError({"kind": ValidationError(_("Choose what kind of entry this is."), code="unknown_kind")})
    _date_check(dates.local_date(occurred_at), "occurred_at")
    if occurred_at > dates.now():
        raise ValidationError(
            {"occurred_at": ValidationError(_("An entry tells what has happened: not in the future."), code="future")}
        )
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": ValidationError(_("Write the entry."), code="text_required")})
    if corrects is not None and corrects.case_id != case.pk:
        raise ValidationError(_("An entry can only correct an entry of the same case."), code="foreign_entry")
    entry = CaseJournalEntry.objects.create(
        case=case,
        kind=kind,
        occurred_at=occurred_at,
        text=text,
        written_by=by,
        written_at=dates.now(),
        corrects=corrects,
    )
    _audit(by, AuditAction.CREATE, entry, "journal correction" if corrects else "journal entry", request)
    return entry


# CTI


def cti_window_check(*, start_on, moved_out_on=None, moved_in_on=None, extension_reason="", ended_on=None):
    """The window rule, for any combination of dates. The course may start before she moves out of the
    shelter and runs up to 6 months after she moves into her own home, up to 12 with a recorded reason.

    While only the move out of the shelter is known, it stands in for the move in for the outer limit: a
    course that would end more than 12 months after she left the shelter is refused until her move into
    her own home is recorded (the 6 months, and their reason, wait for that date). A course that would end
    before she even leaves the shelter misses the transition it is for. An ended course is measured by its
    end."""
    if moved_out_on and moved_in_on and moved_in_on < moved_out_on:
        raise ValidationError(
            {
                "moved_in_on": ValidationError(
                    _("She cannot move into her own home before she moved out of the shelter."),
                    code="moved_in_before_out",
                )
            }
        )
    end = ended_on or selectors.cti_planned_end(start_on)
    if moved_out_on and end <= moved_out_on:
        raise ValidationError(
            {
                "start_on": ValidationError(
                    _("The course would end before she moves out of the shelter."), code="ends_before_move"
                )
            }
        )
    anchor = moved_in_on or moved_out_on
    if anchor and end > selectors.cti_window_end(anchor, extended=True):
        moved = _("she moved into her own home") if moved_in_on else _("she moved out of the shelter")
        raise ValidationError(
            {
                "start_on": ValidationError(
                    _("The course would run more than 12 months after %(moved)s.") % {"moved": moved},
                    code="window_exceeded",
                )
            }
        )
    if moved_in_on and end > selectors.cti_window_end(moved_in_on) and not extension_reason.strip():
        raise ValidationError(
            {
                "extension_reason": ValidationError(
                    _("The course runs more than 6 months after she moved into her own home: record the reason."),
                    code="extension_reason_required",
                )
            }
        )


@transaction.atomic
def cti_course_save(
    *, case, start_on, by, moved_out_on=None, moved_in_on=None, extension_reason="", ended_on=None, request=None
) -> CtiCourse:
    _require(by, "cases.change_case", case)
    for name, day in (("start_on", start_on), ("moved_out_on", moved_out_on), ("moved_in_on", moved_in_on)):
        _date_check(day, name)
    _date_check(ended_on, "ended_on")
    if ended_on and ended_on < start_on:
        raise ValidationError(
            {"ended_on": ValidationError(_("The course cannot end before it starts."), code="end_before_start")}
        )
    cti_window_check(
        start_on=start_on,
        moved_out_on=moved_out_on,
        moved_in_on=moved_in_on,
        extension_reason=extension_reason,
        ended_on=ended_on,
    )
    course, created = CtiCourse.objects.update_or_create(
        case=case,
        defaults={
            "start_on": start_on,
            "moved_out_on": moved_out_on,
            "moved_in_on": moved_in_on,
            "extension_reason": extension_reason,
            "ended_on": ended_on,
        },
    )
    if created:
        # Default review dates at the end of each phase; counselors add more when needed.
        CtiReview.objects.bulk_create(
            CtiReview(
                course=course,
                phase=number,
                review_on=selectors.cti_phase_start(course, number + 1) - dt.timedelta(days=7),
            )
            for number in range(1, selectors.CTI_PHASES + 1)
        )
    _audit(by, AuditAction.CREATE if created else AuditAction.CHANGE, course, "CTI course", request)
    return course


@transaction.atomic
def cti_goal_add(*, course, phase, area, goal, by, request=None) -> CtiGoal:
    _require(by, "cases.change_case", course.case)
    if not goal.strip():
        raise ValidationError({"goal": ValidationError(_("Describe the goal."), code="goal_required")})
    added = CtiGoal.objects.create(course=course, phase=phase, area=area, goal=goal)
    _audit(by, AuditAction.CREATE, added, "CTI goal", request)
    return added


@transaction.atomic
def cti_goal_status_set(*, goal, status, by, request=None) -> CtiGoal:
    _require(by, "cases.change_case", goal.course.case)
    goal.status = status
    goal.save(update_fields=["status"])
    _audit(by, AuditAction.CHANGE, goal, "CTI goal status", request)
    return goal


@transaction.atomic
def cti_review_add(*, course, phase, review_on, by, status=ActivityStatus.PLANNED, notes="", request=None) -> CtiReview:
    _require(by, "cases.change_case", course.case)
    _date_check(review_on, "review_on")
    if review_on < course.start_on:
        raise ValidationError(
            {"review_on": ValidationError(_("A review cannot come before the course starts."), code="early")}
        )
    if status == ActivityStatus.DONE and review_on > dates.today():
        raise ValidationError({"status": ValidationError(_("A review ahead can only be planned."), code="future")})
    review = CtiReview.objects.create(course=course, phase=phase, review_on=review_on, status=status, notes=notes)
    _audit(by, AuditAction.CREATE, review, "CTI review", request)
    return review


@transaction.atomic
def cti_review_mark(*, review, status, by, notes="", request=None) -> CtiReview:
    """A review date was held or missed."""
    _require(by, "cases.change_case", review.course.case)
    if status not in (ActivityStatus.DONE, ActivityStatus.MISSED):
        raise ValidationError(_("Mark it held or missed."), code="unknown_status")
    if review.status != ActivityStatus.PLANNED:
        raise ValidationError(_("This review was already marked."), code="marked")
    if status == ActivityStatus.DONE and review.review_on > dates.today():
        raise ValidationError(_("A review cannot be held before its day."), code="future")
    review.status = status
    fields = ["status"]
    if notes.strip():
        review.notes = notes
        fields.append("notes")
    review.save(update_fields=fields)
    _audit(by, AuditAction.CHANGE, review, f"CTI review {status}", request)
    return review


# Case conferences


@transaction.atomic
def conference_schedule(
    *, case, held_at, by, place="", agenda="", decisions="", invited_staff=(), status=None, request=None
) -> CaseConference:
    _require(by, "cases.change_case", case)
    _date_check(dates.local_date(held_at), "held_at")
    conference = CaseConference.objects.create(
        case=case,
        held_at=held_at,
        place=place,
        agenda=agenda,
        decisions=decisions,
        created_by=by,
        **({"status": status} if status else {}),
    )
    if invited_staff:
        conference.invited_staff.set(invited_staff)
    if decisions:
        ConferenceDecision.objects.create(conference=conference, text=decisions, recorded_at=dates.now(), by=by)
    _audit(by, AuditAction.CREATE, conference, "case conference", request)
    return conference


CONFERENCE_FIELDS = {"held_at", "place", "status", "agenda", "decisions"}


def _minutes_open(conference):
    if CaseConference.objects.filter(pk=conference.pk, minutes_final_at__isnull=False).exists():
        raise MinutesFinalError()


@transaction.atomic
def conference_update(*, conference, by, invited_staff=None, request=None, **fields) -> CaseConference:
    """Each new wording of the decisions is kept in the conference's decision history."""
    _require(by, "cases.change_caseconference", conference)
    _minutes_open(conference)
    if set(fields) - CONFERENCE_FIELDS:
        raise ValidationError(_("Unknown field."), code="unknown_field")
    if "held_at" in fields:
        _date_check(dates.local_date(fields["held_at"]), "held_at")
    decided = "decisions" in fields and fields["decisions"] != conference.decisions
    for name, value in fields.items():
        setattr(conference, name, value)
    conference.save(update_fields=list(fields))
    if invited_staff is not None:
        conference.invited_staff.set(invited_staff)
    if decided:
        ConferenceDecision.objects.create(
            conference=conference, text=conference.decisions, recorded_at=dates.now(), by=by
        )
    _audit(by, AuditAction.CHANGE, conference, "case conference", request)
    return conference


@transaction.atomic
def conference_minutes_finalise(*, conference, by, request=None) -> CaseConference:
    """After the meeting, its minutes become final: the risk assessment discussed (the latest one on the
    day of the meeting) is frozen with them, and so are the participants and the decisions."""
    _require(by, "cases.change_caseconference", conference)
    _minutes_open(conference)
    if conference.held_at > dates.now():
        raise ValidationError(_("The meeting has not taken place yet."), code="not_held")
    discussed = (
        RiskAssessment.objects.filter(case=conference.case, assessed_on__lte=dates.local_date(conference.held_at))
        .order_by("-assessed_on", "-id")
        .first()
    )
    conference.risk_assessment = discussed
    conference.status = ConferenceStatus.HELD
    conference.minutes_final_at = dates.now()
    conference.minutes_final_by = by
    conference.save(update_fields=["risk_assessment", "status", "minutes_final_at", "minutes_final_by"])
    _audit(by, AuditAction.CHANGE, conference, "minutes final", request)
    return conference


@transaction.atomic
def conference_minutes_disclose(*, conference, recipient, by, override_reason="", request=None) -> Disclosure:
    """Printing or sending the minutes to another body shares her data: through the same consent gate as a
    case summary, and logged as a disclosure of the minutes."""
    if conference.minutes_final_at is None:
        raise ValidationError(_("Only final minutes can be printed or sent."), code="not_final")
    return disclosure_record(
        case=conference.case,
        recipient=recipient,
        categories=[DataCategory.CONFERENCE],
        format=DisclosureFormat.MINUTES,
        override_reason=override_reason,
        conference=conference,
        by=by,
        request=request,
    )


@transaction.atomic
def conference_participant_add(*, conference, institution, name, by, role="", present=True, request=None):
    _require(by, "cases.change_caseconference", conference)
    _minutes_open(conference)
    if not name.strip():
        raise ValidationError({"name": ValidationError(_("Name the participant."), code="name_required")})
    participant = ConferenceParticipant.objects.create(
        conference=conference, institution=institution, name=name, role=role, present=present
    )
    _audit(by, AuditAction.CHANGE, conference, "participant added", request)
    return participant


@transaction.atomic
def follow_up_add(*, conference, description, institution, due_on, by, request=None) -> FollowUpAction:
    _require(by, "cases.change_caseconference", conference)
    _date_check(due_on, "due_on")
    if not description.strip():
        raise ValidationError({"description": ValidationError(_("Describe the action."), code="description_required")})
    action = FollowUpAction.objects.create(
        conference=conference, description=description, institution=institution, due_on=due_on
    )
    _audit(by, AuditAction.CHANGE, conference, "follow-up added", request)
    return action


@transaction.atomic
def follow_up_mark_done(*, action, done, by, request=None) -> FollowUpAction:
    _require(by, "cases.change_caseconference", action.conference)
    action.done = done
    action.save(update_fields=["done"])
    _audit(by, AuditAction.CHANGE, action.conference, "follow-up status", request)
    return action
