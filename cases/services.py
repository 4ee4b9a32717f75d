"""Writes for case work. Every function is keyword-only, validates, and raises ValidationError on bad input
without saving anything."""

import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.roles import has_role
from cases import selectors
from cases.enums import (
    RISK_QUESTION_CODES,
    DataCategory,
    DisclosureFormat,
    NeedArea,
    NeedLevel,
    ReferralStatus,
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
    CaseConference,
    ConferenceParticipant,
    ConsentRecord,
    CtiCourse,
    CtiGoal,
    CtiReview,
    Disclosure,
    FollowUpAction,
    InformationGiven,
    Need,
    NeedsAssessment,
    Referral,
    RiskAnswer,
    RiskAssessment,
    SafetyPlan,
    SafetyPlanVersion,
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


# Cases


@transaction.atomic
def case_open(*, client, lead_counselor, opened_on, by, counselors=(), risk_review_weeks=None) -> Case:
    if Case.objects.filter(client=client, closed_on__isnull=True).exists():
        raise ValidationError(_("This client already has an open case."), code="open_case_exists")
    case = Case.objects.create(
        client=client,
        lead_counselor=lead_counselor,
        opened_on=opened_on,
        risk_review_weeks=risk_review_weeks,
        created_by=by,
    )
    others = [c for c in counselors if c.pk != lead_counselor.pk]
    if others:
        case.counselors.set(others)
    SafetyPlan.objects.create(case=case)
    ActionPlan.objects.create(case=case)
    return case


def case_close(*, case, closed_on, by) -> Case:
    if case.closed_on:
        raise ValidationError(_("This case is already closed."), code="closed")
    if closed_on < case.opened_on:
        raise ValidationError(_("A case cannot close before it was opened."), code="close_before_open")
    case.closed_on = closed_on
    case.save(update_fields=["closed_on"])
    return case


# Needs


@transaction.atomic
def needs_assessment_record(*, case, assessed_on, needs: dict, by) -> NeedsAssessment:
    """`needs` maps each NeedArea value to (level, notes); a new assessment keeps the old ones as history."""
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
    return assessment


# Risk


@transaction.atomic
def risk_assessment_record(*, case, assessed_on, answers: dict[str, bool], by, notes="") -> RiskAssessment:
    if set(answers) != RISK_QUESTION_CODES:
        raise ValidationError(_("Answer every question of the risk checklist."), code="incomplete")
    if assessed_on > dates.today():
        raise ValidationError(_("A risk assessment cannot be dated in the future."), code="future")
    settings = selectors.risk_settings()
    score = selectors.risk_score(answers)
    weeks = selectors.risk_review_weeks(case=case, settings=settings)
    assessment = RiskAssessment.objects.create(
        case=case,
        assessed_on=assessed_on,
        assessed_by=by,
        score=score,
        level=selectors.risk_level_for(score, settings),
        next_due_on=assessed_on + dt.timedelta(weeks=weeks),
        notes=notes,
    )
    RiskAnswer.objects.bulk_create(
        RiskAnswer(assessment=assessment, question=code, answer=bool(value)) for code, value in answers.items()
    )
    return assessment


# Safety plan


@transaction.atomic
def safety_plan_save(*, case, sections: dict[str, str], expected_version: int, by, now=None) -> SafetyPlan:
    """Save the plan if nobody saved it since `expected_version` was read, and keep this state as a version.

    `now` is for demo data that tells a plan's history; people always save at the present moment.
    """
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
def action_step_add(*, case, expected_version: int, by, **fields) -> ActionStep:
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
    return step


@transaction.atomic
def action_step_change(*, step, expected_version: int, by, **fields) -> ActionStep:
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
    return step


@transaction.atomic
def action_step_remove(*, step, expected_version: int, by) -> ActionStep:
    if step.removed_at:
        raise ValidationError(_("This step was removed from the plan."), code="removed")
    now = dates.now()
    plan = _plan_lock(step.plan, expected_version, by, now)
    step.removed_at = now
    step.save(update_fields=["removed_at"])
    ActionStepChange.objects.create(
        step=step,
        plan_version=plan.version,
        kind=StepChangeKind.REMOVED,
        snapshot=_step_snapshot(step),
        changed_at=now,
        changed_by=by,
    )
    return step


# Information given


@transaction.atomic
def information_record(*, case, topics, given_on, by, notes="") -> list[InformationGiven]:
    if not topics:
        raise ValidationError(_("Choose at least one right or service that was explained."), code="no_topic")
    return InformationGiven.objects.bulk_create(
        InformationGiven(case=case, topic=topic, given_on=given_on, notes=notes, given_by=by) for topic in topics
    )


# Consent and disclosure


def _categories_check(categories):
    if not categories:
        raise ValidationError(_("Choose at least one category of data."), code="no_category")
    if set(categories) - set(DataCategory.values):
        raise ValidationError(_("Unknown category of data."), code="unknown_category")


def consent_record(*, case, recipient, categories, purpose, given_how, valid_from, valid_until, by) -> ConsentRecord:
    _categories_check(categories)
    if valid_until < valid_from:
        raise ValidationError(_("A consent cannot end before it starts."), code="until_before_from")
    if not purpose.strip():
        raise ValidationError(_("Say for what purpose she agreed to share her data."), code="purpose_required")
    return ConsentRecord.objects.create(
        case=case,
        recipient=recipient,
        categories=sorted(set(categories)),
        purpose=purpose,
        given_how=given_how,
        valid_from=valid_from,
        valid_until=valid_until,
        recorded_by=by,
    )


def consent_withdraw(*, consent, withdrawn_on, by) -> ConsentRecord:
    if consent.withdrawn_on:
        raise ValidationError(_("This consent was already withdrawn."), code="withdrawn")
    if withdrawn_on < consent.valid_from:
        withdrawn_on = consent.valid_from
    consent.withdrawn_on = withdrawn_on
    consent.save(update_fields=["withdrawn_on"])
    return consent


def disclosure_ground(*, case, recipient, categories, by, override_reason="", on=None):
    """Consent or override: returns (consent, override_reason) or raises ValidationError.

    The one gate for summaries and referrals. A valid consent always wins; without one, only a coordinator
    may share, and only with a legal reason that is recorded.
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
    if not has_role(by, Role.COORDINATOR):
        raise ValidationError(_("Only a coordinator may share data without her consent."), code="override_not_allowed")
    return None, override_reason


@transaction.atomic
def disclosure_record(*, case, recipient, categories, format, by, override_reason="", referral=None) -> Disclosure:
    consent, reason = disclosure_ground(
        case=case, recipient=recipient, categories=categories, by=by, override_reason=override_reason
    )
    return Disclosure.objects.create(
        case=case,
        recipient=recipient,
        categories=sorted(set(categories)),
        format=format,
        consent=consent,
        override_reason=reason,
        referral=referral,
        disclosed_by=by,
    )


# Referrals


@transaction.atomic
def referral_send(*, case, institution, categories, reason, sent_on, by, override_reason="") -> Referral:
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
    disclosure_record(
        case=case,
        recipient=institution,
        categories=categories,
        format=DisclosureFormat.REFERRAL,
        by=by,
        override_reason=override_reason,
        referral=referral,
    )
    return referral


def referral_update(*, referral, status, outcome, by) -> Referral:
    if status not in ReferralStatus.values:
        raise ValidationError(_("Unknown referral status."), code="unknown_status")
    referral.status = status
    referral.outcome = outcome
    referral.save(update_fields=["status", "outcome", "updated_at"])
    return referral


# Aftercare


def aftercare_record(*, case, kind, held_on, by, duration_minutes=None, notes="") -> AftercareActivity:
    return AftercareActivity.objects.create(
        case=case, kind=kind, held_on=held_on, duration_minutes=duration_minutes, notes=notes, recorded_by=by
    )


# CTI


def cti_window_check(*, start_on, moved_out_on=None, moved_in_on=None, extension_reason=""):
    """The window rule: the course may start before she moves out and run up to 6 months after she moves
    into her own home; up to 12 months with a recorded reason."""
    if moved_out_on and moved_in_on and moved_in_on < moved_out_on:
        raise ValidationError(
            {
                "moved_in_on": ValidationError(
                    _("She cannot move into her own home before she moved out of the shelter."),
                    code="moved_in_before_out",
                )
            }
        )
    if not moved_in_on:
        return
    end = selectors.cti_planned_end(start_on)
    if end > selectors.cti_window_end(moved_in_on, extended=True):
        raise ValidationError(
            {
                "start_on": ValidationError(
                    _("The course would run more than 12 months after she moved into her own home."),
                    code="window_exceeded",
                )
            }
        )
    if end > selectors.cti_window_end(moved_in_on) and not extension_reason.strip():
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
    *, case, start_on, by, moved_out_on=None, moved_in_on=None, extension_reason="", ended_on=None
) -> CtiCourse:
    cti_window_check(
        start_on=start_on, moved_out_on=moved_out_on, moved_in_on=moved_in_on, extension_reason=extension_reason
    )
    if ended_on and ended_on < start_on:
        raise ValidationError(
            {"ended_on": ValidationError(_("The course cannot end before it starts."), code="end_before_start")}
        )
    course, _created = CtiCourse.objects.update_or_create(
        case=case,
        defaults={
            "start_on": start_on,
            "moved_out_on": moved_out_on,
            "moved_in_on": moved_in_on,
            "extension_reason": extension_reason,
            "ended_on": ended_on,
        },
    )
    if _created:
        # Default review dates at the end of each phase; counselors add more when needed.
        CtiReview.objects.bulk_create(
            CtiReview(
                course=course,
                phase=number,
                review_on=selectors.cti_phase_start(course, number + 1) - dt.timedelta(days=7),
            )
            for number in range(1, selectors.CTI_PHASES + 1)
        )
    return course


def cti_goal_add(*, course, phase, area, goal, by) -> CtiGoal:
    if not goal.strip():
        raise ValidationError({"goal": ValidationError(_("Describe the goal."), code="goal_required")})
    return CtiGoal.objects.create(course=course, phase=phase, area=area, goal=goal)


def cti_goal_status_set(*, goal, status, by) -> CtiGoal:
    goal.status = status
    goal.save(update_fields=["status"])
    return goal


def cti_review_add(*, course, phase, review_on, by, held=False, notes="") -> CtiReview:
    if review_on < course.start_on:
        raise ValidationError(
            {"review_on": ValidationError(_("A review cannot come before the course starts."), code="early")}
        )
    return CtiReview.objects.create(course=course, phase=phase, review_on=review_on, held=held, notes=notes)


# Case conferences


@transaction.atomic
def conference_schedule(*, case, held_at, by, place="", agenda="", invited_staff=(), status=None) -> CaseConference:
    conference = CaseConference.objects.create(
        case=case, held_at=held_at, place=place, agenda=agenda, created_by=by, **({"status": status} if status else {})
    )
    if invited_staff:
        conference.invited_staff.set(invited_staff)
    return conference


def conference_update(*, conference, by, **fields) -> CaseConference:
    allowed = {"held_at", "place", "status", "agenda", "decisions"}
    for name, value in fields.items():
        if name not in allowed:
            raise ValidationError(_("Unknown field."), code="unknown_field")
        setattr(conference, name, value)
    conference.save(update_fields=list(fields))
    return conference


def conference_participant_add(*, conference, institution, name, by, role="", present=True):
    if not name.strip():
        raise ValidationError({"name": ValidationError(_("Name the participant."), code="name_required")})
    return ConferenceParticipant.objects.create(
        conference=conference, institution=institution, name=name, role=role, present=present
    )


def follow_up_add(*, conference, description, institution, due_on, by) -> FollowUpAction:
    if not description.strip():
        raise ValidationError({"description": ValidationError(_("Describe the action."), code="description_required")})
    return FollowUpAction.objects.create(
        conference=conference, description=description, institution=institution, due_on=due_on
    )


def follow_up_mark_done(*, action, done, by) -> FollowUpAction:
    action.done = done
    action.save(update_fields=["done"])
    return action
