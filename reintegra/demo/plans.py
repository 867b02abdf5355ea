"""The demo's reintegration plans and the programme set-up they draw on.

coord.national loads the Annex 3 catalogue, sets the programme's ceilings, opens the budget
lines and fills the feasibility grid. Every case in assistance or monitoring has a plan its lead
drafted and the office's coordinator approved (coord.national for Kolda, which has none, and
above REINTEGRA_PLAN_NATIONAL_ABOVE), some a second revision; cases in planning have drafts,
plans waiting for coord.tamba and coord.national, one returned to cm.tamba. The kit for a case
follows the activity its notes talk about. Written through `plans.services` only.

Back-dating as in `programme.py`: the loader then moves, with a plain ORM update, the *dates*
of the rows it has just written (stamped after `self.now`): a plan's `created_at`,
`updated_at`, `submitted_at`, `approved_at`; its history's and the timeline's `at`; its
measures', items' and commitments' `created_at` / `updated_at`, a commitment's `released_at`;
the case's `updated_at`. The audit tables are never touched.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from reintegra.accounts.models import Office, User
from reintegra.cases.choices import EventKind, Stage
from reintegra.cases.models import Case, CaseEvent, Note
from reintegra.plans import services
from reintegra.plans.models import (
    AssistanceType,
    BudgetLine,
    Commitment,
    Item,
    Measure,
    Plan,
    PlanEvent,
)
from reintegra.plans.permissions import national_threshold

SEED = 907

# fmt: off
# The demo programme's own ceilings per measure, in XOF: plausible values for a West African
# reintegration programme, not official or published figures.
CEILINGS = {
    "CASH": 100_000, "ACCOMMODATION": 150_000, "MICRO_BUSINESS": 800_000, "IGA": 600_000,
    "VOCATIONAL_TRAINING": 350_000, "HOUSING": 300_000, "EDUCATION": 100_000,
}
EUTF = "EU Trust Fund – reintegration"
NATIONAL = "Programme national"
# office, code, name, donor, amount (XOF)
BUDGET_LINES = [
    ("TAM", "TAM-EUTF-01", "Reintegration grants Tambacounda", EUTF, 30_000_000),
    ("TAM", "TAM-PN-01", "Appui à la réinsertion Tambacounda", NATIONAL, 10_000_000),
    ("KLD", "KLD-EUTF-01", "Reintegration grants Kolda", EUTF, 25_000_000),
    ("KLD", "KLD-PN-01", "Appui à la réinsertion Kolda", NATIONAL, 8_000_000),
    ("DKR", "DKR-PN-01", "Réserve nationale de réinsertion", NATIONAL, 15_000_000),
]
# The feasibility grid (handbook 2.3.1, Annex 5): dimension, approach, region, useful for,
# individual, community and structural criteria, feasible.
GRID = [
    ("ECONOMIC", "Cash-based assistance (mobile money)", "",
     "Basic needs and non-productive debt paid off, so that an activity can start.",
     "High non-productive debt; too little income; acute vulnerability; remote location.",
     "No protection risk in receiving cash at home; no tension with the household.",
     "A safe delivery channel: mobile-money agents (Wave, Orange Money) near the returnee.", True),
    ("ECONOMIC", "Cash-based assistance (mobile money)", "Kolda",
     "As everywhere.", "As everywhere.",
     "Carrying cash home from town is a protection risk in the border communes.",
     "Too few mobile-money agents outside Kolda town and Vélingara; no safe channel yet.", False),
    ("ECONOMIC", "In-kind support (equipment bought for the returnee)", "",
     "Starting or strengthening a micro-business with equipment and first stock.",
     "A realistic business plan; the returnee agrees that staff buy on their behalf.",
     "Safe to buy on the beneficiary's behalf; reliable suppliers in the regional market.",
     "Procurement rules: three quotes above 250,000 XOF; hand-over certificate signed.", True),
    ("ECONOMIC", "Business support (training, capital, incubation)", "Tambacounda",
     "Returnees with business experience who want to grow an activity.",
     "Completed the short business-plan training; plan selected by the committee.",
     "Demand for the activity in the commune (market assessment done).",
     "Coaching by the Chambre de métiers de Tambacounda for six months.", True),
    ("ECONOMIC", "Job placement (apprenticeship, paid internship)", "Tambacounda",
     "Returnees without capital or a business plan, younger returnees.",
     "Motivated, available full time; skills close to the employer's needs.",
     "Employers in construction, mechanics and transport willing to take apprentices.",
     "Apprenticeship agreement signed; stipend paid for six months.", True),
    ("ECONOMIC", "Vocational training", "",
     "Returnees who need a qualification before starting an activity.",
     "Basic literacy for the longer courses; the trade matches local demand.",
     "The family can do without the returnee's income during the course.",
     "An accredited centre (CFP) within reach; course start dates known.", True),
    ("ECONOMIC", "Collective project (market gardening, rice)", "Kolda",
     "Returnees of the same village; dry-season vegetables in the Anambé basin.",
     "Willing to work in a group and share the income.",
     "Land made available by the village chief or the commune.",
     "Access to water all year; extension advice from ANCAR.", True),
    ("SOCIAL", "Housing support (rent, repairs)", "",
     "Returnees without a place to stay, or a family house in poor repair.",
     "No room with the family; income not yet enough for the rent.",
     "A landlord who accepts a three-month advance; a local mason for repairs.",
     "Rent market in the commune; support limited to three months.", True),
    ("PSYCHOSOCIAL", "Community activities (returnee peer groups)", "Tambacounda",
     "Isolation, shame after the return, tension with the family.",
     "Agrees to take part; no acute distress (refer that to the mental health service).",
     "Community leaders and the imam support the group.",
     "A trained facilitator at the office; a monthly meeting room.", True),
]

# The activity the case's notes talk about → (type, measure, items: name, quantity, unit cost).
Items = tuple[tuple[str, float, int], ...]
KITS: dict[str, tuple[str, str, Items]] = {
    "tailoring": ("MICRO_BUSINESS", "Tailoring workshop: machines and first fabric", (
        ("Electric sewing machine", 1, 185_000), ("Pedal sewing machine", 1, 95_000),
        ("Overlocker", 1, 160_000), ("Fabric stock (wax, bazin), pieces", 20, 4_500),
        ("Scissors, thread and needles", 1, 25_000))),
    "retail": ("MICRO_BUSINESS", "Small shop (boutique): fittings and first stock", (
        ("Shelving and counter", 1, 120_000), ("First stock (rice, oil, sugar, soap)", 1, 300_000),
        ("Chest freezer", 1, 210_000), ("Scale", 1, 35_000))),
    "livestock": ("MICRO_BUSINESS", "Goat and sheep rearing", (
        ("Goats (local breed)", 6, 35_000), ("Sheep (Peul-Peul)", 4, 60_000),
        ("Pen materials (wire mesh, posts)", 1, 85_000), ("Feed (bran, hay), bags", 10, 6_500),
        ("Vaccination and veterinary care", 1, 30_000))),
    "market gardening": ("IGA", "Dry-season market garden", (
        ("Motor pump", 1, 180_000), ("Hoses and drip kit", 1, 95_000),
        ("Seeds (onion, tomato, cabbage)", 1, 60_000), ("Fertiliser, 50 kg bags", 6, 17_500),
        ("Garden tools and watering cans", 1, 70_000))),
    "phone repair": ("MICRO_BUSINESS", "Mobile phone repair stall", (
        ("Soldering station and tool kit", 1, 95_000), ("Spare parts (screens, batteries)", 1,
        180_000), ("Kiosk", 1, 150_000), ("Solar panel and battery", 1, 120_000))),
    "transport": ("MICRO_BUSINESS", "Motorbike taxi (Jakarta)", (
        ("Motorbike, 125 cc", 1, 650_000), ("Helmets", 2, 12_500),
        ("Registration and insurance, one year", 1, 85_000))),
    "poultry": ("MICRO_BUSINESS", "Broiler poultry farm", (
        ("Coop construction", 1, 200_000), ("Day-old chicks", 300, 550),
        ("Feed (starter, finisher), bags", 15, 16_000), ("Drinkers and feeders", 1, 35_000),
        ("Vaccines", 1, 25_000))),
    "hairdressing": ("MICRO_BUSINESS", "Hair salon", (
        ("Hood hair dryers", 2, 75_000), ("Salon chairs", 2, 45_000),
        ("Mirrors and shelving", 1, 60_000), ("Products and extensions stock", 1, 150_000),
        ("Rent of the salon, months", 3, 30_000))),
    "fish trade": ("MICRO_BUSINESS", "Fish trade at the market", (
        ("Chest freezer", 1, 250_000), ("Insulated boxes", 4, 22_500),
        ("First fish stock", 1, 120_000), ("Market stall fee, months", 6, 5_000),
        ("Scale", 1, 35_000))),
    "welding": ("MICRO_BUSINESS", "Welding workshop", (
        ("Arc welding machine", 1, 275_000), ("Angle grinder", 1, 65_000),
        ("Electrodes and protective gear", 1, 70_000), ("Metal stock (bars, sheets)", 1, 150_000),
        ("Workbench and vice", 1, 60_000))),
    "soap making": ("IGA", "Soap making", (
        ("Mixing tanks and moulds", 1, 85_000), ("Caustic soda and oils (first batches)", 1,
        160_000), ("Protective gear", 1, 25_000), ("Packaging and labels", 1, 40_000),
        ("Drying racks", 1, 30_000))),
    "catering": ("MICRO_BUSINESS", "Small restaurant", (
        ("Gas cookers and cylinders", 2, 55_000), ("Pots and utensils", 1, 90_000),
        ("Tables and benches", 1, 120_000), ("Refrigerator", 1, 230_000),
        ("First food stock", 1, 80_000))),
}
# Other measures: type, description, items, cost without items.
Extra = tuple[str, str, Items, int]
TRAINING: list[Extra] = [
    ("VOCATIONAL_TRAINING", "Three-month course at the regional vocational training centre",
     (("Course fees", 1, 180_000), ("Transport allowance, months", 3, 15_000)), 0),
    ("SKILLS", "Business-plan and financial-literacy training (3 days)",
     (("Course fee", 1, 45_000),), 0),
]
SOCIAL: list[Extra] = [
    ("HOUSING", "Rent support for three months while the activity starts",
     (("Rent, months", 3, 40_000),), 0),
    ("HOUSING", "Roof repair of the family house before the rainy season",
     (("Corrugated iron sheets", 12, 6_500), ("Timber and nails", 1, 35_000),
      ("Mason's labour", 1, 40_000)), 0),
    ("SOCIAL_PROTECTION", "Household enrolled in the community health insurance for a year",
     (("Membership, household members", 5, 3_500),), 0),
    ("EDUCATION", "School fees and supplies for the children",
     (("Fees and supplies, children", 2, 25_000),), 0),
    ("CASH", "Cash on arrival for food and immediate needs", (), 75_000),
]
PSY: list[Extra] = [
    ("PSY_INDIVIDUAL", "Individual counselling sessions with the psychosocial case manager",
     (), 0),
    ("PSY_COMMUNITY", "Monthly returnee peer group (transport refunded)",
     (("Transport to the sessions", 6, 2_500),), 0),
    ("PSY_OTHER", "Referral to the mental health service of the regional hospital", (), 0),
]
STRENGTHEN: Extra = ("IGA", "Equipment and stock replaced after the rainy-season floods",
                     (("Replacement equipment and stock", 1, 120_000),), 0)
NONE_SOCIAL = "No social assistance needed: the family hosts the returnee."
NONE_PSY = "No specific need at the screening; the case manager follows it at each visit."
IMPROVEMENTS = [
    "A regular income within six months to cover food and the children's school; less "
    "pressure from the family to leave again.",
    "Self-sufficient by the end of the year; the returnee regains a place in the family "
    "and takes part in the community's life.",
    "Income from the activity covers the rent by the third month; sleeps better and feels "
    "less ashamed of the return.",
]
RETURN_COMMENT = (
    "Please attach a second supplier quote for the equipment (the prices look high for "
    "Tambacounda) and say who hosts the returnee while the activity starts."
)
CANCEL_COMMENT = "Drafted before the needs assessment was finished; starting again."
DEAR = ("transport", "retail")  # kits that make a plan above the national threshold
# fmt: on


def _cost(extra: Extra) -> int:
    return extra[3] + sum(round(quantity * unit) for _name, quantity, unit in extra[2])


class _Planner:
    def __init__(self, users: dict[str, User]) -> None:
        self.rng = random.Random(SEED)
        self.users = users
        self.today = timezone.localdate()
        self.now = timezone.now()
        self._last: datetime | None = None
        self.touched: dict[int, datetime] = {}
        self.types = {t.code: t for t in AssistanceType.objects.all()}
        cases = Case.objects.filter(
            lead__isnull=False, stage__in=[Stage.PLANNING, Stage.ASSISTANCE, Stage.MONITORING]
        ).select_related("lead", "office", "person")
        self.cases = list(cases.order_by("pk"))
        ids = [c.pk for c in self.cases]
        self.entered: dict[tuple[int, str], date] = {}
        for case_id, data, at in CaseEvent.objects.filter(
            case_id__in=ids, kind=EventKind.STAGE_CHANGED
        ).values_list("case_id", "data", "at"):
            self.entered[(case_id, data.get("to", ""))] = timezone.localtime(at).date()
        # The activity the case's notes talk about ("the tailoring activity…").
        self.sector: dict[int, str] = {}
        for case_id, body in Note.objects.filter(case_id__in=ids).values_list("case_id", "body"):
            found = next((s for s in KITS if f"{s} activity" in body), None)
            if found:
                self.sector.setdefault(case_id, found)

    def _stamp(self, case: Case, day: date, *moved: str) -> None:
        """Move the dates the last calls wrote on the case to `day`; `moved`: the plan's
        `created_at` (measures, items), `submitted_at`, `approved_at` (commitments)."""
        when = timezone.make_aware(datetime.combine(day, time(9, 0)))
        when += timedelta(minutes=self.rng.randint(0, 420))
        if self._last and when <= self._last:
            when = self._last + timedelta(minutes=self.rng.randint(5, 60))
        when = self._last = min(when, self.now - timedelta(minutes=1))
        self.touched[case.pk] = max(when, self.touched.get(case.pk, when))
        now, rows = self.now, {"plan__case_id": case.pk, "created_at__gte": self.now}
        CaseEvent.objects.filter(case_id=case.pk, at__gte=now).update(at=when)
        PlanEvent.objects.filter(plan__case_id=case.pk, at__gte=now).update(at=when)
        for name in ("updated_at", *moved):
            Plan.objects.filter(case_id=case.pk, **{f"{name}__gte": now}).update(**{name: when})
        if "created_at" in moved:
            Measure.objects.filter(**rows).update(created_at=when, updated_at=when)
            Item.objects.filter(**rows).update(created_at=when, updated_at=when)
        if "approved_at" in moved:
            Commitment.objects.filter(**rows).update(created_at=when, updated_at=when)
            Commitment.objects.filter(plan__case_id=case.pk, released_at__gte=now).update(
                released_at=when, updated_at=when
            )

    def _add(self, case: Case, plan: Plan, extra: Extra) -> str:
        """A measure of the plan with its items; its description, for the summary."""
        code, description, items, _cash = extra
        measure = services.measure_add(
            actor=case.lead, plan=plan, assistance_type=self.types[code],
            estimated_cost=_cost(extra), description=description,
            referral_needed=code.startswith("PSY"),
        )  # fmt: skip
        for name, quantity, unit in items:
            services.item_add(
                actor=case.lead, plan=plan, measure=measure, description=name,
                quantity=quantity, unit_cost=unit,
            )  # fmt: skip
        return description + "."

    def _extras(self, case: Case, kit: int, big: bool) -> list[tuple[str, Extra]]:
        """Measures to go with the kit (cost `kit`), each with the summary it goes in."""
        rng = self.rng
        extras: list[tuple[str, Extra]] = []
        if big or rng.random() < 0.45:
            extras.append(("economic", TRAINING[0] if big or rng.random() < 0.5 else TRAINING[1]))
        if big or rng.random() < 0.5:
            extras.append(("social", SOCIAL[1] if big else rng.choice(SOCIAL)))
        if case.has_psychosocial_flag or case.lead_id == self.users["cm.psy"].pk:
            extras.append(("psychosocial", PSY[0]))
            if rng.random() < 0.5:
                extras.append(("psychosocial", rng.choice(PSY[1:])))
        elif rng.random() < 0.25:
            extras.append(("psychosocial", PSY[1]))
        cost = kit + sum(_cost(e) for _k, e in extras)
        while not big and cost > national_threshold() - 50_000:  # most stay regional
            cost -= _cost(extras.pop(0)[1])
        return extras

    def draft(self, case: Case, day: date, *, full: bool = True, big: bool = False) -> Plan:
        """The lead's draft: the kit for the case's activity and, when `full`, the other
        measures and every summary (`big`: above the national threshold)."""
        self._last = None
        sector = self.sector.get(case.pk) or self.rng.choice(sorted(KITS))
        if big and sector not in DEAR:
            sector = "transport"
        code, label, items = KITS[sector]
        plan = services.plan_start(actor=case.lead, case=case)
        place = case.person.commune or case.office.name
        self._add(case, plan, (code, label, items, 0))
        texts = {"economic": [f"{label} in {place}."], "social": [], "psychosocial": []}
        if full:
            for summary, extra in self._extras(case, _cost((code, label, items, 0)), big):
                texts[summary].append(self._add(case, plan, extra))
        fields: dict[str, Any] = {"summary_economic": " ".join(texts["economic"])}
        if full:
            fields["summary_social"] = " ".join(texts["social"]) or NONE_SOCIAL
            fields["summary_psychosocial"] = " ".join(texts["psychosocial"]) or NONE_PSY
            fields["expected_improvement"] = self.rng.choice(IMPROVEMENTS)
        plan = services.plan_update(actor=case.lead, plan=plan, **fields)
        self._stamp(case, day, "created_at")
        return plan

    def _line(self, case: Case, plan: Plan) -> BudgetLine:
        """A line of the case's office with enough left (the national reserve last); a
        revision stays on its predecessor's line, whose commitment it releases."""
        codes = [c for office, c, *_r in BUDGET_LINES if office == case.office.code]
        if self.rng.random() < 0.3:
            codes.reverse()  # some on the national programme's regional line
        if plan.total > national_threshold():
            codes.insert(0, "DKR-PN-01")
        previous = plan.previous
        if previous is not None and previous.budget_line is not None:
            codes.insert(0, previous.budget_line.code)
        for code in [*codes, "DKR-PN-01"]:
            line = BudgetLine.objects.get(code=code)
            freed = previous.total if previous and previous.budget_line_id == line.pk else 0
            if line.available + freed >= plan.total:
                return line
        raise RuntimeError(f"No budget left for {case.number}: raise the demo's budget lines.")

    def submit(self, case: Case, plan: Plan, day: date) -> Plan:
        plan = services.plan_submit(actor=case.lead, plan=plan)
        self._stamp(case, day, "submitted_at")
        return plan

    def approve(self, case: Case, plan: Plan, day: date) -> Plan:
        """By coord.tamba at Tambacounda; coord.national for Kolda and above the threshold."""
        national = case.office.code != "TAM" or plan.total > national_threshold()
        approver = self.users["coord.national" if national else "coord.tamba"]
        plan = services.plan_approve(actor=approver, plan=plan, budget_line=self._line(case, plan))
        self._stamp(case, day, "approved_at")
        return plan

    def _days(self, start: date, end: date, n: int = 3) -> list[date]:
        """`n` increasing days between `start` and `end` (not after yesterday)."""
        end = max(min(end, self.today - timedelta(days=1)), start)
        span = (end - start).days
        return sorted(start + timedelta(days=self.rng.randint(0, span)) for _ in range(n))

    def approved(self, case: Case, big: bool = False) -> Plan:
        """Drafted, submitted and approved between planning and assistance."""
        planning = self.entered.get((case.pk, Stage.PLANNING), case.opened_on)
        assistance = self.entered.get((case.pk, Stage.ASSISTANCE), planning + timedelta(30))
        drafted, submitted, approved = self._days(planning, assistance - timedelta(days=1))
        plan = self.draft(case, drafted, big=big)
        self.submit(case, plan, submitted)
        return self.approve(case, plan, approved)

    def revise(self, case: Case, extra: Extra, *, to: str) -> None:
        """A second revision with one more measure: approved since monitoring started, or
        drafted (and submitted) these last days."""
        start = self.today - timedelta(days=5)
        if to == "APPROVED":
            start = self.entered.get((case.pk, Stage.MONITORING), self.today - timedelta(40))
        drafted, submitted, approved = self._days(start, start + timedelta(days=60))
        self._last = None
        plan = services.plan_start(actor=case.lead, case=case)
        self._add(case, plan, extra)
        self._stamp(case, drafted, "created_at")
        if to != "DRAFT":
            plan = self.submit(case, plan, submitted)
        if to == "APPROVED":
            self.approve(case, plan, approved)

    def planning(self, case: Case, what: str) -> None:
        """A plan for a case in planning: a draft, submitted, big, returned or cancelled."""
        start = self.entered.get((case.pk, Stage.PLANNING), case.opened_on)
        day, submitted, returned = self._days(start, self.today - timedelta(days=3))
        if what == "cancel":
            dropped = self.draft(case, day, full=False)
            services.plan_cancel(actor=case.lead, plan=dropped, comment=CANCEL_COMMENT)
            self._stamp(case, submitted)
            self.draft(case, returned)
            return
        plan = self.draft(case, day, full=what != "draft", big=what == "big")
        if what != "draft":
            plan = self.submit(case, plan, max(submitted, self.today - timedelta(days=6)))
        if what == "return":
            coord = self.users["coord.tamba"]
            services.plan_return(actor=coord, plan=plan, comment=RETURN_COMMENT)
            self._stamp(case, self.today - timedelta(days=1))

    def load(self) -> None:
        pools: dict[tuple[str, str], list[Case]] = {}
        usernames = {u.pk: name for name, u in self.users.items()}
        for case in self.cases:
            pools.setdefault((usernames.get(case.lead_id or 0, ""), case.stage), []).append(case)
        for pool in pools.values():
            self.rng.shuffle(pool)
        for stage in (Stage.ASSISTANCE, Stage.PLANNING):  # cm.tamba's first plan is big:
            pools.get(("cm.tamba", stage), []).sort(key=lambda c: self.sector.get(c.pk) not in DEAR)
        totals: dict[int, Decimal] = {}
        for stage in (Stage.ASSISTANCE, Stage.MONITORING):
            for lead in ("cm.tamba", "cm.kolda", "cm.psy"):
                for i, case in enumerate(pools.get((lead, stage), [])):
                    big = i == 0 and lead == "cm.tamba" and stage == Stage.ASSISTANCE
                    totals[case.pk] = self.approved(case, big).total
        for lead, count in (("cm.tamba", 2), ("cm.kolda", 1)):
            for case in pools.get((lead, Stage.MONITORING), [])[:count]:
                self.revise(case, STRENGTHEN, to="APPROVED")
        # Revisions in the works stay at the regional level.
        assisted = pools.get(("cm.tamba", Stage.ASSISTANCE), [])
        small = [c for c in assisted if totals[c.pk] < 800_000]
        revisions = (("DRAFT", SOCIAL[0]), ("SUBMITTED", STRENGTHEN))
        for case, (to, extra) in zip(small, revisions, strict=False):
            self.revise(case, extra, to=to)
        for lead, todo in (
            ("cm.tamba", ["big", "submit", "submit", "submit", "return", *["draft"] * 5]),
            ("cm.kolda", ["submit", "submit", "cancel", *["draft"] * 3]),
            ("cm.psy", ["draft"]),
        ):
            for case, what in zip(pools.get((lead, Stage.PLANNING), []), todo, strict=False):
                self.planning(case, what)
        # The case counts as updated when its plan last moved (its real updated_at if later).
        for case in self.cases:
            if case.pk in self.touched:
                when = max(case.updated_at, self.touched[case.pk])
                Case.objects.filter(pk=case.pk).update(updated_at=when)


def plans_load(users: dict[str, User]) -> None:
    """coord.national sets the programme up (catalogue, ceilings, budget lines, feasibility
    grid); then the demo cases get their plans (after the assessments and referrals)."""
    coord = users["coord.national"]
    offices = {o.code: o for o in Office.objects.all()}
    services.catalogue_load(actor=coord)
    for code, ceiling in CEILINGS.items():
        kind = AssistanceType.objects.get(code=code)
        services.assistance_type_save(
            actor=coord, assistance_type=kind, version=kind.version, ceiling=ceiling
        )
    today = timezone.localdate()
    for office, code, name, donor, amount in BUDGET_LINES:
        services.budget_line_create(
            actor=coord, office=offices[office], code=code, name=name, donor=donor,
            amount=amount, starts_on=today - timedelta(days=600), ends_on=today + timedelta(365),
        )  # fmt: skip
    for dim, approach, region, useful, individual, community, structural, ok in GRID:
        services.option_save(
            actor=coord, dimension=dim, approach=approach, region=region, useful_for=useful,
            individual_criteria=individual, community_criteria=community,
            structural_criteria=structural, is_feasible=ok,
        )  # fmt: skip
    _Planner(users).load()
