"""The demo's referrals: returnees referred to the demo providers' services and within the
programme, at every point of the loop, so each persona's home page has work waiting.

- cm.tamba: referrals waiting past their acknowledgement date (one long enough to escalate to
  coord.tamba), accepted, delivered, closed with the returnee's feedback, declined with a
  reason, a draft; a referral without consent (life at risk) that coord.tamba has to review;
  medical referrals (fp.medical reads them; cm.tamba sees only that they exist); internal
  referrals to the medical and the protection focal points and to cm.psy.
- cm.kolda and cm.psy: a few of their own; and older referrals whose loop is closed, so the
  statistics (median days to acknowledge and to deliver) have something to say.
- The referrals to the protection focal point that the demo's screenings made when they were
  recorded (`assessments.py`; the instruments' submit hook) are dated on their screening's
  day; fp.protection has taken up the older ones and closed those of long ago.

Everything is written through `referrals.services` by the personas, and providers answer
through their links as the link page does (`link_use`, then the answer with `via_link`).
Back-dating follows the rest of the demo (see `programme.py`): the services stamp "now"; the
loader then moves, with a plain ORM update, the *dates* of the rows it has just written — a
referral's `created_at`, `updated_at`, `sent_at`, `acknowledge_by` (recomputed from the
back-dated sending), `acknowledged_at`, `answered_at`, `delivered_at`, `closed_at`,
`cancelled_at` and `override_reviewed_at`; a provider link's `created_at`, `updated_at`,
`expires_at` (recomputed), `last_used_at` and `revoked_at`; the timeline events' `at`; an
assignment's `created_at` / `updated_at` (an internal referral accepted); and the case's
`updated_at`. The audit tables are never touched. A fixed seed picks the cases and the words
(the references and the links' tokens are the services' own random draws).
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from reintegra.accounts.models import User
from reintegra.cases.choices import EventKind, Stage
from reintegra.cases.models import Assignment, Case, CaseEvent
from reintegra.instruments.choices import ResponseStatus
from reintegra.instruments.models import Response
from reintegra.people.choices import ConsentPurpose
from reintegra.people.selectors import consent_valid_for
from reintegra.providers.choices import Category
from reintegra.providers.models import Service
from reintegra.referrals import services
from reintegra.referrals.choices import (
    DEFAULT_FIELDS,
    Field,
    Kind,
    OverrideGround,
    Recipient,
    State,
)
from reintegra.referrals.models import Referral, ReferralLink, Satisfaction
from reintegra.referrals.selectors import fitting_services

SEED = 733

ACK = "ACKNOWLEDGED"  # services.ACKNOWLEDGED: receipt confirmed, no change of state
REVIEW = "REVIEW"  # the coordinator reviews a referral made without consent
LINK = "link"  # the provider answers through its link
STAFF = "staff"  # the referring case manager (records a provider's phone call, closes)

OPEN = (Stage.REGISTERED, Stage.ASSESSMENT, Stage.PLANNING, Stage.ASSISTANCE, Stage.MONITORING)
EARLY = (Stage.REGISTERED, Stage.ASSESSMENT, Stage.PLANNING)
LATE = (Stage.PLANNING, Stage.ASSISTANCE, Stage.MONITORING)

# Service categories a case manager refers to, by how often (the history's draw).
HISTORY_CATEGORIES: dict[str, int] = {
    Category.BUSINESS: 5,
    Category.JOB_PLACEMENT: 4,
    Category.TVET: 5,
    Category.FINANCIAL: 4,
    Category.DOCUMENTATION: 3,
    Category.SOCIAL_PROTECTION: 3,
    Category.LEGAL: 1,
    Category.PSYCHOSOCIAL: 2,
    Category.HEALTH_SECONDARY: 2,
    Category.MENTAL_HEALTH: 2,
}
REASONS: dict[str, list[str]] = {
    Category.JOB_PLACEMENT: [
        "Recherche d'emploi dans la menuiserie : souhaite un apprentissage chez un maître "
        "menuisier.",
        "Looking for an apprenticeship in motorbike repair; worked as a mechanic's helper in "
        "Morocco.",
        "Cherche une place d'apprenti en maçonnerie près de chez lui.",
    ],
    Category.TVET: [
        "Souhaite une formation en soudure et électricité pour s'installer à son compte.",
        "Wants to train in tailoring; learnt basic sewing while working in Libya.",
    ],
    Category.BUSINESS: [
        "Business plan coaching for a small poultry farm.",
        "Appui au plan d'affaires pour ouvrir une boutique de quartier.",
        "Help to cost a market-gardening project before the plan is approved.",
    ],
    Category.FINANCIAL: [
        "Ouvrir un compte d'épargne pour recevoir l'appui au démarrage de l'activité.",
        "Savings account and information on micro-credit for the trading activity.",
    ],
    Category.DOCUMENTATION: [
        "Lost the national ID card on the journey; needs a birth certificate copy to apply "
        "for a new one.",
        "Demande d'extrait d'acte de naissance pour refaire la carte nationale d'identité.",
    ],
    Category.SOCIAL_PROTECTION: [
        "Adhésion à la mutuelle de santé pour lui, son épouse et leurs enfants.",
        "Health insurance membership for the household.",
    ],
    Category.LEGAL: [
        "Advice on wages an employer in Morocco never paid.",
        "Conseil juridique sur un litige foncier dans la famille.",
    ],
    Category.JUSTICE: ["Accompaniment to file a complaint for a theft at the market."],
    Category.PSYCHOSOCIAL: [
        "Groupe de parole pour personnes de retour : se sent isolé depuis son arrivée.",
        "Support group for returnees; would like to meet others who came back.",
    ],
    Category.HEALTH_SECONDARY: [
        "Consultation for recurring headaches and dizziness since the return.",
        "Douleurs persistantes au genou depuis une chute pendant le voyage ; consultation et "
        "radiographie.",
    ],
    Category.MENTAL_HEALTH: [
        "Troubles du sommeil et cauchemars depuis le retour ; demande un suivi psychologique.",
        "Persistent anxiety and flashbacks of the detention; assessment by a psychologist.",
    ],
}
ACCEPT_NOTES = [
    "Rendez-vous mardi à 10 h ; apporter la pièce d'identité.",
    "Appointment next Monday morning; ask for the counsellor at the front desk.",
    "Inscrit sur la liste ; début la semaine prochaine.",
    "",
]
OUTCOMES = [
    "Service provided as planned.",
    "Prise en charge terminée ; compte rendu remis au bénéficiaire.",
    "Attended every session; certificate issued.",
    "",
]
CLOSING: dict[str, tuple[str, str]] = {
    Satisfaction.SATISFIED: (
        "The service helped: the returnee uses it for the activity.",
        "Très content : on m'a bien expliqué et reçu rapidement.",
    ),
    Satisfaction.PARTLY: (
        "Service received; transport to the provider remains a difficulty.",
        "C'est bien, mais c'est loin de chez moi et le transport coûte cher.",
    ),
    Satisfaction.NOT_SATISFIED: (
        "Service received late; the returnee will not go back.",
        "I waited a long time and nobody called me back.",
    ),
    Satisfaction.NOT_ASKED: ("Service received; the returnee could not be reached since.", ""),
}
DECLINES = [
    "Plus de place avant la rentrée d'octobre ; à renouveler en septembre.",
    "The returnee does not meet the entry requirements (reading and writing in French).",
]
NOT_DELIVERED = [
    "Le bénéficiaire ne s'est pas présenté aux deux rendez-vous.",
    "The returnee moved to another region before the start date.",
]
CANCELS = [
    "Le bénéficiaire a trouvé une place par lui-même.",
    "The need is covered by the reintegration plan instead.",
]


@dataclass(frozen=True)
class Step:
    """One move on the loop, `after` days after sending, by the provider's link, the referring
    case manager, or a named persona."""

    after: int
    to: str
    note: str = ""
    by: str = LINK
    feedback: str = ""
    satisfaction: str = ""


@dataclass(frozen=True)
class Plan:
    """A referral to make: on a case of `lead` at `office`, `sent` days ago."""

    office: str
    lead: str
    reason: str
    sent: int
    service: tuple[str, str] = ("", "")  # (provider name, service name) fragments
    recipient: str = ""
    recipient_user: str = ""
    steps: tuple[Step, ...] = ()
    stages: tuple[str, ...] = OPEN
    consent: bool = True
    override: tuple[str, str] = ("", "")
    urgent: bool = False
    fields: tuple[str, ...] = tuple(DEFAULT_FIELDS)
    link: bool = False
    draft: bool = False


CM_TAMBA = "cm.tamba"
CM_KOLDA = "cm.kolda"
CM_PSY = "cm.psy"
CHAMBRE = "Chambre de métiers"
CAISSE = "Caisse de crédit"
ETAT_CIVIL = "état civil de Goudiry"
AJS = "juristes sénégalaises"
HOPITAL = "Hôpital régional de Kolda"
SANTE_MENTALE = "santé mentale de Dakar"
CFP_KOLDA = "formation professionnelle de Kolda"
MUTUELLE = "Mutuelle de santé Kolda"
REGIONS = {"TAM": "Tambacounda", "KLD": "Kolda"}
SCREENING = "vulnerability_screening"
# Who takes up an internal referral nobody was named for.
RECIPIENT_USERS: dict[str, str] = {
    Recipient.PROTECTION_FP: "fp.protection",
    Recipient.MEDICAL_FP: "fp.medical",
}

# What each persona finds on the home page; days are before the day the demo is loaded.
SHOWCASE: list[Plan] = [
    # cm.tamba: waiting past the acknowledgement date (5 days to answer).
    Plan(
        "TAM",
        CM_TAMBA,
        "Recherche d'emploi dans la menuiserie : souhaite un apprentissage chez un maître "
        "menuisier à Tambacounda.",
        sent=7,
        service=(CHAMBRE, "Apprenticeships"),
        stages=EARLY,
        link=True,
    ),
    # …and long enough to escalate to coord.tamba (14 days to answer, 11 days late).
    Plan(
        "TAM",
        CM_TAMBA,
        "Lost the national ID card on the journey; needs a birth certificate copy to apply for "
        "a new one.",
        sent=25,
        service=(ETAT_CIVIL, "Birth certificate"),
        stages=(Stage.REGISTERED, Stage.ASSESSMENT),
        fields=(Field.NAME, Field.PHONE, Field.DATE_OF_BIRTH, Field.PLACE),
        link=True,
    ),
    # Sent three days ago and acknowledged; the answer is not due yet.
    Plan(
        "TAM",
        CM_TAMBA,
        "Ouvrir un compte d'épargne pour recevoir l'appui au démarrage de l'activité.",
        sent=3,
        service=(CAISSE, "Savings account"),
        stages=(Stage.PLANNING, Stage.ASSISTANCE),
        steps=(Step(1, ACK),),
    ),
    Plan(
        "TAM",
        CM_TAMBA,
        "Business plan coaching for a small poultry farm.",
        sent=18,
        service=(CHAMBRE, "Business plan"),
        stages=(Stage.PLANNING,),
        steps=(
            Step(2, ACK),
            Step(
                3,
                State.ACCEPTED,
                "Rendez-vous mardi à 10 h avec le conseiller ; apporter la pièce d'identité.",
            ),
        ),
    ),
    Plan(
        "TAM",
        CM_TAMBA,
        "Appui au plan d'affaires pour ouvrir une boutique de quartier.",
        sent=50,
        service=(CHAMBRE, "Business plan"),
        stages=(Stage.ASSISTANCE, Stage.PLANNING),
        steps=(
            Step(2, State.ACCEPTED, "Called back: first session on Thursday.", by=STAFF),
            Step(31, State.DELIVERED, "Business plan completed in four sessions.", by=STAFF),
        ),
    ),
    Plan(
        "TAM",
        CM_TAMBA,
        "Savings account and information on micro-credit for the trading activity.",
        sent=95,
        service=(CAISSE, "Savings account"),
        stages=(Stage.ASSISTANCE, Stage.MONITORING),
        steps=(
            Step(4, ACK),
            Step(6, State.ACCEPTED, "Venir avec la carte d'identité et 2 000 XOF."),
            Step(20, State.DELIVERED, "Compte ouvert ; premier dépôt effectué."),
            Step(
                28,
                State.CLOSED,
                "The account receives the start-up grant; the returnee saves every week.",
                by=STAFF,
                feedback="Très content : le personnel de la caisse explique bien.",
                satisfaction=Satisfaction.SATISFIED,
            ),
        ),
    ),
    Plan(
        "TAM",
        CM_TAMBA,
        "Looking for an apprenticeship in motorbike repair; worked as a mechanic's helper in "
        "Morocco.",
        sent=120,
        service=(CHAMBRE, "Apprenticeships"),
        stages=(Stage.MONITORING, Stage.ASSISTANCE),
        steps=(
            Step(5, State.ACCEPTED, "Placed with a master mechanic in the Dépôt district."),
            Step(40, State.DELIVERED, "Three-month apprenticeship completed.", by=STAFF),
            Step(
                47,
                State.CLOSED,
                "Apprenticeship completed; now works two days a week at the workshop.",
                by=STAFF,
                feedback="The apprenticeship is good but the workshop is far from home; "
                "transport is expensive.",
                satisfaction=Satisfaction.PARTLY,
            ),
        ),
    ),
    Plan(
        "TAM",
        CM_TAMBA,
        "Cherche une place d'apprenti en maçonnerie près de chez lui.",
        sent=30,
        service=(CHAMBRE, "Apprenticeships"),
        stages=(Stage.PLANNING, Stage.ASSESSMENT),
        steps=(
            Step(
                6,
                State.DECLINED,
                "Plus de place chez les maîtres maçons avant la rentrée d'octobre ; à "
                "renouveler en septembre.",
            ),
        ),
    ),
    # Without consent: the person's life is at risk (coord.tamba reviews it).
    Plan(
        "TAM",
        CM_TAMBA,
        "Urgent : menaces répétées d'un créancier lié au passeur ; accompagnement pour porter "
        "plainte et mesures de protection.",
        sent=2,
        service=(AJS, "complaint"),
        consent=False,
        override=(
            OverrideGround.LIFE_AT_RISK,
            "Reached only by phone while hiding at a relative's; no safe way to record his "
            "consent before the complaint is filed.",
        ),
        urgent=True,
    ),
    # …and one a coordinator has reviewed (the person cannot consent for now).
    Plan(
        "TAM",
        CM_TAMBA,
        "Très agité, propos confus ; évaluation psychiatrique demandée par la famille.",
        sent=40,
        service=(SANTE_MENTALE, "Psychological care"),
        consent=False,
        override=(
            OverrideGround.CANNOT_CONSENT,
            "The district hospital's psychiatric nurse found he cannot consent for now; his "
            "brother agreed on his behalf.",
        ),
        steps=(
            Step(
                1,
                REVIEW,
                "Ground confirmed with the nurse's written note; ask for his consent at the "
                "next session.",
                by="coord.tamba",
            ),
            Step(3, State.ACCEPTED, "Admitted for assessment on Monday."),
        ),
    ),
    # Medical referrals: fp.medical reads them; cm.tamba only knows they exist.
    Plan(
        "TAM",
        CM_TAMBA,
        "Consultation for recurring headaches and dizziness since the return.",
        sent=1,
        service=(HOPITAL, "Consultations"),
        link=True,
    ),
    Plan(
        "TAM",
        CM_TAMBA,
        "Troubles du sommeil et cauchemars depuis le retour ; demande un suivi psychologique.",
        sent=12,
        service=(SANTE_MENTALE, "Psychological care"),
        steps=(Step(2, State.ACCEPTED, "Première consultation jeudi à 9 h."),),
    ),
    # Within the programme: the medical and protection focal points (anyone in the role),
    # and cm.psy by name.
    Plan(
        "TAM",
        CM_TAMBA,
        "Diabetic; has had no insulin since the return and does not know where to get "
        "follow-up care.",
        sent=1,
        recipient=Recipient.MEDICAL_FP,
        urgent=True,
    ),
    Plan(
        "TAM",
        CM_TAMBA,
        "Signs of trafficking on the route through Libya (passport confiscated, unpaid forced "
        "work); needs a protection assessment.",
        sent=1,
        recipient=Recipient.PROTECTION_FP,
        fields=(Field.NAME, Field.PHONE, Field.SEX, Field.AGE),
    ),
    Plan(
        "TAM",
        CM_TAMBA,
        "Isolement et tristesse depuis le retour ; ne sort plus de chez lui. Souhaite parler à "
        "quelqu'un.",
        sent=1,
        recipient=Recipient.PSYCHOSOCIAL,
        recipient_user=CM_PSY,
    ),
    Plan(
        "TAM",
        CM_TAMBA,
        "Advice on wages an employer in Morocco never paid.",
        sent=1,
        service=(AJS, "Legal advice"),
        draft=True,
    ),
    # cm.psy refers one of her returnees to a support group.
    Plan(
        "TAM",
        CM_PSY,
        "Groupe de parole pour personnes de retour : se sent isolé depuis son arrivée.",
        sent=10,
        service=(SANTE_MENTALE, "Support groups"),
        steps=(Step(3, State.ACCEPTED, "Groupe du mercredi, 15 h."),),
    ),
    # Kolda.
    Plan(
        "KLD",
        CM_KOLDA,
        "Souhaite une formation en soudure et électricité pour s'installer à son compte.",
        sent=9,
        service=(CFP_KOLDA, "Welding"),
        stages=LATE,
        link=True,
    ),
    Plan(
        "KLD",
        CM_KOLDA,
        "Adhésion à la mutuelle de santé pour lui, son épouse et leurs enfants.",
        sent=12,
        service=(MUTUELLE, "Health insurance"),
        link=True,
    ),
    Plan(
        "KLD",
        CM_KOLDA,
        "Wants to train in tailoring; learnt basic sewing while working in Libya.",
        sent=14,
        service=(CFP_KOLDA, "Sewing"),
        stages=LATE,
        steps=(Step(4, State.ACCEPTED, "Session starts on the 1st; fees payable at enrolment."),),
    ),
    Plan(
        "KLD",
        CM_KOLDA,
        "Health insurance membership for the household.",
        sent=70,
        service=(MUTUELLE, "Health insurance"),
        steps=(
            Step(3, State.ACCEPTED, by=STAFF),
            Step(9, State.DELIVERED, "Membership card issued for five people.", by=STAFF),
            Step(
                15,
                State.CLOSED,
                "The household is insured for the year.",
                by=STAFF,
                feedback="Merci, mes enfants peuvent aller au centre de santé.",
                satisfaction=Satisfaction.SATISFIED,
            ),
        ),
    ),
    Plan(
        "KLD",
        CM_KOLDA,
        "Douleurs persistantes au genou depuis une chute pendant le voyage ; consultation et "
        "radiographie.",
        sent=25,
        service=(HOPITAL, "Consultations"),
        steps=(
            Step(1, State.ACCEPTED),
            Step(6, State.DELIVERED, "X-ray done; physiotherapy for three weeks."),
        ),
    ),
    Plan(
        "KLD",
        CM_KOLDA,
        "Menaces de la part de la famille depuis le retour ; demande d'évaluation de protection.",
        sent=8,
        recipient=Recipient.PROTECTION_FP,
        steps=(
            Step(1, State.ACCEPTED, "Call planned with the returnee tomorrow.", by="fp.protection"),
        ),
    ),
]


@dataclass
class _Loader:
    users: dict[str, User]
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    today: date = field(default_factory=timezone.localdate)
    now: datetime = field(default_factory=timezone.now)
    used: set[int] = field(default_factory=set)
    pools: dict[tuple[str, str], list[Case]] = field(default_factory=dict)
    _last: datetime | None = None

    # ---- back-dating (dates only; see the module docstring) ----------------------------

    def _when(self, day: date) -> datetime:
        """A working-hours moment on `day`, after the previous one of the referral."""
        start = timezone.make_aware(datetime.combine(day, time(8, 30)))
        when = start + timedelta(minutes=self.rng.randint(0, 480))
        if self._last and when <= self._last:
            when = self._last + timedelta(minutes=self.rng.randint(5, 90))
        when = min(when, self.now - timedelta(minutes=1))
        self._last = when
        return when

    def _stamp(self, referral: Referral, when: datetime, *, first: bool = False) -> None:
        """Move what the last service call wrote (stamped after `self.now`) to `when`."""
        now = self.now
        r = Referral.objects.get(pk=referral.pk)
        moved: dict[str, Any] = {"updated_at": when}
        if first:
            moved["created_at"] = when
        for name in (
            "acknowledged_at",
            "answered_at",
            "delivered_at",
            "closed_at",
            "cancelled_at",
            "override_reviewed_at",
        ):
            value = getattr(r, name)
            if value is not None and value >= now:
                moved[name] = when
        if r.sent_at is not None and r.sent_at >= now:
            days = r.provider.response_days if r.provider else _internal_days()
            moved["sent_at"] = when
            moved["acknowledge_by"] = timezone.localtime(when).date() + timedelta(days=days)
        Referral.objects.filter(pk=r.pk).update(**moved)
        links = ReferralLink.objects.filter(referral_id=r.pk)
        link_days = int(getattr(settings, "REINTEGRA_REFERRAL_LINK_DAYS", 30))
        links.filter(created_at__gte=now).update(
            created_at=when, expires_at=when + timedelta(days=link_days)
        )
        links.filter(last_used_at__gte=now).update(last_used_at=when)
        links.filter(revoked_at__gte=now).update(revoked_at=when)
        links.filter(updated_at__gte=now).update(updated_at=when)
        CaseEvent.objects.filter(case_id=r.case_id, at__gte=now).update(at=when)
        Assignment.objects.filter(case_id=r.case_id, created_at__gte=now).update(
            created_at=when, updated_at=when
        )

    # ---- picking the case and the service -----------------------------------------------

    def _pool(self, office: str, lead: str) -> list[Case]:
        key = (office, lead)
        if key not in self.pools:
            cases = list(
                Case.objects.filter(office__code=office, lead__username=lead, stage__in=OPEN)
                .select_related("person", "office")
                .order_by("pk")
            )
            self.rng.shuffle(cases)
            self.pools[key] = cases
        return self.pools[key]

    def _service(self, case: Case, plan: Plan) -> Service | None:
        provider, name = plan.service
        for service in fitting_services(case):
            if provider in service.provider.name and name in service.name:
                return service
        return None

    def _pick(self, plan: Plan, sent_day: date) -> tuple[Case, Service | None] | None:
        for case in self._pool(plan.office, plan.lead):
            if case.pk in self.used or case.stage not in plan.stages:
                continue
            if case.opened_on > sent_day - timedelta(days=2):
                continue
            consented = consent_valid_for(case.person, ConsentPurpose.REFERRAL) is not None
            if consented != plan.consent:
                continue
            service = None
            if not plan.recipient:
                service = self._service(case, plan)
                if service is None:
                    continue
            self.used.add(case.pk)
            return case, service
        return None

    # ---- one referral -------------------------------------------------------------------

    def make(self, plan: Plan) -> Referral | None:
        """Make the referral of `plan` and walk its steps; None when no case fits."""
        sent_day = self.today - timedelta(days=plan.sent)
        picked = self._pick(plan, sent_day)
        if picked is None:
            return None
        case, service = picked
        self._last = None
        lead = self.users[plan.lead]
        updated_at = Case.objects.filter(pk=case.pk).values_list("updated_at", flat=True).get()
        ground, why = plan.override
        referral = services.referral_create(
            actor=lead,
            case=case,
            reason=plan.reason,
            service=service,
            recipient=plan.recipient,
            recipient_user=self.users[plan.recipient_user] if plan.recipient_user else None,
            shared_fields=list(plan.fields),
            urgent=plan.urgent,
            override_ground=ground,
            override_reason=why,
            send=not plan.draft,
        )
        when = self._when(sent_day)
        self._stamp(referral, when, first=True)
        link = None
        if (
            not plan.draft
            and service is not None
            and (plan.link or any(s.by == LINK for s in plan.steps))
        ):
            link, _token = services.link_issue(actor=lead, referral=referral)
            self._stamp(referral, when)
        last = self._walk(referral, lead, plan.steps, sent_day, when, link)
        Case.objects.filter(pk=case.pk).update(updated_at=max(updated_at, last))
        return referral

    def _walk(
        self,
        referral: Referral,
        lead: User,
        steps: tuple[Step, ...],
        sent_day: date,
        when: datetime,
        link: ReferralLink | None = None,
    ) -> datetime:
        """Take the referral through `steps`; the moment of the last one."""
        expires = (
            ReferralLink.objects.values_list("expires_at", flat=True).get(pk=link.pk)
            if link is not None
            else None
        )
        for step in steps:
            day = min(sent_day + timedelta(days=step.after), self.today)
            when = self._when(day)
            # A provider answers through its link while it lives, by phone to the case manager
            # after that.
            by_link = step.by == LINK and expires is not None and when < expires
            actor = None if by_link else lead if step.by in (LINK, STAFF) else self.users[step.by]
            via = link if by_link else None
            if via is not None:
                services.link_use(link=via, action="referral.link_answered")
            if step.to == ACK:
                services.referral_acknowledge(actor=actor, referral=referral, via_link=via)
            elif step.to == REVIEW:
                services.referral_override_review(actor=actor, referral=referral, note=step.note)
            else:
                services.referral_transition(
                    actor=actor,
                    referral=referral,
                    to=step.to,
                    note=step.note,
                    feedback=step.feedback,
                    satisfaction=step.satisfaction,
                    via_link=via,
                )
            self._stamp(referral, when)
        return when

    # ---- the referrals the screenings made -----------------------------------------------

    def screenings(self) -> None:
        """A screening that raises the protection flag refers the returnee to the protection
        focal point (the instruments' submit hook), so the demo's screenings have already
        sent some, stamped with the time of loading. Date each on its screening's day; the
        focal point took up the older ones (and closed those of long ago), and has just
        acknowledged the latest."""
        waiting = Referral.objects.filter(
            kind=Kind.INTERNAL, state=State.SENT, created_at__lt=self.now
        ).select_related("case")
        for referral in waiting.order_by("pk"):
            screened = (
                Response.objects.filter(
                    case_id=referral.case_id,
                    instrument__code=SCREENING,
                    status=ResponseStatus.SUBMITTED,
                    collected_on__isnull=False,
                )
                .order_by("-collected_on")
                .values_list("collected_on", flat=True)
                .first()
            )
            self.used.add(referral.case_id)  # no other referral for these cases
            if screened is None or referral.recipient not in RECIPIENT_USERS:
                continue
            self._last = None
            fp = self.users[RECIPIENT_USERS[referral.recipient]]
            sent_day = min(screened, self.today)
            when = self._when(sent_day)
            Referral.objects.filter(pk=referral.pk).update(
                created_at=when,
                updated_at=when,
                sent_at=when,
                acknowledge_by=sent_day + timedelta(days=_internal_days()),
            )
            CaseEvent.objects.filter(
                case_id=referral.case_id,
                kind=EventKind.REFERRAL,
                data__referral_id=referral.pk,
            ).update(at=when)
            age = (self.today - sent_day).days
            steps: tuple[Step, ...] = (Step(min(age, 1), ACK, by=fp.username),)
            if age > 10:
                steps += (
                    Step(
                        2,
                        State.ACCEPTED,
                        "Protection assessment planned with the returnee.",
                        by=fp.username,
                    ),
                )
            if age > 60:
                done = self.rng.randint(10, 30)
                steps += (
                    Step(
                        done,
                        State.DELIVERED,
                        "Protection assessment done; safety plan agreed with the returnee.",
                        by=fp.username,
                    ),
                    Step(
                        done + self.rng.randint(2, 14),
                        State.CLOSED,
                        "Safety plan followed by the case manager; no new incident reported.",
                        by=fp.username,
                        satisfaction=Satisfaction.NOT_ASKED,
                    ),
                )
            updated_at = (
                Case.objects.filter(pk=referral.case_id).values_list("updated_at", flat=True).get()
            )
            last = self._walk(referral, fp, steps, sent_day, when)
            Case.objects.filter(pk=referral.case_id).update(updated_at=max(updated_at, last))

    # ---- older loops, for the statistics --------------------------------------------------

    def history(self, office: str, lead: str, count: int) -> None:
        """`count` older referrals from `lead`'s cases to the services around `office`."""
        rng = self.rng
        region = REGIONS[office]
        offered: dict[str, list[Service]] = {}
        for service in Service.objects.filter(
            is_active=True, provider__is_active=True
        ).select_related("provider"):
            if service.provider.serves(region):
                offered.setdefault(service.category, []).append(service)
        categories = [c for c in HISTORY_CATEGORIES if c in offered]
        weights = [HISTORY_CATEGORIES[c] for c in categories]
        for _ in range(count):
            category = rng.choices(categories, weights=weights)[0]
            service = rng.choice(sorted(offered[category], key=lambda s: s.pk))
            plan = self._history_plan(office, lead, service, rng.randint(35, 220))
            if plan is not None:
                self.make(plan)

    def _history_plan(self, office: str, lead: str, service: Service, sent: int) -> Plan | None:
        """An older referral to `service`, answered on time or late, mostly delivered and
        closed with the returnee's feedback; a few declined, not delivered or cancelled."""
        rng = self.rng
        ack = rng.randint(0, service.provider.response_days + 4)
        answer = ack + rng.randint(0, 3)
        by = LINK if rng.random() < 0.5 else STAFF
        steps: list[Step] = []
        if ack < answer:
            steps.append(Step(ack, ACK, by=by))
        roll = rng.random()
        if roll < 0.1:
            steps.append(Step(answer, State.DECLINED, rng.choice(DECLINES), by=by))
            steps.append(
                Step(
                    answer + rng.randint(1, 5),
                    State.CLOSED,
                    "Another option is being looked for with the returnee.",
                    by=STAFF,
                )
            )
        elif roll < 0.16:
            steps.append(Step(answer, State.CANCELLED, rng.choice(CANCELS), by=STAFF))
        else:
            steps.append(Step(answer, State.ACCEPTED, rng.choice(ACCEPT_NOTES), by=by))
            delivered = answer + rng.randint(4, 35)
            if roll < 0.24:
                steps.append(
                    Step(delivered, State.NOT_DELIVERED, rng.choice(NOT_DELIVERED), by=STAFF)
                )
                satisfaction = str(Satisfaction.NOT_ASKED)
            else:
                steps.append(Step(delivered, State.DELIVERED, rng.choice(OUTCOMES), by=by))
                satisfaction = rng.choices(list(CLOSING), weights=[6, 3, 1, 1])[0]
            if roll < 0.9:
                note, feedback = CLOSING[satisfaction]
                steps.append(
                    Step(
                        delivered + rng.randint(2, 20),
                        State.CLOSED,
                        note,
                        by=STAFF,
                        feedback=feedback,
                        satisfaction=satisfaction,
                    )
                )
        if steps[-1].after >= sent:
            return None  # the loop would end after today
        return Plan(
            office,
            lead,
            rng.choice(REASONS[service.category]),
            sent=sent,
            service=(service.provider.name, service.name),
            steps=tuple(steps),
            stages=LATE,
        )

    def load(self) -> None:
        self.screenings()
        for plan in SHOWCASE:
            self.make(plan)
        self.history("TAM", CM_TAMBA, 14)
        self.history("TAM", CM_PSY, 3)
        self.history("KLD", CM_KOLDA, 10)


def _internal_days() -> int:
    return int(getattr(settings, "REINTEGRA_INTERNAL_REFERRAL_DAYS", 2))


def referrals_load(users: dict[str, User]) -> None:
    """Make the demo's referrals on the demo cases (after the programme and assessments)."""
    _Loader(users).load()
