"""Demo data of the restricted sections: protection, medical and psychosocial content on a few
Tambacounda cases of cm.tamba (written by the focal points and by cm.psy through the services,
so the flags, the timeline lines and the audit rows are the real ones), and training records
for several personas. The texts are invented."""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from reintegra.cases import services as cases
from reintegra.cases.choices import Stage
from reintegra.cases.models import Case
from reintegra.cases.permissions import case_access
from reintegra.referrals.models import Referral
from reintegra.safeguarding import services
from reintegra.safeguarding.selectors import case_has_minors

PROTECTION = [
    {
        "screening_follow_up": "Screening rated HIGH: follow-up visit done with the case manager.",
        "individual_risks": "Debt owed to the intermediary who organised the journey.",
        "individual_protective": "Speaks Pulaar and French; vocational training in tailoring.",
        "household_risks": "Family expects remittances; tension with the elder brother.",
        "household_protective": "Mother and aunt supportive, a room in the family compound.",
        "community_risks": "Stigma of a 'failed' return in the village.",
        "community_protective": "Active returnee association in Goudiry.",
        "structural_risks": "Few jobs in the region during the dry season.",
        "structural_protective": "Regional employment agency with a returnee desk.",
        "trafficking_screening": "INDICATORS",
        "trafficking_assistance": "Referred for legal counselling; statement taken with consent.",
        "safety_plan": "Avoid contact with the intermediary; phone the focal point if approached.",
    },
    {
        "individual_risks": "Injured in transit; fear of going out alone.",
        "household_protective": "Lives with a married sister who helps daily.",
        "trafficking_screening": "NO_INDICATORS",
        "safety_plan": "Weekly phone check by the case manager for the first two months.",
    },
]
MEDICAL = [
    {
        "conditions": "Declared: chronic hypertension, treated before departure.",
        "needs": "Monthly medication and a blood-pressure check at the district health centre.",
        "fitness_to_travel": "Fit to travel, with medication for the journey.",
    },
    {
        "conditions": "Declared: a healed fracture of the left arm.",
        "needs": "Physiotherapy sessions (six) at the regional hospital.",
    },
]
SESSIONS = [
    ("INDIVIDUAL", 50, "First session: sleep problems since the return; coping explained."),
    ("FAMILY", 75, "Session with the mother and the aunt about expectations and remittances."),
    ("GROUP", 90, "Returnee peer group in Tambacounda: sharing of experiences."),
]
TRAININGS = [
    # (coordinator, person, training, title, days ago, trainer)
    ("coord.tamba", "cm.tamba", "PFA", "", 120, "IOM Dakar"),
    ("coord.tamba", "cm.psy", "PFA", "", 300, "IOM Dakar"),
    ("coord.tamba", "cm.psy", "PROTECTION", "", 90, "UNICEF Tambacounda"),
    ("coord.tamba", "cm.tamba", "DATA_PROTECTION", "", 40, "Commission de protection des données"),
    ("coord.national", "fp.protection", "PROTECTION", "", 200, "IOM Regional Office"),
    ("coord.national", "fp.medical", "PFA", "", 150, "Croix-Rouge sénégalaise"),
    ("coord.national", "cm.kolda", "OTHER", "Case management basics", 60, "IOM Dakar"),
    ("coord.national", "coord.tamba", "DATA_PROTECTION", "", 30, "IOM Dakar"),
]


def _cases(users: dict[str, Any]) -> list[Case]:
    return list(
        Case.objects.filter(office__code="TAM", lead=users["cm.tamba"])
        .exclude(stage__in=[Stage.CLOSED, Stage.PRE_DEPARTURE])
        .select_related("person", "office")
        .order_by("pk")[:4]
    )


def _flag(users: dict[str, Any], case: Case, flag: str) -> Case:
    cases.case_flag_set(actor=users["cm.tamba"], case=case, flag=flag, value=True)
    return Case.objects.select_related("person", "office").get(pk=case.pk)


def sections_load(users: dict[str, Any]) -> None:
    today = timezone.localdate()
    chosen = _cases(users)
    for i, case in enumerate(chosen[:2]):
        case = _flag(users, case, "PROTECTION")
        values = dict(PROTECTION[i])
        if case_has_minors(case):
            values["best_interest"] = "The children stay in school; the family is consulted."
        services.section_update(
            actor=users["fp.protection"], case=case, section="PROTECTION", version=0, values=values
        )
        services.section_entry_add(
            actor=users["fp.protection"],
            case=case,
            section="PROTECTION",
            kind="PROTECTION_NOTE",
            body="Home visit with the case manager; the safety plan was discussed and agreed.",
            written_on=today - timedelta(days=12 - i),
        )
    for i, case in enumerate(chosen[1:3]):
        case = _flag(users, case, "MEDICAL")
        services.section_update(
            actor=users["fp.medical"], case=case, section="MEDICAL", version=0, values=MEDICAL[i]
        )
        referral = Referral.objects.filter(case=case, tier="MEDICAL").first()
        services.section_entry_add(
            actor=users["fp.medical"],
            case=case,
            section="MEDICAL",
            kind="MEDICAL_FOLLOW_UP",
            body="Seen at the district health centre; treatment started.",
            next_steps="Check again in one month.",
            written_on=today - timedelta(days=8 - i),
            referral=referral,
        )
    psy = users["cm.psy"]
    for case in chosen[:2]:
        if not case_access(psy, case).is_assigned:
            cases.case_assign(actor=users["coord.tamba"], case=case, user=psy, role="SPECIALIST")
            case = Case.objects.select_related("person", "office").get(pk=case.pk)
        services.section_update(
            actor=psy,
            case=case,
            section="PSYCHOSOCIAL",
            version=0,
            values={"plan": "Six individual sessions, then the returnee peer group."},
        )
        for n, (kind, minutes, summary) in enumerate(SESSIONS):
            services.section_entry_add(
                actor=psy,
                case=case,
                section="PSYCHOSOCIAL",
                kind="SESSION",
                body=summary,
                session_type=kind,
                duration_minutes=minutes,
                next_steps="Next session in two weeks.",
                written_on=today - timedelta(days=30 - 10 * n),
            )
    for coordinator, person, training, title, days, trainer in TRAININGS:
        services.training_record_add(
            actor=users[coordinator],
            person=users[person],
            training=training,
            title=title,
            completed_on=date.fromordinal(today.toordinal() - days),
            trainer=trainer,
        )
