"""Fictional case work at different stages. Idempotent: a client that already has a case is left alone."""

import datetime as dt

from django.utils import timezone

from accounts.enums import Role
from cases import services
from cases.enums import (
    RISK_QUESTIONS,
    ActionArea,
    ActivityStatus,
    AftercareKind,
    AgeBand,
    CaseOutcome,
    ChildSupport,
    ConferenceStatus,
    ConsentForm,
    CtiArea,
    DataCategory,
    InformationTopic,
    InstitutionKind,
    JournalKind,
    NeedArea,
    NeedLevel,
    ReferralStatus,
    RiskLevel,
    RiskReply,
    StepOwner,
    StepStatus,
)
from cases.models import ActionPlan, Case, Institution
from cases.selectors import add_months, cti_planned_end, cti_window_end
from core import dates
from counseling.enums import SessionKind
from counseling.models import Client, CounselorProfile

INSTITUTIONS = [
    ("Centar za socijalni rad Novi Sad", InstitutionKind.SOCIAL_WORK_CENTRE, "Novi Sad"),
    ("Policijska uprava Novi Sad", InstitutionKind.POLICE, "Novi Sad"),
    ("Osnovno javno tužilaštvo Novi Sad", InstitutionKind.PROSECUTION, "Novi Sad"),
    ("Osnovni sud Novi Sad", InstitutionKind.COURT, "Novi Sad"),
    ("Sigurna kuća Novi Sad", InstitutionKind.SHELTER, "Novi Sad"),
    ("Dom zdravlja Novi Sad", InstitutionKind.HEALTH, "Novi Sad"),
    ("Osnovna škola Đura Jakšić", InstitutionKind.EDUCATION, "Novi Sad"),
    ("Ženski centar Petrovaradin", InstitutionKind.NGO, "Petrovaradin"),
    ("Familieafdelingen Aarhus Kommune", InstitutionKind.SOCIAL_WORK_CENTRE, "Aarhus"),
]

CLIENTS = [
    # code, alias, language, children
    ("DEMO-CASE-01", "Jasmina", "sr-latn", 2),
    ("DEMO-CASE-02", "Mette", "da", 1),
    ("DEMO-CASE-03", "Snežana", "sr-latn", 0),
    ("DEMO-CASE-04", "Ivana", "sr-latn", 3),
]


def _answers(yes_codes):
    return {q.code: q.code in yes_codes for q in RISK_QUESTIONS}


def load(*, users, stdout=None):
    today = dates.today()
    counselor_user = users.get(Role.COUNSELOR)
    coordinator = users.get(Role.COORDINATOR)
    if counselor_user is None:
        return
    counselor, _created = CounselorProfile.objects.get_or_create(
        user=counselor_user,
        defaults={
            "trained_for_violence": True,
            "session_kinds": [SessionKind.CASE_BASED, SessionKind.AFTERCARE, SessionKind.HOME_VISIT],
            "languages": "sr, en",
        },
    )
    institutions = {}
    for name, kind, municipality in INSTITUTIONS:
        institutions[name], _created = Institution.objects.get_or_create(
            name=name, defaults={"kind": kind, "municipality": municipality}
        )
    csw = institutions["Centar za socijalni rad Novi Sad"]
    police = institutions["Policijska uprava Novi Sad"]
    prosecution = institutions["Osnovno javno tužilaštvo Novi Sad"]
    school = institutions["Osnovna škola Đura Jakšić"]
    health = institutions["Dom zdravlja Novi Sad"]
    clients = {}
    for code, alias, language, children in CLIENTS:
        client, _created = Client.objects.get_or_create(
            code=code, defaults={"alias": alias, "preferred_language": language, "children_count": children}
        )
        client.counselors.add(counselor)
        clients[code] = client

    def fresh(code):
        return not Case.objects.filter(client=clients[code]).exists()

    if fresh("DEMO-CASE-01"):
        _case_high_risk(
            clients["DEMO-CASE-01"],
            counselor,
            counselor_user,
            coordinator,
            today,
            csw,
            police,
            prosecution,
            school,
            health,
        )
    if fresh("DEMO-CASE-02"):
        _case_cti(clients["DEMO-CASE-02"], counselor, counselor_user, today, csw, institutions["Sigurna kuća Novi Sad"])
    if fresh("DEMO-CASE-03"):
        case = services.case_open(
            client=clients["DEMO-CASE-03"],
            lead_counselor=counselor,
            opened_on=add_months(today, -14),
            by=counselor_user,
        )
        services.risk_assessment_record(
            case=case,
            assessed_on=add_months(today, -13),
            answers=_answers({"frightened", "separated"}),
            by=counselor_user,
        )
        services.information_record(
            case=case,
            topics=[InformationTopic.FREE_LEGAL_AID, InformationTopic.DIVORCE_CUSTODY],
            given_on=add_months(today, -13),
            by=counselor_user,
        )
        services.case_close(
            case=case,
            closed_on=add_months(today, -3),
            outcome=CaseOutcome.GOALS_MET,
            reason="Razvod okončan, živi sa decom u iznajmljenom stanu; dogovorile smo kraj savetovanja.",
            by=counselor_user,
        )
    if fresh("DEMO-CASE-04"):
        case = services.case_open(
            client=clients["DEMO-CASE-04"],
            lead_counselor=counselor,
            opened_on=today - dt.timedelta(days=6),
            by=counselor_user,
        )
        services.needs_assessment_record(
            case=case,
            assessed_on=today - dt.timedelta(days=6),
            needs={
                NeedArea.SAFETY: (NeedLevel.URGENT, "Bivši partner dolazi pred stan."),
                NeedArea.HOUSING: (NeedLevel.SOME, "Privremeno kod sestre u Futogu."),
                NeedArea.SCHOOL_DAYCARE: (NeedLevel.SOME, "Upis najmlađeg deteta u vrtić."),
            },
            by=counselor_user,
        )
        _case_new(case, counselor_user, today, csw, institutions["Sigurna kuća Novi Sad"])


def _case_new(case, by, today, csw, shelter):
    """A case opened last week: the first entries of its journal (one corrected), her children, a first
    risk assessment with gaps that judgement raised, a referral still waiting and a consent ending soon."""
    now = dates.now()
    call = services.journal_entry_add(
        case=case,
        kind=JournalKind.CALL,
        occurred_at=now - dt.timedelta(days=5, hours=3),
        text="Javila se sa posla; bivši partner je dva puta dolazio pred stan njene sestre.",
        by=by,
    )
    services.journal_entry_add(
        case=case,
        kind=JournalKind.CALL,
        occurred_at=now - dt.timedelta(days=5, hours=3),
        text="Javila se sa posla; bivši partner je tri puta dolazio pred stan njene sestre, poslednji put u nedelju.",
        corrects=call,
        by=by,
    )
    services.journal_entry_add(
        case=case,
        kind=JournalKind.INCIDENT,
        occurred_at=now - dt.timedelta(days=2, hours=20),
        text="Pretio joj je porukom; sačuvala je snimak ekrana.",
        by=by,
    )
    for label, age_band, support in [
        ("dete A", AgeBand.SCHOOL, [ChildSupport.SCHOOL, ChildSupport.COUNSELING]),
        ("dete B", AgeBand.PRESCHOOL, [ChildSupport.SCHOOL]),
        ("dete C", AgeBand.UNDER_3, []),
    ]:
        services.child_record(case=case, label=label, age_band=age_band, support=support, by=by)
    replies = _answers({"frightened", "fears_what", "separated", "stalking", "escalating"})
    replies.update({"weapon": RiskReply.DONT_KNOW, "strangled": RiskReply.NOT_ASKED})
    services.risk_assessment_record(
        case=case,
        assessed_on=today - dt.timedelta(days=5),
        answers=replies,
        raise_to=RiskLevel.MEDIUM,
        judgement_reason="Progoni je svakodnevno; o oružju nije mogla da kaže.",
        next_due_on=today + dt.timedelta(days=9),
        by=by,
    )
    services.consent_record(
        case=case,
        recipient=csw,
        categories=[DataCategory.IDENTITY, DataCategory.CHILDREN, DataCategory.NEEDS],
        purpose="Upis deteta u vrtić i jednokratna pomoć.",
        given_how=ConsentForm.ORAL,
        valid_from=today - dt.timedelta(days=5),
        valid_until=today + dt.timedelta(days=20),
        by=by,
    )
    services.referral_send(
        case=case,
        institution=csw,
        categories=[DataCategory.IDENTITY, DataCategory.NEEDS],
        reason="Jednokratna novčana pomoć i prioritet za vrtić.",
        sent_on=today - dt.timedelta(days=5),
        by=by,
    )
    services.shelter_stay_record(case=case, shelter=shelter, arrived_on=today - dt.timedelta(days=4), by=by)


def _case_high_risk(client, counselor, by, coordinator, today, csw, police, prosecution, school, health):
    case = services.case_open(client=client, lead_counselor=counselor, opened_on=add_months(today, -5), by=by)
    services.needs_assessment_record(
        case=case,
        assessed_on=add_months(today, -5),
        needs={
            NeedArea.SAFETY: (NeedLevel.URGENT, "Pretnje porukama posle odlaska iz zajedničkog stana."),
            NeedArea.LEGAL: (NeedLevel.URGENT, "Razvod i starateljstvo nad decom."),
            NeedArea.ECONOMY: (NeedLevel.SOME, "Nema sopstvenih prihoda."),
            NeedArea.CHILD_CONTACT: (NeedLevel.SOME, "Otac traži viđanje dece bez nadzora."),
        },
        by=by,
    )
    services.risk_assessment_record(
        case=case,
        assessed_on=add_months(today, -5),
        answers=_answers({"frightened", "fears_what", "separated", "stalking", "controlling", "escalating", "money"}),
        by=by,
    )
    services.risk_assessment_record(
        case=case,
        assessed_on=today - dt.timedelta(days=10),
        answers=_answers(
            {
                "injured",
                "frightened",
                "fears_what",
                "isolated",
                "separated",
                "child_conflict",
                "stalking",
                "escalating",
                "controlling",
                "threat_to_kill",
                "strangled",
                "breached_orders",
            }
        ),
        notes="Prekršio meru zabrane prilaska prošle nedelje.",
        by=by,
    )
    services.safety_plan_save(
        case=case,
        sections={
            "warning_signs": "Poruke noću, pijan dolazi posle utakmica.",
            "trusted_people": "Sestra Marija; šifra 'kupi hleb'.",
            "emergency_contacts": "192, SOS linija, savetnica.",
        },
        expected_version=0,
        by=by,
        now=dates.now() - dt.timedelta(days=120),
    )
    services.safety_plan_save(
        case=case,
        sections={
            "warning_signs": "Poruke noću, pijan dolazi posle utakmica. Pojavljuje se ispred škole.",
            "trusted_people": "Sestra Marija; šifra 'kupi hleb'.",
            "emergency_contacts": "192, SOS linija, savetnica.",
            "documents_items": "Lične karte, izvodi, zdravstvene knjižice kod sestre.",
            "children": "Škola obaveštena ko sme da preuzme decu.",
        },
        expected_version=1,
        by=by,
    )
    steps = [
        (
            ActionArea.RESTRAINING_ORDER,
            "Prijava kršenja mere zabrane prilaska",
            StepOwner.OTHER_BODY,
            police,
            7,
            StepStatus.IN_PROGRESS,
        ),
        (
            ActionArea.COURT_CUSTODY,
            "Tužba za vršenje roditeljskog prava",
            StepOwner.CLIENT,
            None,
            30,
            StepStatus.PLANNED,
        ),
        (ActionArea.SUBSIDIES, "Zahtev za novčanu socijalnu pomoć", StepOwner.COUNSELOR, None, 14, StepStatus.PLANNED),
        (
            ActionArea.CHILD_PROTECTION,
            "Sastanak sa voditeljkom slučaja u CSR",
            StepOwner.OTHER_BODY,
            csw,
            10,
            StepStatus.PLANNED,
        ),
        (ActionArea.BUDGET, "Mesečni budžet porodice", StepOwner.CLIENT, None, -20, StepStatus.DONE),
    ]
    plan = ActionPlan.objects.get(case=case)
    for area, description, owner, institution, days, status in steps:
        services.action_step_add(
            case=case,
            expected_version=plan.version,
            by=by,
            area=area,
            description=description,
            owner=owner,
            owner_institution=institution,
            due_on=today + dt.timedelta(days=days),
            status=status,
        )
        plan.refresh_from_db()
    services.information_record(
        case=case,
        topics=[
            InformationTopic.PROTECTION_ORDERS,
            InformationTopic.CRIMINAL_COMPLAINT,
            InformationTopic.VICTIM_RIGHTS,
        ],
        given_on=add_months(today, -5),
        by=by,
    )
    services.consent_record(
        case=case,
        recipient=csw,
        categories=[DataCategory.IDENTITY, DataCategory.CHILDREN, DataCategory.RISK, DataCategory.NEEDS],
        purpose="Koordinacija zaštite dece i sastanak multisektorskog tima.",
        given_how=ConsentForm.WRITTEN,
        valid_from=add_months(today, -5),
        valid_until=add_months(today, 7),
        by=by,
    )
    referral = services.referral_send(
        case=case,
        institution=csw,
        categories=[DataCategory.IDENTITY, DataCategory.CHILDREN, DataCategory.RISK],
        reason="Procena bezbednosti dece i podrška u postupku starateljstva.",
        sent_on=today - dt.timedelta(days=9),
        by=by,
    )
    services.referral_update(
        referral=referral, status=ReferralStatus.ACCEPTED, outcome="Dodeljena voditeljka slučaja.", by=by
    )
    held_at = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=3), dt.time(10, 0)))
    conference = services.conference_schedule(
        case=case,
        held_at=held_at,
        place="Centar za socijalni rad, sala 2",
        agenda="1. Procena rizika\n2. Kršenje mere zabrane prilaska\n3. Kontakt oca sa decom",
        invited_staff=[u for u in (coordinator,) if u],
        status=ConferenceStatus.SCHEDULED,
        by=by,
    )
    for institution, name, role in [
        (csw, "Voditeljka slučaja", "socijalna radnica"),
        (police, "Inspektor za nasilje u porodici", "policija"),
        (prosecution, "Zamenica tužioca", "tužilaštvo"),
        (school, "Pedagoškinja škole", "obrazovanje"),
        (health, "Patronažna sestra", "zdravstvo"),
    ]:
        services.conference_participant_add(conference=conference, institution=institution, name=name, role=role, by=by)
    services.follow_up_add(
        conference=conference,
        description="Hitna provera poštovanja mere zabrane prilaska.",
        institution=police,
        due_on=today + dt.timedelta(days=7),
        by=by,
    )
    services.follow_up_add(
        conference=conference,
        description="Nalaz o kontaktu oca sa decom.",
        institution=csw,
        due_on=today + dt.timedelta(days=21),
        by=by,
    )


def _case_cti(client, counselor, by, today, csw, shelter):
    start = add_months(today, -4)
    case = services.case_open(client=client, lead_counselor=counselor, opened_on=add_months(today, -6), by=by)
    moved_in = add_months(today, -1)
    reason = ""
    if cti_planned_end(start) > cti_window_end(moved_in):
        reason = "Hun flyttede ind senere end planlagt; forløbet afsluttes efter skoleårets start."
    course = services.cti_course_save(
        case=case,
        start_on=start,
        moved_out_on=moved_in - dt.timedelta(days=10),
        moved_in_on=moved_in,
        extension_reason=reason,
        by=by,
    )
    for phase, area, goal in [
        (1, CtiArea.HOUSING, "Finde en lejlighed i Aarhus med plads til datteren."),
        (1, CtiArea.ECONOMY, "Søge om kontanthjælp og boligstøtte."),
        (2, CtiArea.DAYCARE, "Plads i vuggestue tæt på den nye bolig."),
        (2, CtiArea.LABOUR_MARKET, "Møde med jobcentret om praktik."),
        (2, CtiArea.HEALTH, "Egen læge og psykolog via kommunen."),
        (3, CtiArea.SCHOOL, "Overdragelse til skolens socialrådgiver."),
    ]:
        services.cti_goal_add(course=course, phase=phase, area=area, goal=goal, by=by)
    stay = services.shelter_stay_record(
        case=case, shelter=shelter, arrived_on=add_months(today, -7), left_on=moved_in - dt.timedelta(days=10), by=by
    )
    for days, kind in [
        (-25, AftercareKind.HOME_VISIT),
        (-20, AftercareKind.INDIVIDUAL_TALK),
        (-16, AftercareKind.SELF_HELP_GROUP),
        (-12, AftercareKind.WORKSHOP),
    ]:
        services.aftercare_record(
            case=case, kind=kind, held_on=today + dt.timedelta(days=days), stay=stay, duration_minutes=60, by=by
        )
    services.aftercare_record(
        case=case,
        kind=AftercareKind.GROUP_COURSE,
        held_on=today - dt.timedelta(days=5),
        stay=stay,
        by=by,
        status=ActivityStatus.MISSED,
    )
    for days, kind in [(3, AftercareKind.HOME_VISIT), (10, AftercareKind.LECTURE), (24, AftercareKind.INDIVIDUAL_TALK)]:
        services.aftercare_record(
            case=case,
            kind=kind,
            held_on=today + dt.timedelta(days=days),
            stay=stay,
            by=by,
            status=ActivityStatus.PLANNED,
        )
    first_review = course.reviews.filter(phase=1).first()
    if first_review is not None and first_review.review_on <= today:
        services.cti_review_mark(review=first_review, status=ActivityStatus.DONE, by=by)
    services.risk_assessment_record(
        case=case, assessed_on=today - dt.timedelta(days=70), answers=_answers({"isolated", "money"}), by=by
    )
